/**
 * The tracking code from a path such as `/track/FL7K2M9Q` (the server serves this app for
 * `/track/<code>`); null for `/track/` or anything else.
 */
export function trackingCodeFromPath(pathname: string): string | null {
  const match = /^\/track\/([^/]+)\/?$/.exec(pathname)
  if (!match) return null
  let code: string
  try {
    code = decodeURIComponent(match[1]).trim()
  } catch {
    return null // malformed %-escape
  }
  if (!code || code === 'index.html') return null
  return code
}
