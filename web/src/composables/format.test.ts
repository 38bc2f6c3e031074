import { describe, expect, it } from 'vitest'
import { dayEnd, dayStart, formatDateTime, groupPhone } from './format'

describe('formatDateTime', () => {
  it('shows a UTC instant in Asia/Shanghai whatever the browser zone', () => {
    expect(formatDateTime('2026-11-22T16:30:00Z')).toBe('2026-11-23 00:30')
    expect(formatDateTime('2026-11-22T16:30:05+00:00', true)).toBe('2026-11-23 00:30:05')
  })
  it('is empty for nothing or nonsense', () => {
    expect(formatDateTime(null)).toBe('')
    expect(formatDateTime('not a date')).toBe('')
  })
})

describe('day bounds', () => {
  it('gives the start and the exclusive end of a Shanghai calendar day', () => {
    expect(dayStart('2026-12-31')).toBe('2026-12-31T00:00:00+08:00')
    expect(dayEnd('2026-12-31')).toBe('2027-01-01T00:00:00+08:00')
  })
})

describe('groupPhone', () => {
  it('groups a mobile number 3-4-4 for reading aloud and leaves others alone', () => {
    expect(groupPhone('13800138000')).toBe('138 0013 8000')
    expect(groupPhone('023-6381-1234')).toBe('023-6381-1234')
  })
})
