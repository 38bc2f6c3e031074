import { describe, expect, it } from 'vitest'
import type { QaForm, ScoredItem, TextHit } from './api'
import {
  appealable, applyPicks, canAppeal, decisionItems, deductionChoices, formatAt, formatScore, formItems, highlight,
  pickMonth, scoreOf, titleOf, trendSeries, whyKey,
} from './review'

const form = {
  id: 1, code: 'inbound', version: 2, name: '呼入', contact_kind: 'inbound_call', current: true, created_at: '2026-12-01T00:00:00Z',
  sections: [
    { title: '开场', items: [{ key: 'greet', title: '问候', max_points: 10, steps: [5, 2], red_line: false, flags: [] }] },
    { title: '业务', items: [
      { key: 'answer', title: '答复准确', max_points: 90, steps: [10, 30], red_line: false, flags: [] },
      { key: 'leak', title: '泄露信息', max_points: 0, steps: [], red_line: true, flags: [] },
    ] },
  ],
} as QaForm

const item = (key: string, deduction: number, points: number, violated = false): ScoredItem => ({ key, deduction, points, violated, note: '' })
const items = [item('greet', 2, 8), item('answer', 0, 90), item('leak', 0, 0)]

describe('the review helpers', () => {
  it('list the form items with their sections and titles', () => {
    expect(formItems(form).map((r) => [r.key, r.section])).toEqual([['greet', '开场'], ['answer', '业务'], ['leak', '业务']])
    expect(titleOf(form, 'answer')).toBe('答复准确')
    expect(titleOf(null, 'answer')).toBe('answer')
  })

  it('let the agent appeal only items with a deduction or a violated red line, while the window is open', () => {
    expect(appealable(items).map((i) => i.key)).toEqual(['greet'])
    expect(appealable([item('leak', 0, 0, true)]).map((i) => i.key)).toEqual(['leak'])
    const ev = { state: 'scored' as const, appeal_until: '2026-12-10T00:00:00Z', items }
    expect(canAppeal(ev, new Date('2026-12-09T23:59:00Z'))).toBe(true)
    expect(canAppeal(ev, new Date('2026-12-10T00:00:01Z'))).toBe(false)
    expect(canAppeal({ ...ev, state: 'appealed' }, new Date('2026-12-01T00:00:00Z'))).toBe(false)
    expect(canAppeal({ ...ev, items: [item('greet', 0, 10)] }, new Date('2026-12-01T00:00:00Z'))).toBe(false)
  })

  it('score a decision as the server does and list only the changed items', () => {
    expect(scoreOf(items)).toBe(98)
    const picks = { greet: { deduction: 0, violated: false } }
    expect(scoreOf(applyPicks(items, form, picks))).toBe(100)
    expect(decisionItems(items, form, picks)).toEqual([{ key: 'greet', deduction: 0, violated: false }])
    expect(decisionItems(items, form, { greet: { deduction: 2, violated: false } })).toEqual([])
    const red = [item('greet', 0, 10), item('answer', 0, 90), item('leak', 0, 0, true)]
    expect(scoreOf(red)).toBe(0)
    const cleared = { leak: { deduction: 0, violated: false } }
    expect(scoreOf(applyPicks(red, form, cleared))).toBe(100)
    expect(decisionItems(red, form, cleared)).toEqual([{ key: 'leak', deduction: 0, violated: false }])
    expect(deductionChoices(formItems(form)[0].item)).toEqual([0, 2, 5])
  })

  it('write times, scores and months', () => {
    expect(formatAt(0)).toBe('00:00')
    expect(formatAt(75.6)).toBe('01:15')
    expect(formatAt(3725)).toBe('1:02:05')
    expect(formatScore(97.25)).toBe('97.3')
    expect(formatScore(null)).toBe('—')
    expect(pickMonth('2026-11', '2026-12-07')).toBe('2026-11')
    expect(pickMonth('2027-01', '2026-12-07')).toBe('2026-12')
    expect(pickMonth(undefined, '2026-12-07')).toBe('2026-12')
    expect(trendSeries([{ month: '2026-12', qa_score: 97.25 }, { month: '2026-11', qa_score: null }]))
      .toEqual([['2026-11', '2026-12'], [null, 97.3]])
  })

  it('cut a text into plain and highlighted pieces', () => {
    const hit = (start: number, end: number, verdict: 'hit' | 'hint' = 'hit'): TextHit =>
      ({ kind: 'forbidden', phrase: 'x', start, end, verdict, why: '', severity: 'major' })
    expect(highlight('abcdef', [hit(1, 3), hit(4, 5, 'hint')]).map((p) => [p.text, p.hit?.verdict])).toEqual([
      ['a', undefined], ['bc', 'hit'], ['d', undefined], ['e', 'hint'], ['f', undefined],
    ])
    expect(highlight('abc', [hit(0, 2), hit(1, 3)]).map((p) => p.text)).toEqual(['ab', 'c'])
    expect(highlight('abc', [])).toEqual([{ text: 'abc' }])
    expect(whyKey('another word')).toBe('qaResults.rules.why.another')
    expect(whyKey('something new')).toBeNull()
  })
})
