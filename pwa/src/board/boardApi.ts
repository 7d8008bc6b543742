/** The server calls the board makes (shapes: server/live, server/dispatch, server/workorders). */
import { api } from '../shared/api'
import type { Area, Job, Snapshot } from './model'

export interface StreamToken {
  token: string
  expires_in: number
  stream_url: string
}

export interface Suggestion {
  technician_id: string
  name: string | null
  position: number
  eta_at: string
  start_at: string
  added_travel_s: number
  added_distance_m: number | null
  lateness_s: number
}

export interface Territory {
  id: string
  code: string
  name: { 'zh-CN': string; en: string }
  area: Area
  technician_ids: string[]
}

/** The measures of a plan, and of the assignments as they stood when the run began. */
export interface RunKpis {
  served: number
  travel_km: number
  travel_minutes: number
  lateness_minutes: number
  mean_utilisation: number
}

export interface RunStats extends RunKpis {
  dropped: number
  jobs: number
  before?: RunKpis
}

export interface RunChange {
  work_order_id: string
  number: string
  from_technician_id: string | null
  to_technician_id: string
  to_name: string | null
  start_at: string
}

export interface DispatchRun {
  id: string
  status: 'queued' | 'running' | 'done' | 'failed' | 'applied'
  stats: RunStats | null
  diff: {
    assign: RunChange[]
    unchanged: number
    left_unassigned: number
    /** Pinned jobs the plan kept with their engineer (absent on runs planned before pins). */
    pinned?: { work_order_id: string; number: string; technician_id: string }[]
  } | null
  applied: { assigned: unknown[]; scheduled: number; conflicts: unknown[] } | null
  error: string | null
}

/** The full work order, as GET /api/v1/work-orders/{id} answers (the fields the board keeps). */
interface WorkOrderBody {
  id: string
  number: string
  status: string
  priority: string
  type: string
  summary: string
  customer: { name: string } | null
  site: { address: string } | null
  location: { lat: number; lon: number } | null
  required_skills: { code: string; level: number }[]
  duration_minutes: number
  assignee: { id: string } | null
  scheduled_start_at: string | null
  eta_at: string | null
  sla: { state: string; response_due_at: string | null; resolve_due_at: string | null }
  waiting_for_parts: boolean
  pinned?: boolean
  version: number
  created_at: string
}

export const snapshot = (): Promise<Snapshot> => api<Snapshot>('/api/v1/events/snapshot')

export const streamToken = (): Promise<StreamToken> => api<StreamToken>('/api/v1/events/token', { method: 'POST' })

export const territories = (): Promise<Territory[]> => api<Territory[]>('/api/v1/territories')

export function suggestions(workOrderId: string, limit = 5): Promise<Suggestion[]> {
  return api<Suggestion[]>('/api/v1/dispatch/suggestions', { query: { work_order_id: workOrderId, limit } })
}

export async function readJob(id: string): Promise<Job> {
  return toJob(await api<WorkOrderBody>(`/api/v1/work-orders/${id}`))
}

export async function assign(workOrderId: string, technicianId: string): Promise<Job> {
  const body = await api<WorkOrderBody>(`/api/v1/work-orders/${workOrderId}/transitions`, {
    method: 'POST',
    body: { action: 'assign', technician_id: technicianId },
  })
  return toJob(body)
}

/**
 * Pin a job to its engineer (PUT) or release it (DELETE). `version` goes in If-Match: a job
 * changed meanwhile is refused (412) rather than pinned on stale information.
 */
export async function setPinned(workOrderId: string, pinned: boolean, version: number): Promise<Job> {
  const body = await api<WorkOrderBody>(`/api/v1/work-orders/${workOrderId}/pin`, {
    method: pinned ? 'PUT' : 'DELETE',
    headers: { 'If-Match': `"${version}"` },
  })
  return toJob(body)
}

export function createRun(day: string, timeLimitS: number): Promise<DispatchRun> {
  return api<DispatchRun>('/api/v1/dispatch/runs', {
    method: 'POST',
    body: { date_from: day, date_to: day, time_limit_s: timeLimitS },
  })
}

export const readRun = (id: string): Promise<DispatchRun> => api<DispatchRun>(`/api/v1/dispatch/runs/${id}`)

export const applyRun = (id: string): Promise<DispatchRun> =>
  api<DispatchRun>(`/api/v1/dispatch/runs/${id}/apply`, { method: 'POST' })

export function toJob(o: WorkOrderBody): Job {
  return {
    id: o.id,
    number: o.number,
    status: o.status,
    priority: o.priority,
    type: o.type,
    summary: o.summary,
    customer: o.customer?.name ?? null,
    address: o.site?.address ?? null,
    location: o.location,
    required_skills: o.required_skills,
    duration_minutes: o.duration_minutes,
    assignee_id: o.assignee?.id ?? null,
    scheduled_start_at: o.scheduled_start_at,
    eta_at: o.eta_at,
    sla_state: o.sla.state,
    response_due_at: o.sla.response_due_at,
    resolve_due_at: o.sla.resolve_due_at,
    waiting_for_parts: o.waiting_for_parts,
    pinned: o.pinned ?? false,
    version: o.version,
    created_at: o.created_at,
  }
}
