import { describe, expect, it } from 'vitest'
import { dayIn, formatDateTime, formatNumber, localName, orgToday } from '../format'
import { parsePagination } from '../pagination'

describe('formatNumber', () => {
  it('drops the trailing zeros of the API decimals', () => {
    expect(formatNumber('5.000', 'en')).toBe('5')
    expect(formatNumber('2.500', 'zh-CN')).toBe('2.5')
    expect(formatNumber('0.125', 'en')).toBe('0.125')
  })

  it('groups thousands and keeps the sign', () => {
    expect(formatNumber('12500.000', 'en')).toBe('12,500')
    expect(formatNumber('-3.000', 'en')).toBe('-3')
  })

  it('shows zero without a sign and leaves non-numbers alone', () => {
    expect(formatNumber('-0.000', 'en')).toBe('0')
    expect(formatNumber('n/a', 'en')).toBe('n/a')
    expect(formatNumber(null, 'en')).toBe('')
    expect(formatNumber('', 'en')).toBe('')
  })
})

describe('formatDateTime', () => {
  it('shows an instant in Shanghai time', () => {
    expect(formatDateTime('2024-05-01T01:30:00+00:00', 'en')).toBe('05/01/2024, 09:30')
    expect(formatDateTime('2024-05-01T16:05:00Z', 'zh-CN')).toBe('2024/05/02 00:05')
  })

  it('shows the hour after midnight as 00 in English too', () => {
    expect(formatDateTime('2024-05-01T16:05:00Z', 'en')).toBe('05/02/2024, 00:05')
  })

  it('is empty for none and returns an unreadable value as is', () => {
    expect(formatDateTime(null, 'en')).toBe('')
    expect(formatDateTime('soon', 'en')).toBe('soon')
  })
})

describe('localName', () => {
  const name = { 'zh-CN': '压缩机', en: 'Compressor' }

  it('follows the locale, falling back to the other language', () => {
    expect(localName(name, 'en')).toBe('Compressor')
    expect(localName(name, 'zh-CN')).toBe('压缩机')
    expect(localName({ 'zh-CN': '压缩机', en: '' }, 'en')).toBe('压缩机')
    expect(localName(null, 'en')).toBe('')
  })
})

describe('parsePagination', () => {
  it('reads the totals from X-Pagination', () => {
    const header = JSON.stringify({ total: 120, total_pages: 5, first_page: 1, last_page: 5, page: 2 })
    expect(parsePagination(header, ['a'], 2)).toEqual({ items: ['a'], page: 2, totalPages: 5, total: 120 })
  })

  it('makes one page of the rows when the header is missing or broken', () => {
    expect(parsePagination(null, [], 1)).toEqual({ items: [], page: 1, totalPages: 1, total: 0 })
    expect(parsePagination('{oops', [1, 2], 3)).toEqual({ items: [1, 2], page: 3, totalPages: 1, total: 2 })
  })
})

describe('dayIn', () => {
  it('is the calendar day in the organisation\'s zone, or the one given', () => {
    expect(dayIn('2024-05-01T16:05:00Z')).toBe('2024-05-02')
    expect(dayIn('2024-05-01T16:05:00Z', 'UTC')).toBe('2024-05-01')
    expect(orgToday(new Date('2024-05-01T15:59:00Z'))).toBe('2024-05-01')
  })
})
