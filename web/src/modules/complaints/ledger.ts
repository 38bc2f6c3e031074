// The complaint desk's and the ledger's rules, pure (Vitest): the month, signed points, reversed entries, the
// people a praise order currently names, the root-cause Pareto chart, a title rule's form ⇄ body.
import type { ChartOption } from '@/components/chartOption'
import { matrixHeatmapOption } from '@/utils/charts'
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

// the Pareto chart is shared (utils/charts.ts); the desk and its tests take it from here
export { pareto, paretoOption, type ParetoRow } from '@/utils/charts'

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
  const data = known.map((c) => [months.indexOf(c.month), keys.indexOf(c.key), c.complaints] as const)
  return matrixHeatmapOption({
    x: months.map((m) => m.slice(2).replace('-', '/')),
    y: keys.map((k) => totals.get(k)?.name ?? k),
    data,
    label,
  })
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
