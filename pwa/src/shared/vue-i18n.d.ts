import type { MessageSchema } from './messages/zh-CN'

// Types `t('...')` keys against the zh-CN table in every component.
declare module 'vue-i18n' {
  export interface DefineLocaleMessage extends MessageSchema {}
}
