import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { i18n } from '@/locales'
import { useAuthStore } from '@/stores/auth'
import { useNotificationsStore, type Notification } from '@/stores/notifications'

const toasts: { title: string; type: string }[] = []
vi.mock('element-plus', async (original) => ({
  ...(await original<typeof import('element-plus')>()),
  ElNotification: (o: { title: string; type: string }) => toasts.push(o),
}))
// Node cannot load Element Plus's CSS; the component's style imports (its own and the auto-imported ones) are
// stubbed out
vi.mock('element-plus/es/components/base/style/css', () => ({}))
vi.mock('element-plus/es/components/button/style/css', () => ({}))
vi.mock('element-plus/es/components/dialog/style/css', () => ({}))
vi.mock('element-plus/es/components/icon/style/css', () => ({}))
vi.mock('element-plus/es/components/message/style/css', () => ({}))
vi.mock('element-plus/es/components/notification/style/css', () => ({}))
vi.mock('element-plus/es/components/tag/style/css', () => ({}))
const { default: NotificationPopup } = await import('./NotificationPopup.vue')

class FakeSocket {
  static OPEN = 1
  static all: FakeSocket[] = []
  readyState = 0
  onopen: (() => void) | null = null
  onmessage: ((e: { data: string }) => void) | null = null
  onclose: ((e: { code: number }) => void) | null = null
  closed = false
  constructor() {
    FakeSocket.all.push(this)
  }
  send(): void {}
  close(): void {
    this.closed = true
  }
}

function note(id: number, extra: Partial<Notification> = {}): Notification {
  return {
    id, kind: 'dispatch', order_id: 40 + id, level: 0, title: 't', body: '燃气表具故障｜测试路 1 号',
    data: { order_number: `GD${id}`, unit_name: '解放碑供气所' }, requires_ack: true,
    created_at: '2026-11-23T01:00:00Z', read_at: null, acked_at: null, ...extra,
  }
}

describe('the acknowledgement popup', () => {
  let waiting: Notification[]
  beforeEach(() => {
    setActivePinia(createPinia())
    FakeSocket.all = []
    toasts.length = 0
    document.body.innerHTML = ''
    vi.stubGlobal('WebSocket', FakeSocket)
    vi.stubGlobal('AudioContext', undefined)
    waiting = [note(1), note(2, { kind: 'escalation', level: 2, data: { order_number: 'GD2', stage: 'accept', level: 2, mark: 'urge', late_minutes: 35 } })]
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const path = new URL(req.url, 'http://x').pathname
      const acked = path.match(/\/notifications\/(\d+)\/ack$/)
      if (acked) {
        waiting = waiting.filter((n) => n.id !== Number(acked[1]))
        return new Response(JSON.stringify(note(Number(acked[1]), { acked_at: '2026-11-23T02:00:00Z' })), { status: 200 })
      }
      const body = { items: [...waiting].sort((a, b) => b.id - a.id), unread: waiting.length, unacked: waiting.length }
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } })
    }))
  })
  afterEach(() => vi.unstubAllGlobals())

  async function open() {
    useAuthStore().user = { id: 3, username: 'unit_handler', roles: ['unit_handler'] } as never
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [{ path: '/', component: { render: () => null } }, { path: '/orders/:id', component: { render: () => null } }],
    })
    await router.push('/')
    const wrapper = mount(NotificationPopup, { global: { plugins: [i18n, router] }, attachTo: document.body })
    FakeSocket.all[0].readyState = 1
    FakeSocket.all[0].onopen?.()
    await flushPromises()
    return { wrapper, router }
  }
  const dialog = () => document.querySelector('[data-test=notification-popup]') as HTMLElement | null
  const button = (name: string) => document.querySelector(`[data-test=${name}]`) as HTMLElement | null

  it('shows the newest waiting one, red for an escalation, and cannot be dismissed', async () => {
    const { wrapper } = await open()
    const el = dialog()!
    expect(el.dataset.kind).toBe('escalation')
    expect(el.dataset.tone).toBe('danger')
    expect(el.textContent).toContain('GD2')
    expect(el.textContent).toContain('还有 1 条待确认')
    expect(el.querySelector('.el-dialog__headerbtn')).toBeNull() // no ×
    const overlay = el.closest('.el-overlay') as HTMLElement
    expect(overlay.style.display).not.toBe('none')
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', code: 'Escape' }))
    const outside = overlay.querySelector('.el-overlay-dialog') as HTMLElement // around the dialog
    for (const type of ['mousedown', 'mouseup', 'click']) outside.dispatchEvent(new MouseEvent(type, { bubbles: true }))
    await flushPromises()
    await new Promise((r) => setTimeout(r, 50))
    expect(overlay.style.display).not.toBe('none')
    expect(wrapper.emitted()).toEqual({})
    expect(useNotificationsStore().pending).toHaveLength(2)
    wrapper.unmount()
  })

  it('确认 takes one away, 全部确认 the rest; another tab\'s ack closes it here', async () => {
    const { wrapper } = await open()
    button('notification-ack')!.click()
    await flushPromises()
    const store = useNotificationsStore()
    expect(store.pending.map((n) => n.id)).toEqual([1])
    expect(button('notification-ack-all')).toBeNull() // only one left
    FakeSocket.all[0].onmessage?.({ data: JSON.stringify({ type: 'acked', id: 1 }) })
    await flushPromises()
    expect(store.pending).toEqual([])
    expect(store.unacked).toBe(0)
    wrapper.unmount()
    expect(FakeSocket.all[0].closed).toBe(true) // the layout went away: the socket closes
  })

  it('查看工单 acknowledges and opens the order', async () => {
    const { wrapper, router } = await open()
    button('notification-open-order')!.click()
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/orders/42')
    expect(useNotificationsStore().pending.map((n) => n.id)).toEqual([1])
    button('notification-ack-all')?.click()
    wrapper.unmount()
  })

  it('a warning that needs no acknowledgement is a toast', async () => {
    const { wrapper } = await open()
    const warning = note(9, { kind: 'warning', requires_ack: false, data: { order_number: 'GD9', stage: 'arrive', due_at: '2026-11-23T02:00:00Z' } })
    FakeSocket.all[0].onmessage?.({ data: JSON.stringify({ type: 'notification', notification: warning }) })
    await flushPromises()
    expect(toasts).toEqual([expect.objectContaining({ title: '即将超时 GD9', type: 'warning' })])
    expect(useNotificationsStore().pending).toHaveLength(2) // the toast does not pop up
    wrapper.unmount()
  })
})
