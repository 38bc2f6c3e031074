import { describe, expect, it } from 'vitest'
import { ref } from 'vue'
import { lastDays, type DayRange } from '@/utils/periods'
import { usePeriod } from './usePeriod'

function picker(today = '2026-12-06') {
  const day = ref(today)
  const kept = ref<DayRange>(lastDays(7, today))
  const set: DayRange[] = []
  const p = usePeriod({
    period: () => kept.value,
    fallback: () => lastDays(7, day.value),
    set: (v) => {
      set.push(v)
      kept.value = v
    },
    shortcuts: ['today', 'last7', 'lastMonth'],
    label: (key) => `«${key}»`,
    today: day,
  })
  return { day, kept, set, ...p }
}

describe('a period picker', () => {
  it('shows the period kept and keeps what is picked, the default when cleared', () => {
    const p = picker()
    expect(p.range.value).toEqual(['2026-11-30', '2026-12-06'])
    p.range.value = ['2026-11-01', '2026-11-15']
    expect(p.set).toEqual([{ from: '2026-11-01', to: '2026-11-15' }])
    expect(p.range.value).toEqual(['2026-11-01', '2026-11-15'])
    p.range.value = null
    expect(p.set.at(-1)).toEqual({ from: '2026-11-30', to: '2026-12-06' })
  })

  it("offers the quick ranges in the page's words, as the picker's Dates", () => {
    const p = picker()
    expect(p.shortcuts.value.map((s) => s.text)).toEqual(['«today»', '«last7»', '«lastMonth»'])
    const [from, to] = p.shortcuts.value[2].value()
    expect([from.getFullYear(), from.getMonth() + 1, from.getDate()]).toEqual([2026, 11, 1])
    expect([to.getFullYear(), to.getMonth() + 1, to.getDate()]).toEqual([2026, 11, 30])
  })

  it('refuses the days after today, and follows today', () => {
    const p = picker()
    expect(p.afterToday(new Date(2026, 11, 6))).toBe(false)
    expect(p.afterToday(new Date(2026, 11, 7))).toBe(true)
    p.day.value = '2026-12-07'
    expect(p.afterToday(new Date(2026, 11, 7))).toBe(false)
    expect(p.shortcuts.value[0].value()[0].getDate()).toBe(7)
  })
})
