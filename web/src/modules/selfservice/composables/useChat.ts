// The customer's chat with the centre: the thread (GET /self/chat first, for the conversation's state), then the
// WebSocket /api/v1/self/ws?token= that sends the customer's messages and brings everything new (the bot's
// answer at once, an agent's within a second). While the socket is down the page polls GET /self/chat?after=
// every 3 s and reconnects with a growing delay (1 s, 2 s, 4 s … 30 s).
//
// A message typed is shown at once as pending, with the page's own id; it is sent on the socket when it is open,
// else (or when no answer came within a few seconds) posted with the same id, which the server stores once.
import { onBeforeUnmount, ref } from 'vue'
import { ApiError } from '@/api/client'
import { loadChat, savedToken, sendChat, type SelfMessage } from '../api'
import {
  backoffMs, lastIdOf, mergeMessages, newMessageId, parseFrame, POLL_MS, socketUrl, stateAfter, type ChatState,
} from '../format'

export interface Pending {
  id: string
  text: string
  failed: boolean
}

/** How long a message sent on the socket may wait for its echo before it is posted instead. */
const ECHO_MS = 6000

export function useChat() {
  const messages = ref<SelfMessage[]>([])
  const state = ref<ChatState | null>(null)
  const pending = ref<Pending[]>([])
  const error = ref('')
  const mode = ref<'connecting' | 'socket' | 'polling'>('connecting')
  const loaded = ref(false)

  let ws: WebSocket | null = null
  let attempt = 0
  let stopped = false
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null
  let pollTimer: ReturnType<typeof setInterval> | null = null
  const echoTimers = new Map<string, ReturnType<typeof setTimeout>>()

  function apply(incoming: readonly SelfMessage[], newState?: string | null) {
    if (incoming.length) {
      messages.value = mergeMessages(messages.value, incoming)
      // the customer's own messages come back: the pending copies of the same words go
      for (const m of incoming) {
        if (!m.mine) continue
        const i = pending.value.findIndex((p) => p.text === m.text.trim())
        if (i >= 0) settle(pending.value[i].id)
      }
    }
    if (newState !== undefined && newState !== null) state.value = newState as ChatState
    else state.value = stateAfter(state.value, incoming)
  }

  function settle(id: string) {
    pending.value = pending.value.filter((p) => p.id !== id)
    const t = echoTimers.get(id)
    if (t) clearTimeout(t)
    echoTimers.delete(id)
  }

  async function start() {
    stopped = false
    try {
      const chat = await loadChat(0)
      apply(chat.messages, chat.state)
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return // the site goes back to sign-in
      error.value = e instanceof Error ? e.message : String(e)
    } finally {
      loaded.value = true
    }
    connect()
  }

  function connect() {
    if (stopped) return
    const token = savedToken()
    if (!token) return
    mode.value = 'connecting'
    let socket: WebSocket
    try {
      socket = new WebSocket(socketUrl(window.location, token))
    } catch {
      lost()
      return
    }
    ws = socket
    socket.onopen = () => {
      attempt = 0
      mode.value = 'socket'
      stopPolling()
      for (const p of pending.value) if (!p.failed) deliver(p)
    }
    socket.onmessage = (event) => {
      const frame = parseFrame(event.data)
      if (!frame) return
      if (frame.type === 'messages') {
        apply(frame.messages as SelfMessage[])
        error.value = ''
      } else {
        error.value = frame.detail
        const first = pending.value.find((p) => !p.failed)
        if (first) fail(first.id)
      }
    }
    socket.onclose = (event) => {
      if (ws === socket) ws = null
      if (stopped) return
      if (event.code === 4401) {
        // the token is refused: asking once more lets the API's 401 send the customer to sign-in
        loadChat(0).catch(() => null)
        return
      }
      lost()
    }
  }

  function lost() {
    if (stopped) return
    mode.value = 'polling'
    startPolling()
    if (reconnectTimer) clearTimeout(reconnectTimer)
    reconnectTimer = setTimeout(connect, backoffMs(attempt++))
  }

  function startPolling() {
    if (pollTimer) return
    pollTimer = setInterval(poll, POLL_MS)
  }

  function stopPolling() {
    if (pollTimer) clearInterval(pollTimer)
    pollTimer = null
  }

  async function poll() {
    try {
      const chat = await loadChat(lastIdOf(messages.value))
      apply(chat.messages, chat.state)
    } catch {
      // the next round tries again
    }
  }

  function fail(id: string) {
    const p = pending.value.find((x) => x.id === id)
    if (p) p.failed = true
    const t = echoTimers.get(id)
    if (t) clearTimeout(t)
    echoTimers.delete(id)
  }

  function deliver(p: Pending) {
    if (ws && ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify({ text: p.text, id: p.id }))
      const old = echoTimers.get(p.id)
      if (old) clearTimeout(old)
      echoTimers.set(p.id, setTimeout(() => post(p), ECHO_MS))
    } else {
      void post(p)
    }
  }

  async function post(p: Pending) {
    echoTimers.delete(p.id)
    if (!pending.value.some((x) => x.id === p.id)) return // answered meanwhile
    try {
      const chat = await sendChat(p.text, p.id, lastIdOf(messages.value))
      settle(p.id)
      apply(chat.messages, chat.state)
      error.value = ''
    } catch (e) {
      fail(p.id)
      error.value = e instanceof Error ? e.message : String(e)
    }
  }

  /** Sends what the customer typed (or a chip's "1", "人工"); false when there is nothing to send. */
  function send(text: string): boolean {
    const words = text.trim()
    if (!words) return false
    const p: Pending = { id: newMessageId(), text: words, failed: false }
    pending.value = [...pending.value, p]
    deliver(p)
    return true
  }

  /** Sends a failed message again, with its id (stored once however often it arrives). */
  function retry(id: string) {
    const p = pending.value.find((x) => x.id === id)
    if (!p) return
    p.failed = false
    error.value = ''
    deliver(p)
  }

  function stop() {
    stopped = true
    stopPolling()
    if (reconnectTimer) clearTimeout(reconnectTimer)
    for (const t of echoTimers.values()) clearTimeout(t)
    echoTimers.clear()
    const socket = ws
    ws = null
    socket?.close()
  }

  onBeforeUnmount(stop)
  return { messages, state, pending, error, mode, loaded, start, stop, send, retry }
}
