/**
 * Re-reads the tracking view every so often while the page is visible, and not at all while it
 * is hidden (a phone in a pocket should not spend data or battery); coming back to the page
 * reads at once. One read at a time: the next is planned when the last has finished.
 */

export interface Visibility {
  isVisible(): boolean
  /** Calls `listener` on every visibility change; returns how to stop. */
  onChange(listener: () => void): () => void
}

export interface Poller {
  /** Reads now (e.g. after the customer acted) and restarts the interval. */
  refreshNow(): Promise<void>
  stop(): void
}

export const POLL_INTERVAL_MS = 30_000

export function documentVisibility(doc: Document = document): Visibility {
  return {
    isVisible: () => doc.visibilityState !== 'hidden',
    onChange(listener) {
      doc.addEventListener('visibilitychange', listener)
      return () => doc.removeEventListener('visibilitychange', listener)
    },
  }
}

export function startPolling(
  read: () => Promise<unknown> | unknown,
  { intervalMs = POLL_INTERVAL_MS, visibility }: { intervalMs?: number; visibility: Visibility },
): Poller {
  let timer: ReturnType<typeof setTimeout> | null = null
  let stopped = false
  let inFlight: Promise<void> | null = null

  function clear(): void {
    if (timer !== null) clearTimeout(timer)
    timer = null
  }

  function plan(): void {
    clear()
    if (!stopped && visibility.isVisible()) timer = setTimeout(() => void tick(), intervalMs)
  }

  function tick(): Promise<void> {
    if (stopped) return Promise.resolve()
    clear()
    inFlight ??= (async () => {
      try {
        await read()
      } catch {
        // The caller shows its own errors; polling carries on.
      } finally {
        inFlight = null
        plan()
      }
    })()
    return inFlight
  }

  const unsubscribe = visibility.onChange(() => {
    if (stopped) return
    if (visibility.isVisible()) void tick()
    else clear()
  })
  plan()

  return {
    refreshNow: tick,
    stop() {
      stopped = true
      clear()
      unsubscribe()
    },
  }
}
