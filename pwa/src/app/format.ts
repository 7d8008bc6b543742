/** Times and numbers for the engineer's screens, in the page's language. */
/** The time of day, with the date in front when it is not today. */
export function clock(iso: string | null | undefined, locale: string, now: Date = new Date()): string {
  if (!iso) return ''
  const at = new Date(iso)
  const time = at.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' })
  if (at.toDateString() === now.toDateString()) return time
  return `${at.toLocaleDateString(locale, { month: 'numeric', day: 'numeric' })} ${time}`
}

export function km(value: number | null, locale: string): string | null {
  if (value === null) return null
  return value.toLocaleString(locale, { maximumFractionDigits: value < 10 ? 1 : 0 })
}
