// Pure helpers of the customers' self-service site (/m, Vitest: format.test.ts): the phone and code checks and
// the resend countdown of the sign-in, the kinds of report and the photos allowed, the chat's message ids, the
// merging of a thread and the reconnect back-off, the order's steps as a timeline, the FAQ's 【】 marks.
import { formatDateTime } from '@/utils/time'

// ---------------------------------------------------------------- sign-in

/** A mainland mobile number as typed ("138 1234-5678", "+86 138…") reduced to its 11 digits; '' otherwise. */
export function cleanPhone(typed: string): string {
  let digits = typed.replace(/[\s-]/g, '')
  if (digits.startsWith('+86')) digits = digits.slice(3)
  else if (digits.startsWith('0086')) digits = digits.slice(4)
  return /^1[3-9]\d{9}$/.test(digits) ? digits : ''
}

export function isCode(typed: string): boolean {
  return /^\d{6}$/.test(typed.trim())
}

/** How long the 获取验证码 button waits after a code is sent (the server sends one a minute). */
export const RESEND_SECONDS = 60

/** Whole seconds left until `endsAt` (ms since the epoch) at `now`: never negative, rounded up. */
export function secondsLeft(endsAt: number, now: number): number {
  return Math.max(0, Math.ceil((endsAt - now) / 1000))
}

/** The wait a 429 asks for (its `retry_after` seconds, as its Retry-After header), else the usual minute. */
export function waitFrom(body: Record<string, unknown>, fallback = RESEND_SECONDS): number {
  const n = Number(body.retry_after)
  return Number.isFinite(n) && n > 0 && n <= 3600 ? n : fallback
}

/** The greeting of the hour (in the centre's time zone the browser shows): morning, noon, afternoon, evening. */
export function greetingOf(hour: number): 'morning' | 'noon' | 'afternoon' | 'evening' {
  if (hour >= 5 && hour < 11) return 'morning'
  if (hour >= 11 && hour < 13) return 'noon'
  if (hour >= 13 && hour < 18) return 'afternoon'
  return 'evening'
}

// ---------------------------------------------------------------- reports

export type Utility = 'gas' | 'electricity' | 'water'

/** What the customer picks (the server's REPORTS), grouped by utility, in the order the page shows them. */
export const REPORT_KINDS = [
  { kind: 'gas-leak', utility: 'gas' },
  { kind: 'no-gas', utility: 'gas' },
  { kind: 'gas-meter', utility: 'gas' },
  { kind: 'gas-appliance', utility: 'gas' },
  { kind: 'gas-pipe', utility: 'gas' },
  { kind: 'no-power', utility: 'electricity' },
  { kind: 'power-meter', utility: 'electricity' },
  { kind: 'no-water', utility: 'water' },
] as const satisfies readonly { kind: string; utility: Utility }[]

export type ReportKind = (typeof REPORT_KINDS)[number]['kind']

export function isReportKind(value: unknown): value is ReportKind {
  return typeof value === 'string' && REPORT_KINDS.some((k) => k.kind === value)
}

/** A gas smell: the page shows the safety steps and the emergency number before anything else. */
export function isEmergencyKind(kind: string | null | undefined): boolean {
  return kind === 'gas-leak'
}

/** The gas emergency line (24 hours). */
export const EMERGENCY_LINE = '96777'

export const MAX_PHOTOS = 6
/** The image types the server stores (settings.storage.allowed_content_types, less the PDF). */
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif']
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024

export type PhotoProblem = 'too-many' | 'not-image' | 'too-large'

/**
 * Which of `picked` may join the `have` photos already chosen: images of a type the server takes, under its
 * size limit, up to MAX_PHOTOS in all. The first problem met is reported (the page says it once).
 */
export function admitPhotos<F extends { type: string; size: number }>(
  have: number,
  picked: readonly F[],
): { admitted: F[]; problem: PhotoProblem | null } {
  const admitted: F[] = []
  let problem: PhotoProblem | null = null
  for (const f of picked) {
    if (!PHOTO_TYPES.includes(f.type)) problem ??= 'not-image'
    else if (f.size > MAX_PHOTO_BYTES) problem ??= 'too-large'
    else if (have + admitted.length >= MAX_PHOTOS) problem ??= 'too-many'
    else admitted.push(f)
  }
  return { admitted, problem }
}

/** The size a photo is scaled down to before it is sent (its longer side at most `max`), or null: small enough. */
export function fitWithin(width: number, height: number, max = 1600): { width: number; height: number } | null {
  const longer = Math.max(width, height)
  if (!(longer > max) || width <= 0 || height <= 0) return null
  const k = max / longer
  return { width: Math.round(width * k), height: Math.round(height * k) }
}

export interface ReportInput {
  kind: ReportKind
  description: string
  address: string
  location: { latitude: number; longitude: number } | null
}

/** The form fields of POST /self/reports (the photos are added apart): blank address left out. */
export function reportFields(input: ReportInput): [string, string][] {
  const out: [string, string][] = [
    ['kind', input.kind],
    ['description', input.description.trim()],
  ]
  const address = input.address.trim()
  if (address) out.push(['address', address])
  if (input.location) {
    out.push(['latitude', input.location.latitude.toFixed(6)], ['longitude', input.location.longitude.toFixed(6)])
  }
  return out
}

/** A refused or failed navigator.geolocation as the page words it (GeolocationPositionError's codes). */
export function locationProblem(code: number | null): 'denied' | 'unavailable' | 'timeout' | 'unsupported' {
  if (code === 1) return 'denied'
  if (code === 2) return 'unavailable'
  if (code === 3) return 'timeout'
  return 'unsupported'
}

// ---------------------------------------------------------------- orders

export interface Step {
  at: unknown
  action: string
  text: string
}

export interface TimelineItem {
  key: string
  at: string
  action: string
  text: string
  /** the newest step: where the order is now */
  current: boolean
}

/** The order's steps, newest first as a timeline shows them, with the time in the centre's time zone. */
export function timelineOf(steps: readonly Step[]): TimelineItem[] {
  const dated = steps.map((s, i) => ({ s, i, t: new Date(String(s.at)).getTime() }))
  dated.sort((a, b) => (Number.isNaN(a.t) || Number.isNaN(b.t) || a.t === b.t ? a.i - b.i : a.t - b.t))
  return dated.reverse().map(({ s, i }, n) => ({
    key: `${i}-${s.action}`,
    at: formatDateTime(typeof s.at === 'string' || typeof s.at === 'number' ? s.at : null),
    action: s.action,
    text: s.text.trim(),
    current: n === 0,
  }))
}

/** The colour of an order's state on the page: done, waiting for the customer's word, or being worked on. */
export function stateTone(state: string): 'done' | 'check' | 'active' | 'waiting' {
  if (state === 'closed') return 'done'
  if (state === 'resolved') return 'check'
  if (state === 'registered' || state === 'suspended') return 'waiting'
  return 'active'
}

export const RATE_RESULTS = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const
export type RateResult = (typeof RATE_RESULTS)[number]
export const COMMENT_MAX = 500

/** POST /self/orders/{id}/rate's body: the comment only if not blank (trimmed, ≤ 500). */
export function rateBody(result: RateResult, comment: string): { result: RateResult; comment?: string } {
  const text = comment.trim().slice(0, COMMENT_MAX)
  return text ? { result, comment: text } : { result }
}

// ---------------------------------------------------------------- chat

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/**
 * The page's own id of a message (8–64 of [A-Za-z0-9_-]): the time in base 36 and 12 random characters. Sent
 * again with a retry, the server stores the message once.
 */
export function newMessageId(now = Date.now(), random: (n: number) => Uint8Array = randomBytes): string {
  const bytes = random(12)
  let tail = ''
  for (const b of bytes) tail += ID_CHARS[b % ID_CHARS.length]
  return `w${now.toString(36)}_${tail}`
}

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n)
  if (globalThis.crypto?.getRandomValues) globalThis.crypto.getRandomValues(out)
  else for (let i = 0; i < n; i++) out[i] = Math.floor(Math.random() * 256)
  return out
}

export function isMessageId(id: string): boolean {
  return /^[A-Za-z0-9_-]{8,64}$/.test(id)
}

export interface ChatMessageLike {
  id: number
  mine: boolean
  sender: string
  text: string
  data: Record<string, unknown>
  created_at: unknown
}

/** The thread with `incoming` merged in by id (a copy replaces the known one), oldest first. */
export function mergeMessages<M extends ChatMessageLike>(list: readonly M[], incoming: readonly M[]): M[] {
  const byId = new Map(list.map((m) => [m.id, m]))
  for (const m of incoming) if (m && typeof m.id === 'number') byId.set(m.id, m)
  return [...byId.values()].sort((a, b) => a.id - b.id)
}

export function lastIdOf(list: readonly { id: number }[]): number {
  return list.reduce((max, m) => Math.max(max, m.id), 0)
}

/** Where a message sits: mine on the right, the bot's and the agents' on the left, notices in the middle. */
export function sideOf(m: Pick<ChatMessageLike, 'mine' | 'sender'>): 'right' | 'left' | 'center' {
  if (m.mine || m.sender === 'customer') return 'right'
  if (m.sender === 'system') return 'center'
  return 'left'
}

export type ChatState = 'bot' | 'queued' | 'assigned' | 'closed'

/** What the conversation's state becomes after these messages (the socket sends messages, not states). */
export function stateAfter(state: ChatState | null, messages: readonly ChatMessageLike[]): ChatState | null {
  let s = state
  for (const m of messages) {
    const event = typeof m.data?.event === 'string' ? m.data.event : ''
    if (m.sender === 'agent' || event === 'accepted' || event === 'transfer') s = 'assigned'
    else if (event === 'queued') s = 'queued'
    else if (event === 'to_bot') s = 'bot'
    else if (event === 'rating') s = 'closed'
    else if (m.sender === 'bot' && s !== 'queued' && s !== 'assigned') s = 'bot' // a new conversation too
  }
  return s
}

export interface Suggestion {
  article_id: number
  title: string
}

/** The bot's "did you mean" list of a message (what "1", "2", "3" pick), at most three. */
export function suggestionsOf(m: Pick<ChatMessageLike, 'data'>): Suggestion[] {
  const raw = m.data?.suggestions
  if (!Array.isArray(raw)) return []
  return raw
    .filter((s): s is Suggestion => !!s && typeof s.title === 'string' && typeof s.article_id === 'number')
    .slice(0, 3)
}

/** The id of the bot's last message when it offers suggestions and nothing came after it (its chips are live). */
export function liveSuggestionsId(list: readonly ChatMessageLike[]): number | null {
  const last = list[list.length - 1]
  return last && last.sender === 'bot' && suggestionsOf(last).length ? last.id : null
}

/** The rating invitation at the end of a closed conversation: its 1/2/3 chips are live. */
export function ratingInvited(list: readonly ChatMessageLike[]): boolean {
  const last = list[list.length - 1]
  return !!last && last.sender === 'system' && last.data?.event === 'rating'
}

/** The socket's frames the page acts on; anything else is null. */
export type SocketFrame =
  | { type: 'messages'; messages: ChatMessageLike[] }
  | { type: 'error'; detail: string }

export function parseFrame(text: unknown): SocketFrame | null {
  if (typeof text !== 'string') return null
  let o: unknown
  try {
    o = JSON.parse(text)
  } catch {
    return null
  }
  if (!o || typeof o !== 'object') return null
  const f = o as Record<string, unknown>
  if (f.type === 'messages' && Array.isArray(f.messages)) {
    const messages = f.messages.filter(
      (m): m is ChatMessageLike => !!m && typeof m === 'object' && typeof (m as ChatMessageLike).id === 'number',
    )
    return { type: 'messages', messages: messages.map((m) => ({ ...m, data: m.data ?? {} })) }
  }
  if (f.type === 'error') return { type: 'error', detail: typeof f.detail === 'string' ? f.detail : '' }
  return null
}

export const BACKOFF_BASE_MS = 1000
export const BACKOFF_MAX_MS = 30_000
export const POLL_MS = 3000

/** How long to wait before the `attempt`-th reconnection (0-based): 1 s, 2 s, 4 s … at most 30 s. */
export function backoffMs(attempt: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, Math.min(attempt, 10)))
}

/** The socket's address for this page: ws: or wss: as the page, with the token. */
export function socketUrl(location: { protocol: string; host: string }, token: string): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  return `${scheme}://${location.host}/api/v1/self/ws?token=${encodeURIComponent(token)}`
}

// ---------------------------------------------------------------- FAQ

/** The knowledge base's snippet ("…【燃气】费可以…") as parts to show, the matched words marked. */
export function snippetParts(snippet: string): { text: string; hit: boolean }[] {
  const out: { text: string; hit: boolean }[] = []
  const re = /【([^【】]*)】/g
  let at = 0
  for (let m = re.exec(snippet); m; m = re.exec(snippet)) {
    if (m.index > at) out.push({ text: snippet.slice(at, m.index), hit: false })
    if (m[1]) out.push({ text: m[1], hit: true })
    at = m.index + m[0].length
  }
  if (at < snippet.length) out.push({ text: snippet.slice(at), hit: false })
  return out
}

/** The 【】 marks removed (a title shown whole). */
export function plainSnippet(snippet: string): string {
  return snippet.replace(/[【】]/g, '')
}
