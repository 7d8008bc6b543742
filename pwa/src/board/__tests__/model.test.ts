import { describe, expect, it } from 'vitest'
import {
  applyPosition,
  applyWorkOrder,
  atRisk,
  dayRoute,
  emptyFilters,
  fromSnapshot,
  inArea,
  matches,
  putJob,
  unassignedQueue,
  type Area,
  type Engineer,
  type Job,
} from '../model'

function job(over: Partial<Job> = {}): Job {
  return {
    id: 'j1',
    number: 'WO-1',
    status: 'new',
    priority: 'medium',
    type: 'repair',
    summary: 'AC',
    customer: 'C',
    address: 'A',
    location: { lat: 31.23, lon: 121.47 },
    required_skills: [],
    duration_minutes: 60,
    assignee_id: null,
    scheduled_start_at: null,
    eta_at: null,
    sla_state: 'ok',
    response_due_at: null,
    resolve_due_at: null,
    waiting_for_parts: false,
    pinned: false,
    version: 1,
    created_at: '2026-12-01T00:00:00+00:00',
    ...over,
  }
}

function engineer(over: Partial<Engineer> = {}): Engineer {
  return {
    id: 'e1',
    name: 'Wang',
    status: 'available',
    skills: [],
    home: { lat: 31.2, lon: 121.4 },
    position: null,
    position_at: null,
    max_jobs_per_day: 8,
    ...over,
  }
}

const delta = (over: Record<string, unknown> = {}) => ({
  id: 'j1',
  number: 'WO-1',
  status: 'assigned',
  priority: 'medium',
  assignee_id: 'e1',
  sla_state: 'ok',
  version: 2,
  scheduled_start_at: null,
  eta_at: null,
  ...over,
})

describe('live deltas', () => {
  it('applies a newer delta', () => {
    const state = fromSnapshot({ at: '', jobs: [job()], technicians: [] })
    expect(applyWorkOrder(state, delta())).toBe('changed')
    expect(state.jobs.get('j1')?.assignee_id).toBe('e1')
    expect(state.jobs.get('j1')?.summary).toBe('AC')
  })

  it('ignores a delta older than the snapshot (replayed after a re-read)', () => {
    const state = fromSnapshot({ at: '', jobs: [job({ version: 5, status: 'accepted' })], technicians: [] })
    expect(applyWorkOrder(state, delta({ version: 4 }))).toBe('ignored')
    expect(state.jobs.get('j1')?.status).toBe('accepted')
  })

  it('drops a job that left the board', () => {
    const state = fromSnapshot({ at: '', jobs: [job()], technicians: [] })
    expect(applyWorkOrder(state, delta({ status: 'completed' }))).toBe('removed')
    expect(state.jobs.size).toBe(0)
  })

  it('asks for a job it does not hold', () => {
    const state = fromSnapshot({ at: '', jobs: [], technicians: [] })
    expect(applyWorkOrder(state, delta({ created: true }))).toBe('unknown')
    expect(putJob(state, job({ version: 2 }))).toBe(true)
    expect(putJob(state, job({ version: 1, status: 'cancelled' }))).toBe(false)
    // The same version again (an API answer after the live delta): what is held stays.
    expect(putJob(state, job({ version: 2, summary: 'other' }))).toBe(false)
    expect(state.jobs.get('j1')?.version).toBe(2)
  })

  it('moves an engineer, but never back in time', () => {
    const state = fromSnapshot({ at: '', jobs: [], technicians: [engineer({ position_at: '2026-12-01T02:00:00+00:00' })] })
    const ping = { id: 'e1', lat: 31.3, lon: 121.5, at: '2026-12-01T02:05:00+00:00', status: 'busy', active: true }
    expect(applyPosition(state, ping)).toBe(true)
    expect(state.engineers.get('e1')?.position).toEqual({ lat: 31.3, lon: 121.5 })
    expect(applyPosition(state, { ...ping, lat: 0, at: '2026-12-01T01:00:00+00:00' })).toBe(false)
    expect(applyPosition(state, { ...ping, active: false })).toBe(true)
    expect(state.engineers.size).toBe(0)
  })
})

describe('queues', () => {
  it('orders the unassigned queue by SLA risk, then deadline, then priority', () => {
    const jobs = [
      job({ id: 'late-low', priority: 'low', response_due_at: '2026-12-01T09:00:00Z' }),
      job({ id: 'urgent-nodue', priority: 'urgent' }),
      job({ id: 'soon', response_due_at: '2026-12-01T03:00:00Z' }),
      job({ id: 'breached', sla_state: 'breached', response_due_at: '2026-12-01T08:00:00Z' }),
      job({ id: 'risk', sla_state: 'at_risk', response_due_at: '2026-12-01T05:00:00Z' }),
      job({ id: 'taken', status: 'assigned', assignee_id: 'e1', sla_state: 'breached' }),
    ]
    expect(unassignedQueue(jobs).map((j) => j.id)).toEqual(['breached', 'risk', 'soon', 'late-low', 'urgent-nodue'])
    expect(atRisk(jobs).map((j) => j.id)).toEqual(['breached', 'taken', 'risk'])
  })
})

describe('filters', () => {
  const square: Area = {
    type: 'Polygon',
    coordinates: [
      [
        [121.0, 31.0],
        [122.0, 31.0],
        [122.0, 32.0],
        [121.0, 32.0],
        [121.0, 31.0],
      ],
      [
        [121.4, 31.2],
        [121.5, 31.2],
        [121.5, 31.3],
        [121.4, 31.3],
        [121.4, 31.2],
      ],
    ],
  }

  it('places points in an area with holes', () => {
    expect(inArea({ lat: 31.1, lon: 121.1 }, square)).toBe(true)
    expect(inArea({ lat: 31.25, lon: 121.45 }, square)).toBe(false)
    expect(inArea({ lat: 33, lon: 121.1 }, { type: 'MultiPolygon', coordinates: [square.coordinates] })).toBe(false)
  })

  it('combines every filter', () => {
    const j = job({ priority: 'high', required_skills: [{ code: 'hvac', level: 2 }], location: { lat: 31.1, lon: 121.1 } })
    expect(matches(j, emptyFilters(), null)).toBe(true)
    expect(matches(j, { ...emptyFilters(), skill: 'hvac', priority: 'high', status: 'new' }, square)).toBe(true)
    expect(matches(j, { ...emptyFilters(), skill: 'plumbing' }, null)).toBe(false)
    expect(matches(j, { ...emptyFilters(), engineer: 'e1' }, null)).toBe(false)
    expect(matches(job({ location: { lat: 31.25, lon: 121.45 } }), emptyFilters(), square)).toBe(false)
  })
})

describe('an engineer\'s day', () => {
  it('runs from the current position through today\'s jobs in scheduled order', () => {
    const e = engineer({ position: { lat: 31.0, lon: 121.0 } })
    const jobs = [
      job({ id: 'b', assignee_id: 'e1', scheduled_start_at: '2026-12-01T05:00:00Z', location: { lat: 2, lon: 2 } }),
      job({ id: 'a', assignee_id: 'e1', scheduled_start_at: '2026-12-01T03:00:00Z', location: { lat: 1, lon: 1 } }),
      job({ id: 'tomorrow', assignee_id: 'e1', scheduled_start_at: '2026-12-02T03:00:00Z', location: { lat: 9, lon: 9 } }),
      job({ id: 'other', assignee_id: 'e2', location: { lat: 8, lon: 8 } }),
    ]
    expect(dayRoute(e, jobs, '2026-12-01', 'Asia/Shanghai')).toEqual([
      { lat: 31.0, lon: 121.0 },
      { lat: 1, lon: 1 },
      { lat: 2, lon: 2 },
    ])
  })

  it('leaves unscheduled jobs off the drawn line when asked', () => {
    const e = engineer()
    const jobs = [
      job({ id: 'a', assignee_id: 'e1', scheduled_start_at: '2026-12-01T03:00:00Z', location: { lat: 1, lon: 1 } }),
      job({ id: 'loose', assignee_id: 'e1', location: { lat: 5, lon: 5 } }),
    ]
    expect(dayRoute(e, jobs, '2026-12-01', 'Asia/Shanghai')).toHaveLength(3)
    expect(dayRoute(e, jobs, '2026-12-01', 'Asia/Shanghai', true)).toEqual([e.home, { lat: 1, lon: 1 }])
  })
})
