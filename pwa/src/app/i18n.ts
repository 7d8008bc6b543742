/** The engineer app's strings on top of the shared vue-i18n instance (messages.ts). */
import { installMessages, useNamespacedI18n, type MessageKey } from '../shared/i18n'
import { appMessages, type AppMessages } from './messages'

export type AppKey = MessageKey<AppMessages>

export function installAppMessages(): void {
  installMessages('engineer', appMessages)
}

/** `t` for the app's own keys (typed against messages.ts), plus the current locale. */
export function useAppI18n() {
  return useNamespacedI18n<AppKey>('engineer')
}
