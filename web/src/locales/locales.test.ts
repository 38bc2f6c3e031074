import { describe, expect, it } from 'vitest'
import messages from '@/modules/calls/locale'

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix]
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
}

describe('the phone pages’ strings', () => {
  it('has every key in both languages', () => {
    expect(keys(messages.en).sort()).toEqual(keys(messages['zh-CN']).sort())
  })
  it('keeps to its own top-level keys (the locale files are merged shallowly)', () => {
    expect(Object.keys(messages['zh-CN']).sort()).toEqual(['agentBoard', 'callLog', 'ctiAdmin', 'ivrRules'])
  })
})
