import { describe, expect, it } from 'vitest'
import { appMessages } from '../messages'
import { leaves } from '../../shared/__tests__/messageTables'
import { navigationUrl, resolveNavApp } from '../nav'

describe('engineer app messages', () => {
  it('zh-CN and en have the same keys, placeholders and no empty text', () => {
    const zh = new Map(leaves(appMessages['zh-CN']))
    const en = new Map(leaves(appMessages.en))
    expect([...en.keys()].sort()).toEqual([...zh.keys()].sort())
    const placeholders = (s: unknown) => [...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    for (const [path, value] of zh) {
      expect(String(value).trim(), path).not.toBe('')
      expect(String(en.get(path)).trim(), path).not.toBe('')
      expect(placeholders(en.get(path)), path).toEqual(placeholders(value))
      expect(String(value) + String(en.get(path)), path).not.toMatch(/[@|$]/)
    }
  })
})

describe('navigationUrl', () => {
  const to = { lat: 31.2304, lon: 121.4737, label: '人民广场 1号' }

  it('picks the phone’s own maps app when set to automatic', () => {
    expect(resolveNavApp('auto', 'Mozilla/5.0 (Linux; Android 14)')).toBe('geo')
    expect(resolveNavApp('auto', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)')).toBe('apple')
    expect(resolveNavApp('auto', 'Mozilla/5.0 (X11; Linux x86_64)')).toBe('google')
    expect(resolveNavApp('amap', 'Android')).toBe('amap')
  })

  it('builds each app’s link, AMap with lon,lat in WGS-84', () => {
    expect(navigationUrl('geo', to)).toBe(`geo:31.2304,121.4737?q=31.2304,121.4737(${encodeURIComponent(to.label)})`)
    expect(navigationUrl('apple', to)).toBe('https://maps.apple.com/?daddr=31.2304,121.4737&dirflg=d')
    expect(navigationUrl('amap', to)).toContain('to=121.4737,31.2304,')
    expect(navigationUrl('amap', to)).toContain('coordinate=wgs84')
    expect(navigationUrl('google', to)).toBe(
      'https://www.google.com/maps/dir/?api=1&destination=31.2304,121.4737&travelmode=driving',
    )
    expect(navigationUrl('off', to)).toBeNull()
  })

  it('falls back to the address when the site has no position', () => {
    expect(navigationUrl('google', { lat: null, lon: null, label: 'A Road 1' })).toContain('destination=A%20Road%201')
  })
})
