/**
 * The outbox: every action the engineer takes is appended here with its own op id before anything
 * goes over the network, and pushed to `POST /mobile/v1/ops` in the order it was taken. The
 * server applies each op at most once (it remembers op ids), so pushing the same op again after a
 * lost answer is harmless: it comes back `duplicate`.
 *
 * Photo and signature bytes are uploaded by their sha256 before the op that names them.
 */
import { ApiError } from '../../shared/api'
import type {
  Job,
  LocalStore,
  OpResult,
  OpType,
  QueuedOp,
  Rejection,
  RetryState,
  Transport,
  UploadRef,
} from './types'

/** Ops per request; the server takes up to 1000. */
export const BATCH_SIZE = 100
export const REJECTIONS_KEY = 'rejections'
export const SENT_KEY = 'sent'
export const RETRY_KEY = 'retry'
const BACKOFF_BASE_MS = 2_000
const BACKOFF_MAX_MS = 5 * 60_000

/** Ops that reached the server, per job, so notes and photos stay visible after sending. */
export type SentLog = Record<string, QueuedOp[]>

/** The wait before retry number `attempts` (1, 2, ...): doubling from 2 s up to 5 min, with jitter. */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const exp = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1))
  return Math.round(exp * (0.5 + random() / 2))
}

export function newOpId(): string {
  return crypto.randomUUID()
}

/** An op for `job` as the engineer sees it now (its version is the one the action was based on). */
export function makeOp(
  type: OpType,
  job: Pick<Job, 'id' | 'version'>,
  payload: Record<string, unknown> = {},
  uploads: UploadRef[] = [],
  now: Date = new Date(),
  opId: string = newOpId(),
): QueuedOp {
  return {
    op_id: opId,
    type,
    work_order_id: job.id,
    base_version: job.version ?? null,
    at: now.toISOString(),
    payload,
    uploads,
  }
}

export async function enqueue(store: LocalStore, op: QueuedOp): Promise<QueuedOp> {
  return store.addOp(op)
}

export async function pendingOps(store: LocalStore): Promise<QueuedOp[]> {
  return (await store.allOps()).sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0))
}

export interface PushOutcome {
  applied: number
  duplicates: number
  rejected: Rejection[]
  /** jobs the server no longer lets this engineer see (reassigned, declined, cancelled) */
  removed: string[]
}

/** Errors worth retrying later: no answer, the server busy or down, or too many requests. */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof ApiError)) return false
  return err.status === 0 || err.status === 408 || err.status === 429 || err.status >= 500
}

/** Forgets a job on this phone: its record, its queued ops and its photos. */
export async function dropJobs(store: LocalStore, ids: string[]): Promise<void> {
  if (!ids.length) return
  const gone = new Set(ids)
  await store.deleteJobs(ids)
  await store.deleteOps((await store.allOps()).filter((op) => gone.has(op.work_order_id)).map((op) => op.op_id))
  await store.deleteBlobsOf(ids)
  const sent = (await store.getMeta<SentLog>(SENT_KEY)) ?? {}
  for (const id of ids) delete sent[id]
  await store.setMeta(SENT_KEY, sent)
}

async function addRejections(store: LocalStore, rejections: Rejection[]): Promise<void> {
  if (!rejections.length) return
  const kept = (await store.getMeta<Rejection[]>(REJECTIONS_KEY)) ?? []
  await store.setMeta(REJECTIONS_KEY, [...kept, ...rejections])
}

/**
 * Sends every queued op (uploads first), oldest first, and records what the server said: applied
 * and duplicate ops leave the queue, rejected ones leave it with their reason kept for the
 * engineer, and the orders that come back replace the local copies. Throws the `ApiError` of a
 * request that failed as a whole (offline, server down, session ended); ops not yet answered
 * stay queued for the next try.
 */
export async function pushOutbox(store: LocalStore, transport: Transport, now: Date = new Date()): Promise<PushOutcome> {
  const outcome: PushOutcome = { applied: 0, duplicates: 0, rejected: [], removed: [] }
  let ops = await pendingOps(store)
  if (!ops.length) return outcome
  const jobs = new Map((await store.allJobs()).map((job) => [job.id, job]))
  const reject = (op: QueuedOp, error: string, removed = false): Rejection => ({
    op_id: op.op_id,
    type: op.type,
    work_order_id: op.work_order_id,
    number: jobs.get(op.work_order_id)?.number ?? null,
    error,
    at: now.toISOString(),
    removed,
  })

  // Bytes first: an op naming a hash the server does not have would be rejected.
  const refused: Rejection[] = []
  for (const op of ops) {
    for (const ref of op.uploads) {
      const stored = await store.getBlob(ref.sha256)
      if (!stored || stored.uploaded) continue
      try {
        await transport.putUpload(ref.sha256, ref.kind, stored.blob)
        await store.putBlob({ ...stored, uploaded: true })
      } catch (err) {
        if (isTransient(err) || (err instanceof ApiError && err.status === 401)) throw err
        refused.push(reject(op, err instanceof ApiError ? 'upload_refused' : 'upload_failed'))
        break
      }
    }
  }
  if (refused.length) {
    await store.deleteOps(refused.map((r) => r.op_id))
    await addRejections(store, refused)
    outcome.rejected.push(...refused)
    const gone = new Set(refused.map((r) => r.op_id))
    ops = ops.filter((op) => !gone.has(op.op_id))
  }

  for (let start = 0; start < ops.length; start += BATCH_SIZE) {
    const batch = ops.slice(start, start + BATCH_SIZE)
    let results: OpResult[]
    try {
      results = await transport.postOps(batch)
    } catch (err) {
      if (!(err instanceof ApiError) || isTransient(err) || err.status === 401 || err.status === 403) throw err
      // The batch itself was malformed (e.g. a field the server no longer accepts): retrying it
      // would fail forever, so its ops are set aside as rejected, with the reason shown.
      results = batch.map((op): OpResult => ({ op_id: op.op_id, status: 'rejected', error: err.error }))
    }
    const byId = new Map(results.map((r) => [r.op_id, r]))
    const lastForJob = new Map<string, QueuedOp>()
    for (const op of batch) lastForJob.set(op.work_order_id, op)
    const done: string[] = []
    const rejected: Rejection[] = []
    const sent = (await store.getMeta<SentLog>(SENT_KEY)) ?? {}
    const upserts: Job[] = []
    const removed = new Set<string>()
    for (const op of batch) {
      const result = byId.get(op.op_id)
      if (!result) continue // not answered: stays queued
      done.push(op.op_id)
      if (result.status === 'rejected') {
        rejected.push(reject(op, result.error || 'rejected', !result.work_order))
      } else {
        if (result.status === 'applied') outcome.applied++
        else outcome.duplicates++
        const log = (sent[op.work_order_id] ??= [])
        if (!log.some((o) => o.op_id === op.op_id)) log.push(op)
      }
      const isLast = lastForJob.get(op.work_order_id)?.op_id === op.op_id
      if (result.work_order) {
        upserts.push(result.work_order)
        removed.delete(op.work_order_id)
      } else if (isLast || result.status === 'rejected') {
        // No order in the answer: it is no longer this engineer's to see.
        removed.add(op.work_order_id)
      }
    }
    for (const rejection of rejected) rejection.removed = removed.has(rejection.work_order_id)
    await store.deleteOps(done)
    await store.setMeta(SENT_KEY, sent)
    await store.putJobs(upserts.filter((job) => !removed.has(job.id)))
    await dropJobs(store, [...removed])
    await addRejections(store, rejected)
    outcome.rejected.push(...rejected)
    outcome.removed.push(...removed)
  }
  return outcome
}

export async function retryState(store: LocalStore): Promise<RetryState> {
  return (await store.getMeta<RetryState>(RETRY_KEY)) ?? { attempts: 0, next_at: null, last_error: null }
}

/** Records a failed try and when the next one is due. */
export async function recordFailure(store: LocalStore, error: string, now: number, random?: () => number): Promise<RetryState> {
  const previous = await retryState(store)
  const attempts = previous.attempts + 1
  const state = { attempts, next_at: now + backoffMs(attempts, random), last_error: error }
  await store.setMeta(RETRY_KEY, state)
  return state
}

export async function recordSuccess(store: LocalStore): Promise<void> {
  await store.setMeta(RETRY_KEY, { attempts: 0, next_at: null, last_error: null })
}
