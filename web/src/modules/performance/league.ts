// 单位考核排名's pure parts (tested with Vitest): the month in the URL (default last month, none after this one),
// each figure's raw value in its unit (a rate as a percentage, complaints per 10,000 customers, 催办 / 督办 per
// 100 orders), points, the movement since last month, the three-month sparkline, the weights' sum.
import { centreToday } from '@/utils/time'
import { formatRate } from '@/utils/format'
import type { LeagueItem } from './api'

/** The six figures, in the API's order (`league.METRICS`). */
export const METRICS = ['on_time_rate', 'satisfaction', 'complaint_rate', 'reopen_rate', 'urged', 'supervised'] as const
export type Metric = (typeof METRICS)[number]
const RATES: readonly string[] = ['on_time_rate', 'satisfaction', 'reopen_rate']

/** "YYYY-MM" of the month before the centre's today. */
export function lastMonth(today: string = centreToday()): string {
  const y = Number(today.slice(0, 4))
  const m = Number(today.slice(5, 7))
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`
}

/** The month a URL's `?month=` names: "YYYY-MM", 2000 or later, not after this month; else last month. */
export function monthOf(value: unknown, today: string = centreToday()): string {
  const v = Array.isArray(value) ? value[0] : value
  if (typeof v === 'string' && /^\d{4}-(0[1-9]|1[0-2])$/.test(v) && v >= '2000-01' && v <= today.slice(0, 7)) return v
  return lastMonth(today)
}

/** A figure's raw value as the table writes it: rates as percentages, the others with two decimals. */
export function formatRaw(code: string, raw: number | null | undefined): string {
  if (raw === null || raw === undefined) return '—'
  return RATES.includes(code) ? formatRate(raw) : raw.toFixed(2)
}

/** Points (and the total) with two decimals; "—" for none. */
export function formatPoints(points: number | null | undefined): string {
  return points === null || points === undefined ? '—' : points.toFixed(2)
}

/** The movement since last month: "↑2", "↓1", "—" (same place), "" (not ranked last month). */
export function movementText(item: Pick<LeagueItem, 'movement' | 'previous_rank'>): string {
  if (item.previous_rank === null || item.movement === null) return ''
  if (item.movement > 0) return `↑${item.movement}`
  if (item.movement < 0) return `↓${-item.movement}`
  return '—'
}

export function movementTone(movement: number | null): 'up' | 'down' | 'same' | 'new' {
  if (movement === null) return 'new'
  return movement > 0 ? 'up' : movement < 0 ? 'down' : 'same'
}

/** An SVG polyline's points for a sparkline of `values` (null: a gap, left out) in a `width`×`height` box, on a
 * 0–100 scale (the league's totals); a single point is a dot. */
export function sparkPoints(values: readonly (number | null)[], width = 72, height = 22, pad = 3): { x: number; y: number }[] {
  const n = values.length
  const step = n > 1 ? (width - 2 * pad) / (n - 1) : 0
  const out: { x: number; y: number }[] = []
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) return
    const clamped = Math.max(0, Math.min(100, v))
    out.push({ x: Math.round((pad + i * step) * 10) / 10, y: Math.round((height - pad - (clamped / 100) * (height - 2 * pad)) * 10) / 10 })
  })
  return out
}

/** The weights' sum (the dialog shows it live: it must be 100). */
export function weightSum(weights: Record<string, number | null | undefined>): number {
  return Object.values(weights).reduce<number>((sum, w) => sum + (Number.isFinite(w) ? Number(w) : 0), 0)
}
