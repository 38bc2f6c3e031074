// 月度考评's pure parts (tested with Vitest): the figures a scorecard item may be (the API's `scorecards.FIGURES`),
// each raw value in its unit, the month's state, the page's URL query, the link to the facts behind a figure
// as the web app's own pages read their URLs, the template editor's rows (rates as percentages) ⇄ the API's
// items, and the history chart.
import type { LocationQuery, RouteLocationRaw } from 'vue-router'
import type { ChartOption } from '@/components/chartOption'
import { formatRate } from '@/utils/format'
import { one } from '@/utils/periods'
import { formatSeconds } from '@/utils/time'
import type { ScorecardHistoryLine, ScorecardTemplateLine } from './api'
import { monthOf } from './league'

/** The figures an item may score, in the API's order (`huiyin/performance/scorecards.py` FIGURES). */
export const FIGURES = [
  'calls_handled', 'talk_hours', 'aht', 'acw', 'occupancy', 'qa_score', 'satisfaction', 'valid_complaints',
  'registrations_right',
] as const
export type Figure = (typeof FIGURES)[number]
export const isFigure = (code: string): code is Figure => (FIGURES as readonly string[]).includes(code)

/** Figures that are rates (0..1): written as percentages, edited as percentages. */
const RATES: readonly string[] = ['occupancy', 'satisfaction', 'registrations_right']
const SECONDS: readonly string[] = ['aht', 'acw']
const COUNTS: readonly string[] = ['calls_handled', 'valid_complaints']
export const isRate = (code: string) => RATES.includes(code)

/** A figure's raw value as the page writes it: rates as percentages, AHT and ACW as clocks, counts whole,
 * talk hours with two decimals, the QA score with one; "—" for none. */
export function formatFigure(code: string, raw: number | null | undefined): string {
  if (raw === null || raw === undefined || !Number.isFinite(raw)) return '—'
  if (RATES.includes(code)) return formatRate(raw)
  if (SECONDS.includes(code)) return formatSeconds(raw)
  if (COUNTS.includes(code)) return String(Math.round(raw))
  if (code === 'qa_score') return raw.toFixed(1)
  return raw.toFixed(2)
}

// ---------------------------------------------------------------- the month

export const STATES = ['draft', 'reviewed', 'published'] as const
export type CardState = (typeof STATES)[number]
export const stateTone = (state: string): 'info' | 'warning' | 'success' =>
  state === 'published' ? 'success' : state === 'reviewed' ? 'warning' : 'info'

/** What the latest version of a month allows: review a draft, publish a reviewed one; computing again is
 * always possible, but once reviewed or published it makes a new version and needs a reason. */
export function nextSteps(state: string | null | undefined): { review: boolean; publish: boolean; needsReason: boolean } {
  return {
    review: state === 'draft',
    publish: state === 'reviewed',
    needsReason: state === 'reviewed' || state === 'published',
  }
}

export interface PageQuery {
  month: string
  /** an agents' unit id ("0": the centre); "" for every group */
  group: string
  /** a version to read; null for the latest */
  version: number | null
  /** the agent whose items and history the drawer shows */
  agent: number | null
}

function positive(value: LocationQuery[string] | undefined, max: number): number | null {
  const n = Number(one(value))
  return /^\d+$/.test(one(value)) && n >= 1 && n <= max ? n : null
}

/** The page's controls from its URL: the month (default last month, none to come), the group, the version, the
 * agent opened. */
export function pageQueryOf(query: LocationQuery, today: string): PageQuery {
  const group = one(query.group)
  return {
    month: monthOf(query.month, today),
    group: /^\d{1,9}$/.test(group) ? group : '',
    version: positive(query.version, 1000),
    agent: positive(query.agent, 2 ** 31 - 1),
  }
}

/** The URL query of the controls, defaults left out (a plain /scorecards is last month's latest, every group). */
export function pageQueryTo(q: PageQuery, defaultMonth: string): Record<string, string> {
  const out: Record<string, string> = {}
  if (q.month !== defaultMonth) out.month = q.month
  if (q.group) out.group = q.group
  if (q.version) out.version = String(q.version)
  if (q.agent) out.agent = String(q.agent)
  return out
}

// ---------------------------------------------------------------- where the facts are

function isDayText(day: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(day)
}

/** The page listing the facts behind a figure, as the API names it (`/calls?agent_id=…&from=…&to=…`), in the
 * query those pages read: the call log takes wall-clock times and the order list `owner`; null for none. */
export function sourceLocation(source: string | null | undefined): (RouteLocationRaw & { path: string; query: Record<string, string> }) | null {
  if (!source || !source.startsWith('/')) return null
  const [path, search = ''] = source.split('?', 2)
  const query: Record<string, string> = Object.fromEntries(new URLSearchParams(search))
  if (path === '/calls' && isDayText(query.from ?? '') && isDayText(query.to ?? '')) {
    query.from = `${query.from} 00:00:00`
    query.to = `${query.to} 23:59:59`
  }
  if (path === '/orders' && query.owner_agent_id) {
    query.owner = query.owner_agent_id
    delete query.owner_agent_id
  }
  return { path, query }
}

// ---------------------------------------------------------------- the template editor

export interface TemplateRow {
  code: string
  weight: number
  method: 'target' | 'rank'
  /** in the editor's unit: a rate as a percentage */
  target: number | null
  floor: number | null
}

const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places

/** The API's items as the editor's rows (rates ×100). */
export function templateRows(items: readonly ScorecardTemplateLine[]): TemplateRow[] {
  const show = (code: string, v: number | null | undefined) =>
    v === null || v === undefined ? null : isRate(code) ? round(v * 100, 4) : v
  return items.map((i) => ({
    code: i.code, weight: i.weight, method: i.method ?? 'target', target: show(i.code, i.target), floor: show(i.code, i.floor),
  }))
}

/** The editor's rows as the API's items (rates ÷100; a rank item has no target or floor). */
export function templateItems(rows: readonly TemplateRow[]): ScorecardTemplateLine[] {
  const keep = (code: string, v: number | null) =>
    v === null || v === undefined || !Number.isFinite(v) ? null : isRate(code) ? round(v / 100, 6) : v
  return rows.map((r) => r.method === 'rank'
    ? { code: r.code, weight: r.weight, method: 'rank', target: null, floor: null }
    : { code: r.code, weight: r.weight, method: 'target', target: keep(r.code, r.target), floor: keep(r.code, r.floor) })
}

/** The weights' sum (shown live: it must be 100). */
export function rowsWeight(rows: readonly { weight: number | null | undefined }[]): number {
  return rows.reduce((sum, r) => sum + (Number.isFinite(r.weight) ? Number(r.weight) : 0), 0)
}

// ---------------------------------------------------------------- history

/** The history chart: the agent's total month by month, oldest first (the API lists newest first), 0–100. */
export function historyOption(lines: readonly ScorecardHistoryLine[], totalLabel: string): ChartOption {
  const ordered = [...lines].sort((a, b) => a.month.localeCompare(b.month))
  return {
    grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis' },
    xAxis: {
      type: 'category', data: ordered.map((l) => l.month), axisTick: { show: false },
      axisLine: { lineStyle: { color: '#d5dbe5' } }, axisLabel: { color: '#8492a6', fontSize: 11 },
    },
    yAxis: { type: 'value', min: 0, max: 100, splitLine: { lineStyle: { color: '#eef1f5' } }, axisLabel: { color: '#8492a6', fontSize: 11 } },
    series: [{
      type: 'line', id: 'total', name: totalLabel, data: ordered.map((l) => l.total), symbol: 'circle', symbolSize: 7,
      itemStyle: { color: '#2f6fed' }, lineStyle: { width: 2, color: '#2f6fed' },
      label: { show: true, position: 'top', fontSize: 11, color: '#1f2d3d' },
    }],
  }
}
