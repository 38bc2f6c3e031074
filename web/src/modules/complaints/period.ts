// 投诉台's analysis period (the pure parts, tested with Vitest): the days the KPI cards and the Pareto chart
// count, kept in the URL as ?from=&to= (left out for the default, the last 30 days to today: the server's own
// default), and the date picker's quick ranges.
import { lastDays, rangeFromQuery, type DayRange, type QueryValue, type QuickRange } from '@/utils/periods'
import { centreToday } from '@/utils/time'

/** The period when the URL names none: the last 30 days, today included (GET /complaints/summary's default). */
export const DEFAULT_DAYS = 30

/** first and last day, both included, "YYYY-MM-DD" in the centre's time zone */
export type Period = DayRange

export function defaultPeriod(today: string = centreToday()): Period {
  return lastDays(DEFAULT_DAYS, today)
}

/** The period a URL's query says: two real days, in order, none after today; anything else is the default. */
export function periodFromQuery(query: Record<string, QueryValue>, today: string = centreToday()): Period {
  return rangeFromQuery(query, { latest: today }) ?? defaultPeriod(today)
}

/** The URL query of a period: `from` and `to`, or neither (undefined, so a router query drops them) for the default. */
export function periodToQuery(p: Period, today: string = centreToday()): { from: string | undefined; to: string | undefined } {
  const d = defaultPeriod(today)
  return p.from === d.from && p.to === d.to ? { from: undefined, to: undefined } : { from: p.from, to: p.to }
}

/** The picker's quick ranges, in the desk's order: 近7天, 近30天, 本月, 上月, 近90天. */
export const SHORTCUT_KEYS = ['last7', 'last30', 'thisMonth', 'lastMonth', 'last90'] as const satisfies readonly QuickRange[]
