import { describe, expect, it } from 'vitest'
import type { ForecastEntry } from '../assets'
import { addDays, filterForecast, groupByWeek, isoWeek, mondayOf, nextDueByPlan, nextSkippable } from '../forecast'

function entry(due_on: string, changes: Partial<ForecastEntry> = {}): ForecastEntry {
  return {
    plan_id: 'p1',
    plan_name: 'Monthly',
    kind: 'time',
    asset_id: 'a1',
    serial: 'SN-1',
    site_id: 's1',
    customer_id: 'c1',
    due_on,
    due_value: null,
    status: 'planned',
    work_order_id: null,
    duration_minutes: 60,
    ...changes,
  }
}

describe('calendar weeks', () => {
  it('finds the Monday of any day, across months and years', () => {
    expect(mondayOf('2026-12-01')).toBe('2026-11-30') // a Tuesday
    expect(mondayOf('2026-11-30')).toBe('2026-11-30') // a Monday
    expect(mondayOf('2026-12-06')).toBe('2026-11-30') // a Sunday
    expect(mondayOf('2027-01-01')).toBe('2026-12-28')
    expect(mondayOf('2028-03-01')).toBe('2028-02-28') // leap year
  })

  it('numbers weeks as ISO 8601 does', () => {
    expect(isoWeek('2026-12-01')).toEqual({ week: 49, year: 2026 })
    expect(isoWeek('2027-01-01')).toEqual({ week: 53, year: 2026 })
    expect(isoWeek('2027-01-04')).toEqual({ week: 1, year: 2027 })
    expect(isoWeek('2025-12-29')).toEqual({ week: 1, year: 2026 })
  })

  it('adds days over month ends', () => {
    expect(addDays('2026-11-30', 6)).toBe('2026-12-06')
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29')
  })
})

describe('grouping the forecast by week', () => {
  it('puts each entry in its Monday-to-Sunday week, earliest week first', () => {
    const weeks = groupByWeek([
      entry('2026-12-10', { serial: 'B' }),
      entry('2026-12-01', { serial: 'A' }),
      entry('2026-12-06', { serial: 'C', duration_minutes: 90 }),
      entry('2026-12-07', { serial: 'D' }),
    ])
    expect(weeks.map((w) => [w.start, w.end, w.week])).toEqual([
      ['2026-11-30', '2026-12-06', 49],
      ['2026-12-07', '2026-12-13', 50],
    ])
    expect(weeks[0].entries.map((e) => e.serial)).toEqual(['A', 'C'])
    expect(weeks[0].minutes).toBe(150)
    expect(weeks[1].entries.map((e) => e.serial)).toEqual(['D', 'B'])
  })

  it('counts statuses and orders a day overdue, then open, then planned', () => {
    const [week] = groupByWeek([
      entry('2026-12-02', { serial: 'A', status: 'planned' }),
      entry('2026-12-02', { serial: 'B', status: 'open' }),
      entry('2026-12-02', { serial: 'C', status: 'overdue' }),
    ])
    expect(week.entries.map((e) => e.status)).toEqual(['overdue', 'open', 'planned'])
    expect(week.counts).toEqual({ overdue: 1, open: 1, planned: 1 })
  })

  it('gives nothing for nothing', () => {
    expect(groupByWeek([])).toEqual([])
  })
})

describe('filters and next dates', () => {
  const rows = [
    entry('2026-12-05', { asset_id: 'a1', customer_id: 'c1' }),
    entry('2026-12-06', { asset_id: 'a2', customer_id: 'c2' }),
    entry('2026-12-07', { asset_id: 'a3', customer_id: 'c1' }),
  ]

  it('keeps a customer’s entries and those of a set of assets', () => {
    expect(filterForecast(rows, { customerId: 'c1' }).map((e) => e.asset_id)).toEqual(['a1', 'a3'])
    expect(filterForecast(rows, { assetIds: new Set(['a2', 'a3']) }).map((e) => e.asset_id)).toEqual(['a2', 'a3'])
    expect(filterForecast(rows, { customerId: 'c1', assetIds: new Set(['a2']) })).toEqual([])
    expect(filterForecast(rows, {})).toHaveLength(3)
  })

  it('skips the earliest planned date, but not while an order is open', () => {
    const planned = [entry('2027-01-20'), entry('2026-12-20'), entry('2026-12-25', { plan_id: 'p2' })]
    expect(nextSkippable(planned, 'p1', 'a1')?.due_on).toBe('2026-12-20')
    expect(nextSkippable([...planned, entry('2026-12-01', { status: 'open' })], 'p1', 'a1')).toBeNull()
    expect(nextSkippable(planned, 'p1', 'other')).toBeNull()
  })

  it('finds the next date of each plan on one asset', () => {
    const next = nextDueByPlan(
      [entry('2027-01-20'), entry('2026-12-20'), entry('2026-12-25', { plan_id: 'p2' }), entry('2026-12-01', { asset_id: 'a9' })],
      'a1',
    )
    expect(next.get('p1')?.due_on).toBe('2026-12-20')
    expect(next.get('p2')?.due_on).toBe('2026-12-25')
    expect(next.size).toBe(2)
  })
})
