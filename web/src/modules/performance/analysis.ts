// 分析看板's pure parts (tested with Vitest): the controls ⇄ URL (a period in the centre's days, default the last
// 28; the Pareto's cut and, for categories, an order type), the order of the sections by the signed-in user's
// job, the hour × weekday matrix of GET /kpis/heatmap and its chart, the Pareto's rows of GET /kpis/pareto,
// the order trend's days, and the response times by category (GET /kpis/orders?group_by=category) as bars.
import type { ChartOption } from '@/components/chartOption'
import { dataIndex, matrixHeatmapOption, paretoOption, type ParetoRow } from '@/utils/charts'
import { lastDays, one, rangeFromQuery, rangeToQuery, type QueryValue, type QuickRange } from '@/utils/periods'
import { centreToday, daysBetween } from '@/utils/time'
import type { Heatmap, OrderKpiItem, Pareto, ParetoItem } from './api'
import { MAX_DAYS } from './format'
import { formatMinutes } from './orders'

// ---------------------------------------------------------------- the controls (in the URL)

/** The period when the URL names none: the last 28 days (four of each weekday), today included. */
export const ANALYSIS_DAYS = 28
/** The Pareto's cuts (GET /kpis/pareto `of`), 分类 first. */
export const CUTS = ['category', 'area', 'unit', 'channel', 'type'] as const
export type Cut = (typeof CUTS)[number]

export interface AnalysisControls {
  /** first and last day, both included, "YYYY-MM-DD" in the centre's zone */
  from: string
  to: string
  /** the Pareto's cut */
  of: Cut
  /** one order type's categories (with of=category only); '' for every type */
  type: string
}

export function defaultAnalysisControls(today: string = centreToday()): AnalysisControls {
  return { ...lastDays(ANALYSIS_DAYS, today), of: 'category', type: '' }
}

/** The controls a URL's query says (`types`: the order types there are); anything missing or malformed is the
 * default, and a type only goes with the categories. */
export function analysisControlsFromQuery(
  query: Record<string, QueryValue>, today: string = centreToday(), types: readonly string[] = [],
): AnalysisControls {
  const c = { ...defaultAnalysisControls(today), ...rangeFromQuery(query, { latest: today, maxDays: MAX_DAYS }) }
  const of = one(query.of)
  if ((CUTS as readonly string[]).includes(of)) c.of = of as Cut
  const type = one(query.type)
  if (c.of === 'category' && types.includes(type)) c.type = type
  return c
}

/** The URL query of the controls, defaults left out (a plain /kpis/analysis is the last 28 days by category). */
export function analysisControlsToQuery(c: AnalysisControls, today: string = centreToday()): Record<string, string> {
  const d = defaultAnalysisControls(today)
  const q: Record<string, string> = { ...rangeToQuery(c, d) }
  if (c.of !== d.of) q.of = c.of
  if (c.of === 'category' && c.type) q.type = c.type
  return q
}

/** The date picker's quick periods: 今天, 近7天, 近28天, 近30天, 本月, 上月. */
export const ANALYSIS_SHORTCUTS = ['today', 'last7', 'last28', 'last30', 'thisMonth', 'lastMonth'] as const satisfies readonly QuickRange[]

/** GET /kpis/pareto's query. */
export function paretoParams(c: AnalysisControls): { from: string; to: string; of: Cut; type?: string } {
  return c.of === 'category' && c.type ? { from: c.from, to: c.to, of: c.of, type: c.type } : { from: c.from, to: c.to, of: c.of }
}

// ---------------------------------------------------------------- the sections, by job

export const SECTIONS = ['callTrend', 'callHeatmap', 'orderTrend', 'orderHeatmap', 'pareto', 'durations'] as const
export type Section = (typeof SECTIONS)[number]

/** Each job's order: the floor (当值经理, 现场管理) watches the calls; 业务主管 and 中心领导 the orders and what
 * they are about; 质检 what the work is about first (the Pareto), then how long it takes. */
const BY_JOB: { roles: readonly string[]; order: readonly Section[] }[] = [
  { roles: ['duty_manager', 'floor_manager'], order: SECTIONS },
  {
    roles: ['supervisor', 'director'],
    order: ['orderTrend', 'orderHeatmap', 'pareto', 'durations', 'callTrend', 'callHeatmap'],
  },
  {
    roles: ['qa_inspector'],
    order: ['pareto', 'durations', 'orderTrend', 'orderHeatmap', 'callTrend', 'callHeatmap'],
  },
]

/** The sections in the order the user's job reads them: the first job (as listed above) any of the roles
 * has; anyone else (the admin) the page's own order, the calls first. */
export function sectionOrder(roles: Iterable<string>): Section[] {
  const mine = new Set(roles)
  const job = BY_JOB.find((j) => j.roles.some((r) => mine.has(r)))
  return [...(job?.order ?? SECTIONS)]
}

// ---------------------------------------------------------------- the heatmaps

export interface HeatCell {
  weekday: number
  hour: number
  count: number
  mean: number | null
}

export interface HeatMatrix {
  /** 7 rows (Monday first) of 24 cells (hour 0 first); a cell the API left out counts 0 */
  rows: HeatCell[][]
  /** the largest mean (0 when none) */
  max: number
  total: number
}

/** The API's cells as a weekday × hour matrix. */
export function heatmapMatrix(h: Pick<Heatmap, 'cells' | 'days' | 'total'>): HeatMatrix {
  const rows: HeatCell[][] = Array.from({ length: 7 }, (_, i) =>
    Array.from({ length: 24 }, (_, hour) => ({ weekday: i + 1, hour, count: 0, mean: h.days[i] ? 0 : null })),
  )
  for (const c of h.cells) {
    if (c.weekday >= 1 && c.weekday <= 7 && c.hour >= 0 && c.hour <= 23) rows[c.weekday - 1][c.hour] = { ...c }
  }
  const max = Math.max(0, ...rows.flat().map((c) => c.mean ?? 0))
  return { rows, max, total: h.total }
}

/** The cells as the page shows them (data-shown): [weekday, hour, count, mean], Monday 00:00 first. */
export function heatmapShown(m: HeatMatrix): [number, number, number, number | null][] {
  return m.rows.flat().map((c) => [c.weekday, c.hour, c.count, c.mean])
}

export interface HeatmapWords {
  /** Monday first */
  weekdays: readonly string[]
  series: string
  /** the tooltip: "周一 09:00–10:00", then its count and mean */
  tooltip: (cell: HeatCell, weekday: string) => string
}

/** Hours (0–23) across, weekdays down (Monday on top), each cell coloured by its mean per day; a weekday the
 * period does not reach is left empty. The tooltip gives the count and the mean. */
export function heatmapOption(m: HeatMatrix, words: HeatmapWords): ChartOption {
  const data: [number, number, number][] = []
  for (const row of m.rows) for (const c of row) if (c.mean !== null) data.push([c.hour, 7 - c.weekday, c.mean])
  return matrixHeatmapOption({
    x: Array.from({ length: 24 }, (_, h) => String(h)),
    y: [...words.weekdays].reverse(),
    data,
    label: words.series,
    cellLabels: false,
    max: m.max > 0 ? m.max : 1,
    precision: 1,
    scaleText: [String(Math.round((m.max > 0 ? m.max : 1) * 10) / 10), '0'],
    tooltip: (hour, y) => {
      const cell = m.rows[6 - y]?.[hour]
      return cell ? words.tooltip(cell, words.weekdays[6 - y]) : ''
    },
  })
}

/** A cell's hour as "09:00–10:00". */
export function hourSpan(hour: number): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${pad(hour)}:00–${pad(hour + 1)}:00`
}

// ---------------------------------------------------------------- the Pareto

/** The Pareto's rows for the chart: the API's order, cumulative as a percentage, the vital few marked. */
export function paretoRows(items: readonly ParetoItem[], name: (item: ParetoItem) => string): ParetoRow[] {
  return items.map((i) => ({
    key: i.key, name: name(i), count: i.count, cumulative: Math.round(i.cumulative * 1000) / 10, vital: i.vital,
  }))
}

/** The rows as the page shows them (data-shown): [key, count, cumulative, vital]. */
export function paretoShown(p: Pick<Pareto, 'items'>): [string, number, number, boolean][] {
  return p.items.map((i) => [i.key, i.count, i.cumulative, i.vital])
}

export interface ParetoNameWords {
  type: (key: string) => string
  channel: (key: string) => string
  /** a unit or area row of the orders with none (key "0") */
  none: string
}

/** A row's name: the order type or channel in words, the category, unit or area's name. */
export function paretoName(item: Pick<ParetoItem, 'key' | 'label'>, of: Cut, words: ParetoNameWords): string {
  if (of === 'type') return words.type(item.key)
  if (of === 'channel') return words.channel(item.key)
  if (item.key === '0' || !item.key) return words.none
  return item.label && item.label !== '—' ? item.label : `#${item.key}`
}

export { paretoOption }

// ---------------------------------------------------------------- the order trend

function emptyOrderDay(key: string): OrderKpiItem {
  const none = { n: 0, mean: null, p50: null, p90: null }
  return {
    key, label: '', registered: 0, closed: 0, reopened: 0, urged: 0, supervised: 0, on_time_rate: null, reopen_rate: null,
    stage_on_time: { accept: null, arrive: null, resolve: null, reply: null, callback: null },
    response: { accept: none, arrive: none, resolve: none, close: none },
  }
}

/** Every day of the period in order (a quiet one with nothing), the API's days beyond FILL_DAYS. */
export const FILL_DAYS = 400
export function orderDayRows(items: readonly OrderKpiItem[], from: string, to: string): OrderKpiItem[] {
  const days = daysBetween(from, to)
  if (!days.length || days.length > FILL_DAYS) return [...items].sort((a, b) => a.key.localeCompare(b.key))
  const byKey = new Map(items.map((r) => [r.key, r]))
  return days.map((d) => byKey.get(d) ?? emptyOrderDay(d))
}

// ---------------------------------------------------------------- response times by category

export const RESPONSE_STAGES = ['accept', 'arrive', 'resolve', 'close'] as const
export type ResponseStage = (typeof RESPONSE_STAGES)[number]
/** The categories the chart draws at most (those with the most orders reaching the stage). */
export const DURATION_LIMIT = 15

/** The categories with a time for the stage, most orders reaching it first (then by name), at most `limit`. */
export function durationRows(
  items: readonly OrderKpiItem[], stage: ResponseStage, name: (item: OrderKpiItem) => string, limit = DURATION_LIMIT,
): { key: string; name: string; n: number; mean: number | null; p50: number | null; p90: number | null }[] {
  return items
    .filter((i) => i.response[stage].n > 0 && (i.response[stage].p50 !== null || i.response[stage].p90 !== null))
    .map((i) => ({ key: i.key, name: name(i), ...i.response[stage] }))
    .sort((a, b) => b.n - a.n || a.name.localeCompare(b.name))
    .slice(0, limit)
}

export const DURATION_COLORS = { p50: '#79bbff', p90: '#2f6fed' }

/** Whole-hour steps when the longest is over two hours, else 10-minute ones (the axis is in minutes). */
export function durationTicks(minutes: readonly (number | null)[]): { interval: number; max: number } {
  const longest = Math.max(10, ...minutes.filter((m): m is number => m !== null))
  const unit = longest > 120 ? 60 : 10
  const step = Math.ceil(longest / 4 / unit) * unit
  return { interval: step, max: step * Math.ceil(longest / step) }
}

/** P50 and P90 side by side per category (minutes, the axis h:mm); the tooltip adds the orders and the mean. */
export function durationOption(
  rows: ReturnType<typeof durationRows>,
  labels: { p50: string; p90: string; tooltip: (row: ReturnType<typeof durationRows>[number]) => string },
): ChartOption {
  const axis = { color: '#8492a6', fontSize: 11 }
  const round = (m: number | null) => (m === null ? null : Math.round(m * 10) / 10)
  return {
    grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
    legend: { top: 0, left: 0, icon: 'roundRect', itemWidth: 12, itemHeight: 8, textStyle: { color: '#5a6b82', fontSize: 12 } },
    tooltip: {
      trigger: 'axis', axisPointer: { type: 'shadow' },
      formatter: (raw: unknown) => {
        const row = rows[dataIndex(raw)]
        return row ? labels.tooltip(row) : ''
      },
    },
    xAxis: {
      type: 'category', data: rows.map((r) => r.name), axisTick: { show: false }, axisLine: { lineStyle: { color: '#d5dbe5' } },
      axisLabel: { color: '#1f2d3d', fontSize: 12, interval: 0, width: 84, overflow: 'truncate' },
    },
    yAxis: {
      type: 'value', min: 0, ...durationTicks(rows.flatMap((r) => [r.p50, r.p90])), splitLine: { lineStyle: { color: '#eef1f5' } },
      axisLabel: { ...axis, formatter: (v: number) => formatMinutes(v) },
    },
    series: [
      {
        type: 'bar', id: 'p50', name: labels.p50, barMaxWidth: 22, itemStyle: { color: DURATION_COLORS.p50, borderRadius: [3, 3, 0, 0] },
        data: rows.map((r) => round(r.p50)),
      },
      {
        type: 'bar', id: 'p90', name: labels.p90, barMaxWidth: 22, itemStyle: { color: DURATION_COLORS.p90, borderRadius: [3, 3, 0, 0] },
        data: rows.map((r) => round(r.p90)),
      },
    ],
  }
}
