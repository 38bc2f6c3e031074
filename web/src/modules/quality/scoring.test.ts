import { describe, expect, it } from 'vitest'
import {
  blankChoices, drawSummary, formatAt, highlight, liveTotal, phrasesIn, placeMarkers, scoredItems, sortComments,
  spreadRows, type ScoreItem,
} from './scoring'

const ITEMS: ScoreItem[] = [
  { key: 'opening', max_points: 10, steps: [2, 5, 10] },
  { key: 'closing', max_points: 5, steps: [2, 5] },
  { key: 'answer', max_points: 85, steps: [5, 10, 15] },
  { key: 'abuse', max_points: 0, steps: [], red_line: true },
]

describe('liveTotal', () => {
  it('is 100 with nothing deducted', () => {
    expect(liveTotal(ITEMS, blankChoices(ITEMS))).toEqual({ total: 100, deducted: 0, redLine: false, max: 100 })
  })
  it('takes each deduction off', () => {
    const c = blankChoices(ITEMS)
    c.opening.deduction = 5
    c.answer.deduction = 10
    expect(liveTotal(ITEMS, c)).toMatchObject({ total: 85, deducted: 15, redLine: false })
  })
  it('ignores a deduction that is not one of the steps, as the server refuses it', () => {
    const c = blankChoices(ITEMS)
    c.closing.deduction = 3
    expect(liveTotal(ITEMS, c).total).toBe(100)
  })
  it('is 0 once a red line is violated, and back when it is not', () => {
    const c = blankChoices(ITEMS)
    c.opening.deduction = 2
    c.abuse.violated = true
    expect(liveTotal(ITEMS, c)).toMatchObject({ total: 0, deducted: 2, redLine: true })
    c.abuse.violated = false
    expect(liveTotal(ITEMS, c).total).toBe(98)
  })
  it('counts a missing choice as nothing deducted', () => {
    expect(liveTotal(ITEMS, {}).total).toBe(100)
  })
})

describe('scoredItems', () => {
  it('gives every item once, red lines with violated', () => {
    const c = blankChoices(ITEMS)
    c.opening.deduction = 5
    c.opening.note = '  no greeting '
    c.abuse.violated = true
    expect(scoredItems(ITEMS, c)).toEqual([
      { key: 'opening', deduction: 5, violated: false, note: 'no greeting' },
      { key: 'closing', deduction: 0, violated: false, note: '' },
      { key: 'answer', deduction: 0, violated: false, note: '' },
      { key: 'abuse', deduction: 0, violated: true, note: '' },
    ])
  })
})

describe('placeMarkers', () => {
  it('places each flag by its start and length on the timeline', () => {
    const [m] = placeMarkers([{ kind: 'dead_air', start: 10, end: 20 }], 100)
    expect(m).toMatchObject({ left: 10, width: 10, lane: 0, index: 0 })
  })
  it('gives a point a minimum width and keeps it inside the timeline', () => {
    const [a, b] = placeMarkers([{ kind: 'loud', start: 5, end: 5 }, { kind: 'loud', start: 200, end: 210 }], 100, 1)
    expect(a).toMatchObject({ left: 5, width: 1 })
    expect(b).toMatchObject({ left: 99, width: 1 })
  })
  it('stacks overlapping flags in lanes and keeps the input order', () => {
    const flags = [
      { kind: 'talk_over', start: 12, end: 14 },
      { kind: 'dead_air', start: 10, end: 20 },
      { kind: 'forbidden', start: 30, end: 31 },
    ]
    const out = placeMarkers(flags, 100)
    expect(out.map((m) => [m.flag.kind, m.lane])).toEqual([['talk_over', 1], ['dead_air', 0], ['forbidden', 0]])
  })
  it('draws nothing before the duration is known', () => {
    expect(placeMarkers([{ kind: 'loud', start: 1, end: 2 }], 0)).toEqual([])
  })
})

describe('comments and times', () => {
  it('sorts comments by time, equal times in their order', () => {
    const got = sortComments([{ at: 9, text: 'c' }, { at: 2, text: 'a' }, { at: 2, text: 'b' }])
    expect(got.map((c) => c.text)).toEqual(['a', 'b', 'c'])
  })
  it('writes a time as m:ss.s', () => {
    expect(formatAt(0)).toBe('0:00.0')
    expect(formatAt(18.04)).toBe('0:18.0')
    expect(formatAt(75.25)).toBe('1:15.3')
  })
})

describe('highlight', () => {
  it('marks a phrase, also across a space or comma the recogniser put in it', () => {
    expect(highlight('这 不归我管，你去投诉吧', ['这不归我管', '你去投诉吧'])).toEqual([
      { text: '这 不归我管', hit: true }, { text: '，', hit: false }, { text: '你去投诉吧', hit: true },
    ])
  })
  it('leaves text without the phrase whole', () => {
    expect(highlight('您好', ['不归我管'])).toEqual([{ text: '您好', hit: false }])
  })
  it('finds the phrases flagged inside a segment', () => {
    const flags = [
      { kind: 'forbidden', start: 19, end: 20, value: '不归我管' },
      { kind: 'dead_air', start: 8, end: 18, value: 10 },
      { kind: 'shirking', start: 40, end: 41, value: '再说吧' },
    ]
    expect(phrasesIn({ start: 18, end: 22, channel: 'agent' }, flags)).toEqual(['不归我管'])
  })
})

describe('spreadRows and drawSummary', () => {
  it('marks the items the inspectors scored differently', () => {
    const rows = spreadRows({
      items: [
        { key: 'a', title: 'A', red_line: false, values: [10, 5], low: 5, high: 10, range: 5 },
        { key: 'b', title: 'B', red_line: false, values: [5, 5], low: 5, high: 5, range: 0 },
      ],
    })
    expect(rows.map((r) => [r.key, r.differs])).toEqual([['a', true], ['b', false]])
  })
  it('says what the draw added in the reasons order', () => {
    expect(drawSummary({ flagged: 2, random: 5, short: 0 }, (r) => r)).toBe('random 5 · flagged 2')
    expect(drawSummary({}, (r) => r)).toBe('')
  })
})
