import { describe, expect, it } from 'vitest'
import { quickRanges } from '@/utils/periods'
import { DEFAULT_DAYS, SHORTCUT_KEYS, defaultPeriod, periodFromQuery, periodToQuery } from './period'

const today = '2026-03-15'

describe("the complaint desk's period", () => {
  it('defaults to the last 30 days, today included', () => {
    expect(DEFAULT_DAYS).toBe(30)
    expect(defaultPeriod(today)).toEqual({ from: '2026-02-14', to: today })
    expect(periodFromQuery({}, today)).toEqual({ from: '2026-02-14', to: today })
  })

  it('reads from and to from the URL, or the default for anything malformed', () => {
    expect(periodFromQuery({ from: '2026-01-01', to: '2026-01-31' }, today)).toEqual({ from: '2026-01-01', to: '2026-01-31' })
    expect(periodFromQuery({ from: ['2026-01-01'], to: ['2026-01-31', null] }, today)).toEqual({ from: '2026-01-01', to: '2026-01-31' })
    const d = defaultPeriod(today)
    expect(periodFromQuery({ from: '2026-01-31', to: '2026-01-01' }, today)).toEqual(d) // backwards
    expect(periodFromQuery({ from: '2026-02-30', to: '2026-03-01' }, today)).toEqual(d) // no such day
    expect(periodFromQuery({ from: '2026-03-01', to: '2026-03-16' }, today)).toEqual(d) // ends after today
    expect(periodFromQuery({ from: '2026-03-01' }, today)).toEqual(d)
    expect(periodFromQuery({ from: 'x', to: null }, today)).toEqual(d)
  })

  it('leaves the default out of the URL', () => {
    expect(periodToQuery(defaultPeriod(today), today)).toEqual({ from: undefined, to: undefined })
    expect(periodToQuery({ from: '2026-02-01', to: '2026-02-28' }, today)).toEqual({ from: '2026-02-01', to: '2026-02-28' })
    expect(periodToQuery({ from: '2026-02-14', to: '2026-03-14' }, today)).toEqual({ from: '2026-02-14', to: '2026-03-14' })
  })

  it('offers the quick ranges in order', () => {
    expect(quickRanges(SHORTCUT_KEYS, today)).toEqual([
      { key: 'last7', from: '2026-03-09', to: today },
      { key: 'last30', from: '2026-02-14', to: today },
      { key: 'thisMonth', from: '2026-03-01', to: today },
      { key: 'lastMonth', from: '2026-02-01', to: '2026-02-28' },
      { key: 'last90', from: '2025-12-16', to: today },
    ])
  })
})
