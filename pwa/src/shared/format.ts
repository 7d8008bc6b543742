/** Dates, numbers and two-language names as every app shows them. */

/** Times are shown in the organisation's time zone (DESIGN §1). */
export const ORG_TIME_ZONE = 'Asia/Shanghai'

/** The calendar day of an instant in `timeZone`, as YYYY-MM-DD. */
export function dayIn(at: Date | string, timeZone: string = ORG_TIME_ZONE): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    typeof at === 'string' ? new Date(at) : at,
  )
}

/** Today in the organisation's time zone, YYYY-MM-DD. */
export function orgToday(now: Date = new Date()): string {
  return dayIn(now)
}

/** An instant as a short date and time in the organisation's zone; '' for none. */
export function formatDateTime(iso: string | null | undefined, locale: string, timeZone: string = ORG_TIME_ZONE): string {
  if (!iso) return ''
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    // Not `hour12: false`: English would show midnight as 24:05.
    hourCycle: 'h23',
    timeZone,
  }).format(date)
}

/**
 * A decimal from the API ("5.000", "-2.500", "1250.500") for people: no trailing zeros,
 * grouped digits, at most three decimals. Anything that is not a number is returned as it came.
 */
export function formatNumber(value: string | number | null | undefined, locale: string): string {
  if (value === null || value === undefined || value === '') return ''
  const number = typeof value === 'number' ? value : Number(String(value).trim())
  if (!Number.isFinite(number)) return String(value)
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 3 }).format(number === 0 ? 0 : number)
}

/** A name kept in both languages, in the page's language, falling back to the other one. */
export function localName(name: { 'zh-CN'?: string; en?: string } | null | undefined, locale: string): string {
  if (!name) return ''
  return (locale === 'en' ? name.en || name['zh-CN'] : name['zh-CN'] || name.en) ?? ''
}
