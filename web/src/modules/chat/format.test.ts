import { describe, expect, it } from 'vitest'
import {
  actionsFor, attachmentLinks, charCount, confidencePercent, coordinates, customerText, formatWait, groupMessages,
  highlightParts, isUnread, lastCustomerAt, mayAct, messageMedia, orderNumberOf, sideOf, waitSeconds, waitTone,
} from './format'

type M = Parameters<typeof groupMessages>[0][number] & { text: string }
let nextId = 1
function msg(sender: string, at: string, extra: Partial<M> = {}): M {
  return {
    id: nextId++, direction: sender === 'customer' ? 'in' : 'out', sender, kind: 'text', agent_id: null,
    agent_name: null, created_at: at, text: '', ...extra,
  }
}

describe('the thread', () => {
  it('puts the customer left, the bot and agents right, notices and events in the middle', () => {
    expect(sideOf({ direction: 'in', sender: 'customer', kind: 'text' })).toBe('left')
    expect(sideOf({ direction: 'out', sender: 'bot', kind: 'text' })).toBe('right')
    expect(sideOf({ direction: 'out', sender: 'agent', kind: 'text' })).toBe('right')
    expect(sideOf({ direction: 'out', sender: 'system', kind: 'text' })).toBe('center')
    expect(sideOf({ direction: 'in', sender: 'customer', kind: 'event' })).toBe('center')
  })

  it('groups one writer’s messages close in time, and marks each new day', () => {
    const items = groupMessages([
      msg('customer', '2026-03-01T01:00:00Z'),
      msg('customer', '2026-03-01T01:02:00Z'),
      msg('bot', '2026-03-01T01:02:01Z'),
      msg('system', '2026-03-01T01:03:00Z'),
      msg('system', '2026-03-01T01:03:01Z'),
      msg('agent', '2026-03-01T01:04:00Z', { agent_id: 7, agent_name: '张三' }),
      msg('agent', '2026-03-01T01:05:00Z', { agent_id: 8, agent_name: '李四' }),
      msg('customer', '2026-03-01T01:06:00Z'),
      msg('customer', '2026-03-01T01:20:00Z'), // 14 minutes later: a group of its own
      msg('customer', '2026-03-01T16:30:00Z'), // 00:30 the next day in Asia/Shanghai
    ])
    const shape = items.map((i) => (i.type === 'day' ? i.day : `${i.side}:${i.sender}:${i.messages.length}`))
    expect(shape).toEqual([
      '2026-03-01',
      'left:customer:2', 'right:bot:1', 'center:system:1', 'center:system:1',
      'right:agent:1', 'right:agent:1', 'left:customer:1', 'left:customer:1',
      '2026-03-02', 'left:customer:1',
    ])
    const agents = items.filter((i) => i.type === 'group' && i.sender === 'agent')
    expect(agents.map((g) => (g.type === 'group' ? g.agentName : ''))).toEqual(['张三', '李四'])
    expect(new Set(items.map((i) => i.key)).size).toBe(items.length)
  })

  it('reads the bot’s confidence, a location’s coordinates, the order a conversation registered', () => {
    expect(confidencePercent({ confidence: 0.8249 })).toBe('82%')
    expect(confidencePercent({})).toBeNull()
    expect(confidencePercent(null)).toBeNull()
    expect(coordinates({ latitude: 29.563012345, longitude: 106.551559, label: '解放碑' })).toBe('29.56301, 106.55156')
    expect(coordinates({ label: 'x' })).toBe('')
    const messages = [{ data: { event: 'order', order_id: 5, number: 'HY2026000005' } }, { data: {} }]
    expect(orderNumberOf(messages, 5)).toBe('HY2026000005')
    expect(orderNumberOf(messages, 6)).toBeNull()
    expect(orderNumberOf(messages, null)).toBeNull()
  })

  it('prefills an order’s description with what the customer wrote, not the words asking for a person', () => {
    const messages = [
      { sender: 'customer', kind: 'text', text: ' 家里没气了 ' },
      { sender: 'bot', kind: 'text', text: '您是不是想问…' },
      { sender: 'customer', kind: 'text', text: '人工' },
      { sender: 'customer', kind: 'image', text: '' },
      { sender: 'customer', kind: 'text', text: '地址是龙溪街道5栋' },
    ]
    expect(customerText(messages)).toBe('家里没气了\n地址是龙溪街道5栋')
    expect(customerText(messages, 4)).toBe('家里没气')
    expect(lastCustomerAt([
      { sender: 'customer', created_at: 'a' }, { sender: 'agent', created_at: 'b' },
    ])).toBe('a')
    expect(lastCustomerAt([])).toBeNull()
  })
})

describe('waiting', () => {
  const now = new Date('2026-03-01T01:00:00Z').getTime()
  it('counts whole seconds since an instant', () => {
    expect(waitSeconds('2026-03-01T00:58:54.600Z', now)).toBe(65)
    expect(waitSeconds(null, now)).toBe(0)
    expect(waitSeconds('2026-03-01T01:00:10Z', now)).toBe(0)
    expect(waitSeconds('nonsense', now)).toBe(0)
  })
  it('says a wait as people do, in both languages', () => {
    expect(formatWait(45)).toBe('45秒')
    expect(formatWait(192)).toBe('3分12秒')
    expect(formatWait(3900)).toBe('1小时05分')
    expect(formatWait(0)).toBe('0秒')
    expect(formatWait(192, 'en')).toBe('3m 12s')
    expect(formatWait(3900, 'en')).toBe('1h 05m')
    expect(formatWait(null)).toBe('—')
    expect(formatWait(-1)).toBe('—')
  })
  it('colours a wait against the first-response target', () => {
    expect(waitTone(30, 60)).toBe('info')
    expect(waitTone(61, 60)).toBe('warning')
    expect(waitTone(181, 60)).toBe('danger')
  })
})

describe('【】 marks', () => {
  it('split a snippet into plain and highlighted parts', () => {
    expect(highlightParts('…燃气费可以通过【微信】或【支付宝】缴纳…')).toEqual([
      { text: '…燃气费可以通过', hit: false },
      { text: '微信', hit: true },
      { text: '或', hit: false },
      { text: '支付宝', hit: true },
      { text: '缴纳…', hit: false },
    ])
  })
  it('keep an unclosed mark, an empty one and markup as text', () => {
    expect(highlightParts('【过户】【】材料【未闭合')).toEqual([
      { text: '过户', hit: true },
      { text: '材料【未闭合', hit: false },
    ])
    expect(highlightParts('<b>【x】</b>')).toEqual([
      { text: '<b>', hit: false }, { text: 'x', hit: true }, { text: '</b>', hit: false },
    ])
    expect(highlightParts('')).toEqual([])
  })
})

describe('what the agent may do', () => {
  const conv = (state: string, agent_id: number | null = null, order_id: number | null = null) => ({ state, agent_id, order_id })
  it('follows the transition table', () => {
    expect([...actionsFor(conv('queued'), 1, false)].sort()).toEqual(['accept', 'close', 'register', 'reply', 'transfer'])
    expect([...actionsFor(conv('assigned', 1), 1, false)].sort()).toEqual(['close', 'register', 'reply', 'toBot', 'transfer'])
    expect([...actionsFor(conv('bot'), 1, false)].sort()).toEqual(['close', 'register', 'reply'])
    expect([...actionsFor(conv('closed', 1, 9), 1, false)]).toEqual([])
    expect([...actionsFor(conv('closed', 1), 1, false)]).toEqual(['register'])
  })
  it('leaves another agent’s conversation to them, unless a manager steps in', () => {
    expect(mayAct(conv('assigned', 2), 1, false)).toBe(false)
    expect(actionsFor(conv('assigned', 2), 1, false).size).toBe(0)
    expect(mayAct(conv('assigned', 2), 1, true)).toBe(true)
    expect(actionsFor(conv('assigned', 2), 1, true).has('transfer')).toBe(true)
  })
  it('marks unread what the customer wrote since the agent looked', () => {
    const seen = new Map([[1, '2026-03-01T01:00:00Z']])
    expect(isUnread({ id: 1, last_customer_at: '2026-03-01T01:00:00Z' }, seen)).toBe(false)
    expect(isUnread({ id: 1, last_customer_at: '2026-03-01T01:00:05Z' }, seen)).toBe(true)
    expect(isUnread({ id: 2, last_customer_at: '2026-03-01T01:00:05Z' }, seen)).toBe(true)
    expect(isUnread({ id: 2, last_customer_at: null }, seen)).toBe(false)
  })
  it('counts characters, not UTF-16 units', () => {
    expect(charCount('您好😀')).toBe(3)
  })
})

describe('a customer’s files', () => {
  const stored = { media: 'stored', media_id: 'm1', attachments: [{ filename: 'image-m1.jpg', content_type: 'image/jpeg', size: 9, key: 'wechat/1/ab/0' }] }
  it('shows a WeChat image from our own attachment URL once the worker stored it, never from WeChat', () => {
    expect(messageMedia(3, { id: 7, data: { ...stored, pic_url: 'http://mmbiz.qpic.cn/x' } })).toEqual({
      state: 'stored', url: '/api/v1/conversations/3/messages/7/attachments/0', contentType: 'image/jpeg',
      filename: 'image-m1.jpg', playable: false,
    })
    expect(messageMedia(3, { id: 7, data: { media: 'pending', media_id: 'm1' } })?.state).toBe('pending')
    expect(messageMedia(3, { id: 7, data: { media: 'failed' } })).toMatchObject({ state: 'failed', url: null })
    expect(messageMedia(3, { id: 7, data: { media: 'stored' } })).toMatchObject({ state: 'failed', url: null })
    expect(messageMedia(3, { id: 7, data: { pic_url: 'http://mmbiz.qpic.cn/x' } })).toBeNull() // an older message
  })
  it('plays what a browser plays and downloads WeChat’s AMR voices', () => {
    const voice = (ct: string) => ({ id: 1, data: { media: 'stored', attachments: [{ content_type: ct, key: 'k' }] } })
    expect(messageMedia(1, voice('audio/amr'))?.playable).toBe(false)
    expect(messageMedia(1, voice('audio/mpeg'))?.playable).toBe(true)
  })
  it('links a mail’s stored attachments and leaves out those not stored', () => {
    const data = { attachments: [{ filename: '照片.jpg', size: 3, key: 'mail/1/x/0' }, { filename: 'lost.pdf', key: null }, { key: 'mail/1/x/2' }] }
    expect(attachmentLinks(2, { id: 5, data })).toEqual([
      { name: '照片.jpg', url: '/api/v1/conversations/2/messages/5/attachments/0', size: 3 },
      { name: '#3', url: '/api/v1/conversations/2/messages/5/attachments/2', size: null },
    ])
    expect(attachmentLinks(2, { id: 5, data: {} })).toEqual([])
  })
})
