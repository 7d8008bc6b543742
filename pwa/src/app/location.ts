/**
 * Position pings while a job is under way (from start of travel to completion), only with the
 * engineer's permission and setting, at most one a minute. A ping that cannot be sent is dropped:
 * the next one supersedes it.
 */
import { ref } from 'vue'
import { sendPosition } from './data/transport'

const MIN_INTERVAL_MS = 60_000

export const lastPosition = ref<{ lat: number; lon: number } | null>(null)
let watchId: number | null = null
let lastSentAt = 0

export function trackLocation(active: boolean): void {
  if (!('geolocation' in navigator)) return
  if (active && watchId === null) {
    watchId = navigator.geolocation.watchPosition(
      (pos) => {
        lastPosition.value = { lat: pos.coords.latitude, lon: pos.coords.longitude }
        const now = Date.now()
        if (now - lastSentAt < MIN_INTERVAL_MS || !navigator.onLine) return
        lastSentAt = now
        sendPosition({
          lat: pos.coords.latitude,
          lon: pos.coords.longitude,
          accuracy_m: Number.isFinite(pos.coords.accuracy) ? pos.coords.accuracy : null,
          at: new Date(pos.timestamp).toISOString(),
        }).catch(() => undefined)
      },
      () => undefined, // permission refused or no fix: nothing is sent
      { enableHighAccuracy: false, maximumAge: 30_000, timeout: 60_000 },
    )
  } else if (!active && watchId !== null) {
    navigator.geolocation.clearWatch(watchId)
    watchId = null
  }
}
