/**
 * The public request form's rules, the same as the server's `WebIntakeSchema` (so a person sees
 * a mistake before sending), and the payload sent to `POST /api/v1/intake/web`. The server
 * still decides: whatever it refuses is shown next to the field in its own words.
 */

export interface RequestForm {
  name: string
  phone: string
  email: string
  address: string
  summary: string
  description: string
  asset_serial: string
  /** From "use my location"; null when not shared. */
  location: { lat: number; lon: number } | null
  /** The honeypot: hidden from people, filled by bots; sent as typed. */
  website: string
}

export type FieldName = 'name' | 'phone' | 'email' | 'address' | 'summary' | 'description' | 'asset_serial' | 'location'

/** A message key under `request.errors` and its parameters. */
export interface FieldProblem {
  key: 'required' | 'tooShort' | 'tooLong' | 'phone' | 'email' | 'location'
  params?: Record<string, number>
}

export type Problems = Partial<Record<FieldName, FieldProblem>>

/** Lengths and patterns from server/workorders/schemas.py (WebIntakeSchema). */
export const LIMITS = {
  name: { min: 1, max: 120 },
  address: { min: 2, max: 300 },
  summary: { min: 1, max: 200 },
  description: { max: 10000 },
  email: { max: 254 },
  asset_serial: { max: 64 },
} as const

export const PHONE_PATTERN = /^\+?[0-9][0-9 -]{5,19}$/
/** The shape of an address; the server's check is stricter and has the last word. */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

export function emptyForm(): RequestForm {
  return {
    name: '',
    phone: '',
    email: '',
    address: '',
    summary: '',
    description: '',
    asset_serial: '',
    location: null,
    website: '',
  }
}

/** Length in code points, as Python counts a string (an emoji is one character, not two). */
function length(value: string): number {
  return [...value].length
}

function lengthProblem(value: string, min: number, max: number): FieldProblem | undefined {
  const n = length(value)
  if (n === 0 && min > 0) return { key: 'required' }
  if (n < min) return { key: 'tooShort', params: { min } }
  if (n > max) return { key: 'tooLong', params: { max } }
  return undefined
}

/** Every field's first problem; an empty object when the form may be sent. */
export function validateRequest(form: RequestForm): Problems {
  const problems: Problems = {}
  const set = (field: FieldName, problem: FieldProblem | undefined) => {
    if (problem) problems[field] = problem
  }
  set('name', lengthProblem(form.name.trim(), LIMITS.name.min, LIMITS.name.max))
  const phone = form.phone.trim()
  set('phone', phone ? (PHONE_PATTERN.test(phone) ? undefined : { key: 'phone' }) : { key: 'required' })
  const email = form.email.trim()
  if (email) {
    if (length(email) > LIMITS.email.max) set('email', { key: 'tooLong', params: { max: LIMITS.email.max } })
    else if (!EMAIL_SHAPE.test(email)) set('email', { key: 'email' })
  }
  set('address', lengthProblem(form.address.trim(), LIMITS.address.min, LIMITS.address.max))
  set('summary', lengthProblem(form.summary.trim(), LIMITS.summary.min, LIMITS.summary.max))
  set('description', lengthProblem(form.description.trim(), 0, LIMITS.description.max))
  set('asset_serial', lengthProblem(form.asset_serial.trim(), 0, LIMITS.asset_serial.max))
  const where = form.location
  if (
    where &&
    !(
      Number.isFinite(where.lat) &&
      Number.isFinite(where.lon) &&
      Math.abs(where.lat) <= 90 &&
      Math.abs(where.lon) <= 180
    )
  ) {
    set('location', { key: 'location' })
  }
  return problems
}

export interface IntakePayload {
  name: string
  phone: string
  email: string | null
  address: string
  location: { lat: number; lon: number } | null
  summary: string
  description: string | null
  asset_serial: string | null
  website: string
}

/** What is sent: trimmed, optional blanks as null, the location rounded to about 1 m. */
export function toPayload(form: RequestForm): IntakePayload {
  const optional = (value: string) => value.trim() || null
  return {
    name: form.name.trim(),
    phone: form.phone.trim(),
    email: optional(form.email),
    address: form.address.trim(),
    location: form.location
      ? { lat: Math.round(form.location.lat * 1e5) / 1e5, lon: Math.round(form.location.lon * 1e5) / 1e5 }
      : null,
    summary: form.summary.trim(),
    description: optional(form.description),
    asset_serial: optional(form.asset_serial),
    website: form.website,
  }
}

/**
 * The asset serial from a QR code link such as `/request/?asset=AC-2291-X`: trimmed, at most
 * the server's length; null when absent or blank.
 */
export function assetFromSearch(search: string): string | null {
  const value = new URLSearchParams(search).get('asset')?.trim()
  if (!value) return null
  return [...value].slice(0, LIMITS.asset_serial.max).join('')
}

/** Server field names that have a field on the form (others are shown above the button). */
export const FORM_FIELDS: readonly FieldName[] = [
  'name',
  'phone',
  'email',
  'address',
  'location',
  'summary',
  'description',
  'asset_serial',
]

/**
 * The server's field messages (flattened by `fieldErrors`) by form field: `location.lat` belongs
 * to the location; anything the form has no field for (the honeypot) goes to `other`.
 */
export function serverMessagesByField(errors: Record<string, string>): {
  fields: Partial<Record<FieldName, string>>
  other: string[]
} {
  const fields: Partial<Record<FieldName, string>> = {}
  const other: string[] = []
  for (const [key, text] of Object.entries(errors)) {
    const field = key.split('.')[0] as FieldName
    if (FORM_FIELDS.includes(field)) fields[field] = fields[field] ? `${fields[field]} ${text}` : text
    else other.push(text)
  }
  return { fields, other }
}
