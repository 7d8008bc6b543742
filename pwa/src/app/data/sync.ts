/**
 * One sync round: push the outbox, then pull what changed since the cursor. Pushing first means
 * the pull already reflects this phone's own steps. A round that cannot reach the server is
 * recorded with its backoff; the queued ops stay where they are.
 */
import { ApiError } from '../../shared/api'
import { dropJobs, isTransient, pendingOps, pushOutbox, recordFailure, recordSuccess, type PushOutcome } from './outbox'
import type { Job, LocalStore, Transport } from './types'

export const CURSOR_KEY = 'cursor'
export const SYNCED_AT_KEY = 'synced_at'

export interface PullOutcome {
  upserted: number
  removed: string[]
}

/** Applies a sync answer: orders replace older local copies; removals (and, on a full sync,
 * anything the server no longer lists) leave the phone. */
export async function pullChanges(store: LocalStore, transport: Transport, now: Date = new Date()): Promise<PullOutcome> {
  const cursor = (await store.getMeta<string>(CURSOR_KEY)) ?? null
  let answer
  try {
    answer = await transport.getSync(cursor)
  } catch (err) {
    // A cursor the server cannot read (e.g. after an upgrade): start again with a full sync.
    if (cursor && err instanceof ApiError && err.status === 422) {
      await store.setMeta(CURSOR_KEY, null)
      answer = await transport.getSync(null)
    } else {
      throw err
    }
  }
  const local = new Map((await store.allJobs()).map((job) => [job.id, job]))
  const queued = new Set((await pendingOps(store)).map((op) => op.work_order_id))
  const removed = new Set(answer.removed.filter((id) => local.has(id)))
  if (answer.full) {
    const listed = new Set(answer.work_orders.map((job) => job.id))
    for (const id of local.keys()) if (!listed.has(id) && !queued.has(id)) removed.add(id)
  }
  const fresh: Job[] = answer.work_orders.filter((job) => {
    const mine = local.get(job.id)
    return !removed.has(job.id) && (!mine || mine.version <= job.version)
  })
  await store.putJobs(fresh)
  await dropJobs(store, [...removed])
  await store.setMeta(CURSOR_KEY, answer.cursor)
  await store.setMeta(SYNCED_AT_KEY, now.toISOString())
  return { upserted: fresh.length, removed: [...removed] }
}

export type SyncOutcome =
  | { ok: true; push: PushOutcome; pull: PullOutcome }
  | { ok: false; error: ApiError; retryAt: number | null }

/** Push then pull. Offline or a failing server: the failure is recorded with its backoff and
 * returned; a session that has ended (401) is returned without a retry. */
export async function syncNow(
  store: LocalStore,
  transport: Transport,
  now: Date = new Date(),
  random?: () => number,
): Promise<SyncOutcome> {
  try {
    const push = await pushOutbox(store, transport, now)
    const pull = await pullChanges(store, transport, now)
    await recordSuccess(store)
    return { ok: true, push, pull }
  } catch (err) {
    const error = err instanceof ApiError ? err : new ApiError(0, 'network_error', String(err))
    if (!isTransient(error)) return { ok: false, error, retryAt: null }
    const state = await recordFailure(store, error.error, now.getTime(), random)
    return { ok: false, error, retryAt: state.next_at }
  }
}
