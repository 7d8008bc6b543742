/**
 * The service worker (built by vite-plugin-pwa into /app/sw.js): it precaches the app shell so
 * the app starts offline. A new version waits until the engineer chooses to reload, so a job
 * in progress is never interrupted.
 */
import { ref } from 'vue'

export const updateReady = ref<(() => void) | null>(null)

export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return
  let reloadOnChange = false
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (reloadOnChange) location.reload()
  })
  const offer = (worker: ServiceWorker) => {
    updateReady.value = () => {
      reloadOnChange = true
      worker.postMessage({ type: 'SKIP_WAITING' })
    }
  }
  navigator.serviceWorker
    .register('/app/sw.js', { scope: '/app/' })
    .then((registration) => {
      if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting)
      registration.addEventListener('updatefound', () => {
        const worker = registration.installing
        worker?.addEventListener('statechange', () => {
          if (worker.state === 'installed' && navigator.serviceWorker.controller) offer(worker)
        })
      })
      const check = () => registration.update().catch(() => undefined)
      setInterval(check, 30 * 60_000)
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible') check()
      })
    })
    .catch(() => undefined) // no service worker: the app still runs online
}
