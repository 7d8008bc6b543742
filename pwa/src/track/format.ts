/** Times on the customer pages, in the organisation's time zone (DESIGN §1). */
import { ORG_TIME_ZONE } from '../shared/format'

function parts(date: Date, timeZone: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of new Intl.DateTimeFormat('en-CA', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
  }).formatToParts(date)) {
    out[part.type] = part.value
  }
  return out
}

/**
 * An instant for people: "14:35" when it falls today (in the zone), "12-03 14:35" on another
 * day of this year, "2027-01-02 14:35" otherwise; '' for none.
 */
export function formatWhen(iso: string | null | undefined, now: Date, timeZone = ORG_TIME_ZONE): string {
  if (!iso) return ''
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return ''
  const at = parts(date, timeZone)
  const today = parts(now, timeZone)
  const time = `${at.hour}:${at.minute}`
  if (at.year === today.year && at.month === today.month && at.day === today.day) return time
  if (at.year === today.year) return `${at.month}-${at.day} ${time}`
  return `${at.year}-${at.month}-${at.day} ${time}`
}

/** Whole minutes from now until the instant, rounded up; 0 once it has passed; null for none. */
export function minutesUntil(iso: string | null | undefined, now: Date): number | null {
  if (!iso) return null
  const at = new Date(iso).getTime()
  if (Number.isNaN(at)) return null
  return Math.max(0, Math.ceil((at - now.getTime()) / 60_000))
}
