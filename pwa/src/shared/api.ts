/**
 * The one `fetch` wrapper of the web apps: JSON in and out, `Accept-Language` from the current
 * locale, `Authorization: Bearer` from the stored access token, one token refresh on a 401, and
 * server errors `{code, status, message, error, errors}` turned into `ApiError`.
 */
import { currentLocale } from './i18n'

export const ACCESS_TOKEN_KEY = 'fieldline.accessToken'
export const REFRESH_TOKEN_KEY = 'fieldline.refreshToken'
const REFRESH_PATH = '/api/v1/auth/refresh'

/** The error body every Fieldline API answers with. */
export interface ApiErrorBody {
  /** HTTP status code */
  code?: number
  /** HTTP reason phrase, e.g. "Conflict" */
  status?: string
  /** human-readable, in the request's language */
  message?: string
  /** machine-readable reason, e.g. "insufficient_stock" */
  error?: string
  /** per-field or extra details */
  errors?: Record<string, unknown>
}

export class ApiError extends Error {
  /** HTTP status; 0 when the request never got an answer (offline, DNS, CORS, aborted). */
  readonly status: number
  readonly error: string
  readonly errors: Record<string, unknown>
  /** The whole error body, with any extra fields (e.g. `available` on insufficient_stock). */
  readonly body: ApiErrorBody & Record<string, unknown>

  constructor(
    status: number,
    error: string,
    message: string,
    errors: Record<string, unknown> = {},
    body: ApiErrorBody & Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.error = error
    this.errors = errors
    this.body = body
  }

  /** True when the request did not reach the server (the caller may queue and retry). */
  get isNetworkError(): boolean {
    return this.status === 0
  }
}

/** The text to show for a failed call: the server's message, or what went wrong otherwise. */
export function errorMessage(err: unknown): string {
  return err instanceof ApiError ? err.message : String(err)
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage
  } catch {
    return null
  }
}

export function getAccessToken(): string | null {
  return storage()?.getItem(ACCESS_TOKEN_KEY) ?? null
}

/** Stores the tokens from `POST /api/v1/auth/login` or `/refresh`. */
export function setTokens(accessToken: string, refreshToken?: string | null): void {
  storage()?.setItem(ACCESS_TOKEN_KEY, accessToken)
  if (refreshToken) storage()?.setItem(REFRESH_TOKEN_KEY, refreshToken)
}

export function clearTokens(): void {
  storage()?.removeItem(ACCESS_TOKEN_KEY)
  storage()?.removeItem(REFRESH_TOKEN_KEY)
}

export type Query = Record<string, string | number | boolean | null | undefined>

export interface ApiOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** Sent as JSON, except Blob / ArrayBuffer / FormData / URLSearchParams / string, sent as is. */
  body?: unknown
  /** Added to the URL; null and undefined values are left out. */
  query?: Query
  headers?: Record<string, string>
  signal?: AbortSignal
  /** Send the stored bearer token (default true). */
  auth?: boolean
}

export interface ApiResponse<T> {
  data: T
  status: number
  headers: Headers
}

function withQuery(path: string, query?: Query): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && value !== undefined) params.append(key, String(value))
  }
  const qs = params.toString()
  if (!qs) return path
  return path + (path.includes('?') ? '&' : '?') + qs
}

function isRawBody(body: unknown): body is BodyInit {
  return (
    typeof body === 'string' ||
    (typeof Blob !== 'undefined' && body instanceof Blob) ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    (typeof FormData !== 'undefined' && body instanceof FormData) ||
    body instanceof URLSearchParams
  )
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204 || response.status === 205) return undefined
  const text = await response.text()
  if (!text) return undefined
  const type = response.headers.get('Content-Type') ?? ''
  if (type.includes('json')) {
    try {
      return JSON.parse(text)
    } catch {
      return text
    }
  }
  return text
}

function toApiError(response: Response, body: unknown): ApiError {
  const b: ApiErrorBody = body && typeof body === 'object' ? (body as ApiErrorBody) : {}
  const status = response.status
  const error = b.error ?? (b.status ? b.status.toLowerCase().replace(/\W+/g, '_') : `http_${status}`)
  const message = b.message ?? (typeof body === 'string' && body ? body : response.statusText || error)
  return new ApiError(status, error, message, b.errors ?? {}, b as ApiErrorBody & Record<string, unknown>)
}

let refreshing: Promise<boolean> | null = null

/** Trades the stored refresh token for a new access token; concurrent callers share one call. */
function refreshAccessToken(): Promise<boolean> {
  const refreshToken = storage()?.getItem(REFRESH_TOKEN_KEY)
  if (!refreshToken) return Promise.resolve(false)
  refreshing ??= send<{ access_token: string; refresh_token?: string }>(REFRESH_PATH, {
    method: 'POST',
    body: { refresh_token: refreshToken },
    auth: false,
  })
    .then(({ data }) => {
      setTokens(data.access_token, data.refresh_token)
      return true
    })
    .catch((err: unknown) => {
      if (err instanceof ApiError && !err.isNetworkError) clearTokens()
      return false
    })
    .finally(() => {
      refreshing = null
    })
  return refreshing
}

async function send<T>(path: string, options: ApiOptions, retried = false): Promise<ApiResponse<T>> {
  const { method = 'GET', body, query, signal, auth = true } = options
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': currentLocale(),
    ...options.headers,
  }
  let payload: BodyInit | undefined
  if (body !== undefined) {
    if (isRawBody(body)) {
      payload = body
    } else {
      payload = JSON.stringify(body)
      headers['Content-Type'] ??= 'application/json'
    }
  }
  const token = auth ? getAccessToken() : null
  if (token) headers.Authorization = `Bearer ${token}`

  let response: Response
  try {
    response = await fetch(withQuery(path, query), { method, headers, body: payload, signal })
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    const aborted = err instanceof DOMException && err.name === 'AbortError'
    throw new ApiError(0, aborted ? 'aborted' : 'network_error', message)
  }

  if (response.status === 401 && token && !retried && (await refreshAccessToken())) {
    return send<T>(path, options, true)
  }
  const data = await readBody(response)
  if (!response.ok) throw toApiError(response, data)
  return { data: data as T, status: response.status, headers: response.headers }
}

/** Calls the API and returns the status, headers (e.g. `ETag`) and parsed body. */
export function apiFetch<T = unknown>(path: string, options: ApiOptions = {}): Promise<ApiResponse<T>> {
  return send<T>(path, options)
}

/** Calls the API and returns the parsed body; throws `ApiError` on any failure. */
export async function api<T = unknown>(path: string, options: ApiOptions = {}): Promise<T> {
  return (await send<T>(path, options)).data
}
