// 话务报表's pure parts (tested with Vitest): the page's controls ⇄ its URL ⇄ the API's query, the figures as the
// page writes them (rates as percentages half up, times as clocks, "—" for none), each row's name, and the two
// charts (by day or interval: 呼入 and 接通 bars with the service level as a line; by agent or queue: 接通 bars
// with AHT as a line).
import type { ChartOption } from '@/components/chartOption'
import { AXIS_LABEL, LEGEND, SPLIT_LINE, dataIndex, percent, tooltipHtml as tooltip } from '@/utils/charts'
import { formatRate } from '@/utils/format'
import { lastDays, one, rangeFromQuery, rangeToQuery, type QueryValue, type QuickRange } from '@/utils/periods'
import { centreToday, daysBetween, formatSeconds } from '@/utils/time'
import type { CallKpiItem, CallKpiQuery, CallKpis } from './api'

// ---------------------------------------------------------------- the controls (in the URL)

/** The groupings as tabs (the server's `group_by` values but `none`, which the KPI cards read). */
export const GROUPS = ['day', 'interval', 'agent', 'queue'] as const
export type Group = (typeof GROUPS)[number]
/** The lengths of an interval the server cuts, in minutes. */
export const INTERVALS = [15, 30, 60] as const
export type Interval = (typeof INTERVALS)[number]
/** The service-level variants of kpis.md, F1–F5. */
export const VARIANTS = ['F1', 'F2', 'F3', 'F4', 'F5'] as const
export type Variant = (typeof VARIANTS)[number]

/** The period when the URL names none: the last 7 days, today included. */
export const DEFAULT_DAYS = 7
/** The longest period the server answers (days). */
export const MAX_DAYS = 800
export const DEFAULT_INTERVAL: Interval = 60

export interface Controls {
  /** first and last day, both included, "YYYY-MM-DD" in the centre's zone */
  from: string
  to: string
  groupBy: Group
  /** minutes, for 按时段 */
  interval: Interval
}

export function defaultControls(today: string = centreToday()): Controls {
  return { ...lastDays(DEFAULT_DAYS, today), groupBy: 'day', interval: DEFAULT_INTERVAL }
}

/** The controls a URL's query says: two real days in order, none after today, at most MAX_DAYS; a known
 * grouping and interval. Anything missing or malformed is the default. */
export function controlsFromQuery(query: Record<string, QueryValue>, today: string = centreToday()): Controls {
  const c = { ...defaultControls(today), ...rangeFromQuery(query, { latest: today, maxDays: MAX_DAYS }) }
  const group = one(query.group_by)
  if ((GROUPS as readonly string[]).includes(group)) c.groupBy = group as Group
  const interval = Number(one(query.interval))
  if ((INTERVALS as readonly number[]).includes(interval)) c.interval = interval as Interval
  return c
}

/** The URL query of the controls, defaults left out (a plain /kpis/calls is the last 7 days by day); the
 * interval only for 按时段. */
export function controlsToQuery(c: Controls, today: string = centreToday()): Record<string, string> {
  const d = defaultControls(today)
  const q: Record<string, string> = { ...rangeToQuery(c, d) }
  if (c.groupBy !== d.groupBy) q.group_by = c.groupBy
  if (c.groupBy === 'interval' && c.interval !== d.interval) q.interval = String(c.interval)
  return q
}

/** The query of the period's totals (the KPI cards): group_by=none. */
export function totalParams(c: Controls): CallKpiQuery {
  return { from: c.from, to: c.to, group_by: 'none' }
}

/** The query of the grouped figures (the chart and the table). */
export function groupParams(c: Controls): CallKpiQuery {
  return c.groupBy === 'interval'
    ? { from: c.from, to: c.to, group_by: 'interval', interval: c.interval }
    : { from: c.from, to: c.to, group_by: c.groupBy }
}

/** The date picker's quick periods: 今天, 近7天, 近30天, 本月, 上月. */
export const SHORTCUTS = ['today', 'last7', 'last30', 'thisMonth', 'lastMonth'] as const satisfies readonly QuickRange[]

// ---------------------------------------------------------------- figures

/** A time in seconds as a clock ("0:22", "4:20"), "—" for none: `formatSeconds` of utils/time. */
export function formatTime(seconds: number | null | undefined): string {
  return formatSeconds(seconds)
}

/** The service level of the centre's variant (F3 unless the centre chose another). */
export function serviceLevel(item: Pick<CallKpiItem, 'service_level'>, variant: string): number | null {
  return (item.service_level as Record<string, number | null | undefined>)[variant] ?? null
}

/** The N-second 人工接通率 (N = 15, 20, 30). */
export function withinRate(item: Pick<CallKpiItem, 'answered_within_rate'>, seconds: 15 | 20 | 30): number | null {
  return item.answered_within_rate[String(seconds)] ?? null
}

/** The period's figures from a group_by=none answer (none when the answer has no row). */
export function totalOf(figures: CallKpis | undefined): CallKpiItem | undefined {
  return figures?.items[0]
}

/** Nothing at all happened in the period: no call offered, left in the IVR, blocked or placed. */
export function isQuiet(item: CallKpiItem | undefined): boolean {
  return !item || item.offered + item.ivr_only + item.blocked + item.outbound === 0
}

/** A row's key as the table's `data-key`: the API's key, "none" for an agent's null (nobody answered). */
export function rowKey(item: Pick<CallKpiItem, 'key'>): string {
  return item.key === null || item.key === undefined ? 'none' : String(item.key)
}

export interface NameWords {
  /** the agent row of the calls nobody answered: 未接通 */
  unanswered: string
  /** a queue row without a queue: 未分队列 */
  noQueue: string
  /** an agent whose name is gone: "坐席 #12" */
  agent: (id: string) => string
}

/** A row's name: the day; the interval's start "2026-12-01 08:30"; the agent's name; the queue. */
export function nameOf(item: Pick<CallKpiItem, 'key' | 'label'>, group: Group, words: NameWords): string {
  const key = item.key
  if (group === 'agent') {
    if (key === null || key === undefined) return words.unanswered
    return item.label || words.agent(String(key))
  }
  if (key === null || key === undefined || key === '') return group === 'queue' ? words.noQueue : '—'
  if (group === 'interval') return String(key).replace('T', ' ')
  return String(key)
}

/** The interval keys of a period, in order ("2026-12-01T08:30"): every interval of every day. */
export function intervalKeys(from: string, to: string, minutes: number): string[] {
  const out: string[] = []
  const pad = (n: number) => String(n).padStart(2, '0')
  for (const day of daysBetween(from, to)) {
    for (let m = 0; m < 24 * 60; m += minutes) out.push(`${day}T${pad(Math.floor(m / 60))}:${pad(m % 60)}`)
  }
  return out
}

/** The most buckets the time chart fills in; a longer period draws the buckets that had calls only. */
export const FILL_LIMIT = 400

function emptyItem(key: string): CallKpiItem {
  return {
    key, label: null, offered: 0, answered: 0, abandoned: 0, short_abandoned: 0, ivr_only: 0, blocked: 0,
    answered_within: 0, abandoned_within: 0,
    service_level: { F1: null, F2: null, F3: null, F4: null, F5: null },
    answer_rate: null, answered_within_rate: { '15': null, '20': null, '30': null }, abandon_rate: null,
    asa: null, longest_wait: null, aht: null, acw: null, avg_talk: null, avg_hold: null, occupancy: null,
    outbound: 0, outbound_connected: 0,
  }
}

/** The rows the time chart draws: every day (or interval) of the period in order, a quiet one with zero calls
 * and no service level; beyond FILL_LIMIT buckets only the API's rows. */
export function timeRows(
  items: readonly CallKpiItem[], group: 'day' | 'interval', from: string, to: string, interval: number,
): CallKpiItem[] {
  const keys = group === 'day' ? daysBetween(from, to) : intervalKeys(from, to, interval)
  if (!keys.length || keys.length > FILL_LIMIT) return [...items]
  const byKey = new Map(items.map((r) => [String(r.key), r]))
  return keys.map((k) => byKey.get(k) ?? emptyItem(k))
}

/** The agents or queues the chart draws: most answered first (then most offered), at most `limit`; not the
 * agents' 未接通 row (nobody answered those calls: the table shows it). */
export const CHART_LIMIT = 20

export function busiestFirst(items: readonly CallKpiItem[], group: 'agent' | 'queue', limit = CHART_LIMIT): CallKpiItem[] {
  return items
    .filter((r) => group !== 'agent' || r.key !== null)
    .sort((a, b) => b.answered - a.answered || b.offered - a.offered || String(a.key).localeCompare(String(b.key)))
    .slice(0, limit)
}

// ---------------------------------------------------------------- the charts

export interface ChartLabels {
  offered: string
  answered: string
  /** the service level's name with its variant: "服务水平 F3" */
  serviceLevel: string
  aht: string
  name: (row: CallKpiItem) => string
  number: (n: number) => string
}

export const COLORS = { offered: '#a9c1f5', answered: '#2f6fed', level: '#16a34a', aht: '#d97706' }

/** A time bucket's label on the axis: "12-01" (or the whole day across years); "12-01 08:30" for an interval. */
export function timeLabel(key: string, group: 'day' | 'interval', sameYear: boolean): string {
  const k = sameYear ? key.slice(5) : key
  return group === 'interval' ? k.replace('T', ' ') : k
}

/** By day or interval: 呼入 and 接通 as bars (left axis), the service level as a line (right axis, 0–100 %). */
export function timeChartOption(
  rows: readonly CallKpiItem[], group: 'day' | 'interval', variant: string, labels: ChartLabels,
): ChartOption {
  const sameYear = rows.length > 0 && String(rows[0].key).slice(0, 4) === String(rows[rows.length - 1].key).slice(0, 4)
  return {
    grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
    legend: LEGEND,
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow', shadowStyle: { color: 'rgba(47,111,237,0.06)' } },
      formatter: (raw: unknown) => {
        const row = rows[dataIndex(raw)]
        if (!row) return ''
        return tooltip(labels.name(row), [
          [labels.offered, labels.number(row.offered), COLORS.offered],
          [labels.answered, labels.number(row.answered), COLORS.answered],
          [labels.serviceLevel, formatRate(serviceLevel(row, variant)), COLORS.level],
        ])
      },
    },
    xAxis: {
      type: 'category',
      data: rows.map((r) => timeLabel(String(r.key), group, sameYear)),
      axisTick: { show: false },
      axisLine: { lineStyle: { color: '#d5dbe5' } },
      axisLabel: { ...AXIS_LABEL, hideOverlap: true },
    },
    yAxis: [
      { type: 'value', minInterval: 1, splitLine: SPLIT_LINE, axisLabel: AXIS_LABEL },
      { type: 'value', min: 0, max: 100, splitLine: { show: false }, axisLabel: { ...AXIS_LABEL, formatter: '{value}%' } },
    ],
    series: [
      {
        type: 'bar', id: 'offered', name: labels.offered, yAxisIndex: 0, barMaxWidth: 18, barGap: '10%',
        itemStyle: { color: COLORS.offered, borderRadius: [3, 3, 0, 0] },
        data: rows.map((r) => r.offered),
      },
      {
        type: 'bar', id: 'answered', name: labels.answered, yAxisIndex: 0, barMaxWidth: 18,
        itemStyle: { color: COLORS.answered, borderRadius: [3, 3, 0, 0] },
        data: rows.map((r) => r.answered),
      },
      {
        type: 'line', id: 'level', name: labels.serviceLevel, yAxisIndex: 1, connectNulls: false,
        symbol: 'circle', symbolSize: 5, itemStyle: { color: COLORS.level }, lineStyle: { width: 2, color: COLORS.level },
        data: rows.map((r) => percent(serviceLevel(r, variant))),
      },
    ],
  }
}

/** A time axis in whole minutes: four or so steps of a whole number of minutes up to the longest time. */
export function minuteTicks(seconds: readonly (number | null)[]): { interval: number; max: number } {
  const longest = Math.max(60, ...seconds.filter((s): s is number => s !== null))
  const step = Math.ceil(longest / 4 / 60) * 60
  return { interval: step, max: step * Math.ceil(longest / step) }
}

/** By agent or queue: 接通 as bars (left axis), AHT as a line (right axis, a clock). */
export function groupChartOption(rows: readonly CallKpiItem[], labels: ChartLabels): ChartOption {
  return {
    grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
    legend: LEGEND,
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow', shadowStyle: { color: 'rgba(47,111,237,0.06)' } },
      formatter: (raw: unknown) => {
        const row = rows[dataIndex(raw)]
        if (!row) return ''
        return tooltip(labels.name(row), [
          [labels.answered, labels.number(row.answered), COLORS.answered],
          [labels.aht, formatTime(row.aht), COLORS.aht],
        ])
      },
    },
    xAxis: {
      type: 'category',
      data: rows.map(labels.name),
      axisTick: { show: false },
      axisLine: { lineStyle: { color: '#d5dbe5' } },
      axisLabel: { color: '#1f2d3d', fontSize: 12, interval: 0, width: 80, overflow: 'truncate', hideOverlap: true },
    },
    yAxis: [
      { type: 'value', minInterval: 1, splitLine: SPLIT_LINE, axisLabel: AXIS_LABEL },
      {
        type: 'value', min: 0, ...minuteTicks(rows.map((r) => r.aht)), splitLine: { show: false },
        axisLabel: { ...AXIS_LABEL, formatter: (v: number) => formatTime(v) },
      },
    ],
    series: [
      {
        type: 'bar', id: 'answered', name: labels.answered, yAxisIndex: 0, barMaxWidth: 28,
        itemStyle: { color: COLORS.answered, borderRadius: [3, 3, 0, 0] },
        label: { show: true, position: 'top', color: '#1f2d3d', fontSize: 11 },
        data: rows.map((r) => r.answered),
      },
      {
        type: 'line', id: 'aht', name: labels.aht, yAxisIndex: 1, connectNulls: false,
        symbol: 'circle', symbolSize: 6, itemStyle: { color: COLORS.aht }, lineStyle: { width: 2, color: COLORS.aht },
        data: rows.map((r) => (r.aht === null ? null : Math.round(r.aht))),
      },
    ],
  }
}
