// 在线客服 (the agents' inbox of the written channels: WeChat, the web chat, e-mail, SMS): the conversations by
// state, one conversation with its thread and customer panel, the agent's actions (reply, accept, transfer, hand
// back to the bot, close, register an order), the knowledge base's quick replies, the day's figures, and the
// people a conversation may be transferred to. Typed by the generated OpenAPI schema; the server leaves its
// instants and the customer panel's entries untyped, so they are typed here.
import { api, unwrap, type Schemas } from '@/api/client'

type Instant = string | null
type Raw = Schemas['ConversationPublic']
type Timed =
  | 'created_at' | 'queued_at' | 'assigned_at' | 'first_response_at' | 'last_customer_at' | 'unanswered_since'
  | 'closed_at'

/** One conversation as the lists show it. */
export interface Conversation extends Omit<Raw, Timed> {
  created_at: string
  queued_at: Instant
  assigned_at: Instant
  first_response_at: Instant
  last_customer_at: Instant
  /** since when the customer waits for a person's answer (null: answered, or with the bot) */
  unanswered_since: Instant
  closed_at: Instant
}

export type ConversationState = 'bot' | 'queued' | 'assigned' | 'closed'
export type Direction = 'in' | 'out'
export type Sender = 'customer' | 'bot' | 'agent' | 'system'
export type MessageKind = 'text' | 'image' | 'voice' | 'location' | 'file' | 'event'
export type Delivery = 'pending' | 'sent' | 'failed' | 'local'

export interface ChatMessage extends Omit<Schemas['ConversationMessage'], 'created_at'> {
  created_at: string
}

export interface ChatCustomer {
  id: number
  name: string
  address: string | null
  area_id: number | null
  tags: string[]
}

export interface ChatOutage {
  id: number
  utility: string
  state: string
  cause: string
  eta: Instant
}

export interface ChatOrder {
  id: number
  number: string
  type: string
  state: string
  description: string
  created_at: string
}

export interface ConversationDetail extends Conversation {
  messages: ChatMessage[]
  customer: ChatCustomer | null
  outages: ChatOutage[]
  open_orders: ChatOrder[]
}

export interface ConversationList extends Omit<Schemas['ConversationsPublic'], 'items'> {
  items: Conversation[]
}

export type ListQuery = {
  state?: ConversationState | 'open' | null
  mine?: boolean
  order_id?: number | null
  customer_id?: number | null
  limit?: number
}

export type CloseReason = 'solved' | 'customer' | 'idle' | 'order' | 'spam'
export const CLOSE_REASONS: CloseReason[] = ['solved', 'customer', 'order', 'idle', 'spam']
export type RegisterBody = Schemas['ConversationRegisterIn']
export type Figures = Schemas['ConversationFigures']
export type KbHit = Schemas['KbHit']

export async function listConversations(query: ListQuery = {}): Promise<ConversationList> {
  const r = await unwrap(api.GET('/api/v1/conversations', { params: { query } }))
  return r as unknown as ConversationList
}

const path = (id: number) => ({ params: { path: { conversation_id: id } } })
const detail = (p: Promise<unknown>) => p as Promise<ConversationDetail>

export function getConversation(id: number): Promise<ConversationDetail> {
  return detail(unwrap(api.GET('/api/v1/conversations/{conversation_id}', path(id))))
}

/** The agent's answer (201); answering a queued conversation takes it, a bot's steps into it. */
export function reply(id: number, text: string): Promise<ConversationDetail> {
  return detail(unwrap(api.POST('/api/v1/conversations/{conversation_id}/messages', { ...path(id), body: { text } })))
}

export function accept(id: number): Promise<ConversationDetail> {
  return detail(unwrap(api.POST('/api/v1/conversations/{conversation_id}/accept', path(id))))
}

export function transfer(id: number, agentId: number, note = ''): Promise<ConversationDetail> {
  return detail(unwrap(api.POST('/api/v1/conversations/{conversation_id}/transfer', {
    ...path(id), body: { agent_id: agentId, note },
  })))
}

export function toBot(id: number): Promise<ConversationDetail> {
  return detail(unwrap(api.POST('/api/v1/conversations/{conversation_id}/to-bot', path(id))))
}

export function closeConversation(id: number, reason: CloseReason): Promise<ConversationDetail> {
  return detail(unwrap(api.POST('/api/v1/conversations/{conversation_id}/close', { ...path(id), body: { reason } })))
}

/** A work order from the conversation (once); the answer carries its `order_id`. */
export function registerFromConversation(id: number, body: RegisterBody): Promise<ConversationDetail> {
  return detail(unwrap(api.POST('/api/v1/conversations/{conversation_id}/register', { ...path(id), body })))
}

export function figures(days = 1): Promise<Figures> {
  return unwrap(api.GET('/api/v1/conversations-figures', { params: { query: { days } } }))
}

/** 快捷回复: the knowledge base's published articles and live outages, best first (snippets mark hits 【】). */
export async function searchKnowledge(q: string, limit = 8): Promise<KbHit[]> {
  return (await unwrap(api.GET('/api/v1/kb/search', { params: { query: { q, limit } } }))).items
}

/** The text a quick reply inserts: an article's published body, or a live outage's. */
export async function knowledgeText(hit: Pick<KbHit, 'id' | 'source'>): Promise<string> {
  if (hit.source === 'outage') {
    return (await unwrap(api.GET('/api/v1/kb/outages/{outage_id}', { params: { path: { outage_id: hit.id } } }))).body
  }
  const a = await unwrap(api.GET('/api/v1/kb/articles/{article_id}', { params: { path: { article_id: hit.id } } }))
  return (a.live ?? a.latest).body
}

/** A work order's number (a conversation knows only the id of the order it registered). */
export async function orderNumber(id: number): Promise<string> {
  return (await unwrap(api.GET('/api/v1/work-orders/{order_id}', { params: { path: { order_id: id } } }))).number
}

// ---------------------------------------------------------------- who a conversation may go to

export interface Colleague {
  id: number
  name: string
  username: string
  /** the phone seat's state when signed in (就绪, 示忙 …), from the agents' board (managers only) */
  state: string | null
}

/**
 * The people a conversation may be transferred to. The server has no list of agents an agent may read (GET /users
 * is the admin's, GET /agents/board the managers'), so the list is gathered from what the user may read: the
 * board (managers: every signed-in seat and its state), the recent calls' agents (the centre's roles) and the
 * agents of the conversations. The server refuses anyone who is not an agent or a manager.
 */
export async function colleagues(manager: boolean): Promise<Colleague[]> {
  const found = new Map<number, Colleague>()
  const add = (c: Colleague) => {
    const known = found.get(c.id)
    found.set(c.id, known ? { ...known, state: known.state ?? c.state, username: known.username || c.username } : c)
  }
  const [board, calls, open, closed] = await Promise.allSettled([
    manager ? unwrap(api.GET('/api/v1/agents/board')) : Promise.reject(new Error('not a manager')),
    unwrap(api.GET('/api/v1/calls', { params: { query: { page_size: 200 } } })),
    listConversations({ state: 'open', limit: 500 }),
    listConversations({ state: 'closed', limit: 200 }),
  ])
  if (board.status === 'fulfilled') {
    for (const a of board.value.agents) {
      add({ id: a.user_id, name: a.full_name || a.username, username: a.username, state: a.state })
    }
  }
  if (calls.status === 'fulfilled') {
    for (const c of calls.value.items) {
      if (c.agent_id != null) add({ id: c.agent_id, name: c.agent_name || c.agent || '', username: c.agent ?? '', state: null })
    }
  }
  for (const list of [open, closed]) {
    if (list.status !== 'fulfilled') continue
    for (const c of list.value.items) {
      if (c.agent_id != null) add({ id: c.agent_id, name: c.agent_name ?? '', username: '', state: null })
    }
  }
  return [...found.values()].sort((a, b) => (a.username || a.name).localeCompare(b.username || b.name))
}
