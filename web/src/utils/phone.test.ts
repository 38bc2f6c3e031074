import { describe, expect, it } from 'vitest'
import { groupPhone } from './phone'

describe('groupPhone', () => {
  it('groups a mobile number 3-4-4 for reading aloud and leaves others alone', () => {
    expect(groupPhone('13800138000')).toBe('138 0013 8000')
    expect(groupPhone('023-6381-1234')).toBe('023-6381-1234')
  })
})
