import { describe, expect, it } from 'vitest'
import { formatPoints, formatRaw, lastMonth, monthOf, movementText, movementTone, sparkPoints, weightSum } from './league'

describe('the league table', () => {
  it('defaults to last month and refuses a month to come', () => {
    expect(lastMonth('2026-12-07')).toBe('2026-11')
    expect(lastMonth('2027-01-15')).toBe('2026-12')
    expect(monthOf('2026-10', '2026-12-07')).toBe('2026-10')
    expect(monthOf('2026-12', '2026-12-07')).toBe('2026-12')
    expect(monthOf('2027-01', '2026-12-07')).toBe('2026-11')
    expect(monthOf('2026-13', '2026-12-07')).toBe('2026-11')
    expect(monthOf(undefined, '2026-12-07')).toBe('2026-11')
  })

  it('writes each figure in its unit', () => {
    expect(formatRaw('on_time_rate', 0.9512)).toBe('95.1%')
    expect(formatRaw('complaint_rate', 3.456)).toBe('3.46')
    expect(formatRaw('urged', 0)).toBe('0.00')
    expect(formatRaw('satisfaction', null)).toBe('—')
    expect(formatPoints(26.666)).toBe('26.67')
    expect(formatPoints(null)).toBe('—')
  })

  it('says how a station moved', () => {
    expect(movementText({ movement: 2, previous_rank: 5 })).toBe('↑2')
    expect(movementText({ movement: -1, previous_rank: 2 })).toBe('↓1')
    expect(movementText({ movement: 0, previous_rank: 2 })).toBe('—')
    expect(movementText({ movement: null, previous_rank: null })).toBe('')
    expect([movementTone(1), movementTone(-1), movementTone(0), movementTone(null)]).toEqual(['up', 'down', 'same', 'new'])
  })

  it('draws three months on a 0–100 scale, leaving gaps out', () => {
    expect(sparkPoints([0, 50, 100], 72, 22, 3)).toEqual([{ x: 3, y: 19 }, { x: 36, y: 11 }, { x: 69, y: 3 }])
    expect(sparkPoints([null, null, 80]).length).toBe(1)
  })

  it('adds the weights up', () => {
    expect(weightSum({ a: 30, b: 25, c: 20, d: 15, e: 5, f: 5 })).toBe(100)
    expect(weightSum({ a: 30, b: null })).toBe(30)
  })
})
