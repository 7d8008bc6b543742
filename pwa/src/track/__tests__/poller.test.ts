import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { startPolling, type Visibility } from '../poller'

class FakeVisibility implements Visibility {
  visible = true
  private listeners = new Set<() => void>()
  isVisible(): boolean {
    return this.visible
  }
  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
  set(visible: boolean): void {
    this.visible = visible
    for (const listener of this.listeners) listener()
  }
  get listening(): number {
    return this.listeners.size
  }
}

describe('startPolling', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('reads every interval while visible', async () => {
    const read = vi.fn()
    const poller = startPolling(read, { intervalMs: 30_000, visibility: new FakeVisibility() })
    await vi.advanceTimersByTimeAsync(29_999)
    expect(read).toHaveBeenCalledTimes(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(read).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(read).toHaveBeenCalledTimes(3)
    poller.stop()
  })

  it('pauses while hidden and reads at once when shown again', async () => {
    const read = vi.fn()
    const visibility = new FakeVisibility()
    const poller = startPolling(read, { intervalMs: 30_000, visibility })
    visibility.set(false)
    await vi.advanceTimersByTimeAsync(120_000)
    expect(read).toHaveBeenCalledTimes(0)
    visibility.set(true)
    await vi.advanceTimersByTimeAsync(0)
    expect(read).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(30_000)
    expect(read).toHaveBeenCalledTimes(2)
    poller.stop()
  })

  it('does not start while hidden', async () => {
    const read = vi.fn()
    const visibility = new FakeVisibility()
    visibility.visible = false
    const poller = startPolling(read, { intervalMs: 1_000, visibility })
    await vi.advanceTimersByTimeAsync(10_000)
    expect(read).not.toHaveBeenCalled()
    poller.stop()
  })

  it('plans the next read after the last one finished, one at a time', async () => {
    let finish: () => void = () => {}
    const read = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)))
    const poller = startPolling(read, { intervalMs: 1_000, visibility: new FakeVisibility() })
    await vi.advanceTimersByTimeAsync(1_000)
    expect(read).toHaveBeenCalledTimes(1)
    void poller.refreshNow()
    await vi.advanceTimersByTimeAsync(5_000)
    expect(read).toHaveBeenCalledTimes(1)
    finish()
    await vi.advanceTimersByTimeAsync(999)
    expect(read).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(read).toHaveBeenCalledTimes(2)
    poller.stop()
  })

  it('refreshNow reads at once and restarts the interval', async () => {
    const read = vi.fn()
    const poller = startPolling(read, { intervalMs: 30_000, visibility: new FakeVisibility() })
    await vi.advanceTimersByTimeAsync(20_000)
    await poller.refreshNow()
    expect(read).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(29_999)
    expect(read).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(read).toHaveBeenCalledTimes(2)
    poller.stop()
  })

  it('keeps polling after a failed read', async () => {
    const read = vi.fn().mockRejectedValueOnce(new Error('offline')).mockResolvedValue(undefined)
    const poller = startPolling(read, { intervalMs: 1_000, visibility: new FakeVisibility() })
    await vi.advanceTimersByTimeAsync(2_000)
    expect(read).toHaveBeenCalledTimes(2)
    poller.stop()
  })

  it('stop ends the timer and the visibility listener', async () => {
    const read = vi.fn()
    const visibility = new FakeVisibility()
    const poller = startPolling(read, { intervalMs: 1_000, visibility })
    poller.stop()
    expect(visibility.listening).toBe(0)
    visibility.set(true)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(read).not.toHaveBeenCalled()
  })
})
