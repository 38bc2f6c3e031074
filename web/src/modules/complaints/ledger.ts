// The complaint desk's and the ledger's rules, pure (Vitest): the month, signed points, reversed entries, the
// people a praise order currently names, the root-cause Pareto chart, a title rule's form ⇄ body.
import type { ChartOption } from '@/components/chartOption'
import { centreToday } from '@/utils/time'
import type { LedgerEntry, TitleRule, TitleRuleUpdate } from './api'

export const STAFF_POSTS = ['meter_reader', 'inspector', 'repairer', 'handler', 'head', 'other'] as const
export const TITLE_KINDS = ['no_valid_complaint_ytd', 'top_points_month', 'min_points_month'] as const
export type TitleKind = (typeof TITLE_KINDS)[number]

/** The month of a centre day ("2025-03-14" → "2025-03"); default this month in the centre. */
export function monthOf(day: string = centreToday()): string {
  return day.slice(0, 7)
}

/** Whether a `?month=` value is a month (YYYY-MM, 01–12). */
export function isMonth(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-(0[1-9]|1[0-2])$/.test(value)
}

/** Points with their sign: +2, −3 (a real minus), 0. */
export function signed(points: number): string {
  if (points > 0) return `+${points}`
  if (points < 0) return `−${-points}`
  return '0'
}

/** The ids of entries a later entry reverses (冲销: a changed verdict or commendation). */
export function reversedIds(entries: readonly Pick<LedgerEntry, 'reverses'>[]): Set<number> {
  return new Set(entries.flatMap((e) => (e.reverses ? [e.reverses] : [])))
}

/** The people a praise order names now: its praise entries net of reversals, person by person. */
export function praisedNow(
  entries: readonly Pick<LedgerEntry, 'order_id' | 'kind' | 'person_id' | 'points'>[], orderId: number,
): number[] {
  const net = new Map<number, number>()
  for (const e of entries) {
    if (e.order_id !== orderId || e.kind !== 'praise') continue
    net.set(e.person_id, (net.get(e.person_id) ?? 0) + e.points)
  }
  return [...net].filter(([, n]) => n > 0).map(([id]) => id).sort((a, b) => a - b)
}

export interface ParetoRow {
  key: string
  name: string
  count: number
  /** cumulative share in percent (0–100, one decimal) */
  cumulative: number
}

/** Rows with a known key, most first, each with the cumulative share of the total. */
export function pareto(rows: readonly { key: string; count: number; name: string }[]): ParetoRow[] {
  const known = rows.filter((r) => r.key !== '' && r.count > 0).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))
  const total = known.reduce((n, r) => n + r.count, 0)
  let running = 0
  return known.map((r) => {
    running += r.count
    return { key: r.key, name: r.name, count: r.count, cumulative: total ? Math.round((running / total) * 1000) / 10 : 0 }
  })
}

/** Bars of the counts (most first) and a line of the cumulative share on a 0–100 % axis, 80 % marked. */
export function paretoOption(rows: readonly ParetoRow[], labels: { count: string; cumulative: string }): ChartOption {
  const axisLabel = { color: '#5a6b82', fontSize: 11 }
  return {
    grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis' },
    legend: { top: 0, data: [labels.count, labels.cumulative] },
    xAxis: { type: 'category', data: rows.map((r) => r.name), axisTick: { show: false }, axisLabel: { ...axisLabel, interval: 0 } },
    yAxis: [
      { type: 'value', minInterval: 1, axisLabel, splitLine: { lineStyle: { color: '#eef1f5' } } },
      { type: 'value', min: 0, max: 100, axisLabel: { ...axisLabel, formatter: '{value}%' }, splitLine: { show: false } },
    ],
    series: [
      {
        type: 'bar', name: labels.count, data: rows.map((r) => r.count), barMaxWidth: 36,
        itemStyle: { color: '#409eff', borderRadius: [3, 3, 0, 0] },
        label: { show: true, position: 'insideTop', fontSize: 11, color: '#fff' },
      },
      {
        type: 'line', name: labels.cumulative, yAxisIndex: 1, data: rows.map((r) => r.cumulative), smooth: false,
        symbolSize: 6, itemStyle: { color: '#e6a23c' }, label: { show: true, formatter: '{c}%', fontSize: 10, color: '#b88230' },
        markLine: {
          silent: true, symbol: 'none', lineStyle: { type: 'dashed', color: '#f56c6c' },
          data: [{ yAxis: 80 }], label: { formatter: '80%', color: '#f56c6c', position: 'insideStartTop' },
        },
      },
    ],
  }
}

/** The `n` calendar months ending with today's: the first day of the first one, today, and the months ("YYYY-MM"). */
export function lastMonths(today: string, n = 12): { from: string; to: string; months: string[] } {
  const y = Number(today.slice(0, 4))
  const m = Number(today.slice(5, 7))
  const months: string[] = []
  for (let i = n - 1; i >= 0; i--) {
    const k = y * 12 + (m - 1) - i
    months.push(`${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`)
  }
  return { from: `${months[0]}-01`, to: today, months }
}

export interface MonthCellIn {
  key: string
  name: string
  month: string
  complaints: number
}

/** A heatmap of complaints by group (rows, most complaints in all on top) and month (columns); a cell with none
 * is left out. The groups with a known key only. */
export function monthHeatmapOption(cells: readonly MonthCellIn[], months: readonly string[], label: string): ChartOption {
  const known = cells.filter((c) => c.key !== '' && c.complaints > 0 && months.includes(c.month))
  const totals = new Map<string, { name: string; n: number }>()
  for (const c of known) {
    const t = totals.get(c.key) ?? { name: c.name, n: 0 }
    t.n += c.complaints
    totals.set(c.key, t)
  }
  // most at the top: a category y axis draws its first entry at the bottom
  const keys = [...totals].sort((a, b) => a[1].n - b[1].n || b[1].name.localeCompare(a[1].name)).map(([k]) => k)
  const data = known.map((c) => [months.indexOf(c.month), keys.indexOf(c.key), c.complaints])
  const max = Math.max(1, ...known.map((c) => c.complaints))
  const axisLabel = { color: '#5a6b82', fontSize: 11 }
  return {
    grid: { left: 8, right: 8, top: 8, bottom: 44, containLabel: true },
    tooltip: { position: 'top' },
    xAxis: { type: 'category', data: months.map((m) => m.slice(2).replace('-', '/')), splitArea: { show: true }, axisLabel },
    yAxis: { type: 'category', data: keys.map((k) => totals.get(k)?.name ?? k), splitArea: { show: true }, axisLabel },
    visualMap: {
      min: 0, max, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, itemWidth: 10,
      inRange: { color: ['#eaf1fe', '#79bbff', '#f89898', '#c45656'] }, textStyle: { color: '#5a6b82', fontSize: 11 },
    },
    series: [
      {
        type: 'heatmap', name: label, data, label: { show: true, fontSize: 11 },
        emphasis: { itemStyle: { shadowBlur: 6, shadowColor: 'rgba(0, 0, 0, 0.3)' } },
      },
    ],
  }
}

export interface RuleForm {
  name: string
  kind: TitleKind | ''
  top_n: number
  min_points: number
  posts: string[]
  is_active: boolean
}

export function ruleForm(rule: TitleRule): RuleForm {
  return {
    name: rule.name,
    kind: (TITLE_KINDS as readonly string[]).includes(rule.kind) ? (rule.kind as TitleKind) : '',
    top_n: rule.top_n,
    min_points: rule.min_points,
    posts: [...rule.posts],
    is_active: rule.is_active,
  }
}

/** What the form lacks, as a `ledger.rule.*` key, or ''. */
export function ruleProblem(f: RuleForm): string {
  if (!f.name.trim()) return 'ledger.rule.needName'
  if (!f.kind) return 'ledger.rule.needKind'
  return ''
}

/** The PATCH body: only what changed (an unchanged rule sends {}). */
export function ruleBody(f: RuleForm, rule: TitleRule): TitleRuleUpdate {
  const body: TitleRuleUpdate = {}
  if (f.name.trim() !== rule.name) body.name = f.name.trim()
  if (f.kind && f.kind !== rule.kind) body.kind = f.kind
  if (f.top_n !== rule.top_n) body.top_n = f.top_n
  if (f.min_points !== rule.min_points) body.min_points = f.min_points
  const posts = [...f.posts].sort()
  if (posts.join() !== [...rule.posts].sort().join()) body.posts = posts as TitleRuleUpdate['posts']
  if (f.is_active !== rule.is_active) body.is_active = f.is_active
  return body
}
