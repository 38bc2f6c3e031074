import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '@/api/client'
import { useAuthStore } from './auth'
import { useNotificationsStore } from './notifications'
import {
  MAX_POPS, applyCallMessage, applyDetail, callClock, concerns, customerNumber, dialErrorMessage,
  newerCall, newerState, parseAgentState, parseCallMessage, sortPops, stateActions, stateErrorMessage, stateSeconds,
  usePhoneStore, waitSeconds, withOrder, type AgentState, type Call, type CallCustomer, type CallMessage, type Pop,
  type ScreenPop,
} from './phone'

const ME = 7
const OTHER = 8
const T0 = Date.parse('2026-11-23T02:00:00Z')

function call(id: number, extra: Partial<Call> = {}): Call {
  return {
    id, call_id: `pbx-${id}`, direction: 'in', from: '13800138000', to: '95598', queue: 'default', state: 'ringing',
    agent_id: null, agent: null, agent_name: null, offered_to: [ME, OTHER], customer_id: null,
    offered_at: '2026-11-23T02:00:00Z', answered_at: null, ended_at: null, acw_ended_at: null, wait_seconds: null,
    talk_seconds: null, hold_seconds: 0, acw_seconds: null, cause: null, abandoned: false, short_abandon: false,
    blocked: false, ivr_path: '', recording_url: null, has_recording: false, work_order_ids: [], ...extra,
  } as Call
}
const answered = (id: number, by: number, extra: Partial<Call> = {}) =>
  call(id, { state: 'talking', agent_id: by, answered_at: '2026-11-23T02:00:08Z', ...extra })
const ended = (id: number, by: number | null, extra: Partial<Call> = {}) =>
  call(id, {
    state: 'ended', agent_id: by, answered_at: by ? '2026-11-23T02:00:08Z' : null, ended_at: '2026-11-23T02:02:08Z',
    wait_seconds: 8, talk_seconds: by ? 120 : null, ...extra,
  })

function customer(id: number, extra: Partial<CallCustomer> = {}): CallCustomer {
  return { id, account_no: `A${id}`, name: `客户${id}`, address: '', area_id: null, tags: [], phones: ['13800138000'], ...extra }
}
function msg(event: CallMessage['event'], c: Call, extra: Partial<CallMessage> = {}): CallMessage {
  return { event, call: c, customer: null, candidates: [], ...extra }
}
function agentState(state: AgentState['state'], extra: Partial<AgentState> = {}): AgentState {
  return { user_id: ME, state, reason: null, since: '2026-11-23T02:00:00Z', call_id: null, ...extra }
}

describe('socket messages', () => {
  it('reads call messages, and nothing else', () => {
    const raw = { type: 'call', event: 'newCall', call: call(1), customer: customer(3), candidates: [] }
    expect(parseCallMessage(raw)).toEqual({ event: 'newCall', call: call(1), customer: customer(3), candidates: [] })
    expect(parseCallMessage({ ...raw, event: 'ring' })).toBeNull()
    expect(parseCallMessage({ ...raw, type: 'notification' })).toBeNull()
    expect(parseCallMessage({ ...raw, call: { id: '1' } })).toBeNull()
    const two = parseCallMessage({ ...raw, customer: null, candidates: [customer(3), { id: 'x' }, customer(4)] })
    expect(two?.candidates.map((c) => c.id)).toEqual([3, 4])
  })

  it('reads agent-state messages', () => {
    expect(parseAgentState({ type: 'agent_state', agent_state: agentState('ready') })).toEqual(agentState('ready'))
    expect(parseAgentState({ type: 'agent_state', agent_state: { user_id: ME, state: 'signed_out' } })).toEqual({
      user_id: ME, state: 'signed_out', reason: null, since: null, call_id: null,
    })
    expect(parseAgentState({ type: 'agent_state', agent_state: { user_id: ME, state: 'dancing' } })).toBeNull()
    expect(parseAgentState({ type: 'agent_state' })).toBeNull()
  })
})

describe('merging call events into pops', () => {
  it('pops a call that rings for me, and not one that rings for others', () => {
    const pops = applyCallMessage([], msg('newCall', call(1), { customer: customer(3) }), ME, T0)
    expect(pops.map((p) => [p.id, p.customer?.id, p.seenAt])).toEqual([[1, 3, T0]])
    expect(applyCallMessage([], msg('newCall', call(2, { offered_to: [OTHER] })), ME, T0)).toEqual([])
  })

  it('keeps the pop when I answer, and closes it when someone else does', () => {
    let pops = applyCallMessage([], msg('newCall', call(1)), ME, T0)
    pops = applyCallMessage(pops, msg('answer', answered(1, ME)), ME, T0 + 1000)
    expect(pops).toHaveLength(1)
    expect(pops[0].call.state).toBe('talking')
    expect(pops[0].seenAt).toBe(T0)
    const other = applyCallMessage(applyCallMessage([], msg('newCall', call(2)), ME, T0), msg('answer', answered(2, OTHER)), ME, T0)
    expect(other).toEqual([])
  })

  it('closes a ringing pop when the caller hangs up, keeps mine through after-call work', () => {
    const ringing = applyCallMessage([], msg('newCall', call(1)), ME, T0)
    expect(applyCallMessage(ringing, msg('hangup', ended(1, null, { abandoned: true })), ME, T0)).toEqual([])
    const mine = applyCallMessage([], msg('answer', answered(2, ME)), ME, T0)
    const after = applyCallMessage(mine, msg('hangup', ended(2, ME)), ME, T0)
    expect(after.map((p) => p.call.state)).toEqual(['ended'])
  })

  it('an answer I take pops even when its newCall never reached me (outbound, or a transfer)', () => {
    const pops = applyCallMessage([], msg('answer', answered(5, ME, { offered_to: [] })), ME, T0)
    expect(pops.map((p) => p.id)).toEqual([5])
  })

  it('a late copy never takes a call back (an answer overtaken by its hangup)', () => {
    let pops = applyCallMessage([], msg('newCall', call(1)), ME, T0)
    pops = applyCallMessage(pops, msg('hangup', ended(1, ME, { work_order_ids: [9] })), ME, T0)
    pops = applyCallMessage(pops, msg('answer', answered(1, ME)), ME, T0)
    expect(pops[0].call.state).toBe('ended')
    expect(newerCall(ended(1, ME), answered(1, ME)).state).toBe('ended')
    expect(newerCall(answered(1, ME, { work_order_ids: [2] }), ended(1, ME, { work_order_ids: [1] })).work_order_ids)
      .toEqual([1, 2])
  })

  it('keeps the customer and candidates the call still has', () => {
    let pops = applyCallMessage([], msg('newCall', call(1), { candidates: [customer(3), customer(4)] }), ME, T0)
    expect(pops[0].candidates.map((c) => c.id)).toEqual([3, 4])
    pops = applyCallMessage(pops, msg('answer', answered(1, ME)), ME, T0) // candidates not repeated
    expect(pops[0].candidates.map((c) => c.id)).toEqual([3, 4])
    // picked: the call now has customer 4, and the pop keeps it even if a message leaves it out
    pops = [{ ...pops[0], customer: customer(4), candidates: [], call: { ...pops[0].call, customer_id: 4 } }]
    pops = applyCallMessage(pops, msg('hangup', ended(1, ME, { customer_id: 4 })), ME, T0)
    expect(pops[0].customer?.id).toBe(4)
    expect(pops[0].candidates).toEqual([])
  })

  it('orders the pops: the call on the line, then ringing ones, then ended ones; newest first', () => {
    let pops: Pop[] = []
    pops = applyCallMessage(pops, msg('hangup', ended(1, ME)), ME, T0)
    pops = applyCallMessage(pops, msg('newCall', call(2)), ME, T0 + 1)
    pops = applyCallMessage(pops, msg('answer', answered(3, ME)), ME, T0 + 2)
    pops = applyCallMessage(pops, msg('newCall', call(4)), ME, T0 + 3)
    expect(pops.map((p) => p.id)).toEqual([3, 4, 2, 1])
    expect(sortPops([...pops].reverse()).map((p) => p.id)).toEqual([3, 4, 2, 1])
  })

  it('keeps at most MAX_POPS, dropping the oldest ended ones first', () => {
    let pops: Pop[] = []
    for (let i = 1; i <= MAX_POPS; i++) pops = applyCallMessage(pops, msg('hangup', ended(i, ME)), ME, T0 + i)
    pops = applyCallMessage(pops, msg('newCall', call(99)), ME, T0 + 100)
    expect(pops).toHaveLength(MAX_POPS)
    expect(pops[0].id).toBe(99)
    expect(pops.some((p) => p.id === 1)).toBe(false)
  })

  it('whose call it is', () => {
    expect(concerns(call(1), ME)).toBe(true)
    expect(concerns(call(1, { offered_to: [OTHER] }), ME)).toBe(false)
    expect(concerns(answered(1, OTHER), ME)).toBe(false)
    expect(concerns(ended(1, null), ME)).toBe(false)
    expect(concerns(ended(1, ME, { offered_to: [] }), ME)).toBe(true)
  })
})

describe('the rest of a pop', () => {
  const detail: ScreenPop = {
    call: answered(1, ME, { customer_id: 3 }), customer: customer(3, { tags: ['sensitive'] }), candidates: [],
    open_orders: [{ id: 40, number: 'GD40' }, { id: 41, number: 'GD41' }] as ScreenPop['open_orders'],
    recent_contacts: [], notices: [{ kind: 'outage', text: '停气', rule_id: 1 }],
  }

  it('takes the customer, the open orders and their numbers', () => {
    const pop = applyCallMessage([], msg('newCall', call(1), { candidates: [customer(3), customer(4)] }), ME, T0)[0]
    const after = applyDetail({ ...pop, loading: true }, detail)
    expect(after.customer?.tags).toEqual(['sensitive'])
    expect(after.candidates).toEqual([])
    expect(after.call.state).toBe('talking')
    expect(after.loading).toBe(false)
    expect(after.orderNumbers).toEqual({ 40: 'GD40', 41: 'GD41' })
  })

  it('a linked or registered order is on the call with its number', () => {
    const pop = applyDetail(applyCallMessage([], msg('newCall', call(1)), ME, T0)[0], detail)
    const linked = withOrder(pop, { id: 41, number: 'GD41' }, answered(1, ME, { work_order_ids: [41] }))
    const registered = withOrder(linked, { id: 50, number: 'GD50' })
    expect(registered.call.work_order_ids).toEqual([41, 50])
    expect(registered.orderNumbers[50]).toBe('GD50')
  })
})

describe('clocks', () => {
  it('counts the ring, then the talk, then shows the talk time (or the wait of an unanswered call)', () => {
    expect(callClock(call(1), T0 + 12_500)).toEqual({ phase: 'ringing', seconds: 12 })
    expect(callClock(answered(1, ME), T0 + 68_000)).toEqual({ phase: 'talking', seconds: 60 })
    expect(callClock(ended(1, ME), T0 + 999_000)).toEqual({ phase: 'ended', seconds: 120 })
    expect(callClock(ended(1, null), T0 + 999_000)).toEqual({ phase: 'ended', seconds: 8 })
    expect(waitSeconds(answered(1, ME), T0 + 99_000)).toBe(8)
    expect(waitSeconds(call(1), T0 + 5_000)).toBe(5)
  })

  it('the customer side is the caller inbound, the called number outbound', () => {
    expect(customerNumber(call(1))).toBe('13800138000')
    expect(customerNumber(call(1, { direction: 'out', from: '02363000000', to: '13900000000' }))).toBe('13900000000')
  })
})

describe('the agent state', () => {
  it('keeps the newer of two states (a GET answer overtaken by a pushed change)', () => {
    const ready = agentState('ready', { since: '2026-11-23T02:00:00Z' })
    const onCall = agentState('on_call', { since: '2026-11-23T02:05:00Z', call_id: 4 })
    expect(newerState(onCall, ready)).toBe(onCall)
    expect(newerState(ready, onCall)).toBe(onCall)
    const out = agentState('signed_out', { since: null })
    expect(newerState(ready, out)).toBe(out)
    expect(newerState(null, ready)).toBe(ready)
  })

  it('times the state', () => {
    expect(stateSeconds(agentState('ready'), T0 + 90_000)).toBe(90)
    expect(stateSeconds(agentState('signed_out', { since: null }), T0)).toBe(0)
  })

  it('offers what the transition table allows', () => {
    expect(stateActions(null)).toEqual(['signed_in'])
    expect(stateActions(agentState('signed_in'))).toEqual(['ready', 'not_ready', 'signed_out'])
    expect(stateActions(agentState('ready'))).toEqual(['not_ready', 'signed_out'])
    expect(stateActions(agentState('not_ready', { reason: 'meal' }))).toEqual(['ready', 'not_ready', 'signed_out'])
    expect(stateActions(agentState('on_call'))).toEqual([])
    expect(stateActions(agentState('acw', { call_id: 3 }))).toEqual(['done', 'ready', 'not_ready', 'signed_out'])
  })

  it('explains refusals in the agent\'s words', () => {
    const t = (key: string, p?: Record<string, unknown>) => (p ? `${key} ${JSON.stringify(p)}` : key)
    expect(dialErrorMessage(new ApiError(409, { detail: 'click-to-call is not set up' }), t)).toBe('phone.dial.notSetUp')
    expect(dialErrorMessage(new ApiError(502, { detail: 'PBX said 503' }), t)).toBe('phone.dial.refused {"detail":"PBX said 503"}')
    expect(dialErrorMessage(new ApiError(422, { detail: 'bad' }), t)).toBe('phone.dial.badNumber')
    expect(dialErrorMessage(new ApiError(500, { detail: 'boom' }), t)).toBe('服务器出错，请稍后重试：boom')
    expect(stateErrorMessage(new ApiError(409, { detail: 'cannot' }), t)).toBe('phone.state.conflict')
  })
})

// ------------------------------------------------------------------ the store, with a fake socket and server

class FakeSocket {
  static OPEN = 1
  static all: FakeSocket[] = []
  readyState = 0
  onopen: (() => void) | null = null
  onmessage: ((e: { data: string }) => void) | null = null
  onclose: ((e: { code: number }) => void) | null = null
  constructor(public url: string) {
    FakeSocket.all.push(this)
  }
  send(): void {}
  close(): void {}
  open(): void {
    this.readyState = 1
    this.onopen?.()
  }
  push(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) })
  }
}

function reply(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
}

describe('the phone store', () => {
  let state: AgentState
  let fetch: ReturnType<typeof vi.fn>
  const requests: string[] = []

  beforeEach(() => {
    setActivePinia(createPinia())
    vi.useFakeTimers()
    FakeSocket.all = []
    requests.length = 0
    vi.stubGlobal('WebSocket', FakeSocket)
    state = agentState('ready')
    fetch = vi.fn(async (req: Request) => {
      const url = new URL(req.url, 'http://x')
      requests.push(`${req.method} ${url.pathname}`)
      if (url.pathname === '/api/v1/notifications') return reply({ items: [], unread: 0, unacked: 0 })
      if (url.pathname === '/api/v1/agents/me/state') {
        if (req.method === 'PUT') {
          const body = await req.json()
          if (body.state === 'ready' && state.state === 'on_call') return reply({ detail: 'cannot ready while on_call' }, 409)
          state = agentState(body.state, { reason: body.reason ?? null, since: '2026-11-23T03:00:00Z' })
        }
        return reply(state)
      }
      const pop = url.pathname.match(/^\/api\/v1\/calls\/(\d+)\/pop$/)
      if (pop) {
        const id = Number(pop[1])
        return reply({
          call: id === 4 ? ended(4, ME, { customer_id: 3 }) : answered(id, ME, { customer_id: 3 }),
          customer: customer(3, { tags: ['vip'] }), candidates: [],
          open_orders: [{ id: 40, number: 'GD40' }], recent_contacts: [], notices: [],
        })
      }
      const linked = url.pathname.match(/^\/api\/v1\/calls\/(\d+)\/orders$/)
      if (linked) return reply(answered(Number(linked[1]), ME, { work_order_ids: [40] }))
      return reply({ detail: 'not here' }, 404)
    })
    vi.stubGlobal('fetch', fetch)
    useAuthStore().user = { id: ME, username: 'agent' } as never
  })
  afterEach(() => {
    useNotificationsStore().stop()
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  async function settle(): Promise<void> {
    for (let i = 0; i < 8; i++) await vi.advanceTimersByTimeAsync(0)
  }
  async function connected() {
    const notifications = useNotificationsStore()
    const phone = usePhoneStore()
    notifications.start()
    await phone.start()
    FakeSocket.all[0].open()
    await settle()
    return { phone, ws: FakeSocket.all[0] }
  }

  it('pops a call from the socket at once, then loads the rest of it', async () => {
    const { phone, ws } = await connected()
    expect(phone.agent?.state).toBe('ready')
    ws.push({ type: 'call', event: 'newCall', call: call(1), customer: null, candidates: [customer(3)] })
    expect(phone.shown?.id).toBe(1) // synchronously: no request stands between the message and the pop
    expect(phone.shown?.candidates.map((c) => c.id)).toEqual([3])
    await settle()
    expect(requests).toContain('GET /api/v1/calls/1/pop')
    expect(phone.shown?.customer?.tags).toEqual(['vip'])
    expect(phone.shown?.orderNumbers).toEqual({ 40: 'GD40' })
  })

  it('closes the pop when another agent answers, and follows the agent state pushed', async () => {
    const { phone, ws } = await connected()
    ws.push({ type: 'call', event: 'newCall', call: call(2), customer: null, candidates: [] })
    ws.push({ type: 'call', event: 'answer', call: answered(2, OTHER), customer: null, candidates: [] })
    await settle()
    expect(phone.pops).toEqual([])
    ws.push({ type: 'agent_state', agent_state: agentState('on_call', { since: '2026-11-23T03:10:00Z', call_id: 9 }) })
    expect(phone.agent?.state).toBe('on_call')
    ws.push({ type: 'agent_state', agent_state: agentState('ready', { user_id: OTHER, since: '2026-11-23T03:11:00Z' }) })
    expect(phone.agent?.state).toBe('on_call') // someone else's
  })

  it('sets the state, and says why not when the server refuses', async () => {
    const { phone } = await connected()
    await phone.setState('not_ready', 'meal')
    expect(phone.agent).toMatchObject({ state: 'not_ready', reason: 'meal' })
    state = agentState('on_call', { since: '2026-11-23T03:20:00Z' })
    await expect(phone.setState('ready')).rejects.toMatchObject({ status: 409 })
  })

  it('links an open order to the call', async () => {
    const { phone, ws } = await connected()
    ws.push({ type: 'call', event: 'answer', call: answered(3, ME), customer: customer(3), candidates: [] })
    await settle()
    await phone.linkOrder(3, { id: 40, number: 'GD40' })
    expect(phone.shown?.call.work_order_ids).toEqual([40])
    phone.orderRegistered(3, { id: 55, number: 'GD55' })
    expect(phone.shown?.call.work_order_ids).toEqual([40, 55])
    expect(phone.shown?.orderNumbers[55]).toBe('GD55')
  })

  it('after a reload, the call the agent is wrapping up pops again', async () => {
    state = agentState('acw', { call_id: 4 })
    const { phone } = await connected()
    expect(phone.shown?.id).toBe(4)
    expect(phone.shown?.call.state).toBe('ended')
    expect(phone.shown?.customer?.id).toBe(3)
  })

  it('forgets everything when the user changes', async () => {
    const { phone, ws } = await connected()
    ws.push({ type: 'call', event: 'newCall', call: call(1), customer: null, candidates: [] })
    useAuthStore().user = null
    await settle()
    expect(phone.pops).toEqual([])
    expect(phone.agent).toBeNull()
  })
})
