// The signed-in user's notifications, live. `start()` (the layout calls it once signed in) opens the
// WebSocket /api/v1/ws (the session cookie signs it in), loads what still waits for an acknowledgement,
// and keeps the unread / unacknowledged counts. Pushed notifications are merged in; an `acked` message
// (this user acknowledged one in another tab) closes its popup here too. While the socket is down it
// reconnects with a growing delay and polls GET /notifications?unacked=true every 30 s meanwhile.
// `stop()` (sign-out) closes everything and forgets the user's notifications.
// The same socket carries other messages (the phone channel's `call` and `agent_state`): `onMessage(type, fn)`
// hands them to whoever listens (stores/phone.ts); the notifications themselves are untouched by them.
// `send(text)` sends a text on the socket when it is open; `watchTopic(topic)` subscribes the socket to a topic
// the server publishes (`watch:wallboard`): sent now, again whenever the socket reopens, and `unwatch:` once the
// last watcher leaves. The topic's messages arrive through `onMessage(topic, fn)`.
//
// The pure functions below do the merging and the arithmetic; they are tested without a socket.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { Schemas } from '@/api/client'
import { ackNotification, listNotifications, markNotificationsRead } from '@/modules/notify/api'

export type Notification = Schemas['NotificationPublic']
export type NotificationKind = Notification['kind']

export const PING_MS = 25_000
export const POLL_MS = 30_000
export const BACKOFF_BASE_MS = 1_000
export const BACKOFF_MAX_MS = 30_000
/** How many waiting notifications one load asks for (the API's maximum). */
export const LOAD_LIMIT = 200

// ------------------------------------------------------------------ pure helpers

/** A server message on the socket, or null for anything else (`pong`, garbage). */
export type ServerMessage =
  | { type: 'hello'; unacked: number }
  | { type: 'notification'; notification: Notification }
  | { type: 'acked'; id: number }

/** Any message on the socket: a JSON object with a string `type`, or null (`pong`, garbage). The socket also
 * carries messages for other parts of the app (`call`, `agent_state`): they listen with `onMessage(type)`. */
export type Envelope = Record<string, unknown> & { type: string }

export function parseEnvelope(text: unknown): Envelope | null {
  if (typeof text !== 'string' || !text.startsWith('{')) return null
  let m: unknown
  try {
    m = JSON.parse(text)
  } catch {
    return null
  }
  if (!m || typeof m !== 'object' || Array.isArray(m)) return null
  const o = m as Record<string, unknown>
  return typeof o.type === 'string' ? (o as Envelope) : null
}

export function parseMessage(text: unknown): ServerMessage | null {
  const o = parseEnvelope(text)
  return o ? notificationMessage(o) : null
}

/** The notification store's own messages among the socket's. */
export function notificationMessage(o: Envelope): ServerMessage | null {
  if (o.type === 'hello' && typeof o.unacked === 'number') return { type: 'hello', unacked: o.unacked }
  if (o.type === 'acked' && typeof o.id === 'number') return { type: 'acked', id: o.id }
  const n = o.notification as Record<string, unknown> | undefined
  if (o.type === 'notification' && n && typeof n === 'object' && typeof n.id === 'number' && typeof n.kind === 'string') {
    return { type: 'notification', notification: { data: {}, ...n } as Notification }
  }
  return null
}

/** Newest first (ids grow with time). */
function byNewest(a: Notification, b: Notification): number {
  return b.id - a.id
}

/** `list` with `incoming` merged in by id (an incoming copy replaces the known one), newest first. An
 * acknowledgement is never undone by an older copy that still says "not acknowledged". */
export function mergeNotifications(list: readonly Notification[], incoming: readonly Notification[]): Notification[] {
  const out = new Map(list.map((n) => [n.id, n]))
  for (const n of incoming) {
    const known = out.get(n.id)
    out.set(n.id, known ? { ...n, acked_at: n.acked_at ?? known.acked_at, read_at: n.read_at ?? known.read_at } : n)
  }
  return [...out.values()].sort(byNewest)
}

/** Waiting for an acknowledgement: it must be acknowledged and has not been. */
export function isPending(n: Notification): boolean {
  return n.requires_ack && !n.acked_at
}

/** The ones that must pop up, newest first. */
export function pendingOf(list: readonly Notification[]): Notification[] {
  return list.filter(isPending).sort(byNewest)
}

/** `list` with notification `id` acknowledged (and read) at `at`; the same list when nothing changes. */
export function markAcked(list: readonly Notification[], id: number, at: string): Notification[] {
  const i = list.findIndex((n) => n.id === id)
  if (i < 0 || list[i].acked_at) return list as Notification[]
  const copy = [...list]
  copy[i] = { ...list[i], acked_at: at, read_at: list[i].read_at ?? at }
  return copy
}

/** `list` with these (or all) notifications read at `at`. */
export function markRead(list: readonly Notification[], ids: readonly number[] | null, at: string): Notification[] {
  const wanted = ids ? new Set(ids) : null
  return list.map((n) => (!n.read_at && (!wanted || wanted.has(n.id)) ? { ...n, read_at: at } : n))
}

/**
 * A fresh "everything still waiting" answer (GET ?unacked=true, complete when it returned fewer than the
 * limit): merged in, and whatever we still held as waiting but the server no longer lists was
 * acknowledged elsewhere (in another tab, while our socket was down).
 */
export function reconcileUnacked(
  list: readonly Notification[],
  fresh: readonly Notification[],
  complete: boolean,
  at: string,
): Notification[] {
  let out = mergeNotifications(list, fresh)
  if (!complete) return out
  const still = new Set(fresh.map((n) => n.id))
  for (const n of out) if (isPending(n) && !still.has(n.id)) out = markAcked(out, n.id, at)
  return out
}

/** How long to wait before reconnect attempt `attempt` (0, 1, 2 …): doubling from 1 s up to 30 s, with the
 * second half of each step random so many tabs do not come back at the same moment. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const step = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, Math.min(attempt, 10)))
  return Math.round(step / 2 + (step / 2) * random())
}

/** The socket's address on this page's own host (ws:// or wss://). */
export function socketUrl(loc: { protocol: string; host: string } = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/api/v1/ws`
}

/** The header bell's number: what waits for an acknowledgement, else what is unread. */
export function badgeCount(unacked: number, unread: number): number {
  return unacked > 0 ? unacked : unread
}

// ------------------------------------------------------------------ the store

export type Connection = 'idle' | 'connecting' | 'open' | 'down'
type Listener = (n: Notification) => void
export type MessageListener = (message: Envelope) => void

export const useNotificationsStore = defineStore('notifications', () => {
  /** Notifications this tab knows of: those waiting, and those pushed or acknowledged since it opened. */
  const items = shallowRef<Notification[]>([])
  const unread = ref(0)
  const unacked = ref(0)
  const connection = ref<Connection>('idle')
  /** Grows whenever something arrives or changes: pages showing notifications reload on it. */
  const revision = ref(0)

  const pending = computed(() => pendingOf(items.value))
  const badge = computed(() => badgeCount(unacked.value, unread.value))

  let running = false
  let socket: WebSocket | null = null
  let attempt = 0
  let pingTimer: ReturnType<typeof setInterval> | undefined
  let pollTimer: ReturnType<typeof setInterval> | undefined
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  let loadGeneration = 0
  const listeners = new Set<Listener>()
  const typed = new Map<string, Set<MessageListener>>()
  /** topic → how many watchers (pages) want it; each is sent `watch:<topic>` whenever the socket opens */
  const topics = new Map<string, number>()

  /** Called for every notification pushed while the page is open (not for those loaded at start). */
  function onArrive(fn: Listener): () => void {
    listeners.add(fn)
    return () => listeners.delete(fn)
  }

  /** Called for every socket message of this `type` (e.g. `call`, `agent_state`), as it arrives. Kept across
   * stop() / start(): the listener belongs to whoever registered it. Returns the unsubscribe function. */
  function onMessage(type: string, fn: MessageListener): () => void {
    let set = typed.get(type)
    if (!set) typed.set(type, (set = new Set()))
    set.add(fn)
    return () => set.delete(fn)
  }

  /** Sends a text on the socket if it is open; false when it is not (nothing is queued). */
  function send(text: string): boolean {
    const ws = socket
    if (!ws || connection.value !== 'open' || ws.readyState !== WebSocket.OPEN) return false
    try {
      ws.send(text)
      return true
    } catch {
      return false
    }
  }

  /** Watches a topic the server publishes (`wallboard`): `watch:<topic>` is sent now if the socket is open and
   * again each time it (re)opens; the returned function stops watching (`unwatch:<topic>` once no one else
   * watches). Its messages come through `onMessage(topic, fn)`. */
  function watchTopic(topic: string): () => void {
    const n = topics.get(topic) ?? 0
    topics.set(topic, n + 1)
    if (n === 0) send(`watch:${topic}`)
    let done = false
    return () => {
      if (done) return
      done = true
      const left = (topics.get(topic) ?? 1) - 1
      if (left > 0) {
        topics.set(topic, left)
        return
      }
      topics.delete(topic)
      send(`unwatch:${topic}`)
    }
  }

  /** One socket message: the store's own are handled, and every listener of its type is told. */
  function receive(text: unknown): void {
    const raw = parseEnvelope(text)
    if (!raw) return
    const m = notificationMessage(raw)
    if (m) handle(m)
    for (const fn of typed.get(raw.type) ?? []) {
      try {
        fn(raw)
      } catch (e) {
        console.error(`[socket] a ${raw.type} listener failed`, e)
      }
    }
  }

  function now(): string {
    return new Date().toISOString()
  }

  /** Loads everything still waiting for an acknowledgement, and the counts. */
  async function loadPending(): Promise<void> {
    const mine = ++loadGeneration
    const r = await listNotifications({ unacked: true, limit: LOAD_LIMIT })
    if (mine !== loadGeneration || !running) return
    items.value = reconcileUnacked(items.value, r.items, r.items.length < LOAD_LIMIT, now())
    unread.value = r.unread
    unacked.value = r.unacked
    revision.value++
  }

  function quietLoad(): void {
    loadPending().catch(() => undefined) // a 401 signs the user out (the API client); others: next time
  }

  function handle(message: ServerMessage): void {
    if (message.type === 'hello') {
      unacked.value = message.unacked
    } else if (message.type === 'notification') {
      const n = message.notification
      const known = items.value.some((x) => x.id === n.id)
      items.value = mergeNotifications(items.value, [n])
      if (!known) {
        if (!n.read_at) unread.value++
        if (isPending(n)) unacked.value++
        for (const fn of listeners) fn(n)
      }
      revision.value++
    } else if (message.type === 'acked') {
      settleAck(message.id, now())
    }
  }

  /** Notification `id` is acknowledged (here, or in another tab): close it and fix the counts once. */
  function settleAck(id: number, at: string): void {
    const before = items.value.find((n) => n.id === id)
    if (before?.acked_at) return
    if (before) {
      items.value = markAcked(items.value, id, at)
      if (!before.read_at) unread.value = Math.max(0, unread.value - 1)
    }
    if (!before || before.requires_ack) unacked.value = Math.max(0, unacked.value - 1)
    revision.value++
  }

  function startPolling(): void {
    if (pollTimer === undefined) pollTimer = setInterval(quietLoad, POLL_MS)
  }
  function stopPolling(): void {
    clearInterval(pollTimer)
    pollTimer = undefined
  }

  function connect(): void {
    if (!running || typeof WebSocket === 'undefined') return
    connection.value = 'connecting'
    let ws: WebSocket
    try {
      ws = new WebSocket(socketUrl())
    } catch {
      down(null)
      return
    }
    socket = ws
    ws.onopen = () => {
      if (socket !== ws) return
      attempt = 0
      connection.value = 'open'
      stopPolling()
      clearInterval(pingTimer)
      pingTimer = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send('ping'), PING_MS)
      for (const topic of topics.keys()) send(`watch:${topic}`) // a new socket watches nothing yet
      quietLoad()
    }
    ws.onmessage = (e: MessageEvent) => {
      if (socket !== ws) return
      receive(e.data)
    }
    ws.onclose = (e: CloseEvent) => {
      if (socket === ws) down(e.code)
    }
  }

  /** The socket closed (or never opened): poll meanwhile, and try again later. */
  function down(code: number | null): void {
    socket = null
    clearInterval(pingTimer)
    if (!running) return
    connection.value = 'down'
    // 4401: the session is gone. The poll answers 401, and the API client sends the user to sign in.
    quietLoad()
    startPolling()
    if (code === 4401) attempt = Math.max(attempt, 4)
    clearTimeout(retryTimer)
    retryTimer = setTimeout(connect, backoffDelay(attempt++))
  }

  /** Once signed in: connect and load. Calling it again changes nothing. */
  function start(): void {
    if (running) return
    running = true
    attempt = 0
    connect()
    if (connection.value === 'idle') {
      // no WebSocket in this browser: polling only
      connection.value = 'down'
      quietLoad()
      startPolling()
    }
  }

  /** Sign-out: close the socket, stop every timer, forget the user's notifications. */
  function stop(): void {
    running = false
    loadGeneration++
    const ws = socket
    socket = null
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null
      try {
        ws.close(1000)
      } catch {
        /* already closed */
      }
    }
    clearInterval(pingTimer)
    clearTimeout(retryTimer)
    stopPolling()
    items.value = []
    unread.value = 0
    unacked.value = 0
    connection.value = 'idle'
    revision.value++
  }

  /** Acknowledges one notification (the server also marks it read and tells the user's other tabs). */
  async function ack(id: number): Promise<void> {
    const n = await ackNotification(id)
    if (items.value.some((x) => x.id === id)) {
      settleAck(id, n.acked_at ?? now())
    } else {
      // one this tab never held: remember it, and take the counts from the server
      items.value = mergeNotifications(items.value, [n])
      revision.value++
      quietLoad()
    }
  }

  /** Acknowledges every notification waiting here. */
  async function ackAll(): Promise<void> {
    for (const n of pending.value) await ack(n.id)
  }

  /** Marks these (or all) notifications read. */
  async function read(ids?: number[]): Promise<number> {
    const r = await markNotificationsRead(ids)
    items.value = markRead(items.value, ids ?? null, now())
    await loadPending().catch(() => undefined) // the counts as the server has them
    return r.changed
  }

  /** Remember a notification loaded elsewhere (the notification centre), so its ack updates the counts. */
  function know(list: Notification[]): void {
    items.value = mergeNotifications(items.value, list)
  }

  return {
    items, unread, unacked, connection, revision, pending, badge,
    start, stop, ack, ackAll, read, know, onArrive, onMessage, send, watchTopic, loadPending,
    /** for tests: what a socket message does */
    handle, receive,
  }
})
