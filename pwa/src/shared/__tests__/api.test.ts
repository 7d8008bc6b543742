import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ACCESS_TOKEN_KEY, ApiError, REFRESH_TOKEN_KEY, api, apiFetch, clearTokens, setTokens } from '../api'
import { LOCALE_STORAGE_KEY } from '../i18n'

class MemoryStorage {
  private items = new Map<string, string>()
  get length() {
    return this.items.size
  }
  clear() {
    this.items.clear()
  }
  getItem(key: string) {
    return this.items.get(key) ?? null
  }
  key(i: number) {
    return [...this.items.keys()][i] ?? null
  }
  removeItem(key: string) {
    this.items.delete(key)
  }
  setItem(key: string, value: string) {
    this.items.set(key, String(value))
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  })
}

let storage: MemoryStorage
let fetchMock: ReturnType<typeof vi.fn>

beforeEach(() => {
  storage = new MemoryStorage()
  vi.stubGlobal('localStorage', storage)
  fetchMock = vi.fn()
  vi.stubGlobal('fetch', fetchMock)
})

afterEach(() => {
  vi.unstubAllGlobals()
})

/** The error a call fails with (the test fails if it succeeds). */
async function failure(call: Promise<unknown>): Promise<ApiError> {
  try {
    await call
  } catch (err) {
    return err as ApiError
  }
  throw new Error('expected the call to fail')
}

function sentHeaders(call = 0): Record<string, string> {
  return fetchMock.mock.calls[call][1].headers
}

describe('api', () => {
  it('sends JSON with Accept-Language from the locale and the bearer token', async () => {
    storage.setItem(LOCALE_STORAGE_KEY, 'en')
    setTokens('tok-1', 'ref-1')
    fetchMock.mockResolvedValue(json(201, { id: 7 }))

    const data = await api<{ id: number }>('/api/v1/work-orders', { method: 'POST', body: { summary: 'x' } })

    expect(data).toEqual({ id: 7 })
    const [url, init] = fetchMock.mock.calls[0]
    expect(url).toBe('/api/v1/work-orders')
    expect(init.method).toBe('POST')
    expect(init.body).toBe('{"summary":"x"}')
    expect(sentHeaders()).toMatchObject({
      Accept: 'application/json',
      'Accept-Language': 'en',
      'Content-Type': 'application/json',
      Authorization: 'Bearer tok-1',
    })
  })

  it('defaults Accept-Language to zh-CN and sends no token when none is stored', async () => {
    fetchMock.mockResolvedValue(json(200, []))
    await api('/api/v1/skills')
    expect(sentHeaders()['Accept-Language']).toBe('zh-CN')
    expect(sentHeaders().Authorization).toBeUndefined()
  })

  it('adds query parameters, leaving out null and undefined', async () => {
    fetchMock.mockResolvedValue(json(200, { items: [] }))
    await api('/api/v1/work-orders', { query: { status: 'new', page: 2, q: undefined, site_id: null } })
    expect(fetchMock.mock.calls[0][0]).toBe('/api/v1/work-orders?status=new&page=2')
  })

  it('returns undefined for 204 and exposes headers through apiFetch', async () => {
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }))
    expect(await api('/api/v1/auth/logout', { method: 'POST' })).toBeUndefined()

    fetchMock.mockResolvedValueOnce(json(200, { id: 1, version: 3 }, { ETag: '"3"' }))
    const res = await apiFetch('/api/v1/work-orders/1')
    expect(res.status).toBe(200)
    expect(res.headers.get('ETag')).toBe('"3"')
  })

  it('sends a Blob body as is', async () => {
    fetchMock.mockResolvedValue(new Response(null, { status: 204 }))
    const blob = new Blob(['abc'], { type: 'image/jpeg' })
    await api('/mobile/v1/uploads/abc', { method: 'PUT', body: blob, headers: { 'Content-Type': 'image/jpeg' } })
    expect(fetchMock.mock.calls[0][1].body).toBe(blob)
    expect(sentHeaders()['Content-Type']).toBe('image/jpeg')
  })

  it('throws ApiError from the server error shape', async () => {
    fetchMock.mockResolvedValue(
      json(409, {
        code: 409,
        status: 'Conflict',
        message: '库存不足',
        error: 'insufficient_stock',
        errors: { available: [{ location_id: 2, quantity: 1 }] },
      }),
    )
    const err = await failure(api('/api/v1/inventory/reservations', { method: 'POST', body: {} }))
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({
      status: 409,
      error: 'insufficient_stock',
      message: '库存不足',
      errors: { available: [{ location_id: 2, quantity: 1 }] },
    })
    expect(err.isNetworkError).toBe(false)
  })

  it('derives error from the reason phrase when the server gives none', async () => {
    fetchMock.mockResolvedValue(json(422, { code: 422, status: 'Unprocessable Entity', message: 'bad', errors: { json: { phone: ['required'] } } }))
    const err = await failure(api('/api/v1/intake/web', { method: 'POST', body: {} }))
    expect(err).toMatchObject({ status: 422, error: 'unprocessable_entity', message: 'bad', errors: { json: { phone: ['required'] } } })
  })

  it('copes with a non-JSON error body', async () => {
    fetchMock.mockResolvedValue(new Response('Bad Gateway', { status: 502, statusText: 'Bad Gateway' }))
    const err = await failure(api('/api/v1/me'))
    expect(err).toMatchObject({ status: 502, error: 'http_502', message: 'Bad Gateway', errors: {} })
  })

  it('turns a failed fetch into a network ApiError with status 0', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'))
    const err = await failure(api('/api/v1/me'))
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({ status: 0, error: 'network_error' })
    expect(err.isNetworkError).toBe(true)
  })

  it('refreshes the access token once on 401 and retries', async () => {
    setTokens('old', 'ref-1')
    fetchMock
      .mockResolvedValueOnce(json(401, { code: 401, status: 'Unauthorized', message: 'expired', error: 'token_expired' }))
      .mockResolvedValueOnce(json(200, { access_token: 'new', refresh_token: 'ref-2' }))
      .mockResolvedValueOnce(json(200, { id: 1 }))

    expect(await api('/api/v1/me')).toEqual({ id: 1 })
    expect(fetchMock.mock.calls[1][0]).toBe('/api/v1/auth/refresh')
    expect(JSON.parse(fetchMock.mock.calls[1][1].body)).toEqual({ refresh_token: 'ref-1' })
    expect(sentHeaders(1).Authorization).toBeUndefined()
    expect(sentHeaders(2).Authorization).toBe('Bearer new')
    expect(storage.getItem(ACCESS_TOKEN_KEY)).toBe('new')
    expect(storage.getItem(REFRESH_TOKEN_KEY)).toBe('ref-2')
  })

  it('clears the tokens and throws the 401 when the refresh is refused', async () => {
    setTokens('old', 'ref-1')
    fetchMock
      .mockResolvedValueOnce(json(401, { code: 401, status: 'Unauthorized', message: 'expired', error: 'token_expired' }))
      .mockResolvedValueOnce(json(401, { code: 401, status: 'Unauthorized', message: 'bad refresh', error: 'invalid_token' }))

    const err = await failure(api('/api/v1/me'))
    expect(err).toMatchObject({ status: 401, error: 'token_expired' })
    expect(storage.getItem(ACCESS_TOKEN_KEY)).toBeNull()
    expect(fetchMock).toHaveBeenCalledTimes(2)
  })

  it('does not try to refresh without a token', async () => {
    clearTokens()
    fetchMock.mockResolvedValue(json(401, { code: 401, status: 'Unauthorized', message: 'login', error: 'unauthorized' }))
    await expect(api('/api/v1/me')).rejects.toMatchObject({ status: 401 })
    expect(fetchMock).toHaveBeenCalledTimes(1)
  })
})
