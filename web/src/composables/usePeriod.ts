// A report page's period picker (an el-date-picker of type daterange, value-format YYYY-MM-DD): its value, read
// from and written to wherever the page keeps its period (the URL), the quick ranges in the page's words, and no
// day after today.
import { computed, toValue, type MaybeRefOrGetter } from 'vue'
import { pickerDate, pickerDay, quickRanges, type DayRange, type QuickRange } from '@/utils/periods'

export interface PeriodOptions {
  /** the period shown */
  period: () => DayRange
  /** the page's default period (what a cleared picker goes back to) */
  fallback: () => DayRange
  /** keep a period the user chose (e.g. push it into the URL) */
  set: (period: DayRange) => void
  /** the quick ranges, in the picker's order */
  shortcuts: readonly QuickRange[]
  /** a quick range's words in the page's locale ("近7天") */
  label: (key: QuickRange) => string
  /** the centre's today ("YYYY-MM-DD") */
  today: MaybeRefOrGetter<string>
}

export function usePeriod(options: PeriodOptions) {
  const range = computed<[string, string] | null>({
    get: () => {
      const p = options.period()
      return [p.from, p.to] as [string, string]
    },
    set: (v: [string, string] | null) => options.set(v && v[0] && v[1] ? { from: v[0], to: v[1] } : options.fallback()),
  })
  const shortcuts = computed(() =>
    quickRanges(options.shortcuts, toValue(options.today)).map((p) => ({
      text: options.label(p.key),
      value: () => [pickerDate(p.from), pickerDate(p.to)],
    })),
  )
  const afterToday = (date: Date) => pickerDay(date) > toValue(options.today)
  return { range, shortcuts, afterToday }
}
