import { describe, expect, it } from 'vitest'
import { initialTileSetting, tileChoice } from '../tiles'

describe('tile choice', () => {
  it('defaults to OpenStreetMap in WGS-84', () => {
    const choice = tileChoice(null)
    expect(choice.mode).toBe('osm')
    expect(choice.gcj02).toBe(false)
    expect(choice.url).toContain('openstreetmap')
  })

  it('shifts markers for AMap tiles', () => {
    const choice = tileChoice('amap')
    expect(choice.gcj02).toBe(true)
    expect(choice.url).toContain('autonavi')
  })

  it('draws no tiles at all when asked', () => {
    expect(tileChoice('none').url).toBeNull()
  })

  it('takes a URL template, and ignores anything else', () => {
    expect(tileChoice('https://tiles.example.cn/{z}/{x}/{y}.png').mode).toBe('custom')
    expect(tileChoice('https://tiles.example.cn/gcj02/{z}/{x}/{y}.png').gcj02).toBe(true)
    expect(tileChoice('javascript:alert(1)').mode).toBe('osm')
  })

  it('prefers the URL over the stored choice', () => {
    expect(initialTileSetting('?tiles=none', 'amap')).toBe('none')
    expect(initialTileSetting('', 'amap')).toBe('amap')
    expect(initialTileSetting('', null)).toBe('osm')
  })
})
