/** The engineer app's strings on top of the shared vue-i18n instance (messages.ts). */
import type { Ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { setupI18n } from '../shared/i18n'
import { appMessages, type AppMessages } from './messages'

type Paths<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Paths<T[K], `${P}${K}.`>
}[keyof T & string]

export type AppKey = Paths<AppMessages>
export type Translate = (key: AppKey, params?: Record<string, unknown>) => string

export function installAppMessages(): void {
  const i18n = setupI18n()
  for (const [locale, table] of Object.entries(appMessages)) {
    i18n.global.mergeLocaleMessage(locale as 'en', { engineer: table } as never)
  }
}

/** `t` for the app's own keys (typed against messages.ts), plus the current locale. */
export function useAppI18n(): { t: Translate; locale: Ref<string> } {
  const { t: raw, locale } = useI18n()
  const loose = raw as unknown as (key: string, params: Record<string, unknown>) => string
  return { t: (key, params = {}) => loose(`engineer.${key}`, params), locale: locale as unknown as Ref<string> }
}
