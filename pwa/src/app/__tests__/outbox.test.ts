import { describe, expect, it } from 'vitest'
import { ApiError } from '../../shared/api'
import {
  BATCH_SIZE,
  REJECTIONS_KEY,
  SENT_KEY,
  backoffMs,
  enqueue,
  makeOp,
  pendingOps,
  pushOutbox,
} from '../data/outbox'
import type { Rejection } from '../data/types'
import { FakeServer, job, memoryStore } from './memory'

const photo = (sha: string) => ({ sha256: sha, kind: 'photo' as const, blob: new Blob(['jpeg']), work_order_id: 'wo-1', uploaded: false })

describe('backoffMs', () => {
  it('doubles from 2 s and stops at 5 minutes, jittered between half and all of it', () => {
    expect(backoffMs(1, () => 1)).toBe(2_000)
    expect(backoffMs(2, () => 1)).toBe(4_000)
    expect(backoffMs(4, () => 1)).toBe(16_000)
    expect(backoffMs(30, () => 1)).toBe(300_000)
    expect(backoffMs(3, () => 0)).toBe(4_000)
  })
})

describe('makeOp', () => {
  it('gives every op its own id and the version the step was based on', () => {
    const a = makeOp('accept', job({ version: 7 }))
    const b = makeOp('accept', job({ version: 7 }))
    expect(a.op_id).not.toBe(b.op_id)
    expect(a.op_id).toMatch(/^[0-9a-f-]{36}$/)
    expect(a).toMatchObject({ type: 'accept', work_order_id: 'wo-1', base_version: 7, payload: {}, uploads: [] })
  })
})

describe('pushOutbox', () => {
  it('sends queued ops in the order they were taken and empties the queue', async () => {
    const store = memoryStore()
    const server = new FakeServer()
    server.jobs.set('wo-1', job({ status: 'in_progress', version: 5 }))
    await store.putJobs([job()])
    for (const type of ['accept', 'start_travel', 'arrive'] as const) await enqueue(store, makeOp(type, job()))
    const outcome = await pushOutbox(store, server)
    expect(server.posts).toHaveLength(1)
    expect(server.posts[0].map((op) => op.type)).toEqual(['accept', 'start_travel', 'arrive'])
    expect(outcome).toMatchObject({ applied: 3, duplicates: 0, rejected: [], removed: [] })
    expect(await pendingOps(store)).toEqual([])
    // The order the server answered with replaces the local copy.
    expect(store.jobs.get('wo-1')?.version).toBe(8)
    expect((await store.getMeta<Record<string, unknown[]>>(SENT_KEY))?.['wo-1']).toHaveLength(3)
  })

  it('keeps every op when the network is down and says so by throwing', async () => {
    const store = memoryStore()
    const server = new FakeServer()
    server.online = false
    await enqueue(store, makeOp('accept', job()))
    await expect(pushOutbox(store, server)).rejects.toMatchObject({ status: 0, isNetworkError: true })
    expect(await pendingOps(store)).toHaveLength(1)
  })

  it('sending the same ops again changes nothing on the server', async () => {
    const store = memoryStore()
    const server = new FakeServer()
    server.jobs.set('wo-1', job())
    const op = await enqueue(store, makeOp('accept', job()))
    // The answer was lost: the server applied the op but the phone never heard.
    server.applied.set(op.op_id, op)
    const outcome = await pushOutbox(store, server)
    expect(outcome).toMatchObject({ applied: 0, duplicates: 1 })
    expect(server.applied.size).toBe(1)
    expect(await pendingOps(store)).toEqual([])
  })

  it('uploads photo bytes before the op that names them, once', async () => {
    const store = memoryStore()
    const server = new FakeServer()
    server.jobs.set('wo-1', job())
    const sha = 'a'.repeat(64)
    await store.putBlob(photo(sha))
    await enqueue(store, makeOp('photo', job(), { sha256: sha }, [{ sha256: sha, kind: 'photo' }]))
    server.failNext = null
    const outcome = await pushOutbox(store, server)
    expect(outcome.applied).toBe(1)
    expect(server.uploads.has(sha)).toBe(true)
    expect(store.blobs.get(sha)?.uploaded).toBe(true)
    // A later op naming the same bytes does not upload them again.
    server.uploads.clear()
    await enqueue(store, makeOp('photo', job(), { sha256: sha }, [{ sha256: sha, kind: 'photo' }]))
    server.uploads.set(sha, new Blob(['server copy']))
    await pushOutbox(store, server)
    expect(await server.uploads.get(sha)?.text()).toBe('server copy')
  })

  it('a photo the server refuses becomes a rejection; the ops after it still go', async () => {
    const store = memoryStore()
    const server = new FakeServer()
    server.jobs.set('wo-1', job())
    const sha = 'b'.repeat(64)
    await store.putBlob(photo(sha))
    await enqueue(store, makeOp('photo', job(), { sha256: sha }, [{ sha256: sha, kind: 'photo' }]))
    await enqueue(store, makeOp('note', job(), { body: 'ok' }))
    server.failNext = new ApiError(422, 'unprocessable_entity', 'not an image')
    const outcome = await pushOutbox(store, server)
    expect(outcome.rejected.map((r) => [r.type, r.error])).toEqual([['photo', 'upload_refused']])
    expect(server.posts[0].map((op) => op.type)).toEqual(['note'])
    expect(await pendingOps(store)).toEqual([])
  })

  it('a job given to someone else is removed with its queue, photos and a rejection to show', async () => {
    const store = memoryStore()
    const server = new FakeServer()
    await store.putJobs([job(), job({ id: 'wo-2', number: 'WO-2' })])
    server.reassigned.add('wo-1')
    const sha = 'c'.repeat(64)
    await store.putBlob(photo(sha))
    server.uploads.set(sha, new Blob(['x']))
    await store.putBlob({ ...photo(sha), uploaded: true })
    await enqueue(store, makeOp('accept', job()))
    await enqueue(store, makeOp('photo', job(), { sha256: sha }, [{ sha256: sha, kind: 'photo' }]))
    const outcome = await pushOutbox(store, server)
    expect(outcome.removed).toEqual(['wo-1'])
    expect(outcome.rejected.map((r) => [r.type, r.error, r.number, r.removed])).toEqual([
      ['accept', 'reassigned', 'WO-1', true],
      ['photo', 'reassigned', 'WO-1', true],
    ])
    expect([...store.jobs.keys()]).toEqual(['wo-2'])
    expect(store.blobs.size).toBe(0)
    expect(await store.getMeta<Rejection[]>(REJECTIONS_KEY)).toHaveLength(2)
  })

  it('a rejected step keeps the job, with the server copy and the reason', async () => {
    const store = memoryStore()
    const server = new FakeServer()
    server.jobs.set('wo-1', job({ version: 3 }))
    await store.putJobs([job()])
    await enqueue(store, makeOp('photo', job(), { sha256: 'd'.repeat(64) }, [{ sha256: 'd'.repeat(64), kind: 'photo' }]))
    const outcome = await pushOutbox(store, server)
    expect(outcome.rejected).toMatchObject([{ error: 'upload_missing', removed: false }])
    expect(store.jobs.get('wo-1')?.version).toBe(3)
  })

  it('a batch the server cannot read is set aside as rejected instead of blocking the queue', async () => {
    const store = memoryStore()
    const server = new FakeServer()
    await store.putJobs([job()])
    await enqueue(store, makeOp('note', job(), { body: 'x' }))
    server.failNext = new ApiError(422, 'unprocessable_entity', 'bad')
    const outcome = await pushOutbox(store, server)
    expect(outcome.rejected.map((r) => r.error)).toEqual(['unprocessable_entity'])
    expect(await pendingOps(store)).toEqual([])
  })

  it('an ended session stops the push without losing anything', async () => {
    const store = memoryStore()
    const server = new FakeServer()
    await enqueue(store, makeOp('accept', job()))
    server.failNext = new ApiError(401, 'unauthorized', 'log in')
    await expect(pushOutbox(store, server)).rejects.toMatchObject({ status: 401 })
    expect(await pendingOps(store)).toHaveLength(1)
  })

  it('sends a long queue in batches', async () => {
    const store = memoryStore()
    const server = new FakeServer()
    server.jobs.set('wo-1', job())
    for (let i = 0; i < BATCH_SIZE + 5; i++) await enqueue(store, makeOp('note', job(), { body: `n${i}` }))
    const outcome = await pushOutbox(store, server)
    expect(server.posts.map((batch) => batch.length)).toEqual([BATCH_SIZE, 5])
    expect(server.posts.flat().map((op) => op.payload.body)).toEqual(
      Array.from({ length: BATCH_SIZE + 5 }, (_, i) => `n${i}`),
    )
    expect(outcome.applied).toBe(BATCH_SIZE + 5)
  })
})
