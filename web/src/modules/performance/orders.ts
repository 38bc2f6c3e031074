// 工单报表's pure parts (tested with Vitest): the controls ⇄ URL ⇄ the API's queries (a period in the centre's days,
// default the last 7; a grouping, default 按分类), minutes as h:mm, each row's name, and the two charts (by day:
// 登记 and 办结 bars with the on-time rate as a line; otherwise the 20 groups with most orders as 登记 bars with the
// p90 resolve time as a line).
import type { ChartOption } from '@/components/chartOption'
import { AXIS_LABEL, LEGEND, SPLIT_LINE, percent } from '@/utils/charts'
import { lastDays, one, rangeFromQuery, rangeToQuery, type QueryValue } from '@/utils/periods'
import { centreToday } from '@/utils/time'
import type { OrderKpiItem, OrderKpiQuery } from './api'
import { DEFAULT_DAYS, MAX_DAYS, minuteTicks } from './format'

export const ORDER_GROUPS = ['category', 'type', 'unit', 'area', 'channel', 'day'] as const
export type OrderGroup = (typeof ORDER_GROUPS)[number]
export const STAGES = ['accept', 'arrive', 'resolve'] as const
export type Stage = (typeof STAGES)[number]

export interface OrderControls {
  from: string
  to: string
  groupBy: OrderGroup
}

export function defaultOrderControls(today: string = centreToday()): OrderControls {
  return { ...lastDays(DEFAULT_DAYS, today), groupBy: 'category' }
}

/** The controls a URL's query says; anything missing or malformed is the default. */
export function orderControlsFromQuery(query: Record<string, QueryValue>, today: string = centreToday()): OrderControls {
  const c = { ...defaultOrderControls(today), ...rangeFromQuery(query, { latest: today, maxDays: MAX_DAYS }) }
  const group = one(query.group_by)
  if ((ORDER_GROUPS as readonly string[]).includes(group)) c.groupBy = group as OrderGroup
  return c
}

/** The URL query of the controls, defaults left out. */
export function orderControlsToQuery(c: OrderControls, today: string = centreToday()): Record<string, string> {
  const d = defaultOrderControls(today)
  const q: Record<string, string> = { ...rangeToQuery(c, d) }
  if (c.groupBy !== d.groupBy) q.group_by = c.groupBy
  return q
}

export function orderTotalParams(c: OrderControls): OrderKpiQuery {
  return { from: c.from, to: c.to, group_by: 'none' }
}

export function orderGroupParams(c: OrderControls): OrderKpiQuery {
  return { from: c.from, to: c.to, group_by: c.groupBy }
}

/** Minutes as h:mm ("0:07", "3:01", "26:40"), rounded to the minute; "—" for none. */
export function formatMinutes(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined || !Number.isFinite(minutes)) return '—'
  const m = Math.round(minutes)
  return `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}`
}

export interface OrderNameWords {
  type: (key: string) => string
  channel: (key: string) => string
  /** a unit or area row of the orders with none (key "0") */
  none: string
}

/** A row's name: the category, unit or area's name; the type or channel in words; the day. */
export function orderRowName(item: Pick<OrderKpiItem, 'key' | 'label'>, group: OrderGroup, words: OrderNameWords): string {
  if (group === 'type') return words.type(item.key)
  if (group === 'channel') return words.channel(item.key)
  if (group === 'day') return item.key
  if (item.key === '0' || !item.key) return words.none
  return item.label && item.label !== '—' ? item.label : `#${item.key}`
}

export const ORDER_CHART_LIMIT = 20

/** The groups the chart draws: most registered first (then most closed), at most ORDER_CHART_LIMIT. */
export function busiestOrders(items: readonly OrderKpiItem[], limit = ORDER_CHART_LIMIT): OrderKpiItem[] {
  return [...items].sort((a, b) => b.registered - a.registered || b.closed - a.closed || a.key.localeCompare(b.key)).slice(0, limit)
}

export interface OrderChartLabels {
  registered: string
  closed: string
  onTime: string
  p90: string
  name: (row: OrderKpiItem) => string
}

export const ORDER_COLORS = { registered: '#a9c1f5', closed: '#2f6fed', onTime: '#16a34a', p90: '#d97706' }

/** By day: 登记 and 办结 bars (left), the on-time rate as a line (right, 0–100 %). */
export function dayChartOption(rows: readonly OrderKpiItem[], labels: OrderChartLabels): ChartOption {
  return {
    grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
    legend: LEGEND,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: {
      type: 'category', data: rows.map((r) => r.key.slice(5)), axisTick: { show: false },
      axisLine: { lineStyle: { color: '#d5dbe5' } }, axisLabel: { ...AXIS_LABEL, hideOverlap: true },
    },
    yAxis: [
      { type: 'value', minInterval: 1, splitLine: SPLIT_LINE, axisLabel: AXIS_LABEL },
      { type: 'value', min: 0, max: 100, splitLine: { show: false }, axisLabel: { ...AXIS_LABEL, formatter: '{value}%' } },
    ],
    series: [
      { type: 'bar', id: 'registered', name: labels.registered, barMaxWidth: 18, itemStyle: { color: ORDER_COLORS.registered, borderRadius: [3, 3, 0, 0] }, data: rows.map((r) => r.registered) },
      { type: 'bar', id: 'closed', name: labels.closed, barMaxWidth: 18, itemStyle: { color: ORDER_COLORS.closed, borderRadius: [3, 3, 0, 0] }, data: rows.map((r) => r.closed) },
      {
        type: 'line', id: 'onTime', name: labels.onTime, yAxisIndex: 1, connectNulls: false, symbol: 'circle', symbolSize: 5,
        itemStyle: { color: ORDER_COLORS.onTime }, lineStyle: { width: 2, color: ORDER_COLORS.onTime },
        data: rows.map((r) => percent(r.on_time_rate)),
      },
    ],
  }
}

/** By a group: 登记 bars (left), the p90 resolve time as a line (right, h:mm). */
export function groupOrderChartOption(rows: readonly OrderKpiItem[], labels: OrderChartLabels): ChartOption {
  return {
    grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
    legend: LEGEND,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: {
      type: 'category', data: rows.map(labels.name), axisTick: { show: false }, axisLine: { lineStyle: { color: '#d5dbe5' } },
      axisLabel: { color: '#1f2d3d', fontSize: 12, interval: 0, width: 80, overflow: 'truncate', hideOverlap: true },
    },
    yAxis: [
      { type: 'value', minInterval: 1, splitLine: SPLIT_LINE, axisLabel: AXIS_LABEL },
      {
        // whole hours (minuteTicks steps in 60s of its unit: here minutes)
        type: 'value', min: 0, ...minuteTicks(rows.map((r) => r.response.resolve.p90)), splitLine: { show: false },
        axisLabel: { ...AXIS_LABEL, formatter: (v: number) => formatMinutes(v) },
      },
    ],
    series: [
      {
        type: 'bar', id: 'registered', name: labels.registered, barMaxWidth: 28,
        itemStyle: { color: ORDER_COLORS.closed, borderRadius: [3, 3, 0, 0] },
        label: { show: true, position: 'top', color: '#1f2d3d', fontSize: 11 }, data: rows.map((r) => r.registered),
      },
      {
        type: 'line', id: 'p90', name: labels.p90, yAxisIndex: 1, connectNulls: false, symbol: 'circle', symbolSize: 6,
        itemStyle: { color: ORDER_COLORS.p90 }, lineStyle: { width: 2, color: ORDER_COLORS.p90 },
        data: rows.map((r) => (r.response.resolve.p90 === null ? null : Math.round(r.response.resolve.p90))),
      },
    ],
  }
}
