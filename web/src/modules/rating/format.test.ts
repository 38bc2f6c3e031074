import { describe, expect, it } from 'vitest'
import { failState, isResult, rateBody, resultKey } from './format'

describe('rating page helpers', () => {
  it('labels the three results and nothing else', () => {
    expect(resultKey('satisfied')).toBe('rateLink.result.satisfied')
    expect(resultKey('basically_satisfied')).toBe('rateLink.result.basically_satisfied')
    expect(resultKey('unsatisfied')).toBe('rateLink.result.unsatisfied')
    expect(resultKey(null)).toBe('rateLink.result.unknown')
    expect(resultKey('great')).toBe('rateLink.result.unknown')
    expect(isResult('unsatisfied')).toBe(true)
    expect(isResult(3)).toBe(false)
  })

  it('maps an error to the page state', () => {
    expect(failState(404)).toBe('invalid')
    expect(failState(410)).toBe('expired')
    expect(failState(0)).toBe('retry')
    expect(failState(500)).toBe('retry')
    expect(failState(undefined)).toBe('retry')
  })

  it('sends only what was given', () => {
    expect(rateBody('satisfied', 0, '  ')).toEqual({ result: 'satisfied' })
    expect(rateBody('unsatisfied', 2, ' 太慢 ')).toEqual({ result: 'unsatisfied', score: 2, comment: '太慢' })
    expect(rateBody('satisfied', 6, 'x'.repeat(600)).comment).toHaveLength(500)
    expect(rateBody('satisfied', 6, '').score).toBeUndefined()
  })
})
