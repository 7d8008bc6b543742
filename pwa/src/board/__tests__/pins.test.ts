import { describe, expect, it } from 'vitest'
import { applyWorkOrder, fromSnapshot, pinAction, pinnedJobs, type Job } from '../model'

function job(over: Partial<Job> = {}): Job {
  return {
    id: 'j1',
    number: 'WO-1',
    status: 'assigned',
    priority: 'medium',
    type: 'repair',
    summary: 'AC',
    customer: 'C',
    address: 'A',
    location: { lat: 31.23, lon: 121.47 },
    required_skills: [],
    duration_minutes: 60,
    assignee_id: 'e1',
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

describe('pin action', () => {
  it('offers a pin only for a job an engineer holds', () => {
    expect(pinAction(job())).toBe('pin')
    expect(pinAction(job({ status: 'accepted' }))).toBe('pin')
    expect(pinAction(job({ status: 'new', assignee_id: null }))).toBeNull()
    expect(pinAction(job({ status: 'completed' }))).toBeNull()
  })

  it('offers an unpin for a pinned job', () => {
    expect(pinAction(job({ pinned: true }))).toBe('unpin')
  })
})

describe('pins on the board', () => {
  it('a live delta pins and unpins a held job', () => {
    const state = fromSnapshot({ at: '', jobs: [job()], technicians: [] })
    expect(applyWorkOrder(state, delta({ pinned: true }))).toBe('changed')
    expect(state.jobs.get('j1')?.pinned).toBe(true)
    expect(applyWorkOrder(state, delta({ version: 3, pinned: false, assignee_id: null, status: 'new' }))).toBe('changed')
    expect(state.jobs.get('j1')?.pinned).toBe(false)
  })

  it('a delta that does not say keeps what the board held', () => {
    const state = fromSnapshot({ at: '', jobs: [job({ pinned: true })], technicians: [] })
    applyWorkOrder(state, delta({ priority: 'high' }))
    expect(state.jobs.get('j1')).toMatchObject({ pinned: true, priority: 'high' })
  })

  it('lists pinned jobs by number', () => {
    const jobs = [
      job({ id: 'b', number: 'WO-2', pinned: true }),
      job({ id: 'x', number: 'WO-0' }),
      job({ id: 'a', number: 'WO-1', pinned: true }),
    ]
    expect(pinnedJobs(jobs).map((j) => j.id)).toEqual(['a', 'b'])
  })
})
