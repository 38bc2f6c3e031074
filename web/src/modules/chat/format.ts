// Pure helpers of 在线客服 (Vitest: format.test.ts): which side of the thread a message sits on and how the thread
// groups them, how long a customer has waited, the knowledge base's 【】 marks as parts to show, what the agent
// may do with a conversation, the order description prefilled from the customer's words.
import { formatDateTime } from '@/utils/time'
import type { ChatMessage, Conversation, ConversationState } from './api'

/** The inbox's tabs: 我的会话, 排队中, 机器人接待, 已结束. */
export type ListKind = 'mine' | 'queue' | 'bot' | 'closed'

// ---------------------------------------------------------------- the thread

export type Side = 'left' | 'right' | 'center'

/** The customer on the left, the bot and the agents on the right, system notices and events centred. */
export function sideOf(m: Pick<ChatMessage, 'direction' | 'sender' | 'kind'>): Side {
  if (m.sender === 'system' || m.kind === 'event') return 'center'
  return m.direction === 'in' ? 'left' : 'right'
}

export interface MessageGroup<M> {
  type: 'group'
  key: string
  side: Side
  sender: string
  /** who wrote: the sender, and for an agent which one */
  writer: string
  /** the agent who wrote (agents' groups only) */
  agentName: string | null
  messages: M[]
}
export interface DayMark {
  type: 'day'
  key: string
  day: string
}
export type ThreadItem<M> = MessageGroup<M> | DayMark

type Groupable = Pick<ChatMessage, 'id' | 'direction' | 'sender' | 'kind' | 'agent_id' | 'created_at'> & {
  agent_name?: string | null
}

/**
 * The thread as the page shows it: a day mark whenever the (centre's) calendar day changes, and consecutive
 * messages of the same writer (the customer, the bot, one agent) within `gapMinutes` of each other in one group;
 * a system notice or an event stands alone.
 */
export function groupMessages<M extends Groupable>(messages: readonly M[], gapMinutes = 5): ThreadItem<M>[] {
  const out: ThreadItem<M>[] = []
  let day = ''
  let last: MessageGroup<M> | null = null
  let lastAt = 0
  for (const m of messages) {
    const at = new Date(m.created_at).getTime()
    const d = formatDateTime(m.created_at).slice(0, 10)
    if (d && d !== day) {
      day = d
      out.push({ type: 'day', key: `day-${d}`, day: d })
      last = null
    }
    const side = sideOf(m)
    const writer = `${m.sender}:${m.sender === 'agent' ? (m.agent_id ?? '') : ''}`
    const close = Number.isFinite(at) && Number.isFinite(lastAt) && at - lastAt <= gapMinutes * 60_000
    if (last && side !== 'center' && last.side === side && last.writer === writer && close) {
      last.messages.push(m)
    } else {
      last = {
        type: 'group', key: `m-${m.id}`, side, sender: m.sender, writer,
        agentName: m.sender === 'agent' ? (m.agent_name ?? null) : null, messages: [m],
      }
      out.push(last)
    }
    lastAt = at
  }
  return out
}

/** The bot's confidence as a whole percentage ("82%"), or null when the message carries none. */
export function confidencePercent(data: Record<string, unknown> | null | undefined): string | null {
  const c = data?.confidence
  return typeof c === 'number' && Number.isFinite(c) ? `${Math.round(c * 100)}%` : null
}

/** A location's coordinates, "29.56301, 106.55156" (five places: about a metre). */
export function coordinates(data: Record<string, unknown> | null | undefined): string {
  const lat = Number(data?.latitude)
  const lng = Number(data?.longitude)
  if (!Number.isFinite(lat) || !Number.isFinite(lng) || data?.latitude == null || data?.longitude == null) return ''
  return `${lat.toFixed(5)}, ${lng.toFixed(5)}`
}

// ---------------------------------------------------------------- a customer's files

/** A file a customer sent (a mail's attachment, a WeChat image or voice), from our own server. */
export function attachmentUrl(conversationId: number, messageId: number, index = 0): string {
  return `/api/v1/conversations/${conversationId}/messages/${messageId}/attachments/${index}`
}

export type MediaState = 'pending' | 'stored' | 'failed'

export interface MessageMedia {
  /** pending: the worker is still fetching it from WeChat; stored: at `url`; failed: WeChat no longer has it */
  state: MediaState
  url: string | null
  contentType: string
  filename: string
  /** whether a browser plays it (WeChat's voices are AMR: no browser does, they are downloaded) */
  playable: boolean
}

const PLAYABLE = /^audio\/(mpeg|mp3|mp4|aac|ogg|wav|x-wav|webm)$/

/**
 * A WeChat image's or voice's file as the thread shows it (its `data.media`, kept by the worker's media round):
 * our own attachment URL once stored, never WeChat's address (it expires, and the page's policy refuses foreign
 * images). Null for a message without one (older messages: their `pic_url`).
 */
export function messageMedia(conversationId: number, m: Pick<ChatMessage, 'id' | 'data'>): MessageMedia | null {
  const d = m.data ?? {}
  const state = d.media
  if (state !== 'pending' && state !== 'stored' && state !== 'failed') return null
  const files = Array.isArray(d.attachments) ? d.attachments : []
  const f = (files[0] && typeof files[0] === 'object' ? files[0] : {}) as Record<string, unknown>
  const contentType = typeof f.content_type === 'string' ? f.content_type : ''
  const stored = state === 'stored' && Boolean(f.key)
  return {
    state: stored || state !== 'stored' ? state : 'failed',
    url: stored ? attachmentUrl(conversationId, m.id, 0) : null,
    contentType,
    filename: typeof f.filename === 'string' ? f.filename : '',
    playable: PLAYABLE.test(contentType),
  }
}

export interface FileLink {
  name: string
  url: string
  size: number | null
}

/** A message's stored attachments (a mail's files, a fax's scan) as links; those not stored are left out. */
export function attachmentLinks(conversationId: number, m: Pick<ChatMessage, 'id' | 'data'>): FileLink[] {
  const files = m.data?.attachments
  if (!Array.isArray(files)) return []
  const out: FileLink[] = []
  files.forEach((raw, i) => {
    const f = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>
    if (!f.key) return
    const name = typeof f.filename === 'string' && f.filename ? f.filename : `#${i + 1}`
    out.push({ name, url: attachmentUrl(conversationId, m.id, i), size: typeof f.size === 'number' ? f.size : null })
  })
  return out
}

/** What the customer wrote (their text messages, in order), as a work order's description prefilled. */
export function customerText(messages: readonly Pick<ChatMessage, 'sender' | 'kind' | 'text'>[], max = 4000): string {
  const lines = messages
    .filter((m) => m.sender === 'customer' && m.kind === 'text')
    .map((m) => m.text.trim())
    .filter((t) => t && t !== '人工' && t !== '转人工')
  const text = lines.join('\n')
  return text.length > max ? text.slice(0, max) : text
}

/** The number of the order a conversation registered, as its system notice said it (null when not there). */
export function orderNumberOf(messages: readonly Pick<ChatMessage, 'data'>[], orderId: number | null): string | null {
  if (orderId == null) return null
  for (let i = messages.length - 1; i >= 0; i--) {
    const d = messages[i].data ?? {}
    if (d.event === 'order' && d.order_id === orderId && typeof d.number === 'string') return d.number
  }
  return null
}

// ---------------------------------------------------------------- waiting

/** Whole seconds from `since` to `now` (0 for none, a future instant or nonsense). */
export function waitSeconds(since: string | null | undefined, now: number): number {
  if (!since) return 0
  const t = new Date(since).getTime()
  return Number.isFinite(t) ? Math.max(0, Math.floor((now - t) / 1000)) : 0
}

/** A wait as people say it: "45秒", "3分12秒", "1小时05分" (en: "45s", "3m 12s", "1h 05m"); "—" for none. */
export function formatWait(seconds: number | null | undefined, locale = 'zh-CN'): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return '—'
  const s = Math.floor(seconds)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = s % 60
  const zh = locale.startsWith('zh')
  if (h > 0) return zh ? `${h}小时${String(m).padStart(2, '0')}分` : `${h}h ${String(m).padStart(2, '0')}m`
  if (m > 0) return zh ? `${m}分${String(sec).padStart(2, '0')}秒` : `${m}m ${String(sec).padStart(2, '0')}s`
  return zh ? `${sec}秒` : `${sec}s`
}

export type Tone = 'success' | 'warning' | 'danger' | 'info'
/** A wait's colour against the first-response target: within it fine, up to three times amber, beyond red. */
export function waitTone(seconds: number, targetSeconds = 60): Tone {
  if (seconds <= targetSeconds) return 'info'
  return seconds <= targetSeconds * 3 ? 'warning' : 'danger'
}

// ---------------------------------------------------------------- 【】 marks

export interface TextPart {
  text: string
  hit: boolean
}

/** A knowledge-base snippet ("…燃气费可以通过【微信】缴纳…") as parts to show, the 【】-marked ones highlighted;
 * an unclosed 【 is kept as text. Shown as text (never HTML). */
export function highlightParts(snippet: string): TextPart[] {
  const parts: TextPart[] = []
  const push = (text: string, hit: boolean) => {
    if (!text) return
    const prev = parts[parts.length - 1]
    if (prev && prev.hit === hit) prev.text += text
    else parts.push({ text, hit })
  }
  let rest = snippet
  while (rest) {
    const open = rest.indexOf('【')
    const close = open < 0 ? -1 : rest.indexOf('】', open + 1)
    if (open < 0 || close < 0) {
      push(rest, false)
      break
    }
    push(rest.slice(0, open), false)
    push(rest.slice(open + 1, close), true)
    rest = rest.slice(close + 1)
  }
  return parts
}

// ---------------------------------------------------------------- what the agent may do

export type ChatAction = 'reply' | 'accept' | 'transfer' | 'toBot' | 'close' | 'register'

type Acting = Pick<Conversation, 'state' | 'agent_id' | 'order_id'>

/** Whether the user may act on it at all: another agent's conversation is theirs (a manager steps in). */
export function mayAct(c: Pick<Conversation, 'state' | 'agent_id'>, userId: number | null | undefined, manager: boolean): boolean {
  return c.state !== 'assigned' || c.agent_id === userId || manager
}

/** The actions the server's transition table allows on this conversation for this user. */
export function actionsFor(c: Acting, userId: number | null | undefined, manager: boolean): Set<ChatAction> {
  const out = new Set<ChatAction>()
  if (!mayAct(c, userId, manager)) return out
  const s = c.state as ConversationState
  if (s !== 'closed') out.add('reply').add('close')
  if (s === 'queued') out.add('accept')
  if (s === 'queued' || s === 'assigned') out.add('transfer')
  if (s === 'assigned') out.add('toBot')
  if (c.order_id == null) out.add('register')
  return out
}

/** Unread: the customer wrote since the agent last had it open (`seen`: conversation id → that instant). */
export function isUnread(c: Pick<Conversation, 'id' | 'last_customer_at'>, seen: ReadonlyMap<number, string>): boolean {
  if (!c.last_customer_at) return false
  const at = seen.get(c.id)
  return !at || new Date(c.last_customer_at).getTime() > new Date(at).getTime()
}

/** The latest customer message's instant of a thread (what "seen" records), or null. */
export function lastCustomerAt(messages: readonly Pick<ChatMessage, 'sender' | 'created_at'>[]): string | null {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].sender === 'customer') return messages[i].created_at
  return null
}

/** "12 / 2000": a composer's count in characters (a Chinese character or an emoji counts once). */
export function charCount(text: string): number {
  return [...text].length
}
