import { describe, expect, it } from 'vitest'
import { ApiError } from '../../shared/api'
import { RETRY_KEY, enqueue, makeOp, pendingOps } from '../data/outbox'
import { CURSOR_KEY, pullChanges, syncNow } from '../data/sync'
import { routeOrder, splitByDay, viewJob } from '../data/view'
import type { Job, RetryState } from '../data/types'
import { FakeServer, job, memoryStore } from './memory'

describe('pullChanges', () => {
  it('starts with a full sync and then asks with the cursor it was given', async () => {
    const store = memoryStore()
    const server = new FakeServer()
    server.jobs.set('wo-1', job())
    await pullChanges(store, server)
    expect(server.cursors).toEqual([null])
    expect(await store.getMeta(CURSOR_KEY)).toBe('c1')
    expect([...store.jobs.keys()]).toEqual(['wo-1'])
    await pullChanges(store, server)
    expect(server.cursors).toEqual([null, 'c1'])
  })

  it('drops removals with their photos, and on a full sync whatever the server no longer lists', async () => {
    const store = memoryStore()
    const server = new FakeServer()
    await store.putJobs([job(), job({ id: 'wo-2' }), job({ id: 'wo-3' })])
    await store.putBlob({ sha256: 'e'.repeat(64), kind: 'photo', blob: new Blob(['x']), work_order_id: 'wo-2', uploaded: true })
    await store.setMeta(CURSOR_KEY, 'old')
    server.jobs.set('wo-1', job())
    server.jobs.set('wo-3', job({ id: 'wo-3' }))
    server.syncAnswer = { removed: ['wo-2', 'never-had-it'] }
    const outcome = await pullChanges(store, server)
    expect(outcome.removed).toEqual(['wo-2'])
    expect([...store.jobs.keys()].sort()).toEqual(['wo-1', 'wo-3'])
    expect(store.blobs.size).toBe(0)

    server.jobs.delete('wo-3')
    server.syncAnswer = { full: true }
    await pullChanges(store, server)
    expect([...store.jobs.keys()]).toEqual(['wo-1'])
  })

  it('keeps a newer local copy when the overlap sends an older one again', async () => {
    const store = memoryStore()
    const server = new FakeServer()
    await store.putJobs([job({ version: 9, status: 'in_progress' })])
    server.jobs.set('wo-1', job({ version: 4 }))
    await pullChanges(store, server)
    expect(store.jobs.get('wo-1')).toMatchObject({ version: 9, status: 'in_progress' })
  })

  it('a cursor the server cannot read falls back to a full sync', async () => {
    const store = memoryStore()
    const server = new FakeServer()
    await store.setMeta(CURSOR_KEY, 'garbage')
    server.failNext = new ApiError(422, 'unprocessable_entity', 'invalid_cursor')
    server.jobs.set('wo-1', job())
    await pullChanges(store, server)
    expect(server.cursors).toEqual([null])
    expect(store.jobs.has('wo-1')).toBe(true)
  })
})

describe('syncNow', () => {
  it('pushes the outbox before pulling, so the pull sees this phone’s steps', async () => {
    const store = memoryStore()
    const server = new FakeServer()
    server.jobs.set('wo-1', job())
    await enqueue(store, makeOp('accept', job()))
    const order: string[] = []
    const spy = {
      postOps: (ops: Parameters<FakeServer['postOps']>[0]) => (order.push('push'), server.postOps(ops)),
      putUpload: server.putUpload.bind(server),
      getSync: (cursor: string | null) => (order.push('pull'), server.getSync(cursor)),
    }
    const outcome = await syncNow(store, spy)
    expect(outcome.ok).toBe(true)
    expect(order).toEqual(['push', 'pull'])
  })

  it('offline: records the failure with a growing backoff, and a success resets it', async () => {
    const store = memoryStore()
    const server = new FakeServer()
    await enqueue(store, makeOp('accept', job()))
    server.online = false
    const now = new Date('2026-01-01T00:00:00Z')
    const first = await syncNow(store, server, now, () => 1)
    const second = await syncNow(store, server, now, () => 1)
    expect(first).toMatchObject({ ok: false, retryAt: now.getTime() + 2_000 })
    expect(second).toMatchObject({ ok: false, retryAt: now.getTime() + 4_000 })
    expect(await pendingOps(store)).toHaveLength(1)
    server.online = true
    server.jobs.set('wo-1', job())
    expect((await syncNow(store, server, now)).ok).toBe(true)
    expect(await store.getMeta<RetryState>(RETRY_KEY)).toEqual({ attempts: 0, next_at: null, last_error: null })
    expect(await pendingOps(store)).toEqual([])
  })

  it('an ended session is not retried on a timer', async () => {
    const store = memoryStore()
    const server = new FakeServer()
    server.failNext = new ApiError(401, 'unauthorized', 'log in')
    const outcome = await syncNow(store, server)
    expect(outcome).toMatchObject({ ok: false, retryAt: null })
  })
})

describe('viewJob', () => {
  it('shows queued steps at once and offers the step that follows', () => {
    const base = job({ status: 'assigned', allowed_actions: ['accept', 'decline'] })
    const view = viewJob(base, [makeOp('accept', base), makeOp('start_travel', base)])
    expect(view.job.status).toBe('en_route')
    expect(view.job.allowed_actions).toEqual(['arrive'])
    expect(view.finished).toBe(false)
  })

  it('lists notes and photos, sent and queued, and marks a signed-off job finished', () => {
    const base = job({ status: 'completed', allowed_actions: ['sign_off'] })
    const sent = [makeOp('note', base, { body: 'sent note' })]
    const queued = [
      makeOp('photo', base, { sha256: 'f'.repeat(64) }),
      makeOp('sign_off', base, { signature_sha256: '0'.repeat(64), signer_name: 'Chen' }),
    ]
    const view = viewJob(base, queued, sent)
    expect(view.notes).toMatchObject([{ body: 'sent note', queued: false }])
    expect(view.photos).toMatchObject([{ sha256: 'f'.repeat(64), queued: true }])
    expect(view.signed).toBe(true)
    expect(view.finished).toBe(true)
  })

  it('without queued steps the server’s allowed actions stand', () => {
    const base = job({ status: 'on_hold', allowed_actions: ['resume'] })
    expect(viewJob(base, []).job.allowed_actions).toEqual(['resume'])
  })
})

describe('routeOrder', () => {
  it('orders by planned start, unplanned jobs last', () => {
    const jobs = [
      job({ id: 'c', number: 'C', scheduled_start_at: null }),
      job({ id: 'b', number: 'B', scheduled_start_at: '2026-01-01T10:00:00+00:00' }),
      job({ id: 'a', number: 'A', scheduled_start_at: '2026-01-01T08:00:00+00:00' }),
    ]
    expect(jobs.sort(routeOrder).map((j) => j.number)).toEqual(['A', 'B', 'C'])
  })
})

describe('splitByDay', () => {
  // Noon local time: local days are what the engineer means by "today".
  const now = new Date(2026, 11, 1, 12, 0)
  const at = (day: number, hour: number) => new Date(2026, 11, day, hour, 0).toISOString()
  const item = (over: Partial<Job>) => ({ job: job(over) })

  it('keeps unplanned, overdue and under-way jobs today and moves only later planned days', () => {
    const items = [
      item({ number: 'TODAY', scheduled_start_at: at(1, 15) }),
      item({ number: 'OVERDUE', scheduled_start_at: new Date(2026, 10, 30, 9, 0).toISOString() }),
      item({ number: 'UNPLANNED', scheduled_start_at: null }),
      item({ number: 'TOMORROW', scheduled_start_at: at(2, 0) }),
      item({ number: 'ETA_LATER', scheduled_start_at: null, eta_at: at(3, 9) }),
      item({ number: 'STARTED_EARLY', status: 'en_route', scheduled_start_at: at(2, 9) }),
    ]

    const { today, later } = splitByDay(items, now)

    expect(today.map((i) => i.job.number)).toEqual(['TODAY', 'OVERDUE', 'UNPLANNED', 'STARTED_EARLY'])
    expect(later.map((i) => i.job.number)).toEqual(['TOMORROW', 'ETA_LATER'])
  })

  it('a job just before midnight is still today', () => {
    const { today } = splitByDay([item({ scheduled_start_at: at(1, 23) })], now)
    expect(today).toHaveLength(1)
  })
})
