/**
 * The signed-in staff member of a web app: log in with email or phone and password, who am I,
 * log out. Tokens are kept by `api.ts`; this module only adds the calls around them.
 */
import { ApiError, REFRESH_TOKEN_KEY, api, clearTokens, getAccessToken, setTokens } from './api'

export interface SessionUser {
  id: string
  name: string
  email: string
  phone: string | null
  role: string
  locale: string | null
}

interface TokenResponse {
  access_token: string
  refresh_token: string
  token_type: string
  expires_in: number
  user: SessionUser
}

/** Logs in and stores the tokens; throws `ApiError` (401 wrong login, 422 fields, 429). */
export async function logIn(login: string, password: string): Promise<SessionUser> {
  const data = await api<TokenResponse>('/api/v1/auth/login', {
    method: 'POST',
    body: { login, password },
    auth: false,
  })
  setTokens(data.access_token, data.refresh_token)
  return data.user
}

/** The user behind the stored token, or null when there is none or it is no longer valid. */
export async function currentUser(): Promise<SessionUser | null> {
  if (!getAccessToken()) return null
  try {
    return await api<SessionUser>('/api/v1/me')
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      clearTokens()
      return null
    }
    throw err
  }
}

/** Ends the session on the server (best effort) and forgets the tokens here. */
export async function logOut(): Promise<void> {
  let refreshToken: string | null = null
  try {
    refreshToken = localStorage.getItem(REFRESH_TOKEN_KEY)
  } catch {
    // storage disabled: nothing to end on the server
  }
  clearTokens()
  if (!refreshToken) return
  try {
    await api('/api/v1/auth/logout', { method: 'POST', body: { refresh_token: refreshToken }, auth: false })
  } catch {
    // offline or already ended: the tokens are gone from this device either way
  }
}
