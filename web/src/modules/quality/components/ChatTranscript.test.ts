import { mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { i18n } from '@/locales'
import type { QaChatFlag, QaChatLine } from '@/modules/quality/api'

// Node cannot load Element Plus's CSS: the auto-imported style imports are stubbed
vi.mock('element-plus/es/components/base/style/css', () => ({}))
vi.mock('element-plus/es/components/tag/style/css', () => ({}))
const { default: ChatTranscript } = await import('./ChatTranscript.vue')

const line = (id: number, sender: QaChatLine['sender'], text: string): QaChatLine =>
  ({ id, at: '2026-11-10T02:00:00Z', offset: (id - 1) * 30, sender, agent_id: sender === 'agent' ? 7 : null, kind: 'text', text })

describe('ChatTranscript (the workbench’s conversation)', () => {
  it('shows bubbles with times, highlights only the flagged agent message and emits its offset', async () => {
    i18n.global.locale.value = 'zh-CN'
    const flags: QaChatFlag[] = [
      { kind: 'forbidden', message_id: 2, at: null, start: 0, end: 3, value: '不知道', severity: 'red_line', verdict: 'hit', why: '' },
    ]
    const w = mount(ChatTranscript, {
      props: { messages: [line(1, 'customer', '我不知道为什么没气'), line(2, 'agent', '不知道，你去营业厅问吧。')], flags },
      global: { plugins: [i18n] },
    })
    const bubbles = w.findAll('[data-test="qa-bubble"]')
    expect(bubbles.map((b) => [b.attributes('data-sender'), b.attributes('data-flagged'), b.attributes('data-hit')]))
      .toEqual([['customer', '0', '0'], ['agent', '1', '1']])
    expect(bubbles[0].text()).toContain('客户')
    expect(bubbles[1].text()).toContain('+0:30.0')
    const marks = w.findAll('[data-test="qa-chat-hit"]')
    expect(marks.map((m) => m.text())).toEqual(['不知道'])
    expect(w.find('[data-test="qa-bubble-flag"]').text()).toContain('服务禁语')
    await bubbles[1].trigger('click')
    expect(w.emitted('pick')).toEqual([[30]])
  })
})
