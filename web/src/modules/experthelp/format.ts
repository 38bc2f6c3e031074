// Pure helpers of 专家求助 (Vitest: format.test.ts): the three kinds of question, an order's state in the asker's
// plain words, the time limit that matters now, how long the experts took, the call-back number.
import type { Schemas } from '@/api/client'
import { formatDateTime } from '@/utils/time'

/** The categories under SP-FIELD a field worker picks from (the server's catalogue), and their i18n keys. */
export const SUPPORT_CATEGORIES = ['SP-FIELD-TECH', 'SP-FIELD-POLICY', 'SP-FIELD-ACCOUNT'] as const
export type SupportCategory = (typeof SUPPORT_CATEGORIES)[number]
const CATEGORY_KEYS: Record<SupportCategory, string> = {
  'SP-FIELD-TECH': 'tech', 'SP-FIELD-POLICY': 'policy', 'SP-FIELD-ACCOUNT': 'account',
}

/** The i18n key of a category's label (expertHelp.category.*), or null for one outside the three. */
export function categoryKey(code: string): string | null {
  const key = CATEGORY_KEYS[code as SupportCategory]
  return key ? `expertHelp.category.${key}` : null
}

export const DESCRIPTION_MAX = 2000

type OrderState = Schemas['OrderState']
/**
 * Where a request stands for the one who asked: queued (registered: no rule sent it on, or the experts returned
 * it: the centre's dispatcher has it), waiting (with the experts, not taken yet: 待专家响应), working (an expert has
 * it: 专家处理中), answered (resolving closes it: 已答复), merged (folded into another order).
 */
export type Phase = 'queued' | 'waiting' | 'working' | 'answered' | 'merged'
const PHASES: Record<OrderState, Phase> = {
  registered: 'queued', dispatched: 'waiting', accepted: 'working', in_progress: 'working', suspended: 'working',
  resolved: 'answered', closed: 'answered', merged: 'merged',
}
export function phaseOf(state: OrderState): Phase {
  return PHASES[state] ?? 'queued'
}
export const PHASE_TONES: Record<Phase, 'warning' | 'primary' | 'success' | 'info'> = {
  queued: 'info', waiting: 'warning', working: 'primary', answered: 'success', merged: 'info',
}

interface Deadline { stage: string; cycle: number; due_at: string; warn_at?: string | null; met_at: string | null; breached: boolean; paused: boolean }
interface Timed {
  state: OrderState
  created_at: string
  resolved_at: string | null
  closed_at: string | null
  deadlines: readonly Deadline[]
}

/** The latest cycle's deadline of a stage (none: null). */
export function deadlineOf<D extends Deadline>(order: { deadlines: readonly D[] }, stage: 'accept' | 'resolve'): D | null {
  const of = order.deadlines.filter((d) => d.stage === stage)
  return of.reduce<D | null>((last, d) => (!last || d.cycle >= last.cycle ? d : last), null)
}

/** The limit the asker waits on now: taking it up while it waits for the experts, the answer while one works on it. */
export function pendingDeadline<D extends Deadline>(order: Timed & { deadlines: readonly D[] }): D | null {
  const phase = phaseOf(order.state)
  if (phase === 'waiting') return deadlineOf(order, 'accept')
  if (phase === 'working') return deadlineOf(order, 'resolve')
  return null
}

const MINUTE = 60_000
/** Whole minutes from the question to the answer (null while unanswered). */
export function answerMinutes(order: Timed): number | null {
  const end = order.resolved_at ?? (order.state === 'closed' ? order.closed_at : null)
  if (!end) return null
  const ms = new Date(end).getTime() - new Date(order.created_at).getTime()
  return Number.isNaN(ms) ? null : Math.max(0, Math.floor(ms / MINUTE))
}

/** Whether the answer came within its limit (null: unanswered, or no limit kept). */
export function answeredInTime(order: Timed): boolean | null {
  if (answerMinutes(order) === null) return null
  const d = deadlineOf(order, 'resolve')
  if (!d || !d.met_at) return null
  return !d.breached && new Date(d.met_at).getTime() <= new Date(d.due_at).getTime()
}

/** When a request was asked: the time alone today, the month and day before (in the centre's time zone). */
export function askedAt(iso: string, now: number = Date.now()): string {
  const at = formatDateTime(iso)
  if (!at) return ''
  return at.slice(0, 10) === formatDateTime(now).slice(0, 10) ? at.slice(11) : at.slice(5)
}

/** A number as typed (spaces, dashes, +86 dropped). */
export function cleanPhone(raw: string): string {
  const digits = raw.replace(/[\s\-.()]/g, '')
  return digits.startsWith('+86') ? digits.slice(3) : digits
}
const MOBILE = /^1[3-9]\d{9}$/
const LANDLINE = /^0\d{9,11}$/
/** A number the experts can call back: a mobile, or a landline with its area code (what the server takes). */
export function isCallable(raw: string): boolean {
  const digits = cleanPhone(raw)
  return MOBILE.test(digits) || LANDLINE.test(digits)
}
