import { describe, expect, it } from 'vitest'
import {
  addDays, centreToday, dayEnd, dayStart, daysBetween, formatClock, formatDateTime, formatSeconds, formatTime, isoToWall, wallToIso,
} from './time'

describe('formatDateTime', () => {
  it('shows a UTC instant in Asia/Shanghai whatever the browser zone', () => {
    expect(formatDateTime('2026-11-22T16:30:00Z')).toBe('2026-11-23 00:30')
    expect(formatDateTime('2026-11-22T16:30:05+00:00', true)).toBe('2026-11-23 00:30:05')
    expect(formatDateTime(new Date('2026-11-22T16:30:05Z'))).toBe('2026-11-23 00:30')
  })
  it('is empty for nothing or nonsense', () => {
    expect(formatDateTime(null)).toBe('')
    expect(formatDateTime('not a date')).toBe('')
  })
  it('gives the time of day alone', () => {
    expect(formatTime(new Date('2026-11-22T16:30:05Z'))).toBe('00:30:05')
    expect(formatTime(Date.parse('2026-11-22T01:02:03Z'))).toBe('09:02:03')
  })
})

describe('day bounds', () => {
  it('gives the start and the exclusive end of a Shanghai calendar day', () => {
    expect(dayStart('2026-12-31')).toBe('2026-12-31T00:00:00+08:00')
    expect(dayEnd('2026-12-31')).toBe('2027-01-01T00:00:00+08:00')
  })
})

describe('calendar days', () => {
  it('takes today in Asia/Shanghai, not in the browser’s zone', () => {
    expect(centreToday(new Date('2026-12-05T16:30:00Z'))).toBe('2026-12-06')
    expect(centreToday(new Date('2026-12-05T15:59:59Z'))).toBe('2026-12-05')
  })
  it('counts days across months and years', () => {
    expect(addDays('2026-12-06', -29)).toBe('2026-11-07')
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01')
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29')
  })
  it('lists the days of a range, both ends included', () => {
    expect(daysBetween('2026-11-29', '2026-12-02')).toEqual(['2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02'])
    expect(daysBetween('2026-12-02', '2026-12-02')).toEqual(['2026-12-02'])
    expect(daysBetween('2026-12-03', '2026-12-02')).toEqual([])
  })
})

describe('wall-clock times', () => {
  it('reads and writes the centre’s wall clock', () => {
    expect(wallToIso('2026-11-24 09:00')).toBe('2026-11-24T09:00:00+08:00')
    expect(wallToIso('2026-11-24 09:00:30')).toBe('2026-11-24T09:00:30+08:00')
    expect(isoToWall('2026-11-24T10:00:00Z')).toBe('2026-11-24 18:00:00')
    expect(isoToWall(null)).toBe('')
  })
})

describe('durations and clocks', () => {
  it('reads seconds as m:ss and h:mm:ss', () => {
    expect(formatSeconds(0)).toBe('0:00')
    expect(formatSeconds(8)).toBe('0:08')
    expect(formatSeconds(125)).toBe('2:05')
    expect(formatSeconds(3725)).toBe('1:02:05')
    expect(formatSeconds(null)).toBe('—')
    expect(formatSeconds(undefined)).toBe('—')
  })
  it('shows a running clock as mm:ss, hours when there are some', () => {
    expect(formatClock(0)).toBe('00:00')
    expect(formatClock(5)).toBe('00:05')
    expect(formatClock(42)).toBe('00:42')
    expect(formatClock(725)).toBe('12:05')
    expect(formatClock(754)).toBe('12:34')
    expect(formatClock(3600)).toBe('1:00:00')
    expect(formatClock(3723)).toBe('1:02:03')
    expect(formatClock(-3)).toBe('00:00')
  })
})
