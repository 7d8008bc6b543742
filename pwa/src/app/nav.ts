/** Links that open turn-by-turn navigation to a job in the engineer's chosen maps app. */

export const NAV_APPS = ['auto', 'geo', 'apple', 'amap', 'google', 'off'] as const
export type NavApp = (typeof NAV_APPS)[number]

export interface Destination {
  lat: number | null
  lon: number | null
  label: string
}

/** `auto`: the system maps app on Android (`geo:`), Apple Maps on iOS, Google Maps elsewhere. */
export function resolveNavApp(app: NavApp, userAgent: string): Exclude<NavApp, 'auto'> {
  if (app !== 'auto') return app
  if (/android/i.test(userAgent)) return 'geo'
  if (/iphone|ipad|ipod/i.test(userAgent)) return 'apple'
  return 'google'
}

/** The URL to open, or null when the engineer chose not to open navigation. */
export function navigationUrl(app: NavApp, to: Destination, userAgent = ''): string | null {
  const which = resolveNavApp(app, userAgent)
  const label = encodeURIComponent(to.label)
  const hasPoint = to.lat !== null && to.lon !== null
  const point = hasPoint ? `${to.lat},${to.lon}` : ''
  switch (which) {
    case 'off':
      return null
    case 'geo':
      return hasPoint ? `geo:${point}?q=${point}(${label})` : `geo:0,0?q=${label}`
    case 'apple':
      return `https://maps.apple.com/?daddr=${hasPoint ? point : label}&dirflg=d`
    case 'amap':
      // AMap's URI API takes lon,lat; `coordinate=wgs84` because our positions are GPS (WGS-84).
      return hasPoint
        ? `https://uri.amap.com/navigation?to=${to.lon},${to.lat},${label}&mode=car&coordinate=wgs84&callnative=1`
        : `https://uri.amap.com/search?keyword=${label}&callnative=1`
    case 'google':
      return `https://www.google.com/maps/dir/?api=1&destination=${hasPoint ? point : label}&travelmode=driving`
  }
}
