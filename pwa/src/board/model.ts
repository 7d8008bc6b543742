/**
 * The board's data, pure: the snapshot it starts from, the live deltas it applies (a delta
 * older than what the board holds is ignored, so events replayed after a snapshot are
 * harmless), the unassigned queue by SLA risk, filters, and each engineer's day as a line.
 */
import { dayIn } from '../shared/format'
import type { LatLon } from './gcj02'

export const ON_THE_BOARD = ['new', 'assigned', 'accepted', 'en_route', 'in_progress', 'on_hold'] as const
export const PRIORITIES = ['urgent', 'high', 'medium', 'low'] as const

export interface SkillNeed {
  code: string
  level: number
}

export interface Job {
  id: string
  number: string
  status: string
  priority: string
  type: string
  summary: string
  customer: string | null
  address: string | null
  location: LatLon | null
  required_skills: SkillNeed[]
  duration_minutes: number
  assignee_id: string | null
  scheduled_start_at: string | null
  eta_at: string | null
  sla_state: string
  response_due_at: string | null
  resolve_due_at: string | null
  waiting_for_parts: boolean
  /** Held to its engineer by a dispatcher: optimizer runs never move it. */
  pinned: boolean
  version: number
  created_at: string
}

export interface Engineer {
  id: string
  name: string
  status: string
  skills: SkillNeed[]
  home: LatLon | null
  position: LatLon | null
  position_at: string | null
  max_jobs_per_day: number
}

export interface Snapshot {
  at: string
  jobs: Job[]
  technicians: Engineer[]
}

export interface WorkOrderDelta {
  id: string
  number: string
  status: string
  priority: string
  assignee_id: string | null
  sla_state: string
  version: number
  scheduled_start_at: string | null
  eta_at: string | null
  pinned?: boolean
  created?: boolean
  partial?: boolean
}

export interface PositionDelta {
  id: string
  lat: number | null
  lon: number | null
  at: string | null
  status: string
  active: boolean
}

export interface BoardState {
  jobs: Map<string, Job>
  engineers: Map<string, Engineer>
}

export function emptyState(): BoardState {
  return { jobs: new Map(), engineers: new Map() }
}

export function fromSnapshot(snapshot: Snapshot): BoardState {
  return {
    jobs: new Map(snapshot.jobs.map((j) => [j.id, j])),
    engineers: new Map(snapshot.technicians.map((t) => [t.id, t])),
  }
}

export function isOnBoard(status: string): boolean {
  return (ON_THE_BOARD as readonly string[]).includes(status)
}

/**
 * Applies a work-order delta. Returns 'changed', 'ignored' (older than what we hold), 'removed'
 * (left the board) or 'unknown' (a job we do not hold: the caller fetches it).
 */
export function applyWorkOrder(state: BoardState, delta: WorkOrderDelta): 'changed' | 'ignored' | 'removed' | 'unknown' {
  const held = state.jobs.get(delta.id)
  if (held && delta.version < held.version) return 'ignored'
  if (!isOnBoard(delta.status)) {
    return state.jobs.delete(delta.id) ? 'removed' : 'ignored'
  }
  if (!held || delta.partial) return 'unknown'
  state.jobs.set(delta.id, {
    ...held,
    status: delta.status,
    priority: delta.priority,
    assignee_id: delta.assignee_id,
    sla_state: delta.sla_state,
    version: delta.version,
    scheduled_start_at: delta.scheduled_start_at,
    eta_at: delta.eta_at,
    pinned: delta.pinned ?? held.pinned,
  })
  return 'changed'
}

/** A job read in full (after 'unknown', or an API answer); kept only if newer than what is held. */
export function putJob(state: BoardState, job: Job): boolean {
  const held = state.jobs.get(job.id)
  if (held && held.version >= job.version) return false
  if (!isOnBoard(job.status)) {
    state.jobs.delete(job.id)
    return true
  }
  state.jobs.set(job.id, job)
  return true
}

export function applyPosition(state: BoardState, delta: PositionDelta): boolean {
  const held = state.engineers.get(delta.id)
  if (!held) return false
  if (!delta.active) {
    state.engineers.delete(delta.id)
    return true
  }
  if (held.position_at && delta.at && delta.at < held.position_at) return false
  state.engineers.set(delta.id, {
    ...held,
    status: delta.status,
    position: delta.lat !== null && delta.lon !== null ? { lat: delta.lat, lon: delta.lon } : held.position,
    position_at: delta.at ?? held.position_at,
  })
  return true
}

const SLA_RANK: Record<string, number> = { breached: 0, at_risk: 1, ok: 2 }
const PRIORITY_RANK: Record<string, number> = { urgent: 0, high: 1, medium: 2, low: 3 }

/** The deadline that matters now: the response target until someone accepts, then resolution. */
export function nextDue(job: Job): string | null {
  return job.status === 'new' || job.status === 'assigned' ? job.response_due_at ?? job.resolve_due_at : job.resolve_due_at
}

/** Most at risk first: breached, at risk, then the earliest deadline, then priority, then age. */
export function bySlaRisk(a: Job, b: Job): number {
  const sla = (SLA_RANK[a.sla_state] ?? 3) - (SLA_RANK[b.sla_state] ?? 3)
  if (sla) return sla
  const da = nextDue(a)
  const db = nextDue(b)
  if (da !== db) {
    if (da === null) return 1
    if (db === null) return -1
    return da < db ? -1 : 1
  }
  const p = (PRIORITY_RANK[a.priority] ?? 9) - (PRIORITY_RANK[b.priority] ?? 9)
  if (p) return p
  return a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0
}

export function unassignedQueue(jobs: Iterable<Job>): Job[] {
  return [...jobs].filter((j) => j.status === 'new' && !j.assignee_id).sort(bySlaRisk)
}

/**
 * What the pin button offers for a job: 'unpin' when pinned, 'pin' when an engineer has it and
 * it is still on the board, null otherwise (the server refuses a pin without an engineer).
 */
export function pinAction(job: Job): 'pin' | 'unpin' | null {
  if (job.pinned) return 'unpin'
  return job.assignee_id && isOnBoard(job.status) ? 'pin' : null
}

/** Pinned jobs (each stays with its engineer through an optimizer run), by number. */
export function pinnedJobs(jobs: Iterable<Job>): Job[] {
  return [...jobs].filter((j) => j.pinned).sort((a, b) => (a.number < b.number ? -1 : a.number > b.number ? 1 : 0))
}

export function atRisk(jobs: Iterable<Job>): Job[] {
  return [...jobs].filter((j) => j.sla_state !== 'ok').sort(bySlaRisk)
}

export interface Filters {
  skill: string
  territory: string
  status: string
  priority: string
  engineer: string
}

export function emptyFilters(): Filters {
  return { skill: '', territory: '', status: '', priority: '', engineer: '' }
}

/** GeoJSON (Multi)Polygon rings as [lon, lat] pairs. */
export type Area = { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] }

function inRing(point: LatLon, ring: number[][]): boolean {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]
    const [xj, yj] = ring[j]
    if (yi > point.lat !== yj > point.lat && point.lon < ((xj - xi) * (point.lat - yi)) / (yj - yi) + xi) {
      inside = !inside
    }
  }
  return inside
}

export function inArea(point: LatLon, area: Area): boolean {
  const polygons = area.type === 'Polygon' ? [area.coordinates] : area.coordinates
  return polygons.some(([outer, ...holes]) => inRing(point, outer) && !holes.some((h) => inRing(point, h)))
}

export function matches(job: Job, f: Filters, area: Area | null): boolean {
  if (f.status && job.status !== f.status) return false
  if (f.priority && job.priority !== f.priority) return false
  if (f.engineer && job.assignee_id !== f.engineer) return false
  if (f.skill && !job.required_skills.some((s) => s.code === f.skill)) return false
  if (area && !(job.location && inArea(job.location, area))) return false
  return true
}

/**
 * An engineer's day as a line: from where they are (or home) through today's jobs in order.
 * With `scheduledOnly`, jobs without a planned start stay off the line (their order is unknown).
 */
export function dayRoute(
  engineer: Engineer,
  jobs: Iterable<Job>,
  day: string,
  timeZone: string,
  scheduledOnly = false,
): LatLon[] {
  const mine = [...jobs]
    .filter((j) => j.assignee_id === engineer.id && j.location)
    .filter((j) => (j.scheduled_start_at ? dayIn(j.scheduled_start_at, timeZone) === day : !scheduledOnly))
    .sort((a, b) => {
      const sa = a.scheduled_start_at ?? '~'
      const sb = b.scheduled_start_at ?? '~'
      return sa < sb ? -1 : sa > sb ? 1 : a.created_at < b.created_at ? -1 : 1
    })
  const start = engineer.position ?? engineer.home
  const points = mine.map((j) => j.location as LatLon)
  return start ? [start, ...points] : points
}
