import { describe, expect, it } from 'vitest'
import {
  answeredInTime, answerMinutes, askedAt, categoryKey, cleanPhone, isCallable, pendingDeadline, phaseOf,
} from './format'

const T0 = '2026-12-07T02:00:00Z' // 10:00 in the centre
const limit = (stage: string, due: string, met: string | null = null, cycle = 0, breached = false) => ({
  stage, cycle, started_at: T0, due_at: due, warn_at: due, met_at: met, breached, paused: false,
})
const order = (state: Parameters<typeof phaseOf>[0], extra: Record<string, unknown> = {}) => ({
  state, created_at: T0, resolved_at: null, closed_at: null,
  deadlines: [limit('accept', '2026-12-07T02:05:00Z'), limit('resolve', '2026-12-07T02:30:00Z')],
  ...extra,
})

describe('专家求助 helpers', () => {
  it('say where a request stands in the asker’s words', () => {
    expect(phaseOf('dispatched')).toBe('waiting')
    expect(phaseOf('accepted')).toBe('working')
    expect(phaseOf('in_progress')).toBe('working')
    expect(phaseOf('suspended')).toBe('working')
    expect(phaseOf('closed')).toBe('answered')
    expect(phaseOf('resolved')).toBe('answered')
    expect(phaseOf('registered')).toBe('queued')
  })

  it('label the three kinds of question and nothing else', () => {
    expect(categoryKey('SP-FIELD-TECH')).toBe('expertHelp.category.tech')
    expect(categoryKey('SP-FIELD-POLICY')).toBe('expertHelp.category.policy')
    expect(categoryKey('SP-FIELD-ACCOUNT')).toBe('expertHelp.category.account')
    expect(categoryKey('SP-FIELD')).toBeNull()
  })

  it('wait on the accept limit, then the answer limit, then none', () => {
    expect(pendingDeadline(order('dispatched'))?.stage).toBe('accept')
    expect(pendingDeadline(order('accepted'))?.stage).toBe('resolve')
    expect(pendingDeadline(order('closed'))).toBeNull()
    const reopened = order('dispatched', {
      deadlines: [limit('accept', '2026-12-07T02:05:00Z', T0), limit('accept', '2026-12-07T03:05:00Z', null, 1)],
    })
    expect(pendingDeadline(reopened)?.due_at).toBe('2026-12-07T03:05:00Z')
  })

  it('measure the experts’ answer from the question', () => {
    expect(answerMinutes(order('accepted'))).toBeNull()
    const done = order('closed', {
      resolved_at: '2026-12-07T02:12:40Z', closed_at: '2026-12-07T02:12:40Z',
      deadlines: [
        limit('accept', '2026-12-07T02:05:00Z', '2026-12-07T02:03:00Z'),
        limit('resolve', '2026-12-07T02:30:00Z', '2026-12-07T02:12:40Z'),
      ],
    })
    expect(answerMinutes(done)).toBe(12)
    expect(answeredInTime(done)).toBe(true)
    const late = { ...done, resolved_at: '2026-12-07T02:41:00Z', deadlines: [limit('resolve', '2026-12-07T02:30:00Z', '2026-12-07T02:41:00Z', 0, true)] }
    expect(answerMinutes(late)).toBe(41)
    expect(answeredInTime(late)).toBe(false)
    expect(answeredInTime(order('accepted'))).toBeNull()
  })

  it('show the time alone for today, the day too before', () => {
    const now = new Date('2026-12-07T05:00:00Z').getTime()
    expect(askedAt(T0, now)).toBe('10:00')
    expect(askedAt('2026-12-05T13:30:00Z', now)).toBe('12-05 21:30')
    expect(askedAt('', now)).toBe('')
  })

  it('take a mobile or a landline to call back', () => {
    expect(cleanPhone(' 139 0000 1234 ')).toBe('13900001234')
    expect(cleanPhone('+86 139-0000-1234')).toBe('13900001234')
    expect(isCallable('13900001234')).toBe(true)
    expect(isCallable('023-67891234')).toBe(true)
    expect(isCallable('1390000123')).toBe(false)
    expect(isCallable('')).toBe(false)
  })
})
