/** Times and durations as the board shows them, in the organisation's time zone. */
export const ORG_TIME_ZONE = 'Asia/Shanghai'

export function time(iso: string | null, locale: string): string {
  if (!iso) return '—'
  return new Intl.DateTimeFormat(locale, { timeZone: ORG_TIME_ZONE, hour: '2-digit', minute: '2-digit', hour12: false }).format(
    new Date(iso),
  )
}

export function dateTime(iso: string | null, locale: string): string {
  if (!iso) return '—'
  return new Intl.DateTimeFormat(locale, {
    timeZone: ORG_TIME_ZONE,
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(iso))
}

/** Today in the organisation's time zone, YYYY-MM-DD. */
export function today(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: ORG_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
}

export const minutes = (seconds: number): number => Math.round(seconds / 60)
