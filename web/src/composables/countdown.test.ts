import { describe, expect, it } from 'vitest'
import {
  countdownState, countdownText, durationParts, formatDuration, isOverdue, nextDeadline, type Translate,
} from './countdown'

const DUE = '2026-11-23T10:00:00+08:00'
const WARN = '2026-11-23T09:30:00+08:00'
const due = new Date(DUE).getTime()
const warn = new Date(WARN).getTime()
const MIN = 60_000
const d = { due_at: DUE, warn_at: WARN, met_at: null, breached: false, paused: false }

// A fake translate: the key and its params, so the tests read what the component would ask for.
const t: Translate = (key, params) => {
  const p = params ? Object.entries(params).map(([k, v]) => `${k}=${v}`).join(',') : ''
  return p ? `${key}(${p})` : key
}

describe('countdownState', () => {
  it('is green before warn_at, with whole minutes left', () => {
    expect(countdownState(d, warn - 1)).toEqual({ kind: 'left', tone: 'green', minutes: 30 })
    expect(countdownState(d, due - 80 * MIN)).toEqual({ kind: 'left', tone: 'green', minutes: 80 })
  })
  it('turns amber exactly at warn_at and stays amber until due_at', () => {
    expect(countdownState(d, warn)).toEqual({ kind: 'left', tone: 'amber', minutes: 30 })
    expect(countdownState(d, due - 1)).toEqual({ kind: 'left', tone: 'amber', minutes: 0 })
  })
  it('turns red exactly at due_at and counts the minutes over', () => {
    expect(countdownState(d, due)).toEqual({ kind: 'overdue', tone: 'red', minutes: 0 })
    expect(countdownState(d, due + 35 * MIN + 59_000)).toEqual({ kind: 'overdue', tone: 'red', minutes: 35 })
  })
  it('without warn_at stays green until due', () => {
    expect(countdownState({ due_at: DUE }, due - 1).tone).toBe('green')
  })
  it('shows a met deadline muted, on time or late', () => {
    expect(countdownState({ ...d, met_at: WARN }, due + 999 * MIN)).toEqual({ kind: 'met', tone: 'muted', late: false })
    expect(countdownState({ ...d, met_at: '2026-11-23T10:05:00+08:00', breached: true }, 0))
      .toEqual({ kind: 'met', tone: 'muted', late: true })
    expect(countdownState({ ...d, met_at: '2026-11-23T10:05:00+08:00' }, 0).kind).toBe('met')
    expect(countdownState({ ...d, met_at: '2026-11-23T10:05:00+08:00' }, 0)).toMatchObject({ late: true })
  })
  it('shows a paused deadline muted, whatever the time', () => {
    expect(countdownState({ ...d, paused: true }, due + 60 * MIN)).toEqual({ kind: 'paused', tone: 'muted', breached: false })
    expect(countdownState({ ...d, paused: true, breached: true }, 0)).toMatchObject({ kind: 'paused', breached: true })
  })
  it('is none without a deadline', () => {
    expect(countdownState(null, 0).kind).toBe('none')
    expect(countdownState({ due_at: 'not a date' }, 0).kind).toBe('none')
  })
})

describe('durations', () => {
  it('splits minutes into days, hours and minutes', () => {
    expect(durationParts(0)).toEqual({ d: 0, h: 0, m: 0 })
    expect(durationParts(80)).toEqual({ d: 0, h: 1, m: 20 })
    expect(durationParts(3 * 1440 + 125)).toEqual({ d: 3, h: 2, m: 5 })
    expect(durationParts(-5)).toEqual({ d: 0, h: 0, m: 0 })
  })
  it('formats days with hours, hours with minutes, minutes, and under a minute', () => {
    expect(formatDuration(2 * 1440 + 3 * 60 + 7, t)).toBe('sla.dur.dh(d=2,h=3)')
    expect(formatDuration(1440, t)).toBe('sla.dur.dh(d=1,h=0)')
    expect(formatDuration(80, t)).toBe('sla.dur.hm(h=1,m=20)')
    expect(formatDuration(60, t)).toBe('sla.dur.hm(h=1,m=0)')
    expect(formatDuration(35, t)).toBe('sla.dur.m(m=35)')
    expect(formatDuration(0, t)).toBe('sla.dur.lessThanMinute')
  })
  it('words each state', () => {
    expect(countdownText(countdownState(d, due - 80 * MIN), t)).toBe('sla.left(t=sla.dur.hm(h=1,m=20))')
    expect(countdownText(countdownState(d, due + 35 * MIN), t)).toBe('sla.overdue(t=sla.dur.m(m=35))')
    expect(countdownText(countdownState({ ...d, met_at: WARN }, 0), t)).toBe('sla.metOnTime')
    expect(countdownText(countdownState({ ...d, met_at: DUE, breached: true }, 0), t)).toBe('sla.metLate')
    expect(countdownText(countdownState({ ...d, paused: true }, 0), t)).toBe('sla.paused')
    expect(countdownText(countdownState(null, 0), t)).toBe('')
  })
})

describe('an order’s next deadline', () => {
  const arrive = { ...d, stage: 'arrive' }
  const accept = { ...d, stage: 'accept', due_at: '2026-11-23T09:00:00Z' }
  it('is the unmet, unpaused deadline due at next_deadline_at', () => {
    const order = { next_deadline_at: '2026-11-23T02:00:00Z', deadlines: [{ ...accept, met_at: DUE }, arrive] }
    expect(nextDeadline(order)).toBe(arrive)
  })
  it('falls back to the bare time, and is null without one', () => {
    expect(nextDeadline({ next_deadline_at: DUE, deadlines: [] })).toEqual({ due_at: DUE })
    expect(nextDeadline({ next_deadline_at: null, deadlines: [arrive] })).toBeNull()
  })
  it('is overdue when the server says so or the browser clock has passed it', () => {
    expect(isOverdue({ overdue: true, next_deadline_at: DUE }, 0)).toBe(true)
    expect(isOverdue({ overdue: false, next_deadline_at: DUE }, due - 1)).toBe(false)
    expect(isOverdue({ overdue: false, next_deadline_at: DUE }, due)).toBe(true)
    expect(isOverdue({ overdue: false, next_deadline_at: null }, due)).toBe(false)
  })
})
