import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('../boardApi', () => ({
  streamToken: vi.fn(async () => ({ token: `tok${++minted}`, expires_in: 300, stream_url: '/api/v1/events/stream' })),
}))

let minted = 0

/** Just enough of EventSource: the feed's listeners, and a way to play the server's part. */
class FakeEventSource {
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  static readonly CLOSED = 2
  static all: FakeEventSource[] = []
  readyState = FakeEventSource.CONNECTING
  onopen: (() => void) | null = null
  onerror: (() => void) | null = null
  private listeners = new Map<string, ((e: { data: string; lastEventId: string }) => void)[]>()

  constructor(readonly url: string) {
    FakeEventSource.all.push(this)
  }

  addEventListener(kind: string, fn: (e: { data: string; lastEventId: string }) => void): void {
    this.listeners.set(kind, [...(this.listeners.get(kind) ?? []), fn])
  }

  close(): void {
    this.readyState = FakeEventSource.CLOSED
  }

  open(): void {
    this.readyState = FakeEventSource.OPEN
    this.onopen?.()
  }

  emit(kind: string, id: string, data: unknown): void {
    for (const fn of this.listeners.get(kind) ?? []) fn({ data: JSON.stringify(data), lastEventId: id })
  }

  refuse(): void {
    this.readyState = FakeEventSource.CLOSED
    this.onerror?.()
  }
}

const { LiveFeed } = await import('../live')

function flush(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0))
}

describe('the live feed', () => {
  beforeEach(() => {
    FakeEventSource.all = []
    minted = 0
    vi.stubGlobal('EventSource', FakeEventSource)
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    vi.useRealTimers()
  })

  it('opens the stream with a minted token and re-reads the snapshot on hello', async () => {
    const events: unknown[] = []
    const resync = vi.fn(async () => {})
    const feed = new LiveFeed({ event: (k, d) => events.push([k, d]), resync, state: () => {} })
    feed.start()
    await flush()
    const source = FakeEventSource.all[0]
    expect(source.url).toBe('/api/v1/events/stream?token=tok1')
    source.open()
    source.emit('hello', '100', { resumed: false })
    await flush()
    expect(resync).toHaveBeenCalledTimes(1)
    source.emit('work_order', '101', { id: 'a', version: 2 })
    expect(events).toEqual([['work_order', { id: 'a', version: 2 }]])
    feed.stop()
  })

  it('holds events that arrive while the snapshot is read, then applies them after it', async () => {
    const order: string[] = []
    let finish: () => void = () => {}
    const resync = vi.fn(
      () =>
        new Promise<void>((resolve) => {
          order.push('snapshot requested')
          finish = () => {
            order.push('snapshot applied')
            resolve()
          }
        }),
    )
    const feed = new LiveFeed({ event: (_k, d) => order.push(`event ${(d as { id: string }).id}`), resync, state: () => {} })
    feed.start()
    await flush()
    const source = FakeEventSource.all[0]
    source.open()
    source.emit('reset', '200', { reason: 'gap' })
    source.emit('work_order', '201', { id: 'x' })
    source.emit('reset', '201', { reason: 'too_slow' }) // already re-reading: not a second read
    expect(order).toEqual(['snapshot requested'])
    finish()
    await flush()
    expect(order).toEqual(['snapshot requested', 'snapshot applied', 'event x'])
    expect(resync).toHaveBeenCalledTimes(1)
    feed.stop()
  })

  it('reopens with a new token from the last id seen when the stream is refused', async () => {
    vi.useFakeTimers()
    const states: string[] = []
    const feed = new LiveFeed({ event: () => {}, resync: async () => {}, state: (s) => states.push(s) })
    feed.start()
    await vi.advanceTimersByTimeAsync(0)
    const first = FakeEventSource.all[0]
    first.open()
    first.emit('work_order', '305', { id: 'a' })
    first.refuse() // e.g. the token expired before the browser's own reconnect
    expect(states.at(-1)).toBe('reconnecting')
    await vi.advanceTimersByTimeAsync(1000)
    expect(FakeEventSource.all).toHaveLength(2)
    expect(FakeEventSource.all[1].url).toBe('/api/v1/events/stream?token=tok2&last_event_id=305')
    feed.stop()
  })
})
