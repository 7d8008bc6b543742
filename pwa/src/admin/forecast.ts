/**
 * The maintenance forecast arranged for reading: entries grouped by calendar week (Monday
 * first), with counts and the hours of work each week holds. Dates are the server's
 * `YYYY-MM-DD` days in the organisation's time zone, handled here as plain calendar days.
 */
import type { ForecastEntry } from './assets'

export interface ForecastWeek {
  /** Monday, YYYY-MM-DD */
  start: string
  /** Sunday, YYYY-MM-DD */
  end: string
  /** ISO 8601 week number and its year (which can differ from `start`'s year) */
  week: number
  weekYear: number
  entries: ForecastEntry[]
  counts: { open: number; planned: number; overdue: number }
  minutes: number
}

const DAY_MS = 86_400_000

function toDay(value: string): number {
  return Date.UTC(Number(value.slice(0, 4)), Number(value.slice(5, 7)) - 1, Number(value.slice(8, 10))) / DAY_MS
}

function fromDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10)
}

/** The Monday of the week `value` falls in. */
export function mondayOf(value: string): string {
  const day = toDay(value)
  const weekday = (new Date(day * DAY_MS).getUTCDay() + 6) % 7 // Monday 0 … Sunday 6
  return fromDay(day - weekday)
}

export function addDays(value: string, days: number): string {
  return fromDay(toDay(value) + days)
}

/** ISO 8601 week of a date: the week with the year's first Thursday is week 1. */
export function isoWeek(value: string): { week: number; year: number } {
  const thursday = toDay(mondayOf(value)) + 3
  const year = new Date(thursday * DAY_MS).getUTCFullYear()
  const firstThursdayWeek = toDay(mondayOf(`${year}-01-04`)) + 3
  return { week: Math.round((thursday - firstThursdayWeek) / 7) + 1, year }
}

const STATUS_ORDER: Record<ForecastEntry['status'], number> = { overdue: 0, open: 1, planned: 2 }

/** Entries by week, earliest first; in a week by date, then overdue/open/planned, then serial. */
export function groupByWeek(entries: readonly ForecastEntry[]): ForecastWeek[] {
  const weeks = new Map<string, ForecastWeek>()
  for (const entry of entries) {
    const start = mondayOf(entry.due_on)
    let week = weeks.get(start)
    if (!week) {
      const { week: number, year } = isoWeek(start)
      week = {
        start,
        end: addDays(start, 6),
        week: number,
        weekYear: year,
        entries: [],
        counts: { open: 0, planned: 0, overdue: 0 },
        minutes: 0,
      }
      weeks.set(start, week)
    }
    week.entries.push(entry)
    week.counts[entry.status] += 1
    week.minutes += entry.duration_minutes
  }
  const sorted = [...weeks.values()].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))
  for (const week of sorted) {
    week.entries.sort(
      (a, b) =>
        a.due_on.localeCompare(b.due_on) ||
        STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
        a.serial.localeCompare(b.serial),
    )
  }
  return sorted
}

export interface ForecastFilter {
  customerId?: string
  /** only these assets (e.g. the assets of one model); undefined: all */
  assetIds?: ReadonlySet<string>
}

/** The entries the page's filters keep (a site filter is applied by the server). */
export function filterForecast(entries: readonly ForecastEntry[], filter: ForecastFilter): ForecastEntry[] {
  return entries.filter(
    (e) =>
      (!filter.customerId || e.customer_id === filter.customerId) &&
      (!filter.assetIds || filter.assetIds.has(e.asset_id)),
  )
}

/** The next occurrence of a plan on an asset that may still be skipped (none generated yet). */
export function nextSkippable(entries: readonly ForecastEntry[], planId: string, assetId: string): ForecastEntry | null {
  const mine = entries
    .filter((e) => e.plan_id === planId && e.asset_id === assetId)
    .sort((a, b) => a.due_on.localeCompare(b.due_on))
  if (mine.some((e) => e.status === 'open')) return null
  return mine[0] ?? null
}

/** The next date of each plan on one asset (open occurrences included), by plan id. */
export function nextDueByPlan(entries: readonly ForecastEntry[], assetId: string): Map<string, ForecastEntry> {
  const next = new Map<string, ForecastEntry>()
  for (const entry of entries) {
    if (entry.asset_id !== assetId) continue
    const seen = next.get(entry.plan_id)
    if (!seen || entry.due_on < seen.due_on) next.set(entry.plan_id, entry)
  }
  return next
}
