import { describe, expect, it } from 'vitest'
import { keyPaths as keys } from '../../shared/__tests__/messageTables'
import { adminMessages } from '../messages'
import { parseRoute, routeHash } from '../store'
import { formatDay, fromLocalInput, requestLink, underWarranty } from '../format'

function text(table: unknown, key: string): string {
  return key.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], table) as string
}

describe('admin messages', () => {
  it('has the same keys in both languages, none empty', () => {
    expect(keys(adminMessages.en).sort()).toEqual(keys(adminMessages['zh-CN']).sort())
    for (const table of Object.values(adminMessages)) {
      for (const key of keys(table)) expect(text(table, key), key).not.toBe('')
    }
  })

  it('uses the same placeholders in both languages', () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    for (const key of keys(adminMessages.en)) {
      expect(names(text(adminMessages.en, key)), key).toEqual(names(text(adminMessages['zh-CN'], key)))
    }
  })

  it('has no characters vue-i18n would read as syntax by accident', () => {
    for (const table of Object.values(adminMessages)) {
      for (const key of keys(table)) expect(text(table, key), key).not.toMatch(/[@$%]/)
    }
  })
})

describe('small rules of the screens', () => {
  it('counts the warranty’s last day as covered', () => {
    expect(underWarranty('2026-12-01', '2026-12-01')).toBe(true)
    expect(underWarranty('2026-11-30', '2026-12-01')).toBe(false)
    expect(underWarranty(null, '2026-12-01')).toBe(false)
  })

  it('links the QR code to the request form with the serial filled in', () => {
    expect(requestLink('qR_5/01+x', 'https://fl.example')).toBe('https://fl.example/request/?asset=qR_5%2F01%2Bx')
  })

  it('shows calendar days without shifting them by a time zone', () => {
    expect(formatDay('2026-12-01', 'en')).toBe('Dec 1, 2026')
    expect(formatDay('2026-12-01', 'zh-CN')).toBe('2026年12月1日')
    expect(formatDay(null, 'en')).toBe('')
  })

  it('refuses a half-filled time', () => {
    expect(fromLocalInput('2026-12-01')).toBeNull()
    expect(fromLocalInput('')).toBeNull()
    expect(fromLocalInput('2026-12-01T09:30')).toMatch(/^2026-12-0\dT\d\d:30:00\.000Z$/)
  })

  it('reads and writes the page address', () => {
    const id = '0b7e7d8e-3a43-4c55-9d27-2b7f0a1c9e11'
    expect(parseRoute(`#/assets/${id}`)).toEqual({ name: 'asset', id })
    expect(parseRoute('#/forecast')).toEqual({ name: 'forecast' })
    expect(parseRoute('#/nonsense')).toEqual({ name: 'assets' })
    expect(parseRoute('')).toEqual({ name: 'assets' })
    expect(routeHash({ name: 'asset', id })).toBe(`#/assets/${id}`)
  })
})
