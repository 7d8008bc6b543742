import { describe, expect, it } from 'vitest'
import {
  assetFromSearch,
  emptyForm,
  serverMessagesByField,
  toPayload,
  validateRequest,
  type RequestForm,
} from '../validation'

function filled(overrides: Partial<RequestForm> = {}): RequestForm {
  return {
    ...emptyForm(),
    name: '张女士',
    phone: '138 0013 8000',
    address: '上海市黄浦区南京东路 100 号',
    summary: '空调不制冷',
    ...overrides,
  }
}

describe('validateRequest mirrors the server (WebIntakeSchema)', () => {
  it('accepts a complete form', () => {
    expect(validateRequest(filled())).toEqual({})
    expect(
      validateRequest(
        filled({ email: 'zhang@example.cn', description: '滴水', asset_serial: 'AC-1', location: { lat: 31.2, lon: 121.4 } }),
      ),
    ).toEqual({})
  })

  it('requires name, phone, address and summary', () => {
    expect(validateRequest(emptyForm())).toEqual({
      name: { key: 'required' },
      phone: { key: 'required' },
      address: { key: 'required' },
      summary: { key: 'required' },
    })
  })

  it('treats whitespace as empty', () => {
    expect(validateRequest(filled({ name: '   ', summary: '\n' }))).toEqual({
      name: { key: 'required' },
      summary: { key: 'required' },
    })
  })

  it.each(['+86 138-0013-8000', '021 6321 0000', '123456', '+1234567890123456789'])('accepts phone %s', (phone) => {
    expect(validateRequest(filled({ phone })).phone).toBeUndefined()
  })

  it.each(['12345', 'abc123456', '-1234567', '138.0013.8000', '+123456789012345678901', '++12345678'])(
    'refuses phone %s',
    (phone) => {
      expect(validateRequest(filled({ phone })).phone).toEqual({ key: 'phone' })
    },
  )

  it('checks the lengths the server checks, counting characters as Python does', () => {
    expect(validateRequest(filled({ address: '上' })).address).toEqual({ key: 'tooShort', params: { min: 2 } })
    expect(validateRequest(filled({ name: 'x'.repeat(121) })).name).toEqual({ key: 'tooLong', params: { max: 120 } })
    expect(validateRequest(filled({ name: '😀'.repeat(120) })).name).toBeUndefined()
    expect(validateRequest(filled({ summary: 's'.repeat(201) })).summary).toEqual({ key: 'tooLong', params: { max: 200 } })
    expect(validateRequest(filled({ description: 'd'.repeat(10001) })).description).toEqual({
      key: 'tooLong',
      params: { max: 10000 },
    })
    expect(validateRequest(filled({ asset_serial: 'A'.repeat(65) })).asset_serial).toEqual({
      key: 'tooLong',
      params: { max: 64 },
    })
  })

  it('checks an email only when one is given', () => {
    expect(validateRequest(filled({ email: '' })).email).toBeUndefined()
    expect(validateRequest(filled({ email: 'not-an-address' })).email).toEqual({ key: 'email' })
    expect(validateRequest(filled({ email: 'a b@example.com' })).email).toEqual({ key: 'email' })
    expect(validateRequest(filled({ email: `${'a'.repeat(250)}@x.cn` })).email).toEqual({
      key: 'tooLong',
      params: { max: 254 },
    })
  })

  it('refuses a location outside the globe', () => {
    expect(validateRequest(filled({ location: { lat: 91, lon: 0 } })).location).toEqual({ key: 'location' })
    expect(validateRequest(filled({ location: { lat: 0, lon: Number.NaN } })).location).toEqual({ key: 'location' })
  })
})

describe('toPayload', () => {
  it('trims, sends blank optional fields as null and keeps the honeypot as typed', () => {
    const payload = toPayload(filled({ name: ' 张女士 ', email: '  ', description: '', asset_serial: ' SN-1 ', website: 'x' }))
    expect(payload).toEqual({
      name: '张女士',
      phone: '138 0013 8000',
      email: null,
      address: '上海市黄浦区南京东路 100 号',
      location: null,
      summary: '空调不制冷',
      description: null,
      asset_serial: 'SN-1',
      website: 'x',
    })
  })

  it('rounds the location to about a metre', () => {
    expect(toPayload(filled({ location: { lat: 31.230416789, lon: 121.473701234 } })).location).toEqual({
      lat: 31.23042,
      lon: 121.4737,
    })
  })
})

describe('assetFromSearch', () => {
  it.each([
    ['?asset=AC-2291-X', 'AC-2291-X'],
    ['?lang=en&asset=%20SN%2042%20', 'SN 42'],
    ['?asset=', null],
    ['', null],
    ['?other=1', null],
  ])('%s -> %s', (search, serial) => {
    expect(assetFromSearch(search)).toBe(serial)
  })

  it('cuts a serial to the length the server takes', () => {
    expect(assetFromSearch(`?asset=${'A'.repeat(80)}`)).toBe('A'.repeat(64))
  })
})

describe('serverMessagesByField', () => {
  it('puts each server message next to its field, and the rest apart', () => {
    expect(
      serverMessagesByField({
        email: 'Not a valid email address.',
        'location.lat': 'Latitude must be between -90 and 90.',
        'location.lon': 'Longitude must be between -180 and 180.',
        website: 'The request was refused; please call us instead.',
      }),
    ).toEqual({
      fields: {
        email: 'Not a valid email address.',
        location: 'Latitude must be between -90 and 90. Longitude must be between -180 and 180.',
      },
      other: ['The request was refused; please call us instead.'],
    })
    expect(serverMessagesByField({})).toEqual({ fields: {}, other: [] })
  })
})
