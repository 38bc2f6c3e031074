// The self-service site's calls (the token header, a refused token forgotten) and its chat (the socket, the
// pending messages, the fall-back to polling), with fetch and WebSocket stubbed.
import { mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { listOrders, onSelfExpired, savedToken, searchFaq, sendReport, TOKEN_KEY } from './api'
import { forget, signIn, useSelfSession } from './composables/session'
import { useChat } from './composables/useChat'

function reply(status: number, body: unknown): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
}

const headerOf = (init: RequestInit | undefined, name: string) => new Headers(init?.headers).get(name)

describe('the self-service calls', () => {
  beforeEach(() => localStorage.clear())
  afterEach(() => {
    vi.unstubAllGlobals()
    onSelfExpired(() => {})
    forget()
  })

  it('signs in, keeps the token and sends it, never the staff cookie', async () => {
    const fetch = vi.fn(async (url: string, _init?: RequestInit) =>
      url.endsWith('/self/login')
        ? reply(200, { token: 'tok-1', phone: '138****5678', customer_id: 3, name: '张三', address: '解放碑1号' })
        : reply(200, []),
    )
    vi.stubGlobal('fetch', fetch)
    const me = await signIn('13812345678', '123456')
    expect(me.name).toBe('张三')
    expect(localStorage.getItem(TOKEN_KEY)).toBe('tok-1')
    expect(useSelfSession().token.value).toBe('tok-1')
    const [url, init] = fetch.mock.calls[0]
    expect(url).toBe('/api/v1/self/login')
    expect(headerOf(init, 'X-Self-Token')).toBeNull()
    expect(init?.credentials).toBe('omit')
    expect(JSON.parse(String(init?.body))).toEqual({ phone: '13812345678', code: '123456' })

    await listOrders()
    expect(headerOf(fetch.mock.calls[1][1], 'X-Self-Token')).toBe('tok-1')
    expect(fetch.mock.calls[1][1]?.credentials).toBe('omit')
  })

  it('forgets a refused token and says so once', async () => {
    localStorage.setItem(TOKEN_KEY, 'old')
    vi.stubGlobal('fetch', vi.fn(async () => reply(401, { title: 'Unauthorized', detail: 'sign in first' })))
    const expired = vi.fn()
    onSelfExpired(expired)
    await expect(listOrders()).rejects.toThrow('sign in first')
    expect(savedToken()).toBe('')
    expect(expired).toHaveBeenCalledTimes(1)
  })

  it('takes a wrong code as an answer, not an expired session', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => reply(401, { title: 'Unauthorized', detail: 'wrong code (4 tries left)' })))
    const expired = vi.fn()
    onSelfExpired(expired)
    await expect(signIn('13812345678', '000000')).rejects.toThrow('wrong code (4 tries left)')
    expect(expired).not.toHaveBeenCalled()
  })

  it('searches the FAQ without a token', async () => {
    localStorage.setItem(TOKEN_KEY, 'tok')
    const fetch = vi.fn(async (_url: string, _init?: RequestInit) => reply(200, { q: '过户', items: [] }))
    vi.stubGlobal('fetch', fetch)
    await searchFaq('燃气 过户')
    expect(fetch.mock.calls[0][0]).toBe('/api/v1/kb/public/search?q=%E7%87%83%E6%B0%94%20%E8%BF%87%E6%88%B7')
    expect(headerOf(fetch.mock.calls[0][1], 'X-Self-Token')).toBeNull()
  })

  it('reports as multipart with the photos under "photos"', async () => {
    localStorage.setItem(TOKEN_KEY, 'tok')
    const fetch = vi.fn(async (_url: string, _init?: RequestInit) => reply(201, { id: 9, number: 'WO-1', emergency: false, photos: 1 }))
    vi.stubGlobal('fetch', fetch)
    const out = await sendReport([['kind', 'no-gas'], ['description', '没气']], [new File(['x'], 'a.png', { type: 'image/png' })])
    expect(out.number).toBe('WO-1')
    const form = fetch.mock.calls[0][1]?.body as FormData
    expect(form.get('kind')).toBe('no-gas')
    expect(form.getAll('photos')).toHaveLength(1)
    expect(headerOf(fetch.mock.calls[0][1], 'Content-Type')).toBeNull() // the browser sets the boundary
  })
})

class FakeSocket {
  static OPEN = 1
  static all: FakeSocket[] = []
  readyState = 0
  sent: string[] = []
  onopen: (() => void) | null = null
  onmessage: ((e: { data: string }) => void) | null = null
  onclose: ((e: { code: number }) => void) | null = null
  constructor(readonly url: string) {
    FakeSocket.all.push(this)
  }
  open() {
    this.readyState = 1
    this.onopen?.()
  }
  receive(frame: unknown) {
    this.onmessage?.({ data: JSON.stringify(frame) })
  }
  send(text: string) {
    this.sent.push(text)
  }
  close(code = 1000) {
    this.readyState = 3
    this.onclose?.({ code })
  }
}

function withChat() {
  let chat!: ReturnType<typeof useChat>
  const wrapper = mount(defineComponent({ setup: () => ((chat = useChat()), () => h('div')) }))
  return { chat, wrapper }
}

const flush = () => new Promise((r) => setTimeout(r, 0))

describe('the chat', () => {
  beforeEach(() => {
    localStorage.setItem(TOKEN_KEY, 'tok')
    FakeSocket.all = []
    vi.stubGlobal('WebSocket', FakeSocket)
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
    localStorage.clear()
  })

  it('sends on the socket and shows the message pending until it comes back', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => reply(200, { conversation_id: null, state: null, messages: [] })))
    const { chat, wrapper } = withChat()
    await chat.start()
    const socket = FakeSocket.all[0]
    expect(socket.url).toContain('/api/v1/self/ws?token=tok')
    socket.open()
    expect(chat.mode.value).toBe('socket')

    expect(chat.send('  怎么交燃气费 ')).toBe(true)
    expect(chat.send('   ')).toBe(false)
    expect(chat.pending.value.map((p) => p.text)).toEqual(['怎么交燃气费'])
    const sent = JSON.parse(socket.sent[0])
    expect(sent.text).toBe('怎么交燃气费')
    expect(sent.id).toBe(chat.pending.value[0].id)

    socket.receive({ type: 'messages', messages: [
      { id: 5, mine: true, sender: 'customer', text: '怎么交燃气费', data: {}, created_at: '' },
      { id: 6, mine: false, sender: 'bot', text: '<b>可以</b>在微信缴纳', data: {}, created_at: '' },
    ] })
    expect(chat.pending.value).toEqual([])
    expect(chat.messages.value.map((m) => m.id)).toEqual([5, 6])
    expect(chat.state.value).toBe('bot')

    socket.receive({ type: 'error', detail: 'the message is too long' })
    expect(chat.error.value).toBe('the message is too long')
    wrapper.unmount()
  })

  it('polls and reconnects while the socket is down, and posts with the same id', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const fetch = vi.fn(async (url: string, init?: RequestInit) => {
      if (init?.method === 'POST') {
        const body = JSON.parse(String(init.body))
        return reply(200, { conversation_id: 1, state: 'bot', messages: [
          { id: 8, mine: true, sender: 'customer', text: body.text, data: {}, created_at: '' },
        ] })
      }
      return reply(200, { conversation_id: 1, state: 'queued', messages: url.includes('after=0')
        ? [{ id: 7, mine: false, sender: 'system', text: '排队中', data: { event: 'queued' }, created_at: '' }] : [] })
    })
    vi.stubGlobal('fetch', fetch)
    const { chat, wrapper } = withChat()
    await chat.start()
    expect(chat.state.value).toBe('queued')
    FakeSocket.all[0].close(1006) // never opened
    expect(chat.mode.value).toBe('polling')

    chat.send('有人吗')
    await vi.advanceTimersByTimeAsync(0)
    const post = fetch.mock.calls.find(([, init]) => init?.method === 'POST')
    expect(post?.[0]).toBe('/api/v1/self/chat?after=7')
    expect(chat.pending.value).toEqual([])
    expect(chat.messages.value.map((m) => m.id)).toEqual([7, 8])

    await vi.advanceTimersByTimeAsync(3000)
    expect(fetch.mock.calls.some(([url, init]) => url === '/api/v1/self/chat?after=8' && !init?.method?.includes('POST'))).toBe(true)
    expect(FakeSocket.all).toHaveLength(2) // reconnected after 1 s
    FakeSocket.all[1].open()
    expect(chat.mode.value).toBe('socket')
    wrapper.unmount()
    await flush()
  })

  it('marks a message that could not be posted, and resends it with its id', async () => {
    let fail = true
    const fetch = vi.fn(async (_url: string, init?: RequestInit) => {
      if (init?.method === 'POST') return fail ? reply(503, { title: 'Unavailable', detail: 'busy' }) : reply(200, { conversation_id: 1, state: 'bot', messages: [] })
      return reply(200, { conversation_id: null, state: null, messages: [] })
    })
    vi.stubGlobal('fetch', fetch)
    const { chat, wrapper } = withChat()
    await chat.start()
    chat.stop() // no socket: every message is posted
    chat.send('你好')
    await flush()
    expect(chat.pending.value[0].failed).toBe(true)
    expect(chat.error.value).toBe('服务暂时不可用，请稍后重试：busy')
    const id = chat.pending.value[0].id
    fail = false
    chat.retry(id)
    await flush()
    const posts = fetch.mock.calls.filter(([, init]) => init?.method === 'POST').map(([, init]) => JSON.parse(String(init?.body)).id)
    expect(posts).toEqual([id, id])
    expect(chat.pending.value).toEqual([])
    wrapper.unmount()
  })
})
