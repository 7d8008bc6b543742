/**
 * What the engineer sees of a job: the server's copy with this phone's queued steps laid over it,
 * so an action taken offline shows at once. The server stays the authority: the next sync
 * replaces the guess with the order as it really is.
 *
 * `allowed_actions` come from the server. While steps are queued the app cannot ask it, so it
 * offers the step that normally follows in the field (accept, travel, arrive, work, complete,
 * sign off); anything the server would not allow comes back as a rejection with its reason.
 */
import type { ChecklistValue, Job, QueuedOp } from './types'

const AFTER: Record<string, { status: string; next: string[] }> = {
  accept: { status: 'accepted', next: ['start_travel'] },
  start_travel: { status: 'en_route', next: ['arrive'] },
  arrive: { status: 'in_progress', next: ['hold', 'complete'] },
  hold: { status: 'on_hold', next: ['resume'] },
  resume: { status: 'in_progress', next: ['hold', 'complete'] },
  complete: { status: 'completed', next: ['sign_off'] },
  sign_off: { status: 'closed', next: [] },
  decline: { status: 'declined', next: [] },
}

export interface JobView {
  job: Job
  /** steps of this job still in the outbox */
  queued: QueuedOp[]
  /** steps this phone sent that the server took */
  sent: QueuedOp[]
  notes: { body: string; at: string; queued: boolean }[]
  photos: { sha256: string; at: string; queued: boolean }[]
  partsUsed: { reservation_id?: string; part_id?: string; quantity: string; queued: boolean }[]
  checklist: Record<string, ChecklistValue>
  resolution: string
  signed: boolean
  /** declined or closed here: leaves the list once the server agrees */
  finished: boolean
}

export function viewJob(job: Job, queued: QueuedOp[], sent: QueuedOp[] = []): JobView {
  let status = job.status
  let allowed = job.allowed_actions
  const view: JobView = {
    job,
    queued,
    sent,
    notes: [],
    photos: [],
    partsUsed: [],
    checklist: Object.fromEntries(job.checklist.map((item) => [item.id, item.value ?? null])),
    resolution: job.resolution ?? '',
    signed: Boolean(job.signer_name),
    finished: false,
  }
  const steps = [...sent.map((op) => [op, false] as const), ...queued.map((op) => [op, true] as const)]
  for (const [op, isQueued] of steps) {
    const p = op.payload
    if (op.type === 'note') view.notes.push({ body: String(p.body ?? ''), at: op.at, queued: isQueued })
    else if (op.type === 'photo') view.photos.push({ sha256: String(p.sha256), at: op.at, queued: isQueued })
    else if (op.type === 'part_used')
      view.partsUsed.push({
        reservation_id: p.reservation_id as string | undefined,
        part_id: p.part_id as string | undefined,
        quantity: String(p.quantity_used ?? p.quantity ?? ''),
        queued: isQueued,
      })
    else if (op.type === 'checklist_item' && isQueued) view.checklist[String(p.item_id)] = p.value as ChecklistValue
    else if ((op.type === 'resolution' || op.type === 'complete') && isQueued && p.resolution)
      view.resolution = String(p.resolution)
    if (op.type === 'sign_off' && isQueued) view.signed = true
    const after = AFTER[op.type]
    if (after && isQueued) {
      status = after.status
      allowed = after.next
    }
  }
  view.finished = status === 'declined' || status === 'closed'
  view.job = { ...job, status, allowed_actions: allowed }
  return view
}

/** Today's order of work: the planned start (the dispatcher's route order), then the ETA. */
export function routeOrder(a: Job, b: Job): number {
  const key = (job: Job) => job.scheduled_start_at ?? job.eta_at ?? job.appointment?.start_at ?? '9999'
  return key(a).localeCompare(key(b)) || a.number.localeCompare(b.number)
}

/** The local calendar day (YYYY-MM-DD) of an instant, in the phone's time zone. */
function localDay(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`
}

/**
 * Today's work and what comes later: a job belongs to a later day when its planned start (or
 * ETA, or appointment) falls after today; everything else (unplanned, overdue, under way) is
 * today's, so nothing slips out of sight. Each part keeps the order it was given.
 */
export function splitByDay<T extends { job: Job }>(items: T[], now: Date = new Date()): { today: T[]; later: T[] } {
  const today = localDay(now)
  const parts = { today: [] as T[], later: [] as T[] }
  for (const item of items) {
    const job = item.job
    const planned = job.scheduled_start_at ?? job.eta_at ?? job.appointment?.start_at ?? null
    const started = !['assigned', 'accepted', 'new'].includes(job.status)
    const later = planned !== null && !started && localDay(new Date(planned)) > today
    ;(later ? parts.later : parts.today).push(item)
  }
  return parts
}

/** Great-circle distance in km, or null when either end is unknown. */
export function distanceKm(from: { lat: number; lon: number } | null, to: { lat: number; lon: number } | null): number | null {
  if (!from || !to) return null
  const rad = Math.PI / 180
  const dLat = (to.lat - from.lat) * rad
  const dLon = (to.lon - from.lon) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(from.lat * rad) * Math.cos(to.lat * rad) * Math.sin(dLon / 2) ** 2
  return 2 * 6371 * Math.asin(Math.sqrt(h))
}
