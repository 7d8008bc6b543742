/**
 * The plan editor's form without the page: its state, the checks made before sending (the
 * server checks again and its field messages win), the request body, and the wording of a
 * plan's rule ("every 3 months, on fixed dates").
 */
import type { Anchor, IntervalUnit, Meter, Plan, PlanKind, Priority, SkillNeed } from './assets'

export interface PlanForm {
  name: string
  /** a plan on this asset only, or on every asset of its model */
  target: 'asset' | 'model'
  kind: PlanKind
  intervalCount: string
  intervalUnit: IntervalUnit
  anchor: Anchor
  startOn: string
  meter: string
  meterInterval: string
  leadDays: string
  checklistTemplateId: string
  skills: SkillNeed[]
  durationMinutes: string
  priority: Priority
  windowStart: string
  windowEnd: string
}

/** A problem found before sending: a message key under `admin.planForm.errors` and its values. */
export interface FormProblem {
  key: string
  params?: Record<string, string | number>
}

/** Keyed by the server's field names, so server and local messages land on the same field. */
export type FormProblems = Record<string, FormProblem>

export function emptyPlanForm(today: string): PlanForm {
  return {
    name: '',
    target: 'asset',
    kind: 'time',
    intervalCount: '1',
    intervalUnit: 'month',
    anchor: 'fixed',
    startOn: today,
    meter: '',
    meterInterval: '',
    leadDays: '7',
    checklistTemplateId: '',
    skills: [],
    durationMinutes: '60',
    priority: 'low',
    windowStart: '',
    windowEnd: '',
  }
}

/** "09:00:00" -> "09:00" for `<input type="time">`. */
function hhmm(value: string | null): string {
  return value ? value.slice(0, 5) : ''
}

export function planToForm(plan: Plan, today: string): PlanForm {
  return {
    name: plan.name,
    target: plan.model_id ? 'model' : 'asset',
    kind: plan.kind,
    intervalCount: String(plan.interval_count ?? 1),
    intervalUnit: plan.interval_unit ?? 'month',
    anchor: plan.anchor ?? 'fixed',
    startOn: plan.start_on ?? today,
    meter: plan.meter ?? '',
    meterInterval: plan.meter_interval ?? '',
    leadDays: String(plan.lead_days),
    checklistTemplateId: plan.checklist_template_id ?? '',
    skills: plan.required_skills.map((s) => ({ code: s.code, level: s.level })),
    durationMinutes: String(plan.duration_minutes),
    priority: plan.priority,
    windowStart: hhmm(plan.window_start),
    windowEnd: hhmm(plan.window_end),
  }
}

const INTEGER = /^\d+$/
const DECIMAL = /^\d+(\.\d{1,3})?$/
const DATE = /^\d{4}-\d{2}-\d{2}$/
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/

function intIn(value: string, min: number, max: number): boolean {
  const text = value.trim()
  if (!INTEGER.test(text)) return false
  const n = Number(text)
  return n >= min && n <= max
}

function isDate(value: string): boolean {
  if (!DATE.test(value)) return false
  const d = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value
}

/** What is wrong with the form as filled in (empty when it may be sent). */
export function validatePlanForm(form: PlanForm, meters: readonly Meter[]): FormProblems {
  const problems: FormProblems = {}
  const name = form.name.trim()
  if (!name) problems.name = { key: 'required' }
  else if ([...name].length > 120) problems.name = { key: 'tooLong', params: { max: 120 } }

  if (form.kind === 'time') {
    if (!intIn(form.intervalCount, 1, 1000)) problems.interval_count = { key: 'integerRange', params: { min: 1, max: 1000 } }
    if (!form.startOn) problems.start_on = { key: 'required' }
    else if (!isDate(form.startOn)) problems.start_on = { key: 'date' }
  } else {
    if (!form.meter) problems.meter = { key: 'required' }
    else if (!meters.some((m) => m.code === form.meter)) problems.meter = { key: 'unknownMeter' }
    const interval = form.meterInterval.trim()
    if (!interval) problems.meter_interval = { key: 'required' }
    else if (!DECIMAL.test(interval) || Number(interval) < 0.001 || Number(interval) > 1e12)
      problems.meter_interval = { key: 'positiveNumber' }
  }

  if (!intIn(form.leadDays, 0, 365)) problems.lead_days = { key: 'integerRange', params: { min: 0, max: 365 } }
  if (!intIn(form.durationMinutes, 5, 1440))
    problems.duration_minutes = { key: 'integerRange', params: { min: 5, max: 1440 } }

  const start = form.windowStart.trim()
  const end = form.windowEnd.trim()
  if (start && !TIME.test(start)) problems.window_start = { key: 'time' }
  if (end && !TIME.test(end)) problems.window_end = { key: 'time' }
  else if (Boolean(start) !== Boolean(end)) problems.window_end = { key: 'windowIncomplete' }
  else if (start && end && TIME.test(start) && end <= start) problems.window_end = { key: 'windowOrder' }

  const codes = form.skills.map((s) => s.code)
  if (codes.some((code) => !code)) problems.required_skills = { key: 'required' }
  else if (new Set(codes).size !== codes.length) problems.required_skills = { key: 'duplicateSkill' }
  else if (form.skills.some((s) => !Number.isInteger(s.level) || s.level < 1 || s.level > 5))
    problems.required_skills = { key: 'integerRange', params: { min: 1, max: 5 } }
  else if (codes.length > 10) problems.required_skills = { key: 'tooMany', params: { max: 10 } }
  return problems
}

export interface PayloadTarget {
  assetId: string
  modelId: string
}

/**
 * The body for `POST /api/v1/maintenance-plans` (with `target`) or `PATCH /{id}` (without it:
 * a plan never moves between an asset and a model). Fields of the other kind are sent empty so
 * that an edit from "time" to "meter" leaves nothing behind.
 */
export function planPayload(form: PlanForm, target?: PayloadTarget): Record<string, unknown> {
  const time = form.kind === 'time'
  const body: Record<string, unknown> = {
    name: form.name.trim(),
    interval_count: time ? Number(form.intervalCount.trim()) : null,
    interval_unit: time ? form.intervalUnit : null,
    anchor: time ? form.anchor : null,
    start_on: time ? form.startOn : null,
    meter: time ? null : form.meter,
    meter_interval: time ? null : form.meterInterval.trim(),
    lead_days: Number(form.leadDays.trim()),
    checklist_template_id: form.checklistTemplateId || null,
    required_skills: form.skills.map((s) => ({ code: s.code, level: s.level })),
    duration_minutes: Number(form.durationMinutes.trim()),
    priority: form.priority,
    window_start: form.windowStart.trim() || null,
    window_end: form.windowEnd.trim() || null,
  }
  if (target) {
    body.kind = form.kind
    if (form.target === 'model') body.model_id = target.modelId
    else body.asset_id = target.assetId
  }
  return body
}

/** `t(key, named, plural)` as vue-i18n's composer offers it. */
export type PluralTranslate = (key: string, named: Record<string, unknown>, plural: number) => string

type RuleLike = Pick<Plan, 'kind' | 'interval_count' | 'interval_unit' | 'anchor' | 'meter' | 'meter_interval'>

/**
 * The rule of a plan in words: "Every 3 months, on fixed dates" / "每 3 个月，按固定日期";
 * "Every 500 h of run_hours" / "run_hours 每 500 h".
 */
export function describeInterval(plan: RuleLike, t: PluralTranslate, meters: readonly Meter[] = []): string {
  if (plan.kind === 'meter') {
    const unit = meters.find((m) => m.code === plan.meter)?.unit ?? ''
    const n = plan.meter_interval === null ? '' : trimNumber(plan.meter_interval)
    return t('admin.interval.meter', { n, unit, meter: plan.meter ?? '' }, 2).replace(/\s+/g, ' ').trim()
  }
  const count = plan.interval_count ?? 1
  const every = t(`admin.interval.${plan.interval_unit ?? 'month'}`, { n: count }, count)
  const anchor = t(`admin.interval.anchor.${plan.anchor ?? 'fixed'}`, {}, 1)
  return t('admin.interval.withAnchor', { every, anchor }, 1)
}

/** "500.000" -> "500", "12.500" -> "12.5". */
export function trimNumber(value: string): string {
  return value.includes('.') ? value.replace(/\.?0+$/, '') : value
}
