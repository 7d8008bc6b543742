/** The board's strings on top of the shared vue-i18n instance (messages.ts). */
import { installMessages, useNamespacedI18n, type MessageKey } from '../shared/i18n'
import { boardMessages, type BoardMessages } from './messages'

export function installBoardMessages(): void {
  installMessages('board', boardMessages)
}

/** `t` for the board's own keys (typed against messages.ts), plus the current locale. */
export function useBoardI18n() {
  return useNamespacedI18n<MessageKey<BoardMessages>>('board')
}
