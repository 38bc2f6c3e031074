import { describe, expect, it } from 'vitest'

type Messages = Record<'zh-CN' | 'en', Record<string, unknown>>
// the same files locales/index.ts merges: the shared vocabulary and every module's locale.ts
const files = import.meta.glob<{ default: Messages }>(
  ['./*.ts', '!./index.ts', '!./*.test.ts', '../modules/*/locale.ts'],
  { eager: true },
)

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix]
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
}

describe('the locale files', () => {
  it('are found: the shared ones and one per feature module', () => {
    expect(Object.keys(files)).toContain('./common.ts')
    expect(Object.keys(files)).toContain('../modules/workorders/locale.ts')
  })
  it.each(Object.keys(files))('%s has every key in both languages', (name) => {
    const messages = files[name].default
    expect(keys(messages.en).sort()).toEqual(keys(messages['zh-CN']).sort())
  })
  it('keep to their own top-level keys (they are merged shallowly)', () => {
    const owner = new Map<string, string>()
    for (const [name, { default: messages }] of Object.entries(files)) {
      for (const key of Object.keys(messages['zh-CN'])) {
        expect(owner.get(key), `${key} in ${name}`).toBeUndefined()
        owner.set(key, name)
      }
    }
  })
})
