/** The shapes the engineer app keeps (server: mobile_api/schemas.py, DESIGN §13 mobile row). */

export type Localized = { 'zh-CN': string; en: string }

export interface PartRef {
  id: string
  sku: string
  name: Localized
  unit: string
}

export interface JobPart {
  id: string
  part: PartRef
  quantity: string
  quantity_used: string | null
  status: string
  location: { id: string; code: string; name: string; type: string } | null
}

export type ChecklistKind = 'yes_no' | 'number' | 'text' | 'photo' | 'signature'
export type ChecklistValue = string | number | boolean | null

export interface ChecklistItem {
  id: string
  position?: number
  key?: string
  kind: ChecklistKind
  label: Localized
  required: boolean
  /** bounds of a number item (decimal strings) */
  min_value?: string | null
  max_value?: string | null
  unit?: string | null
  value?: ChecklistValue
  passed?: boolean | null
  note?: string | null
}

/** One of the asset's recent jobs. */
export interface AssetHistoryEntry {
  id?: string
  number?: string
  status?: string
  summary?: string
  resolution?: string | null
  created_at?: string
  closed_at?: string | null
}

/** The machine the job is on: what it is, its warranty and its last few jobs. */
export interface Asset {
  id: string
  serial?: string | null
  name?: string | null
  model?: string | null
  kind?: string | null
  warranty_until?: string | null
  under_warranty?: boolean | null
  history?: AssetHistoryEntry[]
}

export interface Job {
  id: string
  number: string
  status: string
  priority: string
  summary: string
  description: string | null
  customer: { id: string; name: string; tier?: string } | null
  site: { id: string; name?: string; address: string; access_notes: string | null; location: LatLon | null } | null
  location: LatLon | null
  appointment: { start_at: string; end_at: string } | null
  scheduled_start_at: string | null
  eta_at: string | null
  sla: { state: string | null; response_due_at?: string | null; resolve_due_at?: string | null } | null
  resolution?: string | null
  signer_name?: string | null
  assignee?: { id: string; name: string } | null
  allowed_actions: string[]
  version: number
  contact: { name: string; phone: string | null; email: string | null } | null
  parts: JobPart[]
  asset: Asset | null
  checklist: ChecklistItem[]
}

/** A part in the engineer's van, for "parts used" without a reservation. */
export interface VanStock {
  part_id: string
  part: PartRef
  available: string
}

export interface LatLon {
  lat: number
  lon: number
}

export type OpType =
  | 'accept'
  | 'decline'
  | 'start_travel'
  | 'arrive'
  | 'hold'
  | 'resume'
  | 'complete'
  | 'sign_off'
  | 'note'
  | 'photo'
  | 'part_used'
  | 'resolution'
  | 'checklist_item'

/** A file an op refers to by hash; its bytes go up (`PUT /uploads/{sha256}`) before the op. */
export interface UploadRef {
  sha256: string
  kind: 'photo' | 'signature'
}

/** An action waiting in the outbox, in the order it was taken (`seq`). */
export interface QueuedOp {
  seq?: number
  op_id: string
  type: OpType
  work_order_id: string
  base_version: number | null
  at: string
  payload: Record<string, unknown>
  uploads: UploadRef[]
}

export interface StoredBlob {
  sha256: string
  kind: 'photo' | 'signature'
  blob: Blob
  work_order_id: string
  uploaded: boolean
}

/** A step the server refused, kept until the engineer dismisses it. */
export interface Rejection {
  op_id: string
  type: OpType
  work_order_id: string
  number: string | null
  error: string
  at: string
  /** true when the job left this phone with it (reassigned, cancelled) */
  removed: boolean
}

/** How the outbox is doing, for the "3 changes waiting" line. */
export interface RetryState {
  attempts: number
  next_at: number | null
  last_error: string | null
}

export interface OpResult {
  op_id: string
  status: 'applied' | 'duplicate' | 'rejected'
  error?: string | null
  work_order?: Job | null
}

export interface SyncResponse {
  cursor: string
  full: boolean
  work_orders: Job[]
  removed: string[]
}

/** Where the app keeps its data: IndexedDB in the browser (db.ts), memory in unit tests. */
export interface LocalStore {
  allJobs(): Promise<Job[]>
  putJobs(jobs: Job[]): Promise<void>
  deleteJobs(ids: string[]): Promise<void>
  /** Appends to the outbox; returns the op with its `seq`. */
  addOp(op: QueuedOp): Promise<QueuedOp>
  /** Every queued op, oldest first. */
  allOps(): Promise<QueuedOp[]>
  deleteOps(opIds: string[]): Promise<void>
  putBlob(blob: StoredBlob): Promise<void>
  getBlob(sha256: string): Promise<StoredBlob | undefined>
  deleteBlobsOf(workOrderIds: string[]): Promise<void>
  getMeta<T>(key: string): Promise<T | undefined>
  setMeta(key: string, value: unknown): Promise<void>
  /** Forgets everything (logout). */
  clear(): Promise<void>
}

/** The server, as the data layer needs it; errors are thrown as `ApiError` (status 0 = offline). */
export interface Transport {
  postOps(ops: QueuedOp[]): Promise<OpResult[]>
  putUpload(sha256: string, kind: UploadRef['kind'], blob: Blob): Promise<void>
  getSync(cursor: string | null): Promise<SyncResponse>
}
