/**
 * The board's live feed: an EventSource on the event stream, opened with a short-lived token
 * (EventSource cannot send Authorization). The browser reconnects by itself and resumes with
 * Last-Event-ID; when the stream closes for good (e.g. the token expired) a new token is minted
 * and the stream reopened from the last id seen. `hello` and `reset` mean the board must
 * re-read its snapshot; events that arrive while it does are held and applied after it.
 */
import { streamToken } from './boardApi'

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'resync'
export type LiveKind = 'work_order' | 'position' | 'sla'

export interface LiveHandlers {
  event(kind: LiveKind, data: unknown): void
  /** Re-read the snapshot; events are held until the promise settles. */
  resync(): Promise<void>
  state(state: LiveState): void
}

const KINDS: LiveKind[] = ['work_order', 'position', 'sla']

export class LiveFeed {
  private source: EventSource | null = null
  private lastId = ''
  private held: [LiveKind, unknown][] | null = null
  private retryTimer: ReturnType<typeof setTimeout> | null = null
  private attempts = 0
  private stopped = false

  constructor(private readonly handlers: LiveHandlers) {}

  start(): void {
    this.stopped = false
    void this.open()
  }

  stop(): void {
    this.stopped = true
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.source?.close()
    this.source = null
  }

  private async open(): Promise<void> {
    this.handlers.state(this.lastId ? 'reconnecting' : 'connecting')
    let url: string
    try {
      const minted = await streamToken()
      const params = new URLSearchParams({ token: minted.token })
      if (this.lastId) params.set('last_event_id', this.lastId)
      url = `${minted.stream_url}?${params}`
    } catch {
      this.retryLater()
      return
    }
    if (this.stopped) return
    const source = new EventSource(url)
    this.source = source
    source.onopen = () => {
      this.attempts = 0
      this.handlers.state('live')
    }
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        // Refused (an expired token) or gone: a new token, from the last id seen.
        source.close()
        if (this.source === source) this.retryLater()
      } else {
        this.handlers.state('reconnecting')
      }
    }
    const resync = (e: MessageEvent) => {
      this.lastId = e.lastEventId || this.lastId
      void this.resync()
    }
    source.addEventListener('hello', resync)
    source.addEventListener('reset', resync)
    for (const kind of KINDS) {
      source.addEventListener(kind, (e: MessageEvent) => {
        this.lastId = e.lastEventId || this.lastId
        let data: unknown
        try {
          data = JSON.parse(e.data as string)
        } catch {
          return
        }
        if (this.held) this.held.push([kind, data])
        else this.handlers.event(kind, data)
      })
    }
  }

  private async resync(): Promise<void> {
    if (this.held) return // already re-reading; what arrives meanwhile is held
    this.held = []
    this.handlers.state('resync')
    try {
      await this.handlers.resync()
    } finally {
      const held = this.held
      this.held = null
      for (const [kind, data] of held) this.handlers.event(kind, data)
      this.handlers.state(this.source?.readyState === EventSource.OPEN ? 'live' : 'reconnecting')
    }
  }

  private retryLater(): void {
    if (this.stopped) return
    this.handlers.state('reconnecting')
    const delay = Math.min(30000, 1000 * 2 ** this.attempts++)
    this.retryTimer = setTimeout(() => void this.open(), delay)
  }
}
