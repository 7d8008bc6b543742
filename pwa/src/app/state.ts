/**
 * The app's live state: the jobs and the outbox as IndexedDB holds them, and the sync loop that
 * flushes the outbox on start, when the network returns, when the app comes back to the
 * foreground, after every action and on a timer, backing off while the server cannot be reached.
 */
import { computed, reactive, ref, toRaw } from 'vue'
import { getAccessToken } from '../shared/api'
import type { SessionUser } from '../shared/session'
import { indexedDbStore } from './data/db'
import { REJECTIONS_KEY, SENT_KEY, enqueue, makeOp, pendingOps, retryState, type SentLog } from './data/outbox'
import { SYNCED_AT_KEY, syncNow } from './data/sync'
import { fetchVanStock, httpTransport } from './data/transport'
import type { Job, LocalStore, OpType, QueuedOp, Rejection, RetryState, StoredBlob, UploadRef, VanStock } from './data/types'
import { routeOrder, splitByDay, viewJob, type JobView } from './data/view'

const USER_KEY = 'fieldline.app.user'
const VAN_KEY = 'van_stock'
const VAN_REFRESH_MS = 10 * 60_000
const POLL_MS = 60_000
const ACTIVE = ['en_route', 'in_progress']

export const state = reactive({
  user: null as SessionUser | null,
  loaded: false,
  jobs: [] as Job[],
  ops: [] as QueuedOp[],
  sent: {} as SentLog,
  rejections: [] as Rejection[],
  retry: { attempts: 0, next_at: null, last_error: null } as RetryState,
  syncedAt: null as string | null,
  syncing: false,
  online: typeof navigator === 'undefined' ? true : navigator.onLine,
  sessionEnded: false,
  syncError: '',
  van: [] as VanStock[],
})

let store: LocalStore | null = null
let timer: ReturnType<typeof setTimeout> | null = null
let running: Promise<void> | null = null
let again = false
let vanReadAt = 0

function db(): LocalStore {
  store ??= indexedDbStore()
  return store
}

export const views = computed<JobView[]>(() =>
  [...state.jobs]
    .sort(routeOrder)
    .map((job) =>
      viewJob(
        job,
        state.ops.filter((op) => op.work_order_id === job.id),
        state.sent[job.id] ?? [],
      ),
    )
    .filter((view) => view.job.status !== 'declined'),
)

/** The list split into today's route and the days after (re-read each minute, past midnight). */
export const clock = ref(new Date())
export const days = computed(() => splitByDay(views.value, clock.value))

export const hasActiveJob = computed(() => views.value.some((v) => ACTIVE.includes(v.job.status)))

export function cachedUser(): SessionUser | null {
  if (!getAccessToken()) return null
  try {
    return JSON.parse(localStorage.getItem(USER_KEY) ?? 'null') as SessionUser | null
  } catch {
    return null
  }
}

export async function signedIn(user: SessionUser): Promise<void> {
  const previous = JSON.parse(localStorage.getItem(USER_KEY) ?? 'null') as SessionUser | null
  // Another person on this phone: nothing of the previous one's stays.
  if (previous && previous.id !== user.id) await db().clear()
  localStorage.setItem(USER_KEY, JSON.stringify(user))
  state.user = user
  state.sessionEnded = false
  await reload()
  requestSync()
}

/** Logout: the server session ends and this phone forgets the jobs, the outbox and the photos. */
export async function forgetEverything(): Promise<void> {
  stopSync()
  await db().clear()
  localStorage.removeItem(USER_KEY)
  state.user = null
  state.jobs = []
  state.ops = []
  state.sent = {}
  state.rejections = []
  state.syncedAt = null
  state.van = []
  vanReadAt = 0
}

export async function reload(): Promise<void> {
  clock.value = new Date()
  const s = db()
  const [jobs, ops, sent, rejections, retry, syncedAt, van] = await Promise.all([
    s.allJobs(),
    pendingOps(s),
    s.getMeta<SentLog>(SENT_KEY),
    s.getMeta<Rejection[]>(REJECTIONS_KEY),
    retryState(s),
    s.getMeta<string>(SYNCED_AT_KEY),
    s.getMeta<VanStock[]>(VAN_KEY),
  ])
  Object.assign(state, {
    jobs,
    ops,
    sent: sent ?? {},
    rejections: rejections ?? [],
    retry,
    syncedAt: syncedAt ?? null,
    van: van ?? [],
  })
  state.loaded = true
}

/** Queues an action (and any photo or signature it names), shows it at once, and tries to send. */
export async function act(
  type: OpType,
  job: Job,
  payload: Record<string, unknown> = {},
  files: StoredBlob[] = [],
): Promise<QueuedOp> {
  const s = db()
  for (const file of files) await s.putBlob(file)
  const uploads: UploadRef[] = files.map((f) => ({ sha256: f.sha256, kind: f.kind }))
  const op = await enqueue(s, makeOp(type, job, payload, uploads))
  await reload()
  requestSync()
  return op
}

export async function blobUrl(sha256: string): Promise<string | null> {
  const stored = await db().getBlob(sha256)
  return stored ? URL.createObjectURL(stored.blob) : null
}

export async function dismissRejections(ids: string[]): Promise<void> {
  const gone = new Set(ids)
  // Plain objects: IndexedDB cannot store Vue's reactive proxies.
  const kept = toRaw(state.rejections).map((r) => toRaw(r)).filter((r) => !gone.has(r.op_id))
  await db().setMeta(REJECTIONS_KEY, kept)
  state.rejections = kept
}

/** The van's stock, now and then, while online; a failure keeps the last copy. */
async function refreshVan(): Promise<void> {
  const technicianId = state.jobs.find((job) => job.assignee?.id)?.assignee?.id
  if (!technicianId || Date.now() - vanReadAt < VAN_REFRESH_MS) return
  try {
    await db().setMeta(VAN_KEY, await fetchVanStock(technicianId))
    vanReadAt = Date.now()
  } catch {
    // not reachable or not allowed: parts from reservations still work
  }
}

function schedule(delayMs: number): void {
  if (timer) clearTimeout(timer)
  timer = setTimeout(requestSync, Math.max(0, delayMs))
}

function stopSync(): void {
  if (timer) clearTimeout(timer)
  timer = null
}

/** Runs a sync round now, or right after the one in flight. */
export function requestSync(): Promise<void> {
  if (!state.user || state.sessionEnded) return Promise.resolve()
  if (running) {
    again = true
    return running
  }
  running = (async () => {
    do {
      again = false
      state.syncing = true
      const outcome = await syncNow(db(), httpTransport)
      state.syncing = false
      if (outcome.ok) {
        state.syncError = ''
        state.online = true
        await refreshVan()
      } else if (outcome.error.status === 401) {
        state.sessionEnded = true
      } else if (outcome.error.isNetworkError) {
        state.online = false
      } else {
        state.syncError = outcome.error.message
      }
      await reload()
      if (!outcome.ok && outcome.retryAt) schedule(outcome.retryAt - Date.now())
      else if (outcome.ok) schedule(POLL_MS)
    } while (again && state.user && !state.sessionEnded)
  })().finally(() => {
    running = null
  })
  return running
}

export function startSyncTriggers(): void {
  window.addEventListener('online', () => {
    state.online = true
    requestSync()
  })
  window.addEventListener('offline', () => {
    state.online = false
  })
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') requestSync()
  })
}
