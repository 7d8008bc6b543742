import { describe, expect, it } from 'vitest'
import { parsePagination } from '../../shared/pagination'
import { formatDateTime, formatQuantity, partName, signedQuantity } from '../format'

describe('formatQuantity', () => {
  it('drops the trailing zeros of the API decimals', () => {
    expect(formatQuantity('5.000', 'en')).toBe('5')
    expect(formatQuantity('2.500', 'zh-CN')).toBe('2.5')
    expect(formatQuantity('0.125', 'en')).toBe('0.125')
  })

  it('groups thousands and keeps the sign', () => {
    expect(formatQuantity('12500.000', 'en')).toBe('12,500')
    expect(formatQuantity('-3.000', 'en')).toBe('-3')
  })

  it('shows zero without a sign and leaves non-numbers alone', () => {
    expect(formatQuantity('-0.000', 'en')).toBe('0')
    expect(formatQuantity('n/a', 'en')).toBe('n/a')
    expect(formatQuantity(null, 'en')).toBe('')
    expect(formatQuantity('', 'en')).toBe('')
  })
})

describe('formatDateTime', () => {
  it('shows an instant in Shanghai time', () => {
    expect(formatDateTime('2024-05-01T01:30:00+00:00', 'en')).toBe('05/01/2024, 09:30')
    expect(formatDateTime('2024-05-01T16:05:00Z', 'zh-CN')).toBe('2024/05/02 00:05')
  })

  it('is empty for none and returns an unreadable value as is', () => {
    expect(formatDateTime(null, 'en')).toBe('')
    expect(formatDateTime('soon', 'en')).toBe('soon')
  })
})

describe('partName', () => {
  const name = { 'zh-CN': '压缩机', en: 'Compressor' }

  it('follows the locale, falling back to the other language', () => {
    expect(partName(name, 'en')).toBe('Compressor')
    expect(partName(name, 'zh-CN')).toBe('压缩机')
    expect(partName({ 'zh-CN': '压缩机', en: '' }, 'en')).toBe('压缩机')
    expect(partName(null, 'en')).toBe('')
  })
})

describe('signedQuantity', () => {
  it('lets the direction decide the sign', () => {
    expect(signedQuantity('add', '3')).toBe('3')
    expect(signedQuantity('remove', '3')).toBe('-3')
    expect(signedQuantity('remove', '-3')).toBe('-3')
    expect(signedQuantity('add', ' -2.5 ')).toBe('2.5')
    expect(signedQuantity('remove', '  ')).toBe('')
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
