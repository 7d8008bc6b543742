/**
 * The admin app's calls to the assets API (DESIGN §13, assets row): asset models, assets, their
 * history and readings, maintenance plans, the forecast, checklist templates, and the customers,
 * sites and skills the filters and the plan editor choose from.
 */
import { api, type Query } from '../shared/api'
import { paged, type Page } from '../shared/pagination'

export type Localized = { 'zh-CN': string; en: string }
export type Priority = 'urgent' | 'high' | 'medium' | 'low'
export const PRIORITIES: readonly Priority[] = ['urgent', 'high', 'medium', 'low']
export type AssetStatus = 'active' | 'out_of_service' | 'retired'
export const ASSET_STATUSES: readonly AssetStatus[] = ['active', 'out_of_service', 'retired']

export interface Meter {
  code: string
  unit: string
  counter?: boolean
}

export interface SkillNeed {
  code: string
  level: number
}

export interface AssetModelRef {
  id: string
  manufacturer: string
  model: string
  kind: string
}

export interface AssetModel extends AssetModelRef {
  category_id: string | null
  required_skills: SkillNeed[]
  checklist_template_id: string | null
  meters: Meter[]
  active: boolean
}

export interface Asset {
  id: string
  serial: string
  name: string | null
  model: AssetModelRef
  site: { id: string; address: string }
  customer_id: string
  parent_id: string | null
  installed_on: string | null
  warranty_until: string | null
  status: AssetStatus
  qr_code: string
  meters: Meter[]
  version: number
  created_at: string
}

export interface HistoryEntry {
  at: string
  kind: 'work_order' | 'part' | 'reading' | 'occurrence'
  work_order?: {
    id: string
    number: string
    type: string
    status: string
    summary: string
    closed_at: string | null
    billable?: boolean
  }
  part?: {
    id: string
    sku: string
    name: Localized
    quantity: string
    unit: string
    work_order_number: string | null
  }
  reading?: { meter: string; value: string }
  occurrence?: {
    plan_id: string
    plan: string
    due_on: string
    status: string
    work_order_id: string | null
    done_on: string | null
  }
}

export interface Reading {
  id: number
  meter: string
  value: string
  at: string
  source: string
}

export type PlanKind = 'time' | 'meter'
export type IntervalUnit = 'day' | 'week' | 'month'
export type Anchor = 'fixed' | 'completion'

export interface Plan {
  id: string
  name: string
  asset_id: string | null
  model_id: string | null
  kind: PlanKind
  interval_count: number | null
  interval_unit: IntervalUnit | null
  anchor: Anchor | null
  start_on: string | null
  meter: string | null
  meter_interval: string | null
  lead_days: number
  checklist_template_id: string | null
  required_skills: SkillNeed[]
  duration_minutes: number
  priority: Priority
  window_start: string | null
  window_end: string | null
  paused: boolean
  version: number
}

export interface ForecastEntry {
  plan_id: string
  plan_name: string
  kind: PlanKind
  asset_id: string
  serial: string
  site_id: string
  customer_id: string
  due_on: string
  due_value: string | null
  status: 'open' | 'planned' | 'overdue'
  work_order_id: string | null
  duration_minutes: number
}

export interface ChecklistTemplate {
  id: string
  code: string
  name: Localized
  active: boolean
}

export interface Customer {
  id: string
  name: string
}

export interface Site {
  id: string
  customer_id: string
  name: string | null
  address: string
}

export interface Skill {
  code: string
  name: Localized
  active: boolean
}

export type { Page }


/** Every row of a short list (models, templates, a customer's sites), up to `maxPages` pages. */
async function all<T>(path: string, query: Query = {}, maxPages = 10): Promise<T[]> {
  const rows: T[] = []
  for (let page = 1; page <= maxPages; page++) {
    const result = await paged<T>(path, { ...query, page, page_size: 200 })
    rows.push(...result.items)
    if (page >= result.totalPages) break
  }
  return rows
}

export interface AssetFilters {
  q?: string
  customer_id?: string
  site_id?: string
  model_id?: string
  status?: string
}

export function listAssets(filters: AssetFilters, page: number, pageSize = 25): Promise<Page<Asset>> {
  const query: Query = { page, page_size: pageSize }
  for (const [key, value] of Object.entries(filters)) if (value) query[key] = value
  return paged<Asset>('/api/v1/assets', query)
}

export const getAsset = (id: string) => api<Asset>(`/api/v1/assets/${id}`)
export const assetHistory = (id: string, limit = 100) =>
  api<HistoryEntry[]>(`/api/v1/assets/${id}/history`, { query: { limit } })
/** The components of an asset: they are always at its site (the server refuses otherwise). */
export async function componentsOf(asset: Asset): Promise<Asset[]> {
  const atSite = await all<Asset>('/api/v1/assets', { site_id: asset.site.id }, 5)
  return atSite.filter((other) => other.parent_id === asset.id)
}
/** The ids of every asset of a model (the forecast has no model filter of its own). */
export async function assetIdsOfModel(modelId: string): Promise<Set<string>> {
  const rows = await all<Asset>('/api/v1/assets', { model_id: modelId }, 50)
  return new Set(rows.map((row) => row.id))
}

/**
 * Reference lists (models, templates, customers, skills) change rarely: loaded once per page
 * and shared by the screens; a failed load is forgotten so that the next screen tries again.
 */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | null = null
  return () => {
    pending ??= load().catch((err: unknown) => {
      pending = null
      throw err
    })
    return pending
  }
}

export const listModels = once(() => all<AssetModel>('/api/v1/asset-models'))
export const getModel = (id: string) => api<AssetModel>(`/api/v1/asset-models/${id}`)
export const listTemplates = once(() => all<ChecklistTemplate>('/api/v1/checklist-templates'))
export const listCustomers = once(() => all<Customer>('/api/v1/customers', {}, 5))
export const getCustomer = (id: string) => api<Customer>(`/api/v1/customers/${id}`)
export const listSites = (customerId: string) => all<Site>('/api/v1/sites', { customer_id: customerId }, 5)
export const listSkills = once(() => all<Skill>('/api/v1/skills'))

export function listReadings(assetId: string, meter: string, pageSize = 200): Promise<Page<Reading>> {
  return paged<Reading>(`/api/v1/assets/${assetId}/readings`, { meter, page: 1, page_size: pageSize })
}

export function addReading(assetId: string, body: { meter: string; value: string; at: string }): Promise<Reading> {
  return api<Reading>(`/api/v1/assets/${assetId}/readings`, { method: 'POST', body })
}

export const plansOfAsset = (assetId: string) => all<Plan>('/api/v1/maintenance-plans', { asset_id: assetId })
export const createPlan = (body: Record<string, unknown>) =>
  api<Plan>('/api/v1/maintenance-plans', { method: 'POST', body })
export const updatePlan = (id: string, body: Record<string, unknown>) =>
  api<Plan>(`/api/v1/maintenance-plans/${id}`, { method: 'PATCH', body })
export const pausePlan = (id: string, paused: boolean) =>
  api<Plan>(`/api/v1/maintenance-plans/${id}/${paused ? 'pause' : 'resume'}`, { method: 'POST' })
export const skipOccurrence = (id: string, dueOn: string, assetId: string) =>
  api<unknown>(`/api/v1/maintenance-plans/${id}/skip`, { method: 'POST', body: { due_on: dueOn, asset_id: assetId } })

export interface ForecastQuery {
  days?: number
  site_id?: string
  asset_id?: string
  plan_id?: string
}

export function forecast(query: ForecastQuery = {}): Promise<ForecastEntry[]> {
  const q: Query = { days: query.days ?? 90 }
  for (const key of ['site_id', 'asset_id', 'plan_id'] as const) if (query[key]) q[key] = query[key]
  return api<ForecastEntry[]>('/api/v1/maintenance-plans/forecast', { query: q })
}
