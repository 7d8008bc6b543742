/** Dates and small rules of the admin screens (instants and numbers: shared/format.ts). */

/** Under warranty on `today` (both YYYY-MM-DD): the warranty's last day included. */
export function underWarranty(warrantyUntil: string | null | undefined, today: string): boolean {
  return Boolean(warrantyUntil) && today <= (warrantyUntil as string)
}

/** A calendar day (YYYY-MM-DD) in the reader's language, e.g. "2026年12月1日" / "1 Dec 2026". */
export function formatDay(value: string | null | undefined, locale: string): string {
  if (!value) return ''
  const [y, m, d] = value.slice(0, 10).split('-').map(Number)
  return new Intl.DateTimeFormat(locale, { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' }).format(
    new Date(Date.UTC(y, m - 1, d)),
  )
}

/** A short day without the year, for week headings: "12月1日" / "1 Dec". */
export function formatShortDay(value: string, locale: string): string {
  const [y, m, d] = value.split('-').map(Number)
  return new Intl.DateTimeFormat(locale, { timeZone: 'UTC', month: 'short', day: 'numeric' }).format(new Date(Date.UTC(y, m - 1, d)))
}

/** `<input type="datetime-local">` value for an instant, in this device's time zone. */
export function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`
}

/** The instant a `datetime-local` value means on this device, as ISO 8601 UTC; null if invalid. */
export function fromLocalInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return null
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? null : date.toISOString()
}

/**
 * The link a QR sticker should open: the public request form with the asset filled in. It
 * carries the sticker's unguessable code, not the serial: the server files a request that
 * names the code for that machine, its site and its owner.
 */
export function requestLink(qrCode: string, origin: string): string {
  return `${origin}/request/?asset=${encodeURIComponent(qrCode)}`
}
