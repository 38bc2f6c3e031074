import { mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { i18n } from '@/locales'
import type { ChatMessage } from '../api'

// Node cannot load Element Plus's CSS; the auto-imported components' style imports are stubbed out
vi.mock('element-plus/es/components/base/style/css', () => ({}))
vi.mock('element-plus/es/components/empty/style/css', () => ({}))
vi.mock('element-plus/es/components/icon/style/css', () => ({}))
vi.mock('element-plus/es/components/image/style/css', () => ({}))
vi.mock('element-plus/es/components/image-viewer/style/css', () => ({}))
vi.mock('element-plus/es/components/tag/style/css', () => ({}))
const { default: ChatThread } = await import('./ChatThread.vue')

let nextId = 1
function msg(kind: string, data: Record<string, unknown>, extra: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: nextId++, direction: 'in', sender: 'customer', agent_id: null, agent_name: null, kind, text: '', data,
    delivery: null, error: null, created_at: '2026-03-01T01:00:00Z', ...extra,
  }
}

function thread(messages: ChatMessage[]) {
  i18n.global.locale.value = 'zh-CN'
  return mount(ChatThread, { props: { conversationId: 12, messages }, global: { plugins: [i18n] } })
}

describe('a WeChat image or voice in the thread', () => {
  it('shows a stored image from our own attachment URL, a thumbnail that opens larger', () => {
    const m = msg('image', {
      media: 'stored', media_id: 'm1', pic_url: 'http://mmbiz.qpic.cn/expired',
      attachments: [{ filename: 'image-m1.jpg', content_type: 'image/jpeg', size: 9, key: 'wechat/1/ab/0' }],
    })
    const w = thread([m])
    const ours = `/api/v1/conversations/12/messages/${m.id}/attachments/0`
    const image = w.findComponent({ name: 'ElImage' })
    expect(image.attributes('data-test')).toBe('msg-image')
    expect(image.props('src')).toBe(ours)
    expect(image.props('previewSrcList')).toEqual([ours]) // a click opens it larger
    expect(w.html()).not.toContain('mmbiz.qpic.cn') // never WeChat's address
    expect(w.find('[data-test="msg-media-pending"]').exists()).toBe(false)
  })

  it('says 图片加载中 while the worker fetches it and 图片已过期或无法获取 when it could not', () => {
    const w = thread([
      msg('image', { media: 'pending', media_id: 'm2', pic_url: 'http://mmbiz.qpic.cn/x' }),
      msg('image', { media: 'failed', media_id: 'm3' }, { error: '微信已无此文件（超过3天或media_id无效）' }),
    ])
    expect(w.get('[data-test="msg-media-pending"]').text()).toContain('图片加载中')
    const failed = w.get('[data-test="msg-media-failed"]')
    expect(failed.text()).toContain('图片已过期或无法获取')
    expect(failed.attributes('title')).toContain('超过3天')
    expect(w.find('img').exists()).toBe(false)
  })

  it('offers a voice for download with what WeChat recognised, in English too', () => {
    const m = msg('voice', {
      media: 'stored', media_id: 'v1', attachments: [{ filename: 'voice-v1.amr', content_type: 'audio/amr', size: 6, key: 'k' }],
    }, { text: '查一下电费' })
    const w = thread([m])
    const link = w.get('[data-test="msg-voice-download"]')
    expect(link.attributes('href')).toBe(`/api/v1/conversations/12/messages/${m.id}/attachments/0`)
    expect(link.attributes('download')).toBe('voice-v1.amr')
    expect(w.find('audio').exists()).toBe(false) // AMR: no browser plays it
    expect(w.get('[data-test="msg-recognition"]').text()).toBe('语音识别：查一下电费')
    i18n.global.locale.value = 'en'
    const en = mount(ChatThread, {
      props: { conversationId: 12, messages: [msg('voice', { media: 'pending', media_id: 'v2' })] },
      global: { plugins: [i18n] },
    })
    expect(en.get('[data-test="msg-media-pending"]').text()).toContain('Loading the voice message')
    i18n.global.locale.value = 'zh-CN'
  })

  it('links a mail’s stored attachments', () => {
    const m = msg('file', { attachments: [{ filename: '照片.jpg', size: 3, key: 'mail/1/x/0' }] }, { text: '见附件' })
    const w = thread([m])
    const a = w.get('[data-test="msg-files"] a')
    expect(a.attributes('href')).toBe(`/api/v1/conversations/12/messages/${m.id}/attachments/0`)
    expect(a.text()).toContain('照片.jpg')
  })
})
