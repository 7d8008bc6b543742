import { describe, expect, it } from 'vitest'
import { signedQuantity } from '../format'

describe('signedQuantity', () => {
  it('lets the direction decide the sign', () => {
    expect(signedQuantity('add', '3')).toBe('3')
    expect(signedQuantity('remove', '3')).toBe('-3')
    expect(signedQuantity('remove', '-3')).toBe('-3')
    expect(signedQuantity('add', ' -2.5 ')).toBe('2.5')
    expect(signedQuantity('remove', '  ')).toBe('')
  })
})
