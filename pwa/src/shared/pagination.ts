/** Paged lists: flask-smorest's `X-Pagination` header read into a page of rows. */
import { apiFetch, type Query } from './api'

export interface Page<T> {
  items: T[]
  page: number
  totalPages: number
  total: number
}

/**
 * A page of rows with the totals of flask-smorest's `X-Pagination` header
 * (`{"total": 120, "total_pages": 5, "page": 2, ...}`); without the header (an empty list),
 * the rows alone make one page.
 */
export function parsePagination<T>(header: string | null, items: T[], requestedPage = 1): Page<T> {
  let info: Record<string, unknown> = {}
  if (header) {
    try {
      const parsed: unknown = JSON.parse(header)
      if (parsed && typeof parsed === 'object') info = parsed as Record<string, unknown>
    } catch {
      info = {}
    }
  }
  const num = (value: unknown, fallback: number): number =>
    typeof value === 'number' && Number.isFinite(value) ? value : fallback
  const total = num(info.total, items.length)
  const totalPages = Math.max(1, num(info.total_pages, 1))
  const page = num(info.page, requestedPage)
  return { items, page, totalPages, total }
}

/** GET a paged list: the rows of `page` (query.page) and the totals. */
export async function paged<T>(path: string, query: Query): Promise<Page<T>> {
  const { data, headers } = await apiFetch<T[]>(path, { query })
  return parsePagination(headers.get('X-Pagination'), data ?? [], Number(query.page ?? 1))
}
