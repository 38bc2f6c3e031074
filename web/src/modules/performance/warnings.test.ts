import { describe, expect, it } from 'vitest'
import { formatFigure, formatScore, historyChartOption, isSpike, ruleTone, tabOf } from './warnings'

describe('warnings', () => {
  it('reads the tab from the URL, open by default', () => {
    expect(tabOf('acknowledged')).toBe('acknowledged')
    expect(tabOf(['all'])).toBe('all')
    expect(tabOf('nonsense')).toBe('open')
    expect(tabOf(undefined)).toBe('open')
  })

  it('writes each rule in its unit', () => {
    expect(formatFigure('spike_orders', 9)).toBe('9')
    expect(formatFigure('spike_calls', 22.5)).toBe('22.5')
    expect(formatFigure('sl_low', 0.6543)).toBe('65.4%')
    expect(formatFigure('abandon_high', 0.05)).toBe('5.0%')
    expect(formatFigure('wait_long', 185)).toBe('3:05')
    expect(formatFigure('wait_long', null)).toBe('—')
    expect(formatScore(4.7)).toBe('4.70')
    expect(formatScore(null)).toBe('—')
    expect(isSpike('spike_calls') && !isSpike('wait_long')).toBe(true)
    expect(ruleTone('spike_orders')).toBe('warning')
    expect(ruleTone('sl_low')).toBe('danger')
  })

  it('draws the weeks before and this week in red, with the median', () => {
    const option = historyChartOption({ history: [0, 1, 0], value: 9, baseline: 0 }, {
      weeksAgo: (n) => `-${n}周`, thisWeek: '本周', median: '中位数',
    })
    const xAxis = option.xAxis as { data: string[] }
    expect(xAxis.data).toEqual(['-3周', '-2周', '-1周', '本周'])
    const series = (option.series as { data: { value: number; itemStyle: { color: string } }[]; markLine?: unknown }[])[0]
    expect(series.data.map((d) => d.value)).toEqual([0, 1, 0, 9])
    expect(series.data[3].itemStyle.color).toBe('#e5484d')
    expect(series.markLine).toBeTruthy()
  })
})
