// The phone channel on the agent's desk: the agent's own state (签入 / 就绪 / 未就绪 / 通话中 / 话后处理)
// and the screen pops (来电弹屏) of the calls that ring for them or that they take.
//
// Both come over the notifications store's socket (`call` and `agent_state` messages, see docs/cti.md);
// this store listens from the moment it is first used. When the socket (re)opens, the state is read again
// (`GET /agents/me/state`), and a call the agent is on or wrapping up gets its pop back (after a reload).
// A pop first shows what the socket message carries (the call, the customer or the candidates), then the
// rest from `GET /calls/{id}/pop` (open orders, last contacts, notices).
//
// The pure functions below do the merging and the arithmetic; they are tested without a socket.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { ApiError, type Schemas, type WorkOrder } from '@/api/client'
import {
  dial as placeCall, finishCall, getMyState, getPop, linkCallOrder, setCallCustomer, setMyState,
} from '@/modules/calls/api'
import { createCustomer as newCustomer } from '@/modules/workorders/api'
import { errorMessage } from '@/composables/useAsync'
import { AGENT_STATUSES, NOT_READY_REASONS, type AgentStatus, type NotReadyReason } from '@/utils/enums'
import { useAuthStore } from './auth'
import { useNotificationsStore } from './notifications'

export type Call = Schemas['CallPublic']
export type CallCustomer = Schemas['CustomerBrief']
export type ScreenPop = Schemas['ScreenPop']
export type AgentState = Schemas['AgentStatePublic']
export type { AgentStatus, NotReadyReason }
export type SettableState = Schemas['AgentStateIn']['state']
export type CallEvent = 'newCall' | 'answer' | 'hangup'
export type CallPhase = 'ringing' | 'talking' | 'ended'

export const REASONS = NOT_READY_REASONS
export const AGENT_STATES = AGENT_STATUSES
/** Pops kept at most (the oldest ended ones go first). */
export const MAX_POPS = 5

// ------------------------------------------------------------------ pure helpers

/** A `call` message of the socket. */
export interface CallMessage {
  event: CallEvent
  call: Call
  customer: CallCustomer | null
  candidates: CallCustomer[]
}

/** One screen pop: a call that rang for this agent or that they took. */
export interface Pop {
  /** the call record's id */
  id: number
  call: Call
  customer: CallCustomer | null
  candidates: CallCustomer[]
  /** when this tab first saw the call (ms since the epoch) */
  seenAt: number
  /** the rest of the pop, from GET /calls/{id}/pop */
  detail: ScreenPop | null
  loading: boolean
  error: string
  /** order numbers by id, for the orders linked to the call */
  orderNumbers: Record<number, string>
}

const EVENTS: readonly string[] = ['newCall', 'answer', 'hangup']
const PHASE_RANK: Record<string, number> = { ringing: 0, talking: 1, ended: 2 }

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v)
}

function isCustomer(v: unknown): v is CallCustomer {
  return isObject(v) && typeof v.id === 'number' && typeof v.name === 'string'
}

/** A socket `call` message, or null when it is not one. */
export function parseCallMessage(raw: unknown): CallMessage | null {
  if (!isObject(raw) || raw.type !== 'call' || typeof raw.event !== 'string' || !EVENTS.includes(raw.event)) return null
  const call = raw.call
  if (!isObject(call) || typeof call.id !== 'number' || typeof call.state !== 'string') return null
  const candidates = Array.isArray(raw.candidates) ? raw.candidates.filter(isCustomer) : []
  return {
    event: raw.event as CallEvent,
    call: { offered_to: [], work_order_ids: [], ...call } as unknown as Call,
    customer: isCustomer(raw.customer) ? raw.customer : null,
    candidates,
  }
}

/** A socket `agent_state` message's state, or null. */
export function parseAgentState(raw: unknown): AgentState | null {
  if (!isObject(raw) || raw.type !== 'agent_state' || !isObject(raw.agent_state)) return null
  const s = raw.agent_state
  if (typeof s.user_id !== 'number' || typeof s.state !== 'string' || !AGENT_STATES.includes(s.state as AgentStatus)) {
    return null
  }
  return { reason: null, since: null, call_id: null, ...s } as unknown as AgentState
}

/** Whether the call is this agent's business: they took it, or it rings for them and nobody took it yet. */
export function concerns(call: Call, me: number): boolean {
  if (call.agent_id != null) return call.agent_id === me
  return call.state !== 'ended' && (call.offered_to ?? []).includes(me)
}

/** The later of two copies of a call: messages may overtake one another, a call never goes back from
 * talking to ringing or from ended to talking. */
export function newerCall(known: Call, incoming: Call): Call {
  const a = PHASE_RANK[known.state] ?? 0
  const b = PHASE_RANK[incoming.state] ?? 0
  if (b < a) return known
  const orders = [...new Set([...(known.work_order_ids ?? []), ...(incoming.work_order_ids ?? [])])].sort((x, y) => x - y)
  return { ...incoming, work_order_ids: orders }
}

/** Talking calls first (the one on the line), then ringing ones, then ended ones; newest first in each. */
const POP_RANK: Record<string, number> = { talking: 0, ringing: 1, ended: 2 }
export function sortPops(pops: readonly Pop[]): Pop[] {
  const rank = (p: Pop) => POP_RANK[p.call.state] ?? 2
  return [...pops].sort((a, b) => rank(a) - rank(b) || b.seenAt - a.seenAt)
}

function blankPop(call: Call, at: number): Pop {
  return {
    id: call.id, call, customer: null, candidates: [], seenAt: at, detail: null, loading: false, error: '',
    orderNumbers: {},
  }
}

/**
 * The pops after a `call` message: a call that rings for `me` or that `me` took is popped (or updated); one
 * another agent answered, or that ended before `me` took it, closes. At most MAX_POPS are kept.
 */
export function applyCallMessage(pops: readonly Pop[], m: CallMessage, me: number, at: number): Pop[] {
  const known = pops.find((p) => p.id === m.call.id) ?? null
  const call = known ? newerCall(known.call, m.call) : m.call
  const rest = pops.filter((p) => p.id !== call.id)
  if (!concerns(call, me)) return rest.length === pops.length ? (pops as Pop[]) : rest
  const base = known ?? blankPop(call, at)
  const keep = known?.customer && known.customer.id === call.customer_id ? known.customer : null
  const customer = m.customer ?? keep
  const pop: Pop = {
    ...base,
    call,
    customer,
    candidates: customer ? [] : m.candidates.length ? m.candidates : (known?.candidates ?? []),
  }
  return trimPops(sortPops([pop, ...rest]))
}

function trimPops(pops: Pop[]): Pop[] {
  while (pops.length > MAX_POPS) {
    const i = pops.map((p) => p.call.state).lastIndexOf('ended')
    pops.splice(i >= 0 ? i : pops.length - 1, 1)
  }
  return pops
}

/** The pop with the rest from GET /calls/{id}/pop. */
export function applyDetail(pop: Pop, d: ScreenPop): Pop {
  const orderNumbers = { ...pop.orderNumbers }
  for (const o of d.open_orders) orderNumbers[o.id] = o.number
  return {
    ...pop,
    call: newerCall(pop.call, d.call),
    customer: d.customer,
    candidates: d.customer ? [] : d.candidates,
    detail: d,
    loading: false,
    error: '',
    orderNumbers,
  }
}

/** The pop with an order linked to its call (registered from it, or an open order linked). */
export function withOrder(pop: Pop, order: { id: number; number: string }, call?: Call): Pop {
  const base = call ? newerCall(pop.call, call) : pop.call
  const ids = [...new Set([...(base.work_order_ids ?? []), order.id])].sort((a, b) => a - b)
  return { ...pop, call: { ...base, work_order_ids: ids }, orderNumbers: { ...pop.orderNumbers, [order.id]: order.number } }
}

/** The customer's side of the call: the caller of an inbound call, the called number of an outbound one. */
export function customerNumber(call: Pick<Call, 'direction' | 'from' | 'to'>): string {
  return call.direction === 'out' ? call.to : call.from
}

function ms(iso: string | null | undefined): number {
  return iso ? new Date(iso).getTime() : NaN
}

function since(iso: string | null | undefined, now: number): number {
  const t = ms(iso)
  return Number.isNaN(t) ? 0 : Math.max(0, Math.floor((now - t) / 1000))
}

/** The call's clock: ringing for so long, talking for so long, or (ended) the talk time, else the wait. */
export function callClock(call: Call, now: number): { phase: CallPhase; seconds: number } {
  if (call.state === 'ringing') return { phase: 'ringing', seconds: since(call.offered_at, now) }
  if (call.state === 'talking') return { phase: 'talking', seconds: since(call.answered_at ?? call.offered_at, now) }
  return { phase: 'ended', seconds: (call.answered_at ? call.talk_seconds : call.wait_seconds) ?? 0 }
}

/** The wait before the answer (or the ring so far). */
export function waitSeconds(call: Call, now: number): number {
  if (call.wait_seconds != null) return call.wait_seconds
  if (call.answered_at) return Math.max(0, Math.round((ms(call.answered_at) - ms(call.offered_at)) / 1000))
  return since(call.offered_at, now)
}

/** The later of two states of the agent (a socket message may overtake a GET's answer, and vice versa). */
export function newerState(current: AgentState | null, incoming: AgentState): AgentState {
  if (!current || current.user_id !== incoming.user_id) return incoming
  const a = ms(current.since)
  const b = ms(incoming.since)
  if (!Number.isNaN(a) && !Number.isNaN(b) && b < a) return current
  return incoming
}

/** Seconds in the current state. */
export function stateSeconds(state: AgentState | null, now: number): number {
  return state?.since ? since(state.since, now) : 0
}

/** What the agent may do from a state (the transition table of docs/cti.md); `done` ends after-call work. */
export type StateAction = 'signed_in' | 'ready' | 'not_ready' | 'signed_out' | 'done'
export function stateActions(state: AgentState | null): StateAction[] {
  switch (state?.state ?? 'signed_out') {
    case 'signed_out':
      return ['signed_in']
    case 'signed_in':
      return ['ready', 'not_ready', 'signed_out']
    case 'ready':
      return ['not_ready', 'signed_out']
    case 'not_ready':
      return ['ready', 'not_ready', 'signed_out']
    case 'acw':
      return state?.call_id != null ? ['done', 'ready', 'not_ready', 'signed_out'] : ['ready', 'not_ready', 'signed_out']
    default: // on a call: the phone system decides
      return []
  }
}

type Translate = (key: string, params?: Record<string, unknown>) => string

/** What to tell the agent when click-to-call fails: not set up (409), the PBX refused (502), a bad number. */
export function dialErrorMessage(e: unknown, t: Translate): string {
  if (e instanceof ApiError) {
    if (e.status === 409) return t('phone.dial.notSetUp')
    if (e.status === 502) return t('phone.dial.refused', { detail: e.detail })
    if (e.status === 422) return t('phone.dial.badNumber')
  }
  return errorMessage(e)
}

/** What to tell the agent when a state change is refused (409: not from this state). */
export function stateErrorMessage(e: unknown, t: Translate): string {
  if (e instanceof ApiError && e.status === 409) return t('phone.state.conflict')
  return errorMessage(e)
}

// ------------------------------------------------------------------ the store

export const usePhoneStore = defineStore('phone', () => {
  const auth = useAuthStore()
  const notifications = useNotificationsStore()

  const agent = ref<AgentState | null>(null)
  const pops = shallowRef<Pop[]>([])
  const selectedId = ref<number | null>(null)
  /** The pop on screen: the one picked, else the first (the call on the line, else the one ringing). */
  const shown = computed(() => pops.value.find((p) => p.id === selectedId.value) ?? pops.value[0] ?? null)
  const stateLoaded = ref(false)
  const stateError = ref('')
  let started = false

  function me(): number | null {
    return auth.user?.id ?? null
  }

  function update(id: number, fn: (p: Pop) => Pop): void {
    pops.value = pops.value.map((p) => (p.id === id ? fn(p) : p))
  }

  function receiveCall(m: CallMessage): void {
    const id = me()
    if (id == null) return
    const had = pops.value.some((p) => p.id === m.call.id)
    pops.value = applyCallMessage(pops.value, m, id, Date.now())
    const popped = pops.value.find((p) => p.id === m.call.id)
    if (popped && !had) {
      selectedId.value = null // a new call: show the one that matters now
      void loadDetail(popped.id)
    }
  }

  notifications.onMessage('call', (raw) => {
    const m = parseCallMessage(raw)
    if (m && started) receiveCall(m)
  })
  notifications.onMessage('agent_state', (raw) => {
    const s = parseAgentState(raw)
    if (s && started && s.user_id === me()) agent.value = newerState(agent.value, s)
  })
  // the socket (re)opened: what was missed meanwhile is read again
  watch(() => notifications.connection, (c) => {
    if (started && c === 'open') void refresh()
  })
  watch(() => auth.user?.id, (id, before) => {
    if (id === before) return
    reset()
    if (id != null && started) void refresh()
  })

  /** Loads the rest of a pop; `create`: pop the call if it is not popped (a call found after a reload). */
  async function loadDetail(id: number, create = false): Promise<void> {
    if (!pops.value.some((p) => p.id === id) && !create) return
    update(id, (p) => ({ ...p, loading: true, error: '' }))
    try {
      const d = await getPop(id)
      if (!pops.value.some((p) => p.id === id)) {
        const who = me()
        if (!create || who == null || !concerns(d.call, who)) return
        pops.value = trimPops(sortPops([blankPop(d.call, Date.now()), ...pops.value]))
      }
      update(id, (p) => applyDetail(p, d))
    } catch (e) {
      update(id, (p) => ({ ...p, loading: false, error: errorMessage(e) }))
    }
  }

  /** Reads the agent's state; a call they are on or wrapping up gets its pop back. */
  async function refresh(): Promise<void> {
    try {
      const s = await getMyState()
      agent.value = newerState(agent.value, s)
      stateError.value = ''
      const callId = agent.value.call_id
      if (callId != null && !pops.value.some((p) => p.id === callId)) await loadDetail(callId, true)
    } catch (e) {
      stateError.value = errorMessage(e)
    } finally {
      stateLoaded.value = true
    }
  }

  /** Once on the desk: take the phone's messages from now on, and read the state. Again: a fresh read. */
  function start(): Promise<void> {
    started = true
    return refresh()
  }

  function reset(): void {
    agent.value = null
    pops.value = []
    selectedId.value = null
    stateLoaded.value = false
    stateError.value = ''
  }

  /** 签入 / 就绪 / 未就绪 (with a reason) / 签出. Throws the API's error (409 when not allowed now). */
  async function setState(state: SettableState, reason?: NotReadyReason): Promise<AgentState> {
    const s = await setMyState({ state, reason: state === 'not_ready' ? (reason ?? 'break') : null })
    agent.value = s
    return s
  }

  /** 完成话后处理: after-call work on this call is over. */
  async function done(callId: number): Promise<void> {
    const call = await finishCall(callId)
    update(callId, (p) => ({ ...p, call: newerCall(p.call, call) }))
    await refresh()
  }

  /** The caller is this customer (one of the candidates, or one just created). */
  async function pickCustomer(id: number, customerId: number): Promise<void> {
    const call = await setCallCustomer(id, customerId)
    update(id, (p) => ({ ...p, call: newerCall(p.call, call) }))
    await loadDetail(id)
  }

  /** A new customer for an unknown caller, set on the call. */
  async function createCustomer(id: number, body: Schemas['CustomerCreate']): Promise<Schemas['CustomerPublic']> {
    const customer = await newCustomer(body)
    await pickCustomer(id, customer.id)
    return customer
  }

  /** 关联到本次来电: the caller asks about this open order. */
  async function linkOrder(id: number, order: Pick<WorkOrder, 'id' | 'number'>): Promise<void> {
    const call = await linkCallOrder(id, order.id)
    update(id, (p) => withOrder(p, order, call))
  }

  /** An order was registered with this call's `call_id`: the server linked it (and ended after-call work). */
  function orderRegistered(id: number, order: { id: number; number: string }): void {
    update(id, (p) => withOrder(p, order))
    void loadDetail(id)
  }

  /** Click-to-call: the PBX calls `number` for this agent; its events then pop the call. */
  async function dial(
    number: string, about: { customerId?: number | null; orderId?: number | null; callPk?: number | null } = {},
  ) {
    return placeCall({
      number, customer_id: about.customerId ?? null, order_id: about.orderId ?? null, call_pk: about.callPk ?? null,
    })
  }

  function select(id: number | null): void {
    selectedId.value = id
  }

  /** Closes a pop (an ended call, once its work is done). */
  function dismiss(id: number): void {
    pops.value = pops.value.filter((p) => p.id !== id)
    if (selectedId.value === id) selectedId.value = null
  }

  return {
    agent, pops, shown, selectedId, stateLoaded, stateError,
    start, refresh, reset, setState, done, pickCustomer, createCustomer, linkOrder, orderRegistered, dial, select,
    dismiss, loadDetail,
    /** for tests: what a call message does */
    receiveCall,
  }
})
