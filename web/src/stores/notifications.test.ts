import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  BACKOFF_MAX_MS, POLL_MS, backoffDelay, badgeCount, markAcked, markRead, mergeNotifications, parseEnvelope,
  parseMessage, pendingOf, reconcileUnacked, socketUrl, useNotificationsStore, type Notification,
} from './notifications'

function note(id: number, extra: Partial<Notification> = {}): Notification {
  return {
    id, kind: 'dispatch', order_id: 100 + id, level: 0, title: `新工单 GD${id}`, body: '', data: { order_number: `GD${id}` },
    requires_ack: true, created_at: '2026-11-23T01:00:00Z', read_at: null, acked_at: null, ...extra,
  }
}
const AT = '2026-11-23T02:00:00Z'

describe('merging what arrives', () => {
  it('keeps one copy per id, newest first, the incoming copy winning', () => {
    const list = mergeNotifications([note(1), note(3)], [note(2), note(3, { title: 'new' })])
    expect(list.map((n) => n.id)).toEqual([3, 2, 1])
    expect(list[0].title).toBe('new')
  })

  it('never un-acknowledges with an older copy', () => {
    const acked = markAcked([note(1)], 1, AT)
    const list = mergeNotifications(acked, [note(1)])
    expect(list[0].acked_at).toBe(AT)
    expect(list[0].read_at).toBe(AT)
  })

  it('pops up only what must be and has not been acknowledged, newest first', () => {
    const list = [note(1), note(5, { requires_ack: false, kind: 'warning' }), note(3, { acked_at: AT }), note(4)]
    expect(pendingOf(list).map((n) => n.id)).toEqual([4, 1])
  })

  it('acknowledging marks read too, and an unknown or acknowledged id changes nothing', () => {
    const list = [note(1), note(2, { read_at: '2026-11-23T01:30:00Z' })]
    const after = markAcked(list, 2, AT)
    expect(after[1]).toMatchObject({ acked_at: AT, read_at: '2026-11-23T01:30:00Z' })
    expect(after[0]).toBe(list[0])
    expect(markAcked(after, 2, 'later')).toBe(after)
    expect(markAcked(after, 9, AT)).toBe(after)
  })

  it('reads some or all', () => {
    const list = [note(1), note(2), note(3, { read_at: 'x' })]
    expect(markRead(list, [2], AT).map((n) => n.read_at)).toEqual([null, AT, 'x'])
    expect(markRead(list, null, AT).map((n) => n.read_at)).toEqual([AT, AT, 'x'])
  })

  it('a complete "still waiting" answer closes what was acknowledged elsewhere', () => {
    const list = [note(1), note(2), note(3, { requires_ack: false })]
    const out = reconcileUnacked(list, [note(2), note(4)], true, AT)
    expect(pendingOf(out).map((n) => n.id)).toEqual([4, 2])
    expect(out.find((n) => n.id === 1)?.acked_at).toBe(AT)
    // an answer cut at the limit proves nothing about the ones it left out
    expect(pendingOf(reconcileUnacked(list, [note(2)], false, AT)).map((n) => n.id)).toEqual([2, 1])
  })
})

describe('socket messages', () => {
  it('parses hello, notification and acked; ignores pong and garbage', () => {
    expect(parseMessage('{"type":"hello","unacked":3}')).toEqual({ type: 'hello', unacked: 3 })
    expect(parseMessage('{"type":"acked","id":7}')).toEqual({ type: 'acked', id: 7 })
    const n = parseMessage(JSON.stringify({ type: 'notification', notification: note(5) }))
    expect(n).toEqual({ type: 'notification', notification: note(5) })
    expect(parseMessage('pong')).toBeNull()
    expect(parseMessage('{nope')).toBeNull()
    expect(parseMessage('{"type":"acked","id":"7"}')).toBeNull()
    expect(parseMessage('{"type":"notification","notification":{"kind":"x"}}')).toBeNull()
    expect(parseMessage(42)).toBeNull()
  })

  it('reads any typed object as an envelope, for the other listeners of the socket', () => {
    expect(parseEnvelope('{"type":"call","event":"newCall","call":{"id":1}}')).toEqual({
      type: 'call', event: 'newCall', call: { id: 1 },
    })
    expect(parseEnvelope('{"event":"newCall"}')).toBeNull()
    expect(parseEnvelope('[1,2]')).toBeNull()
    expect(parseEnvelope('pong')).toBeNull()
    expect(parseMessage('{"type":"call","event":"newCall"}')).toBeNull()
  })

  it('connects to the same host, wss behind https', () => {
    expect(socketUrl({ protocol: 'http:', host: 'localhost:8000' })).toBe('ws://localhost:8000/api/v1/ws')
    expect(socketUrl({ protocol: 'https:', host: 'huiyin.example' })).toBe('wss://huiyin.example/api/v1/ws')
  })
})

describe('reconnecting', () => {
  it('doubles from 1 s to at most 30 s, the second half random', () => {
    expect(backoffDelay(0, () => 0)).toBe(500)
    expect(backoffDelay(0, () => 1)).toBe(1000)
    expect(backoffDelay(1, () => 0)).toBe(1000)
    expect(backoffDelay(3, () => 1)).toBe(8000)
    expect(backoffDelay(5, () => 1)).toBe(BACKOFF_MAX_MS)
    expect(backoffDelay(50, () => 0.5)).toBe(22500)
    expect(backoffDelay(-1, () => 0)).toBe(500)
  })

  it('the bell counts what waits for an acknowledgement, else what is unread', () => {
    expect(badgeCount(2, 9)).toBe(2)
    expect(badgeCount(0, 9)).toBe(9)
    expect(badgeCount(0, 0)).toBe(0)
  })
})

// ------------------------------------------------------------------ the store, with a fake socket and server

class FakeSocket {
  static OPEN = 1
  static all: FakeSocket[] = []
  readyState = 0
  sent: string[] = []
  closed = false
  onopen: (() => void) | null = null
  onmessage: ((e: { data: string }) => void) | null = null
  onclose: ((e: { code: number }) => void) | null = null
  constructor(public url: string) {
    FakeSocket.all.push(this)
  }
  send(text: string): void {
    this.sent.push(text)
  }
  close(): void {
    this.closed = true
  }
  open(): void {
    this.readyState = 1
    this.onopen?.()
  }
  push(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) })
  }
  drop(code = 1006): void {
    this.readyState = 3
    this.onclose?.({ code })
  }
}

function reply(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
}

describe('the notifications store', () => {
  let waiting: Notification[]
  let fetch: ReturnType<typeof vi.fn>

  beforeEach(() => {
    setActivePinia(createPinia())
    vi.useFakeTimers()
    FakeSocket.all = []
    vi.stubGlobal('WebSocket', FakeSocket)
    waiting = [note(2), note(1)]
    fetch = vi.fn(async (req: Request) => {
      const url = new URL(req.url, 'http://x')
      if (url.pathname === '/api/v1/notifications') {
        return reply({ items: waiting, unread: waiting.length, unacked: waiting.length })
      }
      const acked = url.pathname.match(/^\/api\/v1\/notifications\/(\d+)\/ack$/)
      if (acked) {
        const id = Number(acked[1])
        waiting = waiting.filter((n) => n.id !== id)
        return reply(note(id, { acked_at: AT, read_at: AT }))
      }
      if (url.pathname === '/api/v1/notifications/read') return reply({ changed: 1 })
      return reply({}, 404)
    })
    vi.stubGlobal('fetch', fetch)
  })
  afterEach(() => {
    useNotificationsStore().stop()
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  async function settle(): Promise<void> {
    for (let i = 0; i < 5; i++) await vi.advanceTimersByTimeAsync(0)
  }

  it('opens the socket, loads what waits and keeps the counts', async () => {
    const store = useNotificationsStore()
    store.start()
    store.start() // once only
    expect(FakeSocket.all).toHaveLength(1)
    FakeSocket.all[0].open()
    FakeSocket.all[0].push({ type: 'hello', unacked: 2 })
    await settle()
    expect(store.connection).toBe('open')
    expect(store.pending.map((n) => n.id)).toEqual([2, 1])
    expect(store.unacked).toBe(2)
    expect(store.badge).toBe(2)
  })

  it('a pushed notification pops up first and is told to listeners once', async () => {
    const store = useNotificationsStore()
    const heard: number[] = []
    store.onArrive((n) => heard.push(n.id))
    store.start()
    FakeSocket.all[0].open()
    await settle()
    const pushed = note(9, { kind: 'urge' })
    FakeSocket.all[0].push({ type: 'notification', notification: pushed })
    FakeSocket.all[0].push({ type: 'notification', notification: pushed })
    expect(store.pending[0].id).toBe(9)
    expect(heard).toEqual([9])
    expect(store.unacked).toBe(3)
    expect(store.unread).toBe(3)
  })

  it('hands other messages to their listeners and leaves the notifications alone', async () => {
    const store = useNotificationsStore()
    const calls: unknown[] = []
    const states: unknown[] = []
    const off = store.onMessage('call', (m) => calls.push(m.event))
    store.onMessage('agent_state', (m) => states.push(m.agent_state))
    store.onMessage('notification', () => {
      throw new Error('a broken listener')
    })
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    store.start()
    FakeSocket.all[0].open()
    await settle()
    const revision = store.revision
    FakeSocket.all[0].push({ type: 'call', event: 'newCall', call: { id: 1 } })
    FakeSocket.all[0].push({ type: 'agent_state', agent_state: { state: 'ready' } })
    expect(calls).toEqual(['newCall'])
    expect(states).toEqual([{ state: 'ready' }])
    expect(store.revision).toBe(revision)
    expect(store.unread).toBe(2)
    // a listener that throws neither stops the store nor the other listeners
    FakeSocket.all[0].push({ type: 'notification', notification: note(9) })
    expect(store.pending[0].id).toBe(9)
    expect(errors).toHaveBeenCalledOnce()
    off()
    FakeSocket.all[0].push({ type: 'call', event: 'answer', call: { id: 1 } })
    expect(calls).toEqual(['newCall'])
    errors.mockRestore()
  })

  it('sends texts only while open, and watches a topic again whenever the socket reopens', async () => {
    const store = useNotificationsStore()
    const boards: unknown[] = []
    store.onMessage('wallboard', (m) => boards.push(m.wallboard))
    store.start()
    expect(store.send('ping')).toBe(false) // not open yet: nothing queued
    const stopA = store.watchTopic('wallboard')
    const stopB = store.watchTopic('wallboard') // a second watcher of the same topic
    FakeSocket.all[0].open()
    await settle()
    expect(FakeSocket.all[0].sent).toEqual(['watch:wallboard']) // once, on open
    FakeSocket.all[0].push({ type: 'watching', topic: 'wallboard', ok: true })
    FakeSocket.all[0].push({ type: 'wallboard', wallboard: { waiting: 3 } })
    expect(boards).toEqual([{ waiting: 3 }])
    // the socket drops and comes back: the new one is told again
    FakeSocket.all[0].drop()
    await vi.advanceTimersByTimeAsync(2_000)
    expect(FakeSocket.all).toHaveLength(2)
    FakeSocket.all[1].open()
    await settle()
    expect(FakeSocket.all[1].sent).toEqual(['watch:wallboard'])
    // unwatch only when the last watcher leaves, and only once
    stopA()
    stopA()
    expect(FakeSocket.all[1].sent).toEqual(['watch:wallboard'])
    stopB()
    expect(FakeSocket.all[1].sent).toEqual(['watch:wallboard', 'unwatch:wallboard'])
    // watching while open sends at once
    const stopC = store.watchTopic('wallboard')
    expect(FakeSocket.all[1].sent.at(-1)).toBe('watch:wallboard')
    expect(store.send('hello')).toBe(true)
    stopC()
  })

  it('closes a popup acknowledged in another tab, and counts it once with its own ack', async () => {
    const store = useNotificationsStore()
    store.start()
    FakeSocket.all[0].open()
    await settle()
    FakeSocket.all[0].push({ type: 'acked', id: 2 })
    expect(store.pending.map((n) => n.id)).toEqual([1])
    expect(store.unacked).toBe(1)
    await store.ack(1)
    FakeSocket.all[0].push({ type: 'acked', id: 1 }) // the server tells this tab too
    expect(store.pending).toEqual([])
    expect(store.unacked).toBe(0)
    expect(store.unread).toBe(0)
  })

  it('acknowledges all that wait', async () => {
    const store = useNotificationsStore()
    store.start()
    FakeSocket.all[0].open()
    await settle()
    await store.ackAll()
    expect(store.pending).toEqual([])
    const acks = fetch.mock.calls.map(([r]) => new URL((r as Request).url, 'http://x').pathname).filter((p) => p.endsWith('/ack'))
    expect(acks).toEqual(['/api/v1/notifications/2/ack', '/api/v1/notifications/1/ack'])
  })

  it('pings to keep the socket alive', async () => {
    const store = useNotificationsStore()
    store.start()
    FakeSocket.all[0].open()
    await vi.advanceTimersByTimeAsync(25_000)
    expect(FakeSocket.all[0].sent).toEqual(['ping'])
  })

  it('while the socket is down it polls every 30 s and reconnects with backoff', async () => {
    const store = useNotificationsStore()
    store.start()
    FakeSocket.all[0].open()
    await settle()
    const loads = () => fetch.mock.calls.filter(([r]) => (r as Request).url.includes('/notifications?')).length
    const before = loads()
    FakeSocket.all[0].drop()
    await settle()
    expect(store.connection).toBe('down')
    expect(loads()).toBe(before + 1) // at once
    // another tab acknowledged #2 meanwhile: the poll closes it here
    waiting = [note(1)]
    await vi.advanceTimersByTimeAsync(1_000) // the first retry comes within a second …
    expect(FakeSocket.all).toHaveLength(2)
    FakeSocket.all[1].drop() // … and fails
    await vi.advanceTimersByTimeAsync(POLL_MS)
    expect(store.pending.map((n) => n.id)).toEqual([1])
    expect(FakeSocket.all.length).toBeGreaterThanOrEqual(3)
    FakeSocket.all.at(-1)!.open()
    await settle()
    expect(store.connection).toBe('open')
    const polled = loads()
    await vi.advanceTimersByTimeAsync(POLL_MS * 2)
    expect(loads()).toBe(polled) // connected again: no more polling
  })

  it('stops on sign-out: the socket closes, timers stop, nothing is kept', async () => {
    const store = useNotificationsStore()
    store.start()
    const ws = FakeSocket.all[0]
    ws.open()
    await settle()
    store.stop()
    expect(ws.closed).toBe(true)
    expect(store.items).toEqual([])
    expect(store.badge).toBe(0)
    expect(store.connection).toBe('idle')
    const calls = fetch.mock.calls.length
    await vi.advanceTimersByTimeAsync(120_000)
    expect(fetch.mock.calls.length).toBe(calls)
    expect(FakeSocket.all).toHaveLength(1)
  })

  it('marking all read updates the counts from the server', async () => {
    const store = useNotificationsStore()
    store.start()
    FakeSocket.all[0].open()
    await settle()
    waiting = []
    expect(await store.read()).toBe(1)
    expect(store.unread).toBe(0)
  })
})
