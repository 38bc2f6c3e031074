import { describe, expect, it } from 'vitest'
import { formatRate } from './format'

describe('rates', () => {
  it('write as percentages with one decimal, half up, and "—" for none', () => {
    expect(formatRate(0.8965)).toBe('89.7%')
    expect(formatRate(0.8964)).toBe('89.6%')
    expect(formatRate(0.8961)).toBe('89.6%')
    expect(formatRate(0.0005)).toBe('0.1%')
    expect(formatRate(1)).toBe('100.0%')
    expect(formatRate(0)).toBe('0.0%')
    expect(formatRate(null)).toBe('—')
    expect(formatRate(undefined)).toBe('—')
    expect(formatRate(Number.NaN)).toBe('—')
  })
})
