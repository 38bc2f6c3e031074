import { describe, expect, it } from 'vitest'
import type { Report } from './api'
import { filterOf, hasBegun, isKind, periodLabel, periodOf, reportFileUrl, toggled, withMadeFirst } from './reports'

const report = (id: number, kind: string, first: string, last: string): Report => ({
  id, kind, first_day: first, last_day: last, title: '客户服务中心服务质量日报', generated_at: '2026-12-07T00:00:00Z',
})

describe('service-quality reports', () => {
  it('reads the kind filter from the URL, every kind by default', () => {
    expect(filterOf('daily')).toBe('daily')
    expect(filterOf(['monthly'])).toBe('monthly')
    expect(filterOf('yearly')).toBe('all')
    expect(filterOf(undefined)).toBe('all')
    expect(isKind('weekly') && !isKind('all')).toBe(true)
  })

  it('writes each kind of period its way', () => {
    expect(periodLabel({ kind: 'monthly', first_day: '2026-11-01', last_day: '2026-11-30' })).toBe('2026年11月')
    expect(periodLabel({ kind: 'monthly', first_day: '2026-11-01', last_day: '2026-11-30' }, 'en')).toBe('Nov 2026')
    expect(periodLabel({ kind: 'weekly', first_day: '2026-11-23', last_day: '2026-11-29' })).toBe('2026-11-23 至 2026-11-29')
    expect(periodLabel({ kind: 'weekly', first_day: '2026-11-23', last_day: '2026-11-29' }, 'en')).toBe('2026-11-23 to 2026-11-29')
    expect(periodLabel({ kind: 'daily', first_day: '2026-12-06', last_day: '2026-12-06' })).toBe('2026-12-06')
    expect(periodLabel({ kind: 'daily', first_day: '2026-12-06', last_day: '2026-12-06' }, 'en')).toBe('2026-12-06')
  })

  it('cuts the period holding a day as the server does: the day, Monday to Sunday, the month', () => {
    expect(periodOf('daily', '2026-11-25')).toEqual({ first: '2026-11-25', last: '2026-11-25' })
    expect(periodOf('weekly', '2026-11-25')).toEqual({ first: '2026-11-23', last: '2026-11-29' }) // a Wednesday
    expect(periodOf('weekly', '2026-11-23')).toEqual({ first: '2026-11-23', last: '2026-11-29' }) // its Monday
    expect(periodOf('weekly', '2026-11-29')).toEqual({ first: '2026-11-23', last: '2026-11-29' }) // its Sunday
    expect(periodOf('weekly', '2027-01-01')).toEqual({ first: '2026-12-28', last: '2027-01-03' }) // across a year
    expect(periodOf('monthly', '2026-11-15')).toEqual({ first: '2026-11-01', last: '2026-11-30' })
    expect(periodOf('monthly', '2026-12-31')).toEqual({ first: '2026-12-01', last: '2026-12-31' })
    expect(periodOf('monthly', '2028-02-10')).toEqual({ first: '2028-02-01', last: '2028-02-29' }) // leap year
  })

  it('knows a period that has not begun', () => {
    expect(hasBegun('daily', '2026-12-06', '2026-12-07')).toBe(true)
    expect(hasBegun('daily', '2026-12-08', '2026-12-07')).toBe(false)
    expect(hasBegun('weekly', '2026-12-13', '2026-12-07')).toBe(true) // this week's Sunday: the week has begun
    expect(hasBegun('monthly', '2027-01-01', '2026-12-07')).toBe(false)
  })

  it('pins the report just made at the top, once, when the filter shows its kind', () => {
    const listed = [report(3, 'daily', '2026-12-06', '2026-12-06'), report(2, 'monthly', '2026-11-01', '2026-11-30')]
    const made = report(1, 'daily', '2026-10-03', '2026-10-03')
    expect(withMadeFirst(listed, made, 'all').map((r) => r.id)).toEqual([1, 3, 2])
    expect(withMadeFirst(listed, made, 'daily').map((r) => r.id)).toEqual([1, 3, 2])
    expect(withMadeFirst(listed, made, 'monthly').map((r) => r.id)).toEqual([3, 2])
    expect(withMadeFirst(listed, listed[1], 'all').map((r) => r.id)).toEqual([2, 3])
    expect(withMadeFirst(listed, null, 'all')).toEqual(listed)
  })

  it('links the files and turns one subscription on or off', () => {
    expect(reportFileUrl(7, 'pdf')).toBe('/api/v1/reports/7/pdf')
    expect(reportFileUrl(7, 'xlsx')).toBe('/api/v1/reports/7/xlsx')
    expect(toggled(['monthly'], 'daily', true)).toEqual(['daily', 'monthly'])
    expect(toggled(['daily', 'monthly'], 'daily', false)).toEqual(['monthly'])
    expect(toggled(['daily'], 'daily', true)).toEqual(['daily'])
    expect(toggled([], 'weekly', false)).toEqual([])
  })
})
