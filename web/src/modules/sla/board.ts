// The supervision board's pure parts: where each count leads (the order list, filtered to exactly the
// orders the count counts), the soon-minutes choices, and the stacked bar per unit.
import type { Schemas } from '@/api/client'
import type { ChartOption } from '@/components/chartOption'
import { emptyFilters, toQuery, type OrderFilters } from '@/modules/workorders/composables/useOrderFilters'

export type BoardRow = Schemas['BoardRow']
export type BoardField = 'open' | 'due_soon' | 'overdue' | 'escalated' | 'urged' | 'supervised'
export const FIELDS: BoardField[] = ['open', 'due_soon', 'overdue', 'escalated', 'urged', 'supervised']
export const SOON_CHOICES = [30, 60, 120] as const
export const DEFAULT_SOON = 60

export function soonFrom(q: unknown): number {
  const n = Number(Array.isArray(q) ? q[0] : q)
  return (SOON_CHOICES as readonly number[]).includes(n) ? n : DEFAULT_SOON
}

/**
 * The order list's filters behind one count. The board counts open (not closed) orders of exactly one
 * unit; the list's unit filter takes the unit with the units under it, and the row of orders no unit
 * holds is the dispatcher queue (registered orders). The totals row (`row` null) has no unit filter.
 */
export function boardFilters(row: BoardRow | null, field: BoardField, soonMinutes: number): Partial<OrderFilters> {
  const f: Partial<OrderFilters> = { state: ['open'] }
  if (row && row.unit_id !== null) f.unitId = row.unit_id
  else if (row) f.state = ['registered']
  if (field === 'due_soon') f.dueWithin = soonMinutes
  if (field === 'overdue') f.overdue = true
  if (field === 'escalated') f.escalated = true
  if (field === 'urged') f.supervision = 'urge'
  if (field === 'supervised') f.supervision = 'supervise'
  return f
}

/** The route of a count: /orders with its filters in the URL. */
export function boardLink(row: BoardRow | null, field: BoardField, soonMinutes: number) {
  return { name: 'orders', query: toQuery({ ...emptyFilters(), ...boardFilters(row, field, soonMinutes) }) }
}

export interface ChartLabels {
  unit: (row: BoardRow) => string
  overdue: string
  dueSoon: string
  rest: string
}

export const CHART_COLORS = { overdue: '#e5484d', dueSoon: '#f59e0b', rest: '#b8c2d1' }

/** Units with open orders, most overdue at the top: overdue, due soon and the other open ones stacked. */
export function boardChartOption(rows: BoardRow[], labels: ChartLabels, limit = 12): ChartOption {
  const shown = rows.filter((r) => r.open > 0).slice(0, limit).reverse() // the bar chart draws bottom-up
  const rest = (r: BoardRow) => Math.max(0, r.open - r.overdue - r.due_soon)
  const bar = (id: string, name: string, color: string, data: number[]) => ({
    type: 'bar' as const, id, name, stack: 'open', barMaxWidth: 18, itemStyle: { color },
    emphasis: { focus: 'series' as const }, data,
  })
  return {
    grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
    legend: { top: 0, left: 0, icon: 'roundRect', itemWidth: 12, itemHeight: 8, textStyle: { color: '#5a6b82', fontSize: 12 } },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: {
      type: 'value', minInterval: 1, splitLine: { lineStyle: { color: '#eef1f5' } },
      axisLabel: { color: '#8492a6', fontSize: 11 },
    },
    yAxis: {
      type: 'category', data: shown.map(labels.unit), axisTick: { show: false },
      axisLabel: { color: '#5a6b82', fontSize: 12, width: 150, overflow: 'truncate' },
    },
    series: [
      bar('overdue', labels.overdue, CHART_COLORS.overdue, shown.map((r) => r.overdue)),
      bar('due_soon', labels.dueSoon, CHART_COLORS.dueSoon, shown.map((r) => r.due_soon)),
      bar('open', labels.rest, CHART_COLORS.rest, shown.map(rest)),
    ],
  }
}

/** The rows the chart shows, top to bottom as drawn (for its click handler). */
export function chartRows(rows: BoardRow[], limit = 12): BoardRow[] {
  return rows.filter((r) => r.open > 0).slice(0, limit).reverse()
}
