/** The engineer's choices on this phone (localStorage: they are not secret and survive logout). */
import { reactive, watch } from 'vue'
import { NAV_APPS, type NavApp } from './nav'

const KEY = 'fieldline.app.settings'

export interface Settings {
  nav: NavApp
  shareLocation: boolean
}

function load(): Settings {
  const fallback: Settings = { nav: 'auto', shareLocation: true }
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Settings>
    return {
      nav: NAV_APPS.includes(saved.nav as NavApp) ? (saved.nav as NavApp) : fallback.nav,
      shareLocation: typeof saved.shareLocation === 'boolean' ? saved.shareLocation : fallback.shareLocation,
    }
  } catch {
    return fallback
  }
}

export const settings = reactive<Settings>(load())

watch(settings, (value) => {
  try {
    localStorage.setItem(KEY, JSON.stringify(value))
  } catch {
    // private mode: the choice lasts for this page
  }
})
