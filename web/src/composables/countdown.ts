// The pure logic of a deadline countdown: which state and colour a deadline is in at a given moment,
// and its text (through a translate function, so it is testable without i18n).
//
// "Now" is the browser's clock. The server computes `overdue` with its own clock; a skewed browser
// clock shifts the countdown by the skew. A server-clock offset (e.g. from the Date header of API
// answers) can be added later by passing `Date.now() + offset` as `now`.
import type { Stage } from '@/utils/enums'

export type Tone = 'green' | 'amber' | 'red' | 'muted'
export type { Stage }

/** What a countdown needs of a deadline (the API's DeadlinePublic fits). */
export interface DeadlineLike {
  due_at: string
  warn_at?: string | null
  met_at?: string | null
  breached?: boolean
  paused?: boolean
}

export type CountdownState =
  | { kind: 'left'; tone: 'green' | 'amber'; minutes: number }
  | { kind: 'overdue'; tone: 'red'; minutes: number }
  | { kind: 'met'; tone: 'muted'; late: boolean }
  | { kind: 'paused'; tone: 'muted'; breached: boolean }
  | { kind: 'none'; tone: 'muted' }

const MINUTE = 60_000

function time(iso: string | null | undefined): number {
  if (!iso) return NaN
  return new Date(iso).getTime()
}

/** The state of a deadline at `now` (ms since the epoch). Whole minutes, rounded down. */
export function countdownState(d: DeadlineLike | null | undefined, now: number): CountdownState {
  if (!d) return { kind: 'none', tone: 'muted' }
  const due = time(d.due_at)
  if (d.met_at) {
    const met = time(d.met_at)
    return { kind: 'met', tone: 'muted', late: !!d.breached || (!Number.isNaN(met) && met > due) }
  }
  if (d.paused) return { kind: 'paused', tone: 'muted', breached: !!d.breached }
  if (Number.isNaN(due)) return { kind: 'none', tone: 'muted' }
  if (now >= due) return { kind: 'overdue', tone: 'red', minutes: Math.floor((now - due) / MINUTE) }
  const warn = time(d.warn_at)
  const tone = !Number.isNaN(warn) && now >= warn ? 'amber' : 'green'
  return { kind: 'left', tone, minutes: Math.floor((due - now) / MINUTE) }
}

/** Minutes as days + hours, hours + minutes, or minutes. */
export function durationParts(minutes: number): { d: number; h: number; m: number } {
  const total = Math.max(0, Math.floor(minutes))
  return { d: Math.floor(total / 1440), h: Math.floor((total % 1440) / 60), m: total % 60 }
}

export type Translate = (key: string, params?: Record<string, unknown>) => string

/** "2天3小时", "1小时20分", "35分", "不足1分" (keys under `sla.dur`). */
export function formatDuration(minutes: number, t: Translate): string {
  const { d, h, m } = durationParts(minutes)
  if (d > 0) return t('sla.dur.dh', { d, h })
  if (h > 0) return t('sla.dur.hm', { h, m })
  if (m > 0) return t('sla.dur.m', { m })
  return t('sla.dur.lessThanMinute')
}

/** The countdown's text: "剩余 1小时20分", "超时 35分", "按时完成", "超时完成", "已暂停". */
export function countdownText(state: CountdownState, t: Translate): string {
  switch (state.kind) {
    case 'left':
      return t('sla.left', { t: formatDuration(state.minutes, t) })
    case 'overdue':
      return t('sla.overdue', { t: formatDuration(state.minutes, t) })
    case 'met':
      return state.late ? t('sla.metLate') : t('sla.metOnTime')
    case 'paused':
      return t('sla.paused')
    default:
      return ''
  }
}

/** The deadline behind an order's `next_deadline_at`: the unmet, unpaused one due then (or a bare one). */
export function nextDeadline<D extends DeadlineLike & { stage?: string }>(
  order: { next_deadline_at?: string | null; deadlines?: D[] | null },
): (DeadlineLike & { stage?: string }) | null {
  const next = order.next_deadline_at
  if (!next) return null
  const at = time(next)
  const open = (order.deadlines ?? []).filter((d) => !d.met_at && !d.paused)
  return open.find((d) => time(d.due_at) === at) ?? { due_at: next }
}

/** An order is overdue when the server says so or its next deadline has passed on this clock. */
export function isOverdue(order: { overdue?: boolean; next_deadline_at?: string | null }, now: number): boolean {
  if (order.overdue) return true
  const at = time(order.next_deadline_at)
  return !Number.isNaN(at) && now >= at
}
