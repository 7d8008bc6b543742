/** The admin app's strings on top of the shared vue-i18n instance (messages.ts). */
import type { Ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { installMessages } from '../shared/i18n'
import { adminMessages } from './messages'

export function installAdminMessages(): void {
  installMessages('admin', adminMessages)
}

type Loose = (key: string, named?: Record<string, unknown>, plural?: number) => string

export interface AdminI18n {
  /** A key under `admin.` */
  t: (key: string, named?: Record<string, unknown>) => string
  /** `t` with a plural choice */
  tp: (key: string, named: Record<string, unknown>, plural: number) => string
  /** Any key of the shared table (e.g. `auth.logout`) */
  tt: (key: string, named?: Record<string, unknown>) => string
  /** The translation of `admin.<prefix>.<value>`, or the value itself when there is none */
  label: (prefix: string, value: string | null | undefined) => string
  /** The translation of a shared key when it exists, else `fallback` (e.g. a part's unit) */
  sharedOr: (key: string, fallback: string) => string
  locale: Ref<string>
}

/** The admin screens' translation helpers (keys checked by messages.test.ts, not by the compiler). */
export function useAdminI18n(): AdminI18n {
  const { t, te, locale } = useI18n()
  const loose = t as unknown as Loose
  const looseTe = te as unknown as (key: string) => boolean
  return {
    t: (key, named = {}) => loose(`admin.${key}`, named),
    tp: (key, named, plural) => loose(`admin.${key}`, named, plural),
    tt: (key, named = {}) => loose(key, named),
    label: (prefix, value) => {
      if (!value) return ''
      const key = `admin.${prefix}.${value}`
      return looseTe(key) ? loose(key, {}) : value
    },
    sharedOr: (key, fallback) => (looseTe(key) ? loose(key, {}) : fallback),
    locale: locale as unknown as Ref<string>,
  }
}
