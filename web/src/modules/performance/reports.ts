// 服务质量报告's pure parts (tested with Vitest): the kind filter in the URL, a report's period as the page writes it
// ("2026-11-23" for a day, "2026-11-23 至 2026-11-29" for a week, "2026年11月" for a month), the period that holds
// a day (as the server cuts it: the day; Monday to Sunday; the calendar month), whether it has begun, the new
// report pinned at the top of the list, and the download links.
import { addDays } from '@/utils/time'
import type { Report, ReportKind } from './api'

/** The kinds the server makes, in the filter's order. */
export const KINDS = ['daily', 'weekly', 'monthly'] as const satisfies readonly ReportKind[]
/** The filter: one kind, or every kind. */
export const FILTERS = [...KINDS, 'all'] as const
export type Filter = (typeof FILTERS)[number]

/** The filter a URL's `?kind=` names; every kind by default. */
export function filterOf(value: unknown): Filter {
  const v = Array.isArray(value) ? value[0] : value
  return (FILTERS as readonly unknown[]).includes(v) ? (v as Filter) : 'all'
}

export function isKind(value: unknown): value is ReportKind {
  return (KINDS as readonly unknown[]).includes(value)
}

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** A report's period: the day; "first 至 last" ("first to last" in English); the month, "2026年11月" ("Nov 2026"). */
export function periodLabel(
  report: Pick<Report, 'kind' | 'first_day' | 'last_day'>,
  locale: string = 'zh-CN',
): string {
  const zh = !locale.startsWith('en')
  const { first_day: first, last_day: last } = report
  if (report.kind === 'monthly') {
    const [y, m] = first.split('-').map(Number)
    return zh ? `${y}年${m}月` : `${MONTHS_EN[m - 1]} ${y}`
  }
  if (first === last) return first
  return zh ? `${first} 至 ${last}` : `${first} to ${last}`
}

/** The ISO weekday of a calendar day, Monday 1 … Sunday 7. */
function weekday(day: string): number {
  return new Date(`${day}T00:00:00Z`).getUTCDay() || 7
}

/** The first and last day of the `kind` period holding `day` ("YYYY-MM-DD"), as the server cuts it. */
export function periodOf(kind: ReportKind, day: string): { first: string; last: string } {
  if (kind === 'weekly') {
    const first = addDays(day, 1 - weekday(day))
    return { first, last: addDays(first, 6) }
  }
  if (kind === 'monthly') {
    const first = `${day.slice(0, 7)}-01`
    const [y, m] = first.split('-').map(Number)
    const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`
    return { first, last: addDays(next, -1) }
  }
  return { first: day, last: day }
}

/** Whether the `kind` period holding `day` has begun by `today` (the server refuses one that has not: 422). */
export function hasBegun(kind: ReportKind, day: string, today: string): boolean {
  return periodOf(kind, day).first <= today
}

/** The list as the page shows it: the report just made first (it may be of an older period than others), once. */
export function withMadeFirst(reports: readonly Report[], made: Report | null | undefined, filter: Filter): Report[] {
  if (!made || (filter !== 'all' && made.kind !== filter)) return [...reports]
  return [made, ...reports.filter((r) => r.id !== made.id)]
}

/** The report's file (a plain link: the server sends it as an attachment, the browser downloads it). */
export function reportFileUrl(id: number, ext: 'pdf' | 'xlsx'): string {
  return `/api/v1/reports/${id}/${ext}`
}

/** The kinds subscribed to after one switch is turned (in the filter's order, each once). */
export function toggled(kinds: readonly string[], kind: ReportKind, on: boolean): ReportKind[] {
  return KINDS.filter((k) => (k === kind ? on : kinds.includes(k)))
}
