import { createI18n } from 'vue-i18n'
import { describe, expect, it } from 'vitest'
import type { Meter, Plan } from '../assets'
import { adminMessages } from '../messages'
import {
  describeInterval,
  emptyPlanForm,
  planPayload,
  planToForm,
  trimNumber,
  validatePlanForm,
  type PlanForm,
  type PluralTranslate,
} from '../planForm'

const HOURS: Meter[] = [{ code: 'run_hours', unit: 'h', counter: true }]

function form(changes: Partial<PlanForm> = {}): PlanForm {
  return { ...emptyPlanForm('2026-12-01'), name: '月度保养', ...changes }
}

function plan(changes: Partial<Plan> = {}): Plan {
  return {
    id: 'p1',
    name: 'Monthly service',
    asset_id: 'a1',
    model_id: null,
    kind: 'time',
    interval_count: 1,
    interval_unit: 'month',
    anchor: 'fixed',
    start_on: '2026-12-20',
    meter: null,
    meter_interval: null,
    lead_days: 7,
    checklist_template_id: null,
    required_skills: [],
    duration_minutes: 60,
    priority: 'low',
    window_start: '09:00:00',
    window_end: '12:00:00',
    paused: false,
    version: 1,
    ...changes,
  }
}

function translator(locale: 'zh-CN' | 'en'): PluralTranslate {
  // The admin table alone, untyped: the shared schema that types createI18n does not include it.
  const options: Record<string, unknown> = { legacy: false, locale, messages: { [locale]: { admin: adminMessages[locale] } } }
  const i18n = (createI18n as unknown as (o: unknown) => { global: { t: unknown } })(options)
  const t = i18n.global.t as PluralTranslate
  return (key, named, plural) => t(key, named, plural)
}

describe('plan form validation', () => {
  it('accepts a monthly plan as the editor starts it', () => {
    expect(validatePlanForm(form(), HOURS)).toEqual({})
  })

  it('needs a name, and no more than 120 characters', () => {
    expect(validatePlanForm(form({ name: '   ' }), HOURS).name).toEqual({ key: 'required' })
    expect(validatePlanForm(form({ name: '保'.repeat(121) }), HOURS).name).toEqual({ key: 'tooLong', params: { max: 120 } })
    expect(validatePlanForm(form({ name: '保'.repeat(120) }), HOURS).name).toBeUndefined()
  })

  it.each(['0', '1001', '1.5', '-1', 'x', ''])('refuses %j as the interval of a time plan', (count) => {
    expect(validatePlanForm(form({ intervalCount: count }), HOURS).interval_count).toEqual({
      key: 'integerRange',
      params: { min: 1, max: 1000 },
    })
  })

  it('needs a real first date for a time plan', () => {
    expect(validatePlanForm(form({ startOn: '' }), HOURS).start_on).toEqual({ key: 'required' })
    expect(validatePlanForm(form({ startOn: '2026-02-30' }), HOURS).start_on).toEqual({ key: 'date' })
    expect(validatePlanForm(form({ startOn: '2028-02-29' }), HOURS).start_on).toBeUndefined()
  })

  it('needs a known meter and a positive step for a meter plan, and ignores the time fields', () => {
    const meter = form({ kind: 'meter', intervalCount: 'x', startOn: '' })
    expect(validatePlanForm(meter, HOURS)).toEqual({
      meter: { key: 'required' },
      meter_interval: { key: 'required' },
    })
    expect(validatePlanForm({ ...meter, meter: 'kwh', meterInterval: '500' }, HOURS).meter).toEqual({ key: 'unknownMeter' })
    for (const bad of ['0', '-5', '1.2345', 'abc', '0.0001']) {
      expect(validatePlanForm({ ...meter, meter: 'run_hours', meterInterval: bad }, HOURS).meter_interval).toEqual({
        key: 'positiveNumber',
      })
    }
    expect(validatePlanForm({ ...meter, meter: 'run_hours', meterInterval: '0.001' }, HOURS)).toEqual({})
  })

  it('keeps lead time and duration in the ranges the server allows', () => {
    expect(validatePlanForm(form({ leadDays: '366' }), HOURS).lead_days?.key).toBe('integerRange')
    expect(validatePlanForm(form({ leadDays: '0' }), HOURS).lead_days).toBeUndefined()
    expect(validatePlanForm(form({ durationMinutes: '4' }), HOURS).duration_minutes?.params).toEqual({ min: 5, max: 1440 })
    expect(validatePlanForm(form({ durationMinutes: '1440' }), HOURS).duration_minutes).toBeUndefined()
  })

  it('wants both ends of the time window, the end after the start', () => {
    expect(validatePlanForm(form({ windowStart: '09:00' }), HOURS).window_end).toEqual({ key: 'windowIncomplete' })
    expect(validatePlanForm(form({ windowEnd: '12:00' }), HOURS).window_end).toEqual({ key: 'windowIncomplete' })
    expect(validatePlanForm(form({ windowStart: '12:00', windowEnd: '12:00' }), HOURS).window_end).toEqual({ key: 'windowOrder' })
    expect(validatePlanForm(form({ windowStart: '25:00', windowEnd: '26:00' }), HOURS).window_start).toEqual({ key: 'time' })
    expect(validatePlanForm(form({ windowStart: '09:00', windowEnd: '12:00' }), HOURS)).toEqual({})
  })

  it('wants each skill chosen once, at a level from 1 to 5', () => {
    expect(validatePlanForm(form({ skills: [{ code: '', level: 1 }] }), HOURS).required_skills).toEqual({ key: 'required' })
    expect(
      validatePlanForm(form({ skills: [{ code: 'hvac', level: 1 }, { code: 'hvac', level: 2 }] }), HOURS).required_skills,
    ).toEqual({ key: 'duplicateSkill' })
    expect(validatePlanForm(form({ skills: [{ code: 'hvac', level: 6 }] }), HOURS).required_skills?.key).toBe('integerRange')
  })
})

describe('plan payload', () => {
  it('sends a time plan on the asset with the meter fields empty', () => {
    const body = planPayload(form({ intervalCount: ' 3 ', windowStart: '09:00', windowEnd: '12:00' }), {
      assetId: 'a1',
      modelId: 'm1',
    })
    expect(body).toMatchObject({
      name: '月度保养',
      kind: 'time',
      asset_id: 'a1',
      interval_count: 3,
      interval_unit: 'month',
      anchor: 'fixed',
      start_on: '2026-12-01',
      meter: null,
      meter_interval: null,
      lead_days: 7,
      duration_minutes: 60,
      window_start: '09:00',
      window_end: '12:00',
      checklist_template_id: null,
    })
    expect(body).not.toHaveProperty('model_id')
  })

  it('sends a meter plan on the model with the time fields empty', () => {
    const body = planPayload(form({ target: 'model', kind: 'meter', meter: 'run_hours', meterInterval: '500' }), {
      assetId: 'a1',
      modelId: 'm1',
    })
    expect(body).toMatchObject({ kind: 'meter', model_id: 'm1', meter: 'run_hours', meter_interval: '500', interval_count: null, start_on: null })
    expect(body).not.toHaveProperty('asset_id')
  })

  it('leaves the target and kind out of an edit', () => {
    const body = planPayload(planToForm(plan(), '2026-12-01'))
    expect(body).not.toHaveProperty('asset_id')
    expect(body).not.toHaveProperty('kind')
    expect(body.window_start).toBe('09:00')
  })

  it('reads a saved plan back into the same form', () => {
    const back = planToForm(plan({ required_skills: [{ code: 'hvac', level: 2 }], checklist_template_id: 't1' }), '2026-12-01')
    expect(back).toMatchObject({ intervalCount: '1', startOn: '2026-12-20', windowStart: '09:00', windowEnd: '12:00', checklistTemplateId: 't1' })
    expect(back.skills).toEqual([{ code: 'hvac', level: 2 }])
  })
})

describe('interval wording', () => {
  const zh = translator('zh-CN')
  const en = translator('en')

  it.each([
    [1, 'month', 'fixed', 'Every month, on fixed dates', '每月，按固定日期'],
    [3, 'month', 'completion', 'Every 3 months, from the last completion', '每 3 个月，从上次完成起算'],
    [2, 'week', 'fixed', 'Every 2 weeks, on fixed dates', '每 2 周，按固定日期'],
    [1, 'day', 'fixed', 'Every day, on fixed dates', '每天，按固定日期'],
    [10, 'day', 'completion', 'Every 10 days, from the last completion', '每 10 天，从上次完成起算'],
  ] as const)('%i %s %s', (count, unit, anchor, english, chinese) => {
    const rule = plan({ interval_count: count, interval_unit: unit, anchor })
    expect(describeInterval(rule, en)).toBe(english)
    expect(describeInterval(rule, zh)).toBe(chinese)
  })

  it('names the meter, the step and its unit', () => {
    const rule = plan({ kind: 'meter', meter: 'run_hours', meter_interval: '500.000', interval_count: null, interval_unit: null, anchor: null })
    expect(describeInterval(rule, en, HOURS)).toBe('Every 500 h of run_hours')
    expect(describeInterval(rule, zh, HOURS)).toBe('run_hours 每 500 h')
  })

  it('trims trailing zeros of decimals', () => {
    expect(trimNumber('500.000')).toBe('500')
    expect(trimNumber('12.500')).toBe('12.5')
    expect(trimNumber('1000')).toBe('1000')
  })
})
