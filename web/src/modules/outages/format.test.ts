import { describe, expect, it } from 'vitest'
import { allowedChanges, audienceOf, percent, smsComplete, smsParts, smsTemplate } from './format'

describe('the outage pages’ helpers', () => {
  it('allow the changes of the transition table', () => {
    expect(allowedChanges('announced')).toEqual(['update', 'activate', 'cancel'])
    expect(allowedChanges('active')).toEqual(['update', 'restore', 'cancel'])
    expect(allowedChanges('restored')).toEqual(['close'])
    expect(allowedChanges('closed')).toEqual([])
    expect(allowedChanges('cancelled')).toEqual([])
  })

  it('build the SMS with its signature and opt-out', () => {
    const text = smsTemplate('尊敬的客户：……')
    expect(text).toBe('【回音】尊敬的客户：……回TD退订')
    expect(smsComplete(text)).toBe(true)
    expect(smsComplete('尊敬的客户：……')).toBe(false)
    expect(smsParts('短'.repeat(70))).toBe(1)
    expect(smsParts('长'.repeat(71))).toBe(2)
  })

  it('send exactly one audience', () => {
    const base = { kind: 'areas' as const, areaIds: [3, 4], tag: 'vip', outageId: 9 }
    expect(audienceOf(base)).toEqual({ area_ids: [3, 4] })
    expect(audienceOf({ ...base, areaIds: [] })).toBeNull()
    expect(audienceOf({ ...base, kind: 'tag' })).toEqual({ tag: 'vip' })
    expect(audienceOf({ ...base, kind: 'outage' })).toEqual({ outage_id: 9 })
    expect(audienceOf({ ...base, kind: 'outage', outageId: null })).toBeNull()
  })

  it('show shares in whole percent', () => {
    expect(percent(1, 3)).toBe(33)
    expect(percent(0, 0)).toBe(0)
  })
})
