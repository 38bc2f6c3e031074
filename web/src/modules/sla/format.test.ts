import { describe, expect, it } from 'vitest'
import {
  dayProblem, daysToSave, formatLimit, ladderProblems, limitParts, limitTexts, periodProblem, sameDays, warnPercent, warnShare,
  weekday, workdayMinutes, type Translate,
} from './format'

// A stand-in for vue-i18n: zh-CN words, the English plural picked by n.
const ZH: Record<string, string> = { d: '{n} 天', wd: '{n} 个工作日', h: '{n} 小时', m: '{n} 分钟' }
const EN: Record<string, [string, string]> = {
  d: ['{n} d', '{n} d'], wd: ['{n} workday', '{n} workdays'], h: ['{n} h', '{n} h'], m: ['{n} min', '{n} min'],
}
const zh: Translate = (key, { n }) => ZH[key.split('.').pop()!].replace('{n}', String(n))
const en: Translate = (key, { n }, plural) => EN[key.split('.').pop()!][plural === 1 ? 0 : 1].replace('{n}', String(n))

describe('limitParts / formatLimit', () => {
  it('reads minutes, hours and days the way the service standards write them', () => {
    expect(formatLimit(45, zh)).toBe('45 分钟')
    expect(formatLimit(120, zh)).toBe('2 小时')
    expect(formatLimit(3 * 1440, zh)).toBe('3 天')
    expect(formatLimit(225, zh)).toBe('3 小时 45 分钟')
    expect(formatLimit(1500, zh)).toBe('25 小时')
    expect(formatLimit(45, en)).toBe('45 min')
    expect(formatLimit(120, en)).toBe('2 h')
    expect(formatLimit(4320, en)).toBe('3 d')
  })
  it('counts working days on a calendar, and never calendar days there', () => {
    expect(formatLimit(450, zh, 450)).toBe('1 个工作日')
    expect(formatLimit(1350, zh, 450)).toBe('3 个工作日')
    expect(formatLimit(1350, en, 450)).toBe('3 workdays')
    expect(formatLimit(450, en, 450)).toBe('1 workday')
    expect(formatLimit(1440, zh, 450)).toBe('24 小时')
    expect(formatLimit(60, zh, 450)).toBe('1 小时')
  })
  it('gives the units apart, for a table cell to wrap between them', () => {
    expect(limitTexts(225, zh)).toEqual(['3 小时', '45 分钟'])
    expect(limitTexts(null, zh)).toEqual([])
  })
  it('shows nothing for no limit, and 0 as minutes', () => {
    expect(formatLimit(null, zh)).toBe('')
    expect(formatLimit(undefined, zh)).toBe('')
    expect(limitParts(0)).toEqual([{ unit: 'm', n: 0 }])
  })
})

describe('work periods', () => {
  it('sums the working minutes of a day', () => {
    expect(workdayMinutes([{ start: '08:30', end: '12:00' }, { start: '13:30', end: '17:30' }])).toBe(450)
    expect(workdayMinutes([])).toBe(0)
    expect(workdayMinutes([{ start: '12:00', end: '08:00' }])).toBe(0)
  })
  it('finds bad times, backwards periods and overlaps', () => {
    expect(periodProblem([{ start: '08:30', end: '12:00' }, { start: '13:30', end: '17:30' }])).toBeNull()
    expect(periodProblem([])).toBe('empty')
    expect(periodProblem([{ start: '8:30', end: '12:00' }])).toBe('time')
    expect(periodProblem([{ start: '12:00', end: '12:00' }])).toBe('order')
    expect(periodProblem([{ start: '13:00', end: '17:00' }, { start: '08:00', end: '13:30' }])).toBe('overlap')
  })
})

describe('warn_at as a percentage', () => {
  it('converts both ways and keeps to 1–100', () => {
    expect(warnPercent(0.75)).toBe(75)
    expect(warnPercent(0.8)).toBe(80)
    expect(warnPercent(undefined)).toBe(75)
    expect(warnShare(80)).toBe(0.8)
    expect(warnShare(0)).toBe(0.01)
    expect(warnShare(150)).toBe(1)
  })
})

describe('exception days', () => {
  it('knows the weekday of a calendar day in any time zone', () => {
    expect(weekday('2026-10-01')).toBe(4) // Thursday
    expect(weekday('2026-02-14')).toBe(6) // Saturday
  })
  it('stops on a missing date, another year or a date twice; remarks on a make-up day on a weekday', () => {
    const all = [{ date: '2027-01-01' }, { date: '2027-01-01' }, { date: '2027-02-06' }]
    expect(dayProblem({ date: null, is_working: false }, 2027, all)).toBe('missing')
    expect(dayProblem({ date: '2026-12-31', is_working: false }, 2027, all)).toBe('year')
    expect(dayProblem({ date: '2027-01-01', is_working: false }, 2027, all)).toBe('twice')
    expect(dayProblem({ date: '2027-02-06', is_working: true }, 2027, all)).toBeNull() // a Saturday
    expect(dayProblem({ date: '2027-02-08', is_working: true }, 2027, all)).toBe('weekdayWorking')
    expect(dayProblem({ date: '2027-02-06', is_working: false }, 2027, all)).toBeNull() // holidays on weekends are fine
  })
  it('sends dated days sorted with trimmed notes, and compares lists whatever their order', () => {
    const rows = [
      { date: '2027-05-01', is_working: false, note: ' 劳动节 ' },
      { date: null, is_working: false, note: '' },
      { date: '2027-01-01', is_working: false, note: '元旦' },
    ]
    const out = daysToSave(rows)
    expect(out).toEqual([
      { date: '2027-01-01', is_working: false, note: '元旦' },
      { date: '2027-05-01', is_working: false, note: '劳动节' },
    ])
    expect(sameDays(out, [...out].reverse())).toBe(true)
    expect(sameDays(out, [{ ...out[0], is_working: true }, out[1]])).toBe(false)
  })
})

describe('ladderProblems', () => {
  const step = (level: number, delay: number | null, channels = ['app']) => ({ level, delay_minutes: delay, channels })
  it('accepts delays that never decrease', () => {
    expect(ladderProblems([step(1, 0), step(2, 30), step(3, 30), step(4, 240)]).size).toBe(0)
  })
  it('marks a level earlier than the one before it, a missing delay and no channel', () => {
    const problems = ladderProblems([step(1, 0), step(2, 120), step(3, 60), step(4, null)])
    expect([...problems]).toEqual([[3, 'order'], [4, 'delay']])
    expect([...ladderProblems([step(2, 30, []), step(1, 0)])]).toEqual([[2, 'channels']])
  })
})
