// 预警's pure parts (tested with Vitest): the tab in the URL, a warning's value and baseline in its rule's unit
// (a count for a spike, a percentage for the service level or abandonment, a clock for a wait), and the spike's
// history chart (the last weeks' counts at the same slot, this week's highlighted, the median dashed).
import type { ChartOption } from '@/components/chartOption'
import { formatRate } from '@/utils/format'
import { formatSeconds } from '@/utils/time'
import type { KpiWarning, WarningState } from './api'

export const TABS = ['open', 'acknowledged', 'all'] as const satisfies readonly WarningState[]
export type Tab = (typeof TABS)[number]

/** The rules the server knows (docs/kpis.md); another one is shown by the API's name. */
export const RULES = ['spike_orders', 'spike_calls', 'sl_low', 'abandon_high', 'wait_long'] as const

/** The tab a URL's `?tab=` names; 未处理 (open) by default. */
export function tabOf(value: unknown): Tab {
  const v = Array.isArray(value) ? value[0] : value
  return (TABS as readonly unknown[]).includes(v) ? (v as Tab) : 'open'
}

export function isSpike(rule: string): boolean {
  return rule.startsWith('spike')
}

/** The element's colour of a rule: red for the floor's live figures, amber for volume spikes. */
export function ruleTone(rule: string): 'danger' | 'warning' {
  return isSpike(rule) ? 'warning' : 'danger'
}

/** A figure of the warning in its rule's unit: a count, a percentage, a clock; "—" for none. */
export function formatFigure(rule: string, value: number | null | undefined): string {
  if (value === null || value === undefined) return '—'
  if (rule === 'sl_low' || rule === 'abandon_high') return formatRate(value)
  if (rule === 'wait_long') return formatSeconds(value)
  return String(Math.round(value * 10) / 10)
}

/** The modified z-score, two decimals ("—" for a limit rule). */
export function formatScore(score: number | null | undefined): string {
  return score === null || score === undefined ? '—' : score.toFixed(2)
}

export interface HistoryLabels {
  /** an earlier week's bar: "-8周" */
  weeksAgo: (n: number) => string
  /** this week's bar: "本周" */
  thisWeek: string
  /** the dashed line: "中位数" */
  median: string
}

export const HISTORY_COLORS = { past: '#9db4d6', now: '#e5484d', median: '#d97706' }

/** A spike's history as a small bar chart: the last weeks at the same weekday and slot (oldest first), then this
 * week's count in red, the median as a dashed line. */
export function historyChartOption(w: Pick<KpiWarning, 'history' | 'value' | 'baseline'>, labels: HistoryLabels): ChartOption {
  const n = w.history.length
  const names = [...w.history.map((_, i) => labels.weeksAgo(n - i)), labels.thisWeek]
  const data = [
    ...w.history.map((v) => ({ value: v, itemStyle: { color: HISTORY_COLORS.past } })),
    { value: w.value, itemStyle: { color: HISTORY_COLORS.now } },
  ]
  return {
    grid: { left: 4, right: 4, top: 14, bottom: 2, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: {
      type: 'category', data: names, axisTick: { show: false },
      axisLine: { lineStyle: { color: '#d5dbe5' } }, axisLabel: { color: '#8492a6', fontSize: 10, interval: 0 },
    },
    yAxis: { type: 'value', minInterval: 1, splitNumber: 2, splitLine: { lineStyle: { color: '#eef1f5' } }, axisLabel: { color: '#8492a6', fontSize: 10 } },
    series: [
      {
        type: 'bar', id: 'history', barMaxWidth: 14, data,
        label: { show: true, position: 'top', fontSize: 10, color: '#5a6b82' },
        markLine: w.baseline === null || w.baseline === undefined ? undefined : {
          silent: true, symbol: 'none', label: { show: false },
          lineStyle: { type: 'dashed', color: HISTORY_COLORS.median }, data: [{ yAxis: w.baseline, name: labels.median }],
        },
      },
    ],
  }
}
