/** Reading a nested message table in the message tests of every app. */

/** Every leaf of a message table with its key path, e.g. ["landing.links.app.title", "…"]. */
export function leaves(table: unknown, prefix = ''): [string, unknown][] {
  if (typeof table !== 'object' || table === null) return [[prefix, table]]
  return Object.entries(table).flatMap(([key, value]) => leaves(value, prefix ? `${prefix}.${key}` : key))
}

/** Every leaf key path of a message table, e.g. "landing.links.app.title". */
export function keyPaths(table: unknown): string[] {
  return leaves(table).map(([path]) => path)
}
