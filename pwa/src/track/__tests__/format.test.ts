import { describe, expect, it } from 'vitest'
import { formatWhen, minutesUntil } from '../format'

// 2026-12-01 10:00 in Shanghai
const now = new Date('2026-12-01T02:00:00Z')

describe('formatWhen', () => {
  it.each([
    ['2026-12-01T06:35:00Z', '14:35'],
    ['2026-12-01T16:05:00Z', '12-02 00:05'],
    ['2026-11-30T15:59:00Z', '11-30 23:59'],
    ['2027-01-02T01:00:00+08:00', '2027-01-02 01:00'],
  ])('%s in Shanghai is %s', (iso, shown) => {
    expect(formatWhen(iso, now)).toBe(shown)
  })

  it('is empty for nothing or garbage', () => {
    expect(formatWhen(null, now)).toBe('')
    expect(formatWhen('soon', now)).toBe('')
  })

  it('uses the zone it is given', () => {
    expect(formatWhen('2026-12-01T06:35:00Z', now, 'UTC')).toBe('06:35')
  })
})

describe('minutesUntil', () => {
  it('rounds up and stops at zero', () => {
    expect(minutesUntil('2026-12-01T02:25:00Z', now)).toBe(25)
    expect(minutesUntil('2026-12-01T02:00:01Z', now)).toBe(1)
    expect(minutesUntil('2026-12-01T01:00:00Z', now)).toBe(0)
    expect(minutesUntil(null, now)).toBeNull()
    expect(minutesUntil('later', now)).toBeNull()
  })
})
