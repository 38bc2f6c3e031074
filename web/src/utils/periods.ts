// Periods of whole days (tested with Vitest), the one way every report page reads them: a first and a last day
// ("YYYY-MM-DD" in the centre's zone, both included) kept in the URL as ?from=&to= (left out for the page's
// default), the date picker's quick ranges, and the picker's Dates ⇄ days.
import { addDays, centreToday } from './time'

/** A period: first and last day, both included, "YYYY-MM-DD" in the centre's zone. */
export interface DayRange {
  from: string
  to: string
}

/** One value of a router query (vue-router's LocationQuery value, or none). */
export type QueryValue = string | null | undefined | (string | null)[]

/** A query value as one trimmed string: the first of several, '' for none. */
export function one(value: QueryValue): string {
  const v = Array.isArray(value) ? value[0] : value
  return typeof v === 'string' ? v.trim() : ''
}

/** A real calendar day written "YYYY-MM-DD" (not 2026-02-30). */
export function isDay(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && addDays(value, 0) === value
}

/** The last `days` days to `today`, today included. */
export function lastDays(days: number, today: string = centreToday()): DayRange {
  return { from: addDays(today, -(days - 1)), to: today }
}

/** The period a URL's ?from=&to= names: two real days in order, none after `latest` (when given), at most
 * `maxDays` long (when given); null for anything missing or malformed. */
export function rangeFromQuery(
  query: Record<string, QueryValue>, limits: { latest?: string; maxDays?: number } = {},
): DayRange | null {
  const from = one(query.from)
  const to = one(query.to)
  if (!isDay(from) || !isDay(to) || from > to) return null
  if (limits.latest !== undefined && to > limits.latest) return null
  if (limits.maxDays !== undefined && addDays(from, limits.maxDays - 1) < to) return null
  return { from, to }
}

/** A period's URL query: `from` and `to`, or nothing when it is the page's default. */
export function rangeToQuery(p: DayRange, fallback: DayRange): Partial<DayRange> {
  return p.from === fallback.from && p.to === fallback.to ? {} : { from: p.from, to: p.to }
}

// ---------------------------------------------------------------- the date picker

/** The quick ranges a date picker may offer: 今天, 近7/28/30/90天, 本月 (so far), 上月. */
export const QUICK_RANGES = ['today', 'last7', 'last28', 'last30', 'last90', 'thisMonth', 'lastMonth'] as const
export type QuickRange = (typeof QUICK_RANGES)[number]

/** The days of one quick range, as of `today`. */
export function quickRange(key: QuickRange, today: string = centreToday()): DayRange {
  const monthStart = `${today.slice(0, 8)}01`
  switch (key) {
    case 'today':
      return { from: today, to: today }
    case 'last7':
      return lastDays(7, today)
    case 'last28':
      return lastDays(28, today)
    case 'last30':
      return lastDays(30, today)
    case 'last90':
      return lastDays(90, today)
    case 'thisMonth':
      return { from: monthStart, to: today }
    case 'lastMonth': {
      const lastMonthEnd = addDays(monthStart, -1)
      return { from: `${lastMonthEnd.slice(0, 8)}01`, to: lastMonthEnd }
    }
  }
}

/** The quick ranges `keys` names, in that order, as days. */
export function quickRanges(
  keys: readonly QuickRange[], today: string = centreToday(),
): { key: QuickRange; from: string; to: string }[] {
  return keys.map((key) => ({ key, ...quickRange(key, today) }))
}

/** A day as the date picker's Date: that day's midnight in the browser's zone (the picker formats in it, so
 * it shows and gives back the same "YYYY-MM-DD" whatever the zone). */
export function pickerDate(day: string): Date {
  const [y, m, d] = day.split('-').map(Number)
  return new Date(y, m - 1, d)
}

/** The day the date picker shows for a Date (the browser's calendar day of it). */
export function pickerDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
}
