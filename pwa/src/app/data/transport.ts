/** The engineer app's API over HTTP (`/mobile/v1`, mobile_api/routes.py). */
import { api } from '../../shared/api'
import type { OpResult, QueuedOp, SyncResponse, Transport, VanStock } from './types'

export const httpTransport: Transport = {
  async postOps(ops: QueuedOp[]): Promise<OpResult[]> {
    const body = {
      ops: ops.map(({ op_id, type, work_order_id, base_version, at, payload }) => ({
        op_id,
        type,
        work_order_id,
        base_version,
        at,
        payload,
      })),
    }
    return (await api<{ results: OpResult[] }>('/mobile/v1/ops', { method: 'POST', body })).results
  },
  async putUpload(sha256, kind, blob) {
    await api(`/mobile/v1/uploads/${sha256}`, {
      method: 'PUT',
      body: blob,
      headers: { 'Content-Type': 'application/octet-stream', 'X-Upload-Kind': kind },
    })
  },
  getSync(cursor) {
    return api<SyncResponse>('/mobile/v1/sync', { query: { cursor } })
  },
}

export async function sendPosition(position: { lat: number; lon: number; accuracy_m: number | null; at: string }): Promise<void> {
  await api('/mobile/v1/location', { method: 'POST', body: position })
}

/** What is in this engineer's van (read while online and kept for offline use). */
export async function fetchVanStock(technicianId: string): Promise<VanStock[]> {
  const locations = await api<{ id: string; type: string; technician_id: string | null }[]>(
    '/api/v1/inventory/locations',
  )
  const van = locations.find((loc) => loc.type === 'van' && loc.technician_id === technicianId)
  if (!van) return []
  const levels = await api<VanStock[]>('/api/v1/inventory/stock', {
    query: { location_id: van.id, page_size: 200 },
  })
  return levels
    .filter((level) => Number(level.available) > 0)
    .map(({ part_id, part, available }) => ({ part_id, part, available }))
}
