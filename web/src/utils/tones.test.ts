import { describe, expect, it } from 'vitest'
import { AGENT_STATUSES, CALL_STATES, GRADES, OPEN_STATES, ORDER_STATES } from './enums'
import {
  AGENT_STATUS_TONES, CALL_STATE_TONES, GRADE_TONES, ORDER_STATE_COLORS, ORDER_STATE_TONES, toneOf,
} from './tones'

describe('state colours', () => {
  it('colour every value the server sends', () => {
    expect(Object.keys(ORDER_STATE_TONES).sort()).toEqual([...ORDER_STATES].sort())
    expect(Object.keys(ORDER_STATE_COLORS).sort()).toEqual([...OPEN_STATES].sort())
    expect(Object.keys(AGENT_STATUS_TONES).sort()).toEqual([...AGENT_STATUSES].sort())
    expect(Object.keys(CALL_STATE_TONES).sort()).toEqual([...CALL_STATES].sort())
    expect(Object.keys(GRADE_TONES).sort()).toEqual([...GRADES].sort())
  })
  it('show a value they do not know in grey', () => {
    expect(toneOf(ORDER_STATE_TONES, 'suspended')).toBe('danger')
    expect(toneOf(ORDER_STATE_TONES, 'archived')).toBe('info')
    expect(toneOf(GRADE_TONES, null)).toBe('info')
  })
})
