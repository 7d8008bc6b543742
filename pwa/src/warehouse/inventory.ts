/** The inventory API as the warehouse screen uses it (shapes: server/inventory/schemas.py). */
import { ApiError, api, apiFetch, type Query } from '../shared/api'
import { parsePagination, type Page } from '../shared/pagination'

export type Localized = { 'zh-CN': string; en: string }
export type LocationType = 'warehouse' | 'van'

export interface PartRef {
  id: string
  sku: string
  name: Localized
  unit: string
}

export interface LocationRef {
  id: string
  code: string
  name: string
  type: LocationType
}

export interface StockLocation extends LocationRef {
  address: string | null
  technician_id: string | null
  active: boolean
}

export interface StockLevel {
  part_id: string
  location_id: string
  part: PartRef
  location: LocationRef
  on_hand: string
  reserved: string
  available: string
  updated_at: string
}

export type MoveKind = 'receipt' | 'transfer' | 'issue' | 'consume' | 'return' | 'adjustment'

export interface Move {
  id: number
  kind: MoveKind
  part_id: string
  quantity: string
  from_location_id: string | null
  to_location_id: string | null
  work_order_id: string | null
  reservation_id: string | null
  unit_cost: string | null
  reason: string | null
  actor_name: string
  at: string
}

export type ReservationStatus = 'requested' | 'reserved' | 'issued' | 'consumed' | 'released' | 'returned'
export type ReservationAction = 'reserve' | 'issue' | 'release' | 'return' | 'consume'

export interface Reservation {
  id: string
  work_order_id: string
  part: PartRef
  quantity: string
  quantity_used: string | null
  status: ReservationStatus
  location: LocationRef | null
  requested_by_name: string
  allowed_actions: string[]
  created_at: string
  updated_at: string
}

export interface QueueItem extends Reservation {
  work_order: {
    id: string
    number: string
    priority: 'urgent' | 'high' | 'medium' | 'low'
    status: string
    scheduled_start_at: string | null
    engineer: string | null
    site: string | null
  }
}

export interface LowStockRow {
  part: PartRef
  location: LocationRef
  on_hand: string
  reserved: string
  available: string
  reorder_point: string
  reorder_quantity: string
  requested_not_reserved: string
}

/** One entry of a 409 `insufficient_stock` body's `available`, nearest first. */
export interface Availability {
  location_id: string
  code: string
  name: string
  type: LocationType
  available: string
  distance_km: number | null
}

const BASE = '/api/v1/inventory'

let onSignedOut: (() => void) | null = null

/** Called when a request is refused for want of a valid session (the tokens are gone). */
export function whenSignedOut(handler: (() => void) | null): void {
  onSignedOut = handler
}

async function call<T>(request: Promise<T>): Promise<T> {
  try {
    return await request
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) onSignedOut?.()
    throw err
  }
}

function get<T>(path: string, query?: Query): Promise<T> {
  return call(api<T>(path, { query }))
}

function post<T>(path: string, body: unknown): Promise<T> {
  return call(api<T>(path, { method: 'POST', body }))
}

async function paged<T>(path: string, query: Query): Promise<Page<T>> {
  const { data, headers } = await call(apiFetch<T[]>(path, { query }))
  return parsePagination(headers.get('X-Pagination'), data, Number(query.page ?? 1))
}

export function listLocations(): Promise<StockLocation[]> {
  return get<StockLocation[]>(`${BASE}/locations`)
}

export function searchParts(q: string, pageSize = 20): Promise<PartRef[]> {
  return get<PartRef[]>(`${BASE}/parts`, { q: q.trim() || undefined, page_size: pageSize })
}

export interface StockFilters {
  q?: string
  type?: LocationType | ''
  location_id?: string
  part_id?: string
  page?: number
  page_size?: number
}

export function listStock(filters: StockFilters): Promise<Page<StockLevel>> {
  return paged<StockLevel>(`${BASE}/stock`, {
    q: filters.q?.trim() || undefined,
    type: filters.type || undefined,
    location_id: filters.location_id || undefined,
    part_id: filters.part_id || undefined,
    page: filters.page ?? 1,
    page_size: filters.page_size ?? 25,
  })
}

/** The queue; no status means the server's default, requested and reserved. */
export function listQueue(status: ReservationStatus | '', page: number, pageSize = 50): Promise<Page<QueueItem>> {
  return paged<QueueItem>(`${BASE}/reservations`, { status: status || undefined, page, page_size: pageSize })
}

export function runAction(id: string, action: ReservationAction, body: Record<string, string> = {}): Promise<Reservation> {
  return post<Reservation>(`${BASE}/reservations/${encodeURIComponent(id)}/${action}`, body)
}

export function receive(input: { location_id: string; part_id: string; quantity: string; reason?: string }): Promise<Move[]> {
  return post<Move[]>(`${BASE}/receipts`, {
    location_id: input.location_id || undefined,
    lines: [{ part_id: input.part_id || undefined, quantity: input.quantity.trim() || undefined }],
    ...(input.reason?.trim() ? { reason: input.reason.trim() } : {}),
  })
}

export function adjust(input: { location_id: string; part_id: string; quantity: string; reason: string }): Promise<Move> {
  return post<Move>(`${BASE}/adjustments`, {
    location_id: input.location_id || undefined,
    part_id: input.part_id || undefined,
    quantity: input.quantity || undefined,
    reason: input.reason.trim() || undefined,
  })
}

export function listMoves(partId: string, page: number, pageSize = 25): Promise<Page<Move>> {
  return paged<Move>(`${BASE}/moves`, { part_id: partId, page, page_size: pageSize })
}

export function lowStock(): Promise<LowStockRow[]> {
  return get<LowStockRow[]>(`${BASE}/low-stock`)
}
