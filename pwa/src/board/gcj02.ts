/**
 * WGS-84 <-> GCJ-02, the datum Chinese map tiles (AMap/高德) are drawn in. Stored coordinates
 * stay WGS-84 (GPS); only what is drawn on an AMap layer is shifted, or the markers sit some
 * hundreds of metres off the streets. Outside mainland China both datums agree.
 */

const A = 6378245.0
const EE = 0.006693421622965943

export interface LatLon {
  lat: number
  lon: number
}

export function outOfChina({ lat, lon }: LatLon): boolean {
  return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271
}

function shiftLat(x: number, y: number): number {
  let r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x))
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3
  r += ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3
  r += ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30)) * 2) / 3
  return r
}

function shiftLon(x: number, y: number): number {
  let r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x))
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3
  r += ((20 * Math.sin(x * Math.PI) + 40 * Math.sin((x / 3) * Math.PI)) * 2) / 3
  r += ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3
  return r
}

/** Where a GPS (WGS-84) point is drawn on a GCJ-02 map. */
export function wgs84ToGcj02(point: LatLon): LatLon {
  if (outOfChina(point)) return { lat: point.lat, lon: point.lon }
  const radLat = (point.lat / 180) * Math.PI
  let magic = Math.sin(radLat)
  magic = 1 - EE * magic * magic
  const sqrtMagic = Math.sqrt(magic)
  const dLat =
    (shiftLat(point.lon - 105, point.lat - 35) * 180) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI)
  const dLon = (shiftLon(point.lon - 105, point.lat - 35) * 180) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI)
  return { lat: point.lat + dLat, lon: point.lon + dLon }
}

/** The GPS point drawn at a GCJ-02 position (iterated: the shift has no closed inverse). */
export function gcj02ToWgs84(point: LatLon): LatLon {
  if (outOfChina(point)) return { lat: point.lat, lon: point.lon }
  let guess = { lat: point.lat, lon: point.lon }
  for (let i = 0; i < 10; i++) {
    const drawn = wgs84ToGcj02(guess)
    const dLat = drawn.lat - point.lat
    const dLon = drawn.lon - point.lon
    guess = { lat: guess.lat - dLat, lon: guess.lon - dLon }
    if (Math.abs(dLat) < 1e-10 && Math.abs(dLon) < 1e-10) break
  }
  return guess
}
