import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { NOW_TICK_MS, nowStats, useNow } from './useNow'

describe('useNow', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(new Date('2026-11-23T08:00:00Z'))
  })
  afterEach(() => vi.useRealTimers())

  it('ticks every 30 s on one shared timer and stops when nobody uses it', () => {
    const a = effectScope()
    const b = effectScope()
    const nowA = a.run(() => useNow())!
    const nowB = b.run(() => useNow())!
    expect(nowA).toBe(nowB)
    expect(nowA.value).toBe(Date.parse('2026-11-23T08:00:00Z'))
    expect(nowStats()).toEqual({ users: 2, running: true })
    expect(vi.getTimerCount()).toBe(1)

    vi.advanceTimersByTime(NOW_TICK_MS - 1)
    expect(nowA.value).toBe(Date.parse('2026-11-23T08:00:00Z'))
    vi.advanceTimersByTime(1)
    expect(nowA.value).toBe(Date.parse('2026-11-23T08:00:30Z'))

    a.stop()
    expect(nowStats()).toEqual({ users: 1, running: true })
    vi.advanceTimersByTime(NOW_TICK_MS)
    expect(nowB.value).toBe(Date.parse('2026-11-23T08:01:00Z'))
    b.stop()
    expect(nowStats()).toEqual({ users: 0, running: false })
    expect(vi.getTimerCount()).toBe(0)
  })

  it('is up to date when a new user subscribes between ticks', () => {
    const s = effectScope()
    vi.setSystemTime(new Date('2026-11-23T09:00:10Z'))
    const now = s.run(() => useNow())!
    expect(now.value).toBe(Date.parse('2026-11-23T09:00:10Z'))
    s.stop()
  })
})
