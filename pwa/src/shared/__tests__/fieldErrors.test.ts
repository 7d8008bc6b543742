import { describe, expect, it } from 'vitest'
import { fieldErrors } from '../fieldErrors'

describe('fieldErrors', () => {
  it('drops the request location and keeps the field', () => {
    expect(fieldErrors({ json: { login: ['此字段为必填项。'], password: ['Too short.', 'Weak.'] } })).toEqual({
      login: '此字段为必填项。',
      password: 'Too short. Weak.',
    })
  })

  it('joins nested list entries with dots', () => {
    expect(fieldErrors({ json: { lines: { '0': { quantity: ['Too large.'] } } } })).toEqual({
      'lines.0.quantity': 'Too large.',
    })
  })

  it('copes with no errors and with fields outside a location', () => {
    expect(fieldErrors(undefined)).toEqual({})
    expect(fieldErrors({ reason: 'A reason is required.' })).toEqual({ reason: 'A reason is required.' })
  })
})
