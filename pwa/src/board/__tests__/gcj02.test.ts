import { describe, expect, it } from 'vitest'
import { gcj02ToWgs84, outOfChina, wgs84ToGcj02 } from '../gcj02'

/** Metres between two nearby points (equirectangular; fine at these distances). */
function metres(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const x = ((b.lon - a.lon) * Math.PI) / 180 * Math.cos(((a.lat + b.lat) / 2) * (Math.PI / 180))
  const y = ((b.lat - a.lat) * Math.PI) / 180
  return Math.sqrt(x * x + y * y) * 6371000
}

describe('WGS-84 to GCJ-02', () => {
  it('matches the published reference point (Tiananmen)', () => {
    const shifted = wgs84ToGcj02({ lat: 39.915, lon: 116.404 })
    expect(shifted.lat).toBeCloseTo(39.91640428150164, 9)
    expect(shifted.lon).toBeCloseTo(116.41024449916938, 9)
  })

  it('moves a Shanghai point by a few hundred metres, north-east', () => {
    const gps = { lat: 31.2304, lon: 121.4737 }
    const drawn = wgs84ToGcj02(gps)
    const shift = metres(gps, drawn)
    expect(shift).toBeGreaterThan(300)
    expect(shift).toBeLessThan(700)
    expect(drawn.lon).toBeGreaterThan(gps.lon)
  })

  it('leaves points outside China alone', () => {
    for (const p of [
      { lat: 51.5074, lon: -0.1278 },
      { lat: 35.6762, lon: 139.6503 },
      { lat: -33.87, lon: 151.21 },
    ]) {
      expect(outOfChina(p)).toBe(true)
      expect(wgs84ToGcj02(p)).toEqual(p)
      expect(gcj02ToWgs84(p)).toEqual(p)
    }
  })

  it('inverts back to the GPS point within a centimetre', () => {
    for (const gps of [
      { lat: 31.2304, lon: 121.4737 },
      { lat: 22.5431, lon: 114.0579 },
      { lat: 45.75, lon: 126.65 },
    ]) {
      expect(metres(gcj02ToWgs84(wgs84ToGcj02(gps)), gps)).toBeLessThan(0.01)
    }
  })
})
