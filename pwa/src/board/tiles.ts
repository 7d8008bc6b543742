/**
 * Which map tiles the board draws under its markers. OpenStreetMap by default; AMap (高德) for
 * maps in China, drawn in GCJ-02 (markers are shifted to match); any URL template; or none (the
 * board works without tiles, e.g. on a network without the internet).
 *
 * Chosen by `?tiles=osm|amap|none|<https URL template>`, else the last choice on this device.
 */
export type TileMode = 'osm' | 'amap' | 'none' | 'custom'

export interface TileChoice {
  mode: TileMode
  url: string | null
  subdomains: string
  /** True when markers must be shifted from WGS-84 to GCJ-02 to sit on these tiles. */
  gcj02: boolean
  attribution: string
}

export const TILE_STORAGE_KEY = 'fieldline.board.tiles'

const OSM = 'https://tile.openstreetmap.org/{z}/{x}/{y}.png'
const AMAP = 'https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}'

export function tileChoice(setting: string | null | undefined): TileChoice {
  const value = (setting ?? '').trim()
  if (value === 'none') return { mode: 'none', url: null, subdomains: '', gcj02: false, attribution: '' }
  if (value === 'amap') return { mode: 'amap', url: AMAP, subdomains: '1234', gcj02: true, attribution: '© 高德地图 AutoNavi' }
  if (/^https?:\/\/.+\{z\}.*/.test(value)) {
    // A custom template drawn in GCJ-02 says so with `gcj02` anywhere in it (e.g. a proxy path).
    return { mode: 'custom', url: value, subdomains: 'abc', gcj02: /gcj02|autonavi|amap/i.test(value), attribution: '' }
  }
  return { mode: 'osm', url: OSM, subdomains: 'abc', gcj02: false, attribution: '© OpenStreetMap contributors' }
}

export function initialTileSetting(search: string, stored: string | null): string {
  return new URLSearchParams(search).get('tiles') ?? stored ?? 'osm'
}
