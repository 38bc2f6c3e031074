import { describe, expect, it } from 'vitest'
import { bubbles, pieces, sideOf } from '@/modules/quality/chat'
import type { QaChatFlag, QaChatLine } from '@/modules/quality/api'

const line = (id: number, sender: QaChatLine['sender'], text: string): QaChatLine =>
  ({ id, at: '2026-11-10T02:00:00Z', offset: id * 30, sender, agent_id: sender === 'agent' ? 7 : null, kind: 'text', text })
const flag = (message_id: number, start: number, end: number, verdict = 'hit', kind = 'forbidden'): QaChatFlag =>
  ({ kind, message_id, at: null, start, end, value: 'x', severity: 'red_line', verdict, why: '' })

describe('the chat transcript', () => {
  it('puts the customer left, the bot and agents right, notices in the middle', () => {
    expect(['customer', 'agent', 'bot', 'system'].map(sideOf)).toEqual(['left', 'right', 'right', 'centre'])
  })

  it('marks a flagged phrase by its place in the text', () => {
    expect(pieces('不知道，你自己去营业厅问吧。', [flag(1, 0, 3)])).toEqual([
      { text: '不知道', flag: flag(1, 0, 3) },
      { text: '，你自己去营业厅问吧。', flag: null },
    ])
    expect(pieces('好的', [])).toEqual([{ text: '好的', flag: null }])
    // out of range or overlapping: left unmarked rather than cut wrong
    expect(pieces('好的', [flag(1, 1, 9)])).toEqual([{ text: '好的', flag: null }])
    expect(pieces('这不归我管', [flag(1, 0, 5), flag(1, 1, 5, 'hit', 'shirking')]).map((p) => p.text)).toEqual(['这不归我管'])
  })

  it('highlights only agent messages, and says whether a flag is a hit or a hint', () => {
    const lines = [line(1, 'customer', '不知道怎么回事'), line(2, 'agent', '不知道'), line(3, 'agent', '请问您知不知道户号')]
    const out = bubbles(lines, [flag(1, 0, 3), flag(2, 0, 3), flag(3, 3, 7, 'hint')])
    expect(out.map((b) => [b.side, b.flagged, b.hit])).toEqual([['left', false, false], ['right', true, true], ['right', true, false]])
    expect(out[0].pieces).toEqual([{ text: '不知道怎么回事', flag: null }])
  })
})
