/** The tracking API (`/api/v1/track/<code>`, no account: the code is the key) and its shapes. */
import { api } from '../shared/api'

export interface PublicEvent {
  action: string
  /** The customer-facing step this event led to, if it changed the status. */
  to_status: string | null
  at: string
  comment: string | null
}

export interface PublicAttachment {
  id: string
  kind: string
  filename: string
  mime: string
  url: string
  created_at: string
}

export interface TrackingView {
  number: string
  status: string
  step: string
  steps: string[]
  summary: string
  created_at: string
  engineer_name: string | null
  eta_at: string | null
  response_due_at: string | null
  resolve_due_at: string | null
  can_confirm: boolean
  can_reject: boolean
  can_rate: boolean
  rating: { score: number; comment: string | null } | null
  timeline: PublicEvent[]
  attachments: PublicAttachment[]
}

function path(code: string, suffix = ''): string {
  return `/api/v1/track/${encodeURIComponent(code)}${suffix}`
}

export function getTracking(code: string, signal?: AbortSignal): Promise<TrackingView> {
  return api<TrackingView>(path(code), { auth: false, signal })
}

export function confirmJob(code: string): Promise<TrackingView> {
  return api<TrackingView>(path(code, '/confirm'), { method: 'POST', auth: false })
}

export function rejectJob(code: string, reason: string): Promise<TrackingView> {
  return api<TrackingView>(path(code, '/reject'), { method: 'POST', body: { reason }, auth: false })
}

export function rateJob(code: string, score: number, comment: string | null): Promise<TrackingView> {
  return api<TrackingView>(path(code, '/rating'), {
    method: 'POST',
    body: { score, comment },
    auth: false,
  })
}
