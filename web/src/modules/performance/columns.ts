// The columns of 话务报表's table (pure, tested with Vitest): what each shows of a row, how it writes it and
// how it sorts (a "—" sorts below every figure).
import type { CallKpiItem } from './api'
import { formatRate } from '@/utils/format'
import { formatTime, serviceLevel, withinRate } from './format'

export interface Column {
  /** the hook: `row-<id>` on each cell, `total-<id>` on the total's */
  id: string
  /** the locale key of the header (under callKpis.col) */
  label: string
  /** the locale key of the header's hint (under callKpis.colHint), if any */
  hint?: string
  width: number
  value: (row: CallKpiItem, variant: string) => number | null
  text: (row: CallKpiItem, variant: string, count: (n: number) => string) => string
}

const count = (pick: (r: CallKpiItem) => number): Pick<Column, 'value' | 'text'> => ({
  value: (r) => pick(r),
  text: (r, _v, fmt) => fmt(pick(r)),
})
const rate = (pick: (r: CallKpiItem, variant: string) => number | null): Pick<Column, 'value' | 'text'> => ({
  value: pick,
  text: (r, v) => formatRate(pick(r, v)),
})
const time = (pick: (r: CallKpiItem) => number | null): Pick<Column, 'value' | 'text'> => ({
  value: (r) => pick(r),
  text: (r) => formatTime(pick(r)),
})

export const COLUMNS: Column[] = [
  { id: 'offered', label: 'offered', width: 56, ...count((r) => r.offered) },
  { id: 'answered', label: 'answered', width: 56, ...count((r) => r.answered) },
  { id: 'abandoned', label: 'abandoned', width: 56, ...count((r) => r.abandoned) },
  { id: 'short', label: 'short', hint: 'short', width: 66, ...count((r) => r.short_abandoned) },
  { id: 'ivr', label: 'ivr', hint: 'ivr', width: 54, ...count((r) => r.ivr_only) },
  { id: 'answer-rate', label: 'answerRate', width: 66, ...rate((r) => r.answer_rate) },
  { id: 'within20', label: 'within20', width: 90, ...rate((r) => withinRate(r, 20)) },
  { id: 'sl', label: 'serviceLevel', width: 76, ...rate((r, v) => serviceLevel(r, v)) },
  { id: 'asa', label: 'asa', width: 56, ...time((r) => r.asa) },
  { id: 'longest', label: 'longest', width: 78, ...time((r) => r.longest_wait) },
  { id: 'aht', label: 'aht', width: 58, ...time((r) => r.aht) },
  { id: 'acw', label: 'acw', width: 60, ...time((r) => r.acw) },
  { id: 'talk', label: 'talk', width: 78, ...time((r) => r.avg_talk) },
  { id: 'occupancy', label: 'occupancy', width: 66, ...rate((r) => r.occupancy) },
  { id: 'outbound', label: 'outbound', hint: 'outbound', width: 56, ...count((r) => r.outbound) },
]

/** A comparison of two rows by a column for el-table's sort: ascending, a "—" lowest. */
export function compareBy(column: Column, variant: string): (a: CallKpiItem, b: CallKpiItem) => number {
  return (a, b) => (column.value(a, variant) ?? -Infinity) - (column.value(b, variant) ?? -Infinity) || 0
}
