/** Pure helpers of the warehouse screen: quantities, times, part names, paging. */

/** Times are shown in the organisation's time zone (DESIGN §1). */
export const ORG_TIME_ZONE = 'Asia/Shanghai'

/**
 * A quantity from the API ("5.000", "-2.500") for people: no trailing zeros, grouped digits,
 * at most three decimals. Anything that is not a number is returned as it came.
 */
export function formatQuantity(value: string | number | null | undefined, locale: string): string {
  if (value === null || value === undefined || value === '') return ''
  const number = typeof value === 'number' ? value : Number(String(value).trim())
  if (!Number.isFinite(number)) return String(value)
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 3 }).format(number === 0 ? 0 : number)
}

/** An instant as a short local date and time in the organisation's zone; '' for none. */
export function formatDateTime(iso: string | null | undefined, locale: string, timeZone = ORG_TIME_ZONE): string {
  if (!iso) return ''
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
  }).format(date)
}

/** The part's name in the page's language, falling back to the other one. */
export function partName(name: { 'zh-CN'?: string; en?: string } | null | undefined, locale: string): string {
  if (!name) return ''
  return (locale === 'en' ? name.en || name['zh-CN'] : name['zh-CN'] || name.en) ?? ''
}

/**
 * The signed quantity of an adjustment from a direction and what was typed: the typed sign is
 * dropped (the direction decides), blanks stay blank so the server can say what is missing.
 */
export function signedQuantity(direction: 'add' | 'remove', typed: string): string {
  const magnitude = typed.trim().replace(/^[+-]\s*/, '')
  if (!magnitude) return ''
  return direction === 'remove' ? `-${magnitude}` : magnitude
}

