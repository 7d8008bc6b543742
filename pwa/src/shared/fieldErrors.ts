/**
 * Field messages from the API's `errors` (already in the caller's language), flattened for
 * showing next to form fields.
 *
 * The server nests them by request location, then by field, and by index for lists:
 * `{json: {quantity: ["..."]}}`, `{json: {lines: {"0": {part_id: ["..."]}}}}`. The location
 * level is dropped and the rest joined with dots: `quantity`, `lines.0.part_id`.
 */
const LOCATIONS = new Set(['json', 'query', 'form', 'headers', 'files', 'path'])

export type FieldErrors = Record<string, string>

function walk(node: unknown, path: string, out: FieldErrors): void {
  if (node === null || node === undefined) return
  if (typeof node === 'string') {
    out[path] = out[path] ? `${out[path]} ${node}` : node
    return
  }
  if (Array.isArray(node)) {
    if (node.every((item) => typeof item === 'string')) {
      if (node.length) out[path] = [out[path], ...node].filter(Boolean).join(' ')
      return
    }
    node.forEach((item, index) => walk(item, path ? `${path}.${index}` : String(index), out))
    return
  }
  if (typeof node === 'object') {
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      walk(value, path ? `${path}.${key}` : key, out)
    }
  }
}

/** `{json: {lines: {"0": {quantity: ["Too large."]}}}}` -> `{"lines.0.quantity": "Too large."}`. */
export function fieldErrors(errors: Record<string, unknown> | null | undefined): FieldErrors {
  const out: FieldErrors = {}
  if (!errors || typeof errors !== 'object') return out
  for (const [key, value] of Object.entries(errors)) {
    walk(value, LOCATIONS.has(key) ? '' : key, out)
  }
  return out
}
