// 满意度分析's pure parts (tested with Vitest): the page's controls ⇄ its URL ⇄ the API's query, rates as
// percentages, and the two charts (by day: 评价数 bars and a 满意率 line; by group: 满意率 bars, worst on top).
import type { ChartOption } from '@/components/chartOption'
import { AXIS_LABEL, LEGEND, SPLIT_LINE, dataIndex, percent, tooltipHtml as tooltipLines } from '@/utils/charts'
import { SURVEY_KINDS, type SatisfactionGroup, type SurveyKind } from '@/utils/enums'
import { formatRate } from '@/utils/format'
import { lastDays, one, rangeFromQuery, rangeToQuery, type QueryValue, type QuickRange } from '@/utils/periods'
import { centreToday, daysBetween } from '@/utils/time'
import type { Satisfaction, SatisfactionQuery, SatisfactionRow } from './api'

// ---------------------------------------------------------------- the controls (in the URL)

/** The groupings as tabs, in the order a manager reads them (the server's values: its enum types them). */
export const GROUPS = ['day', 'agent', 'unit', 'category', 'channel'] as const satisfies readonly SatisfactionGroup[]
export const KINDS = SURVEY_KINDS
/** The period when the URL names none: the last 30 days, today included (the server's default too). */
export const DEFAULT_DAYS = 30

export interface Controls {
  /** first and last day, both included, "YYYY-MM-DD" in Asia/Shanghai */
  from: string
  to: string
  kind: SurveyKind
  groupBy: SatisfactionGroup
  /** 基本满意计为满意: the rate counts 基本满意 as satisfied */
  countBasic: boolean
}

export function defaultControls(today: string = centreToday()): Controls {
  return { ...lastDays(DEFAULT_DAYS, today), kind: 'instant', groupBy: 'day', countBasic: false }
}

type Query = Record<string, QueryValue>

/** The controls a URL's query says; anything missing or malformed is the default. */
export function controlsFromQuery(query: Query, today: string = centreToday()): Controls {
  // any two real days in order (this page, unlike the KPI pages, does not hold the period to today)
  const c = { ...defaultControls(today), ...rangeFromQuery(query) }
  const kind = one(query.kind)
  if ((KINDS as readonly string[]).includes(kind)) c.kind = kind as SurveyKind
  const group = one(query.group_by)
  if ((GROUPS as readonly string[]).includes(group)) c.groupBy = group as SatisfactionGroup
  const basic = one(query.count_basic)
  c.countBasic = basic === '1' || basic === 'true'
  return c
}

/** The URL query of the controls (defaults left out: a plain /satisfaction is the last 30 days by day). */
export function controlsToQuery(c: Controls, today: string = centreToday()): Record<string, string> {
  const d = defaultControls(today)
  const q: Record<string, string> = { ...rangeToQuery(c, d) }
  if (c.kind !== d.kind) q.kind = c.kind
  if (c.groupBy !== d.groupBy) q.group_by = c.groupBy
  if (c.countBasic) q.count_basic = '1'
  return q
}

/** The query of GET /satisfaction (and of its export): every parameter said, so both count the same days. */
export function controlsToParams(c: Controls): SatisfactionQuery {
  return { from: c.from, to: c.to, group_by: c.groupBy, kind: c.kind, count_basic: c.countBasic }
}

/** The date picker's quick periods: last 7 / 30 / 90 days, this month so far, last month. */
export const SHORTCUTS = ['last7', 'last30', 'last90', 'thisMonth', 'lastMonth'] as const satisfies readonly QuickRange[]

// ---------------------------------------------------------------- rates

/** part ÷ whole rounded to 4 places as the server rounds its rates (so 满意's share and 满意率 read the same,
 * as in the Excel export), or null for an empty whole. */
export function shareOf(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 10000) / 10000 : null
}

/** How far under the period's overall rate a group is: `bad` more than 5 points under, `low` under, `ok`. */
export type RateTone = 'bad' | 'low' | 'ok' | 'none'
export const BAD_GAP = 0.05

export function rateTone(rate: number | null | undefined, overall: number | null | undefined): RateTone {
  if (rate === null || rate === undefined) return 'none'
  if (overall === null || overall === undefined) return 'ok'
  if (rate < overall - BAD_GAP - 1e-9) return 'bad'
  if (rate < overall - 1e-9) return 'low'
  return 'ok'
}

export const TONE_COLORS: Record<RateTone, string> = { bad: '#e5484d', low: '#f59e0b', ok: '#2f6fed', none: '#b8c2d1' }

/** Groups with a rate, worst first: lowest rate, then the one more customers rated, then by key. */
export function worstFirst(rows: readonly SatisfactionRow[]): SatisfactionRow[] {
  return rows
    .filter((r) => r.rate !== null && r.surveyed > 0)
    .sort((a, b) => (a.rate ?? 0) - (b.rate ?? 0) || b.surveyed - a.surveyed || a.key.localeCompare(b.key))
}

/** The rows of every day of the period, in order: a day nobody rated has zero counts and no rate. */
export function fillDays(items: readonly SatisfactionRow[], from: string, to: string): SatisfactionRow[] {
  const byDay = new Map(items.map((r) => [r.key, r]))
  const days = daysBetween(from, to)
  if (!days.length || days.length > 1000) return [...items]
  return days.map((day) => byDay.get(day) ?? {
    key: day, name: null, surveyed: 0, satisfied: 0, basically_satisfied: 0, unsatisfied: 0, rate: null,
  })
}

// ---------------------------------------------------------------- the charts

export interface ChartLabels {
  surveyed: string
  rate: string
  /** the period's rate, by the line drawn across: "整体" */
  overall: string
  satisfied: string
  basic: string
  unsatisfied: string
  /** a group's name as the page shows it (a channel in words) */
  name: (row: SatisfactionRow) => string
  number: (n: number) => string
  /** how many rated a group, beside its bar: "8 条" */
  count: (n: number) => string
}

type Figures = Pick<Satisfaction, 'items' | 'total' | 'from' | 'to'>

const RATE_COLOR = '#16a34a'

/** A tooltip's lines for one row: its name, 评价数, 满意率 and the three counts. */
export function tooltipHtml(title: string, row: SatisfactionRow, labels: ChartLabels): string {
  return tooltipLines(title, [
    [labels.rate, formatRate(row.rate)],
    [labels.surveyed, labels.number(row.surveyed)],
    [labels.satisfied, labels.number(row.satisfied), '#16a34a'],
    [labels.basic, labels.number(row.basically_satisfied), '#f59e0b'],
    [labels.unsatisfied, labels.number(row.unsatisfied), '#e5484d'],
  ])
}

/** The period's rate as a dashed line across the chart (along the rate axis: x for bars, y for the line). */
function overallMark(rate: number | null, labels: ChartLabels, axis: 'xAxis' | 'yAxis') {
  const value = percent(rate)
  if (value === null) return undefined
  return {
    silent: true,
    symbol: 'none',
    lineStyle: { color: '#5a6b82', type: 'dashed' as const, width: 1 },
    label: {
      formatter: `${labels.overall} ${formatRate(rate)}`, color: '#5a6b82', fontSize: 11,
      position: axis === 'yAxis' ? ('insideEndTop' as const) : ('end' as const),
    },
    data: [axis === 'yAxis' ? { name: labels.overall, yAxis: value } : { name: labels.overall, xAxis: value }],
  }
}

/** The lowest tick of the rate axis: 10 points under the lowest day, rounded down to 10, at least 0. */
export function rateAxisMin(rates: readonly (number | null)[]): number {
  const known = rates.filter((r): r is number => r !== null)
  if (!known.length) return 0
  return Math.max(0, Math.floor(Math.min(...known) * 10) * 10 - 10)
}

/** By day: 评价数 as bars (left axis) and 满意率 as a line (right axis, %), every day of the period. */
export function dayChartOption(figures: Figures, labels: ChartLabels): ChartOption {
  const rows = fillDays(figures.items, figures.from, figures.to)
  const sameYear = figures.from.slice(0, 4) === figures.to.slice(0, 4)
  return {
    grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
    legend: LEGEND,
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow', shadowStyle: { color: 'rgba(47,111,237,0.06)' } },
      formatter: (raw: unknown) => {
        const row = rows[dataIndex(raw)]
        return row ? tooltipHtml(row.key, row, labels) : ''
      },
    },
    xAxis: {
      type: 'category',
      data: rows.map((r) => (sameYear ? r.key.slice(5) : r.key)),
      axisTick: { show: false },
      axisLine: { lineStyle: { color: '#d5dbe5' } },
      axisLabel: { ...AXIS_LABEL, hideOverlap: true },
    },
    yAxis: [
      { type: 'value', minInterval: 1, splitLine: SPLIT_LINE, axisLabel: AXIS_LABEL },
      {
        type: 'value', min: rateAxisMin(rows.map((r) => r.rate)), max: 100, splitLine: { show: false },
        axisLabel: { ...AXIS_LABEL, formatter: '{value}%' },
      },
    ],
    series: [
      {
        type: 'bar', id: 'surveyed', name: labels.surveyed, yAxisIndex: 0, barMaxWidth: 22,
        itemStyle: { color: '#a9c1f5', borderRadius: [3, 3, 0, 0] },
        data: rows.map((r) => r.surveyed),
      },
      {
        type: 'line', id: 'rate', name: labels.rate, yAxisIndex: 1, smooth: false, connectNulls: false,
        symbol: 'circle', symbolSize: 5, itemStyle: { color: RATE_COLOR }, lineStyle: { width: 2, color: RATE_COLOR },
        data: rows.map((r) => percent(r.rate)),
        markLine: overallMark(figures.total.rate, labels, 'yAxis'),
      },
    ],
  }
}

/** How many groups the chart shows at most (the worst); the table lists them all. */
export const CHART_LIMIT = 15

/** The groups the chart draws, top to bottom: the worst `limit`. */
export function chartGroups(rows: readonly SatisfactionRow[], limit = CHART_LIMIT): SatisfactionRow[] {
  return worstFirst(rows).slice(0, limit)
}

export function groupChartHeight(count: number): number {
  return Math.max(200, count * 30 + 70)
}

/** By agent, unit, category or channel: 满意率 as horizontal bars, worst at the top, coloured by how far
 * under the period's rate (red more than 5 points under, amber under), the period's rate as a dashed line. */
export function groupChartOption(figures: Figures, labels: ChartLabels, limit = CHART_LIMIT): ChartOption {
  const shown = chartGroups(figures.items, limit).reverse() // a category axis draws bottom-up
  const overall = figures.total.rate
  return {
    grid: { left: 8, right: 96, top: 28, bottom: 8, containLabel: true },
    tooltip: {
      trigger: 'item',
      formatter: (raw: unknown) => {
        const row = shown[(raw as { dataIndex?: number }).dataIndex ?? -1]
        return row ? tooltipHtml(labels.name(row), row, labels) : ''
      },
    },
    xAxis: {
      type: 'value', min: 0, max: 100, splitLine: SPLIT_LINE, axisLabel: { ...AXIS_LABEL, formatter: '{value}%' },
    },
    yAxis: {
      type: 'category',
      data: shown.map(labels.name),
      axisTick: { show: false },
      axisLine: { lineStyle: { color: '#d5dbe5' } },
      axisLabel: { color: '#1f2d3d', fontSize: 12, width: 150, overflow: 'truncate' },
    },
    series: [
      {
        type: 'bar', id: 'rate', name: labels.rate, barMaxWidth: 18, barMinHeight: 2, // 0 % still shows
        data: shown.map((r) => ({
          value: percent(r.rate) ?? 0,
          itemStyle: { color: TONE_COLORS[rateTone(r.rate, overall)], borderRadius: [0, 3, 3, 0] },
        })),
        label: {
          show: true, position: 'right', color: '#1f2d3d', fontSize: 11, backgroundColor: '#fff', padding: [1, 3],
          formatter: (p: unknown) => {
            const r = shown[(p as { dataIndex: number }).dataIndex]
            return r ? `${formatRate(r.rate)} {n|${labels.count(r.surveyed)}}` : ''
          },
          rich: { n: { color: '#8492a6', fontSize: 11 } },
        },
        markLine: overallMark(overall, labels, 'xAxis'),
      },
    ],
  }
}
