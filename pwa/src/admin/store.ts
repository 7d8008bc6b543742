/** The signed-in user of the admin app, what their role may do here, and the page's route. */
import { reactive } from 'vue'
import { ApiError } from '../shared/api'
import type { SessionUser } from '../shared/session'

/** Roles the admin screens are for (DESIGN §1); the API decides the rest per call. */
export const ADMIN_ROLES = ['admin', 'manager', 'dispatcher']
/** May add, change, pause and skip maintenance plans (the API's planners). */
const PLANNERS = ['admin', 'manager', 'dispatcher']
/** May record meter readings by hand. */
const READING_WRITERS = ['admin', 'dispatcher']

export const state = reactive({
  user: null as SessionUser | null,
  /** the session ran out while the page was open */
  ended: false,
})

export const canPlan = (): boolean => PLANNERS.includes(state.user?.role ?? '')
export const canRecordReadings = (): boolean => READING_WRITERS.includes(state.user?.role ?? '')

/** The text to show for a failed call; a refused token signs the page out. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 401 && state.user) {
      state.user = null
      state.ended = true
    }
    return err.message
  }
  return err instanceof Error ? err.message : String(err)
}

export type Route = { name: 'assets' } | { name: 'asset'; id: string } | { name: 'forecast' }

/** `#/assets`, `#/assets/<id>`, `#/forecast`; anything else is the asset list. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '')
  const asset = /^assets\/([0-9a-fA-F-]{36})$/.exec(path)
  if (asset) return { name: 'asset', id: asset[1].toLowerCase() }
  if (path === 'forecast') return { name: 'forecast' }
  return { name: 'assets' }
}

export function routeHash(route: Route): string {
  if (route.name === 'asset') return `#/assets/${route.id}`
  return `#/${route.name}`
}

/** The asset list's filters and page, kept while the user looks at an asset and comes back. */
export const listState = reactive({
  q: '',
  customerId: '',
  siteId: '',
  modelId: '',
  status: '',
  page: 1,
})
