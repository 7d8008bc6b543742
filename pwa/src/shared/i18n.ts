/**
 * Locale detection, persistence and the vue-i18n instance shared by every entry.
 *
 * Order: `?lang=` in the URL (this page only), then localStorage `fieldline.locale` (set by
 * the language switch), then the browser: English if navigator.language starts with "en",
 * otherwise zh-CN.
 */
import type { Ref } from 'vue'
import { createI18n, useI18n, type I18n } from 'vue-i18n'
import zhCN, { type MessageSchema } from './messages/zh-CN'
import en from './messages/en'

export const SUPPORTED_LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof SUPPORTED_LOCALES)[number]
export const DEFAULT_LOCALE: Locale = 'zh-CN'
export const LOCALE_STORAGE_KEY = 'fieldline.locale'

export const messages: Record<Locale, MessageSchema> = { 'zh-CN': zhCN, en }

/** Maps a tag such as "en-US", "EN", "zh", "zh-Hans-CN" to a supported locale, or null. */
export function normalizeLocale(tag: string | null | undefined): Locale | null {
  if (!tag) return null
  const lower = tag.trim().toLowerCase().replace(/_/g, '-')
  if (lower === 'en' || lower.startsWith('en-')) return 'en'
  if (lower === 'zh' || lower.startsWith('zh-')) return 'zh-CN'
  return null
}

export interface LocaleSources {
  /** location.search, e.g. "?lang=en" */
  search?: string | null
  /** the value stored under LOCALE_STORAGE_KEY */
  stored?: string | null
  /** navigator.language */
  navigatorLanguage?: string | null
}

/** Pure: picks the locale from the given sources (see the module comment for the order). */
export function detectLocale({ search, stored, navigatorLanguage }: LocaleSources): Locale {
  const fromQuery = normalizeLocale(new URLSearchParams(search ?? '').get('lang'))
  if (fromQuery) return fromQuery
  const fromStorage = normalizeLocale(stored)
  if (fromStorage) return fromStorage
  if (navigatorLanguage && navigatorLanguage.trim().toLowerCase().startsWith('en')) return 'en'
  return DEFAULT_LOCALE
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage
  } catch {
    return null // e.g. storage disabled by privacy settings
  }
}

/** The sources of the running page. */
export function browserLocaleSources(): LocaleSources {
  return {
    search: typeof location === 'undefined' ? '' : location.search,
    stored: storage()?.getItem(LOCALE_STORAGE_KEY) ?? null,
    navigatorLanguage: typeof navigator === 'undefined' ? null : navigator.language,
  }
}

type FieldlineI18n = I18n<{ 'zh-CN': MessageSchema; en: MessageSchema }, {}, {}, Locale, false>

let instance: FieldlineI18n | null = null

/** The shared vue-i18n instance (Composition API mode), created on first use. */
export function setupI18n(): FieldlineI18n {
  if (instance) return instance
  const locale = detectLocale(browserLocaleSources())
  instance = createI18n<[MessageSchema], Locale, false>({
    legacy: false,
    locale,
    fallbackLocale: DEFAULT_LOCALE,
    messages,
  }) as FieldlineI18n
  applyDocumentLang(locale)
  return instance
}

/** The locale in use: the i18n instance's, or what detection would pick before it exists. */
export function currentLocale(): Locale {
  return instance ? instance.global.locale.value : detectLocale(browserLocaleSources())
}

/** Switches every string on the page, remembers the choice and sets `<html lang>`. */
export function setLocale(locale: Locale): void {
  setupI18n().global.locale.value = locale
  try {
    storage()?.setItem(LOCALE_STORAGE_KEY, locale)
  } catch {
    // quota or privacy mode: the choice then lasts for this page only
  }
  applyDocumentLang(locale)
}

function applyDocumentLang(locale: Locale): void {
  if (typeof document !== 'undefined') document.documentElement.lang = locale
}

/** The dotted keys of a nested message table, e.g. `'live.connecting'`. */
export type MessageKey<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : MessageKey<T[K], `${P}${K}.`>
}[keyof T & string]

/** Merges an app's own tables into the shared instance under `namespace` (e.g. `board.live`). */
export function installMessages(namespace: string, tables: Record<Locale, object>): void {
  const i18n = setupI18n()
  for (const locale of SUPPORTED_LOCALES) {
    i18n.global.mergeLocaleMessage(locale, { [namespace]: tables[locale] } as never)
  }
}

export type NamespacedTranslate<K extends string> = (key: K, params?: Record<string, unknown>) => string

/** `t` for the keys under `namespace` (typed by `K`), plus the current locale. */
export function useNamespacedI18n<K extends string>(namespace: string): { t: NamespacedTranslate<K>; locale: Ref<string> } {
  const { t: raw, locale } = useI18n()
  const loose = raw as unknown as (key: string, params: Record<string, unknown>) => string
  return { t: (key, params = {}) => loose(`${namespace}.${key}`, params), locale: locale as unknown as Ref<string> }
}
