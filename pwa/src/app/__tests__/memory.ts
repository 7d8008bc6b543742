/** A `LocalStore` in memory and a scripted server, for the data layer's unit tests. */
import { ApiError } from '../../shared/api'
import type { Job, LocalStore, OpResult, QueuedOp, StoredBlob, SyncResponse, Transport, UploadRef } from '../data/types'

export function memoryStore(): LocalStore & { ops: QueuedOp[]; jobs: Map<string, Job>; blobs: Map<string, StoredBlob>; meta: Map<string, unknown> } {
  const jobs = new Map<string, Job>()
  const blobs = new Map<string, StoredBlob>()
  const meta = new Map<string, unknown>()
  const ops: QueuedOp[] = []
  let seq = 0
  const clone = <T>(value: T): T => structuredClone(value)
  return {
    ops,
    jobs,
    blobs,
    meta,
    async allJobs() {
      return [...jobs.values()].map(clone)
    },
    async putJobs(list) {
      for (const job of list) jobs.set(job.id, clone(job))
    },
    async deleteJobs(ids) {
      for (const id of ids) jobs.delete(id)
    },
    async addOp(op) {
      if (ops.some((o) => o.op_id === op.op_id)) throw new Error('duplicate op_id')
      const stored = { ...clone(op), seq: ++seq }
      ops.push(stored)
      return clone(stored)
    },
    async allOps() {
      return ops.map(clone)
    },
    async deleteOps(opIds) {
      const gone = new Set(opIds)
      for (let i = ops.length - 1; i >= 0; i--) if (gone.has(ops[i].op_id)) ops.splice(i, 1)
    },
    async putBlob(blob) {
      blobs.set(blob.sha256, { ...blob })
    },
    async getBlob(sha) {
      const blob = blobs.get(sha)
      return blob && { ...blob }
    },
    async deleteBlobsOf(ids) {
      for (const [sha, blob] of blobs) if (ids.includes(blob.work_order_id)) blobs.delete(sha)
    },
    async getMeta<T>(key: string) {
      return clone(meta.get(key)) as T | undefined
    },
    async setMeta(key, value) {
      meta.set(key, clone(value))
    },
    async clear() {
      jobs.clear()
      blobs.clear()
      meta.clear()
      ops.splice(0)
    },
  }
}

export function job(fields: Partial<Job> = {}): Job {
  return {
    id: 'wo-1',
    number: 'WO-1',
    status: 'assigned',
    priority: 'high',
    summary: 'AC not cooling',
    description: null,
    customer: { id: 'c-1', name: 'ACME' },
    site: { id: 's-1', address: '1 Road', access_notes: null, location: { lat: 31.23, lon: 121.47 } },
    location: { lat: 31.23, lon: 121.47 },
    appointment: null,
    scheduled_start_at: null,
    eta_at: null,
    sla: { state: 'ok' },
    allowed_actions: ['accept', 'decline'],
    version: 1,
    contact: { name: 'Ms Chen', phone: '13800000000', email: null },
    parts: [],
    asset: null,
    checklist: [],
    ...fields,
  }
}

/**
 * A server that applies ops once per op id (like mobile_api/ops.py), refuses ops on jobs given
 * away, and can be switched off to play "offline".
 */
export class FakeServer implements Transport {
  online = true
  failNext: ApiError | null = null
  applied = new Map<string, QueuedOp>()
  uploads = new Map<string, Blob>()
  reassigned = new Set<string>()
  jobs = new Map<string, Job>()
  posts: QueuedOp[][] = []
  syncAnswer: Partial<SyncResponse> = {}
  cursors: (string | null)[] = []

  private check(): void {
    if (!this.online) throw new ApiError(0, 'network_error', 'offline')
    if (this.failNext) {
      const err = this.failNext
      this.failNext = null
      throw err
    }
  }

  async postOps(ops: QueuedOp[]): Promise<OpResult[]> {
    this.check()
    this.posts.push(ops)
    return ops.map((op) => {
      const jobNow = this.jobs.get(op.work_order_id) ?? null
      if (this.applied.has(op.op_id)) return { op_id: op.op_id, status: 'duplicate', work_order: jobNow }
      if (this.reassigned.has(op.work_order_id)) return { op_id: op.op_id, status: 'rejected', error: 'reassigned', work_order: null }
      const missing = op.uploads.find((u: UploadRef) => !this.uploads.has(u.sha256))
      if (missing) return { op_id: op.op_id, status: 'rejected', error: 'upload_missing', work_order: jobNow }
      this.applied.set(op.op_id, op)
      if (jobNow) this.jobs.set(op.work_order_id, { ...jobNow, version: jobNow.version + 1 })
      return { op_id: op.op_id, status: 'applied', work_order: this.jobs.get(op.work_order_id) ?? null }
    })
  }

  async putUpload(sha256: string, _kind: UploadRef['kind'], blob: Blob): Promise<void> {
    this.check()
    this.uploads.set(sha256, blob)
  }

  async getSync(cursor: string | null): Promise<SyncResponse> {
    this.check()
    this.cursors.push(cursor)
    return {
      cursor: `c${this.cursors.length}`,
      full: cursor === null,
      work_orders: [...this.jobs.values()],
      removed: [],
      ...this.syncAnswer,
    }
  }
}
