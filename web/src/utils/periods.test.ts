import { describe, expect, it } from 'vitest'
import {
  isDay, lastDays, one, pickerDate, pickerDay, quickRange, quickRanges, rangeFromQuery, rangeToQuery,
} from './periods'

const today = '2026-12-06'

describe('a period in the URL', () => {
  it('takes one trimmed value of a query', () => {
    expect(one(' 2026-12-01 ')).toBe('2026-12-01')
    expect(one(['2026-11-02', null])).toBe('2026-11-02')
    expect(one([null])).toBe('')
    expect(one(null)).toBe('')
    expect(one(undefined)).toBe('')
  })

  it('knows a real calendar day', () => {
    expect(isDay('2028-02-29')).toBe(true)
    expect(isDay('2026-02-29')).toBe(false)
    expect(isDay('2026-2-3')).toBe(false)
    expect(isDay('')).toBe(false)
  })

  it('is the last N days to today by default', () => {
    expect(lastDays(7, today)).toEqual({ from: '2026-11-30', to: today })
    expect(lastDays(30, '2026-03-15')).toEqual({ from: '2026-02-14', to: '2026-03-15' })
    expect(lastDays(1, today)).toEqual({ from: today, to: today })
  })

  it('reads two real days in order, within the limits given', () => {
    expect(rangeFromQuery({ from: '2026-11-01', to: '2026-11-30' })).toEqual({ from: '2026-11-01', to: '2026-11-30' })
    expect(rangeFromQuery({ from: ['2026-11-01'], to: ['2026-11-02', null] })).toEqual({ from: '2026-11-01', to: '2026-11-02' })
    expect(rangeFromQuery({ from: '2026-11-30', to: '2026-11-01' })).toBeNull() // backwards
    expect(rangeFromQuery({ from: '2026-02-30', to: '2026-03-01' })).toBeNull() // no such day
    expect(rangeFromQuery({ from: '2026-12-01' })).toBeNull() // half a period
    expect(rangeFromQuery({ from: 'x', to: null })).toBeNull()
    // a period to come: only with no latest day
    expect(rangeFromQuery({ from: '2026-12-01', to: '2026-12-07' })).toEqual({ from: '2026-12-01', to: '2026-12-07' })
    expect(rangeFromQuery({ from: '2026-12-01', to: '2026-12-07' }, { latest: today })).toBeNull()
    expect(rangeFromQuery({ from: '2026-12-01', to: today }, { latest: today })).toEqual({ from: '2026-12-01', to: today })
    // at most maxDays long, both days counted
    expect(rangeFromQuery({ from: '2026-12-01', to: '2026-12-07' }, { maxDays: 7 })).toEqual({ from: '2026-12-01', to: '2026-12-07' })
    expect(rangeFromQuery({ from: '2026-11-30', to: '2026-12-07' }, { maxDays: 7 })).toBeNull()
    expect(rangeFromQuery({ from: '2024-01-01', to: '2026-12-01' }, { latest: today, maxDays: 800 })).toBeNull()
  })

  it('leaves the default out of the URL', () => {
    const d = lastDays(7, today)
    expect(rangeToQuery(d, d)).toEqual({})
    expect(rangeToQuery({ from: d.from, to: '2026-12-05' }, d)).toEqual({ from: d.from, to: '2026-12-05' })
    expect(rangeToQuery({ from: '2026-10-01', to: today }, d)).toEqual({ from: '2026-10-01', to: today })
  })
})

describe("the date picker's quick ranges", () => {
  it('are days as of today, in the order asked', () => {
    expect(quickRanges(['today', 'last7', 'last28', 'last30', 'last90', 'thisMonth', 'lastMonth'], today)).toEqual([
      { key: 'today', from: today, to: today },
      { key: 'last7', from: '2026-11-30', to: today },
      { key: 'last28', from: '2026-11-09', to: today },
      { key: 'last30', from: '2026-11-07', to: today },
      { key: 'last90', from: '2026-09-08', to: today },
      { key: 'thisMonth', from: '2026-12-01', to: today },
      { key: 'lastMonth', from: '2026-11-01', to: '2026-11-30' },
    ])
    expect(quickRanges(['lastMonth', 'last7'], '2026-03-15')).toEqual([
      { key: 'lastMonth', from: '2026-02-01', to: '2026-02-28' },
      { key: 'last7', from: '2026-03-09', to: '2026-03-15' },
    ])
  })

  it('cross a year', () => {
    expect(quickRange('lastMonth', '2026-01-15')).toEqual({ from: '2025-12-01', to: '2025-12-31' })
    expect(quickRange('last90', '2026-03-15')).toEqual({ from: '2025-12-16', to: '2026-03-15' })
    expect(quickRange('thisMonth', '2026-01-01')).toEqual({ from: '2026-01-01', to: '2026-01-01' })
  })

  it("give and take the picker's Dates as the same days", () => {
    expect(pickerDay(pickerDate('2026-12-31'))).toBe('2026-12-31')
    expect(pickerDay(pickerDate('2028-02-29'))).toBe('2028-02-29')
    expect(pickerDate('2026-03-01').getDate()).toBe(1)
  })
})
