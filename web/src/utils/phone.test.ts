import { describe, expect, it } from 'vitest'
import { groupPhone, isMasked, maskPhone, samePhone } from './phone'

describe('groupPhone', () => {
  it('groups a mobile number 3-4-4 for reading aloud and leaves others alone', () => {
    expect(groupPhone('13800138000')).toBe('138 0013 8000')
    expect(groupPhone('023-6381-1234')).toBe('023-6381-1234')
  })

  it('leaves a masked number as it is', () => {
    expect(groupPhone('138****8000')).toBe('138****8000')
  })
})

describe('maskPhone', () => {
  it('keeps the first 3 and last 4 digits of a mobile, as the server does', () => {
    expect(maskPhone('13912345678')).toBe('139****5678')
    expect(maskPhone('19800001111')).toBe('198****1111')
  })

  it('keeps the first 4 and last 4 of a landline and of anything else of 7 digits or more', () => {
    expect(maskPhone('02367891234')).toBe('0236****1234')
    expect(maskPhone('01012345678')).toBe('0101****5678')
    expect(maskPhone('4008123456')).toBe('4008****3456')
    expect(maskPhone('12345678901')).toBe('1234****8901') // 12… is no mobile
    expect(maskPhone('1234567')).toBe('1234****4567')
  })

  it('leaves short numbers whole', () => {
    expect(maskPhone('95598')).toBe('95598')
    expect(maskPhone('123456')).toBe('123456')
    expect(maskPhone('')).toBe('')
  })

  it('leaves a number already masked as it is', () => {
    expect(maskPhone('139****5678')).toBe('139****5678')
    expect(maskPhone('0236****1234')).toBe('0236****1234')
  })
})

describe('isMasked and samePhone', () => {
  it('tells a masked number from a whole one', () => {
    expect(isMasked('139****5678')).toBe(true)
    expect(isMasked('0236****1234')).toBe(true)
    expect(isMasked('13912345678')).toBe(false)
    expect(isMasked('139***5678')).toBe(false)
  })

  it('compares a whole number with the masked one the API shows', () => {
    expect(samePhone('13912345678', '139****5678')).toBe(true)
    expect(samePhone('139****5678', '13912345678')).toBe(true)
    expect(samePhone('13912345678', '13912345678')).toBe(true)
    expect(samePhone('13912345678', '138****5678')).toBe(false)
    expect(samePhone('', '')).toBe(false)
  })
})
