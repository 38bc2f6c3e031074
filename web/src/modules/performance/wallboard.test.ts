import { describe, expect, it } from 'vitest'
import type { Wallboard } from './api'
import { agentCounts, agentsOnline, isLate, newer, queueOrder, wallboardOf } from './wallboard'

function board(extra: Partial<Wallboard> = {}): Wallboard {
  return {
    at: '2026-12-06T09:00:00+08:00', waiting: 2, longest_wait: 75,
    queues: [{ queue: '燃气', waiting: 0, longest_wait: 0 }, { queue: '电力', waiting: 2, longest_wait: 75 }],
    agents: { ready: 3, on_call: 2, acw: 1, not_ready: 0, signed_in: 1 },
    today: { offered: 10, answered: 8, abandoned: 2, service_level: 0.7, answer_rate: 0.8, abandon_rate: 0.2, asa: 12.5 },
    variant: 'F3', threshold: 20, open_emergencies: 1, ...extra,
  }
}

describe('the wallboard', () => {
  it('reads a pushed board and refuses anything else', () => {
    expect(wallboardOf({ type: 'wallboard', wallboard: board() })).toEqual(board())
    expect(wallboardOf({ type: 'watching', topic: 'wallboard', ok: true })).toBeNull()
    expect(wallboardOf({ type: 'wallboard', wallboard: { at: 'x' } })).toBeNull()
    expect(wallboardOf({ type: 'wallboard' })).toBeNull()
  })

  it('keeps the newer of two boards', () => {
    const early = board()
    const late = board({ at: '2026-12-06T09:00:05+08:00', waiting: 5 })
    expect(newer(undefined, early)).toBe(early)
    expect(newer(early, late)).toBe(late)
    expect(newer(late, early)).toBe(late)
  })

  it('turns a wait red past 60 s', () => {
    expect(isLate(60)).toBe(false)
    expect(isLate(61)).toBe(true)
    expect(isLate(null)).toBe(false)
  })

  it('counts agents by state in the floor order, and all signed in', () => {
    expect(agentCounts(board({ agents: { ready: 1, acw: 2 } })).map((c) => c.n)).toEqual([1, 0, 2, 0, 0])
    expect(agentsOnline(board())).toBe(7)
    expect(agentsOnline(board({ agents: { ready: 1, signed_out: 4 } }))).toBe(1)
  })

  it('puts the queues with callers first', () => {
    expect(queueOrder(board().queues).map((q) => q.queue)).toEqual(['电力', '燃气'])
  })
})
