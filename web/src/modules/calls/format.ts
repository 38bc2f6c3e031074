// Pure rules of the phone channel's pages (tested with Vitest): a call's outcome, the call
// list's filters in the URL, the board's order and its wait limit, the integration settings' rows, IVR rule forms.
import { IVR_RULE_KINDS, type AgentStatus } from '@/utils/enums'
import { one, type QueryValue } from '@/utils/periods'
import { isoToWall, wallToIso } from '@/utils/time'
import { CALL_STATE_TONES, type Tone } from '@/utils/tones'
import type { CallQuery } from './api'

// ---------------------------------------------------------------- a call's outcome

export const CAUSES = ['normalClearing', 'busy', 'cancel', 'noAnswer', 'congestion', 'notFound', 'forwarded'] as const

export type Outcome =
  | 'ringing' | 'talking' | 'answered' | 'abandoned' | 'short_abandon' | 'blocked' | 'forwarded' | 'missed'

interface CallFacts {
  state: string
  direction: string
  answered_at: string | null
  cause: string | null
  abandoned: boolean
  short_abandon: boolean
  blocked: boolean
}

/** What became of a call, for its tag: blocked, (short) abandoned, still ringing or talking, transferred,
 * answered, or an outbound call nobody picked up. */
export function outcomeOf(call: CallFacts): Outcome {
  if (call.blocked) return 'blocked'
  if (call.short_abandon) return 'short_abandon'
  if (call.abandoned) return 'abandoned'
  if (call.state === 'ringing') return 'ringing'
  if (call.state === 'talking') return 'talking'
  if (call.cause === 'forwarded') return 'forwarded'
  return call.answered_at ? 'answered' : 'missed'
}

export const OUTCOME_TONES: Record<Outcome, Tone> = {
  ringing: CALL_STATE_TONES.ringing,
  talking: CALL_STATE_TONES.talking,
  answered: 'success',
  abandoned: 'danger',
  short_abandon: 'warning',
  blocked: 'info',
  forwarded: 'primary',
  missed: 'info',
}

// ---------------------------------------------------------------- the call list's filters (in the URL)

export const PAGE_SIZES = [20, 50, 100] as const

export interface CallFilters {
  number: string
  direction: '' | 'in' | 'out'
  abandoned: boolean | null
  agentId: number | null
  customerId: number | null
  orderId: number | null
  /** "YYYY-MM-DD HH:mm:ss" wall-clock times in the centre's zone (Asia/Shanghai). */
  from: string
  to: string
  page: number
  pageSize: number
}

export function emptyFilters(): CallFilters {
  return {
    number: '', direction: '', abandoned: null, agentId: null, customerId: null, orderId: null, from: '', to: '',
    page: 1, pageSize: 20,
  }
}

type Query = Record<string, QueryValue>
function positive(value: Query[string]): number | null {
  const n = Number(one(value))
  return Number.isInteger(n) && n > 0 ? n : null
}
const WALL = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/

/** The filters a URL's query says (anything malformed is left out). */
export function filtersFromQuery(query: Query): CallFilters {
  const f = emptyFilters()
  f.number = one(query.number).slice(0, 32)
  const dir = one(query.direction)
  f.direction = dir === 'in' || dir === 'out' ? dir : ''
  const ab = one(query.abandoned)
  f.abandoned = ab === '1' || ab === 'true' ? true : ab === '0' || ab === 'false' ? false : null
  f.agentId = positive(query.agent_id)
  f.customerId = positive(query.customer_id)
  f.orderId = positive(query.order_id)
  const from = one(query.from)
  const to = one(query.to)
  if (WALL.test(from) && WALL.test(to)) {
    f.from = withSeconds(from)
    f.to = withSeconds(to)
  }
  f.page = positive(query.page) ?? 1
  const size = positive(query.page_size)
  f.pageSize = size && (PAGE_SIZES as readonly number[]).includes(size) ? size : 20
  return f
}

function withSeconds(wall: string): string {
  return wall.length === 16 ? `${wall}:00` : wall
}

/** The URL query of the filters (defaults left out, so a plain /calls stays plain). */
export function filtersToQuery(f: CallFilters): Record<string, string> {
  const q: Record<string, string> = {}
  if (f.number.trim()) q.number = f.number.trim()
  if (f.direction) q.direction = f.direction
  if (f.abandoned !== null) q.abandoned = f.abandoned ? '1' : '0'
  if (f.agentId) q.agent_id = String(f.agentId)
  if (f.customerId) q.customer_id = String(f.customerId)
  if (f.orderId) q.order_id = String(f.orderId)
  if (f.from && f.to) {
    q.from = f.from
    q.to = f.to
  }
  if (f.page > 1) q.page = String(f.page)
  if (f.pageSize !== 20) q.page_size = String(f.pageSize)
  return q
}

/** The query of GET /calls for the filters. */
export function filtersToParams(f: CallFilters): CallQuery {
  const p: CallQuery = { page: f.page, page_size: f.pageSize }
  if (f.number.trim()) p.number = f.number.trim()
  if (f.direction) p.direction = f.direction
  if (f.abandoned !== null) p.abandoned = f.abandoned
  if (f.agentId) p.agent_id = f.agentId
  if (f.customerId) p.customer_id = f.customerId
  if (f.orderId) p.order_id = f.orderId
  if (f.from && f.to) {
    p.since = wallToIso(f.from)
    p.until = wallToIso(f.to)
  }
  return p
}

// ---------------------------------------------------------------- the live board

/** A queue's longest wait over this many seconds shows red. */
export const WAIT_LIMIT_SECONDS = 20
export const BOARD_REFRESH_MS = 2500

/** The board's order of the agent states (its count cards, its rows). */
export const AGENT_STATES = ['ready', 'on_call', 'acw', 'not_ready', 'signed_in'] as const satisfies readonly AgentStatus[]

export function waitIsLong(seconds: number, limit = WAIT_LIMIT_SECONDS): boolean {
  return seconds > limit
}

/** Seconds in the state now: what the board said, plus the time since it said it. */
export function secondsNow(seconds: number, fetchedAt: number, now: number): number {
  return seconds + Math.max(0, Math.floor((now - fetchedAt) / 1000))
}

/** The board's agents in the order a floor manager reads them: by state (as AGENT_STATES), longest first. */
export function sortAgents<T extends { state: string; seconds: number; username: string }>(agents: readonly T[]): T[] {
  const rank = (s: string) => {
    const i = (AGENT_STATES as readonly string[]).indexOf(s)
    return i < 0 ? AGENT_STATES.length : i
  }
  return [...agents].sort((a, b) => rank(a.state) - rank(b.state) || b.seconds - a.seconds ||
    a.username.localeCompare(b.username))
}

// ---------------------------------------------------------------- integration settings

export interface NumberRow { number: string; note: string }
export interface CallerIdRow { prefix: string; caller_id: string; note: string }

/** The blocked numbers to save: trimmed, empty rows dropped, "number" problems by row index. */
export function cleanBlocked(rows: readonly NumberRow[]): { rows: NumberRow[]; bad: number[]; duplicate: string | null } {
  const out: NumberRow[] = []
  const bad: number[] = []
  const seen = new Set<string>()
  let duplicate: string | null = null
  rows.forEach((r, i) => {
    const number = r.number.replace(/\s+/g, '')
    const note = r.note.trim()
    if (!number && !note) return
    if (number.length < 3) bad.push(i)
    else if (seen.has(number)) duplicate ??= number
    seen.add(number)
    out.push({ number, note })
  })
  return { rows: out, bad, duplicate }
}

/** The caller-ID rules to save: trimmed, empty rows dropped, rows with a problem by index. */
export function cleanCallerIdRules(rows: readonly CallerIdRow[]): { rows: CallerIdRow[]; bad: number[] } {
  const out: CallerIdRow[] = []
  const bad: number[] = []
  rows.forEach((r, i) => {
    const row = { prefix: r.prefix.replace(/\s+/g, ''), caller_id: r.caller_id.replace(/\s+/g, ''), note: r.note.trim() }
    if (!row.prefix && !row.caller_id && !row.note) return
    if (!row.prefix || row.caller_id.length < 3) bad.push(i)
    out.push(row)
  })
  return { rows: out, bad }
}

export function isHttpUrl(value: string): boolean {
  return /^https?:\/\/\S+$/i.test(value.trim())
}

// ---------------------------------------------------------------- IVR rules

export const RULE_KINDS = IVR_RULE_KINDS
export type RuleKind = (typeof RULE_KINDS)[number]
export const KNOWN_QUEUES = ['senior', 'slow_speech', 'emergency'] as const

export interface RuleForm {
  name: string
  priority: number
  kind: RuleKind
  tags: string[]
  area_ids: number[]
  queue: string
  connect_agent: boolean
  announcement: string
  /** wall-clock "YYYY-MM-DD HH:mm:ss" in Asia/Shanghai, or '' */
  starts_at: string
  ends_at: string
  enabled: boolean
}

interface RuleLike {
  name: string
  priority?: number
  kind: string
  tags?: string[]
  area_ids?: number[]
  queue?: string | null
  connect_agent?: boolean
  announcement?: string | null
  starts_at?: string | null
  ends_at?: string | null
  enabled?: boolean
}

export function ruleToForm(rule: RuleLike | null): RuleForm {
  const kind = (RULE_KINDS as readonly string[]).includes(rule?.kind ?? '') ? (rule!.kind as RuleKind) : 'area'
  return {
    name: rule?.name ?? '',
    priority: rule?.priority ?? 100,
    kind,
    tags: [...(rule?.tags ?? [])],
    area_ids: [...(rule?.area_ids ?? [])],
    queue: rule?.queue ?? '',
    connect_agent: rule?.connect_agent ?? false,
    announcement: rule?.announcement ?? '',
    starts_at: isoToWall(rule?.starts_at),
    ends_at: isoToWall(rule?.ends_at),
    enabled: rule?.enabled ?? true,
  }
}

/** The body of POST/PUT /ivr/rules: only what the kind uses (an area rule plays an announcement in its
 * areas while active; tag and emergency rules set a queue, connect to an agent, or announce). */
export function formToBody(f: RuleForm): {
  name: string; priority: number; kind: RuleKind; tags: string[]; area_ids: number[]; queue: string | null
  connect_agent: boolean; announcement: string | null; starts_at: string | null; ends_at: string | null; enabled: boolean
} {
  const area = f.kind === 'area'
  return {
    name: f.name.trim(),
    priority: f.priority,
    kind: f.kind,
    tags: f.kind === 'tag' ? [...f.tags] : [],
    area_ids: area ? [...f.area_ids] : [],
    queue: area ? null : f.queue.trim() || null,
    connect_agent: area ? false : f.connect_agent,
    announcement: f.announcement.trim() || null,
    starts_at: area && f.starts_at ? wallToIso(f.starts_at) : null,
    ends_at: area && f.ends_at ? wallToIso(f.ends_at) : null,
    enabled: f.enabled,
  }
}

/** What is missing for the API to take the rule (an i18n key under ivrRules), or null. */
export function ruleProblem(f: RuleForm): string | null {
  if (f.kind === 'tag' && !f.tags.length) return 'needTags'
  if (f.kind === 'area') {
    if (!f.area_ids.length) return 'needAreas'
    if (!f.announcement.trim()) return 'needAnnouncement'
    if (f.starts_at && f.ends_at && wallToIso(f.ends_at) <= wallToIso(f.starts_at)) return 'endAfterStart'
    return null
  }
  if (!f.queue.trim() && !f.connect_agent && !f.announcement.trim()) return 'needAction'
  return null
}

/** Whether a rule's window is on now: always (no window), active, upcoming or ended. */
export function windowState(
  rule: { starts_at?: string | null; ends_at?: string | null }, now: number,
): 'always' | 'active' | 'upcoming' | 'ended' {
  if (!rule.starts_at && !rule.ends_at) return 'always'
  if (rule.starts_at && now < new Date(rule.starts_at).getTime()) return 'upcoming'
  if (rule.ends_at && now >= new Date(rule.ends_at).getTime()) return 'ended'
  return 'active'
}

/** Rules in the order the IVR tries them. */
export function byPriority<T extends { priority: number; id: number }>(rules: readonly T[]): T[] {
  return [...rules].sort((a, b) => a.priority - b.priority || a.id - b.id)
}
