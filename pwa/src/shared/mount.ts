import { createApp, watchEffect, type Component } from 'vue'
import { setupI18n } from './i18n'
import './style.css'

/**
 * Mounts an app's root component on #app with the shared i18n instance and keeps
 * `document.title` translated: the message at `titleKey`, followed by the brand unless
 * `withBrand` is false.
 */
export function mountApp(root: Component, titleKey: string, withBrand = true): void {
  const i18n = setupI18n()
  const app = createApp(root)
  app.use(i18n)
  watchEffect(() => {
    const title = i18n.global.t(titleKey)
    document.title = withBrand ? `${title} · ${i18n.global.t('common.brand')}` : title
  })
  app.mount('#app')
}
