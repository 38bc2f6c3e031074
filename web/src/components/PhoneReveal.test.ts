import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick, type VNode } from 'vue'
import { i18n } from '@/locales'

const messages: { type: string; text: string }[] = []
vi.mock('element-plus', async (original) => ({
  ...(await original<typeof import('element-plus')>()),
  ElMessage: (o: { type: string; message: VNode }) => messages.push({ type: o.type, text: String(o.message.children) }),
}))
// Node cannot load Element Plus's CSS: the component's style imports (its own and the auto-imported ones) are stubbed
vi.mock('element-plus/es/components/base/style/css', () => ({}))
vi.mock('element-plus/es/components/button/style/css', () => ({}))
vi.mock('element-plus/es/components/message/style/css', () => ({}))
vi.mock('element-plus/es/components/tooltip/style/css', () => ({}))
const { default: PhoneReveal } = await import('./PhoneReveal.vue')

type Answer = { status: number; body: unknown }
let asked: string[]
let answer: Answer

function json(a: Answer): Response {
  return new Response(JSON.stringify(a.body), { status: a.status, headers: { 'content-type': 'application/json' } })
}

describe('PhoneReveal', () => {
  beforeEach(() => {
    asked = []
    messages.length = 0
    answer = { status: 200, body: { phones: ['13912345678'] } }
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      asked.push(`${req.method} ${new URL(req.url, 'http://x').pathname}`)
      return json(answer)
    }))
    i18n.global.locale.value = 'zh-CN'
  })
  afterEach(() => vi.unstubAllGlobals())

  type Props = { subject: 'customer' | 'order' | 'call'; id: number; phones: string | string[]; group?: boolean; copyable?: boolean }
  function show(props: Props) {
    return mount(PhoneReveal, { props, global: { plugins: [i18n] } })
  }
  const numbers = (w: ReturnType<typeof show>) => w.findAll('[data-test=phone-number]').map((n) => n.text())

  it('shows the masked number with 显示号码, and the whole number once the order reveal answers', async () => {
    const w = show({ subject: 'order', id: 42, phones: '139****5678' })
    expect(numbers(w)).toEqual(['139****5678'])
    expect(w.attributes('data-state')).toBe('masked')
    const button = w.get('[data-test=phone-reveal]')
    expect(button.text()).toBe('显示号码')

    await button.trigger('click')
    await flushPromises()
    expect(asked).toEqual(['POST /api/v1/work-orders/42/contact-phone/reveal'])
    expect(numbers(w)).toEqual(['13912345678'])
    expect(w.attributes('data-state')).toBe('revealed')
    expect(w.find('[data-test=phone-reveal]').exists()).toBe(false) // read once
    expect(w.emitted('update:revealed')).toEqual([[['13912345678']]])
  })

  it('asks the endpoint of its record: a customer\'s numbers, a call\'s number', async () => {
    answer = { status: 200, body: { phones: ['13912345678', '02367891234'] } }
    const customer = show({ subject: 'customer', id: 7, phones: ['139****5678', '0236****1234'], group: true })
    await customer.get('[data-test=phone-reveal]').trigger('click')
    await flushPromises()
    expect(numbers(customer)).toEqual(['139 1234 5678', '02367891234'])

    answer = { status: 200, body: { phones: ['13912345678'] } }
    const call = show({ subject: 'call', id: 9, phones: '139****5678' })
    await call.get('[data-test=phone-reveal]').trigger('click')
    await flushPromises()
    expect(asked).toEqual(['POST /api/v1/customers/7/phones/reveal', 'POST /api/v1/calls/9/number/reveal'])
  })

  it('masks again when the record changes', async () => {
    const w = show({ subject: 'order', id: 42, phones: '139****5678' })
    await w.get('[data-test=phone-reveal]').trigger('click')
    await flushPromises()
    await w.setProps({ id: 43, phones: '138****0000' })
    await nextTick()
    expect(numbers(w)).toEqual(['138****0000'])
    expect(w.find('[data-test=phone-reveal]').exists()).toBe(true)
  })

  it('offers nothing to reveal for a number shown whole', () => {
    const w = show({ subject: 'call', id: 9, phones: '13912345678' })
    expect(numbers(w)).toEqual(['13912345678'])
    expect(w.attributes('data-state')).toBe('whole')
    expect(w.find('[data-test=phone-reveal]').exists()).toBe(false)
  })

  it('says why the server refused, and keeps the number masked', async () => {
    answer = { status: 403, body: { title: 'Forbidden', detail: 'not allowed for your roles' } }
    const w = show({ subject: 'customer', id: 7, phones: ['139****5678'] })
    await w.get('[data-test=phone-reveal]').trigger('click')
    await flushPromises()
    expect(messages).toEqual([{ type: 'error', text: '无法显示号码：没有权限：not allowed for your roles' }])
    expect(numbers(w)).toEqual(['139****5678'])
    expect(w.find('[data-test=phone-reveal]').exists()).toBe(true)
  })

  it('复制 reveals first and copies the whole number', async () => {
    const writeText = vi.fn(async () => undefined)
    vi.stubGlobal('navigator', { clipboard: { writeText } })
    const w = show({ subject: 'order', id: 42, phones: '139****5678', group: true, copyable: true })
    await w.get('[data-test=phone-copy]').trigger('click')
    await flushPromises()
    expect(asked).toEqual(['POST /api/v1/work-orders/42/contact-phone/reveal'])
    expect(writeText).toHaveBeenCalledWith('13912345678')
    expect(messages).toEqual([{ type: 'success', text: '已复制 139 1234 5678' }])
    expect(numbers(w)).toEqual(['139 1234 5678'])

    await w.get('[data-test=phone-copy]').trigger('click') // already whole: no second read
    await flushPromises()
    expect(asked).toHaveLength(1)
    expect(writeText).toHaveBeenCalledTimes(2)
  })

  it('draws the numbers through its slot', async () => {
    const w = mount(PhoneReveal, {
      props: { subject: 'customer', id: 7, phones: ['139****5678'] },
      slots: { default: `<template #default="{ phones, revealed }"><b v-for="p in phones" :key="p">{{ p }}{{ revealed ? '!' : '' }}</b></template>` },
      global: { plugins: [i18n] },
    })
    expect(w.findAll('b').map((b) => b.text())).toEqual(['139****5678'])
    await w.get('[data-test=phone-reveal]').trigger('click')
    await flushPromises()
    expect(w.findAll('b').map((b) => b.text())).toEqual(['13912345678!'])
  })
})
