import { describe, expect, it } from 'vitest'
import { SATISFACTION_GROUPS } from '@/utils/enums'
import { formatRate } from '@/utils/format'
import { satisfactionExportUrl, type Satisfaction, type SatisfactionRow } from './api'
import {
  CHART_LIMIT, GROUPS, chartGroups, controlsFromQuery, controlsToParams, controlsToQuery, dayChartOption,
  defaultControls, fillDays, groupChartOption, SHORTCUTS,
  rateAxisMin, rateTone, shareOf, tooltipHtml, worstFirst, type ChartLabels,
} from './format'

const TODAY = '2026-12-06'

function row(key: string, satisfied: number, basic = 0, unsatisfied = 0, name: string | null = null): SatisfactionRow {
  const surveyed = satisfied + basic + unsatisfied
  return {
    key, name, surveyed, satisfied, basically_satisfied: basic, unsatisfied,
    rate: surveyed ? Math.round((satisfied / surveyed) * 10000) / 10000 : null,
  }
}

function figures(items: SatisfactionRow[], group_by = 'unit', from = '2026-12-01', to = '2026-12-04'): Satisfaction {
  const sum = (f: (r: SatisfactionRow) => number) => items.reduce((n, r) => n + f(r), 0)
  const total = row('', sum((r) => r.satisfied), sum((r) => r.basically_satisfied), sum((r) => r.unsatisfied))
  return { items, total, count_basic: false, kind: 'instant', group_by, from, to }
}

const labels: ChartLabels = {
  surveyed: '评价数', rate: '满意率', overall: '整体', satisfied: '满意', basic: '基本满意', unsatisfied: '不满意',
  name: (r) => r.name ?? r.key, number: (n) => String(n), count: (n) => `${n} 条`,
}

describe('the controls in the URL', () => {
  it('default to the last 30 Shanghai days, instant ratings, by day, 基本满意 not counted', () => {
    expect(defaultControls(TODAY)).toEqual({
      from: '2026-11-07', to: TODAY, kind: 'instant', groupBy: 'day', countBasic: false,
    })
    expect(controlsFromQuery({}, TODAY)).toEqual(defaultControls(TODAY))
    expect(controlsToQuery(defaultControls(TODAY), TODAY)).toEqual({})
  })

  it('round-trip, defaults left out', () => {
    const c = { from: '2026-10-01', to: '2026-10-31', kind: 'delayed' as const, groupBy: 'unit' as const, countBasic: true }
    const q = controlsToQuery(c, TODAY)
    expect(q).toEqual({ from: '2026-10-01', to: '2026-10-31', kind: 'delayed', group_by: 'unit', count_basic: '1' })
    expect(controlsFromQuery(q, TODAY)).toEqual(c)
    expect(controlsToQuery({ ...defaultControls(TODAY), groupBy: 'channel' }, TODAY)).toEqual({ group_by: 'channel' })
    expect(controlsFromQuery({ count_basic: 'true', group_by: ['agent'] }, TODAY))
      .toMatchObject({ countBasic: true, groupBy: 'agent' })
  })

  it('drop what is malformed', () => {
    const bad = controlsFromQuery(
      { from: '2026-02-30', to: '2026-03-01', kind: 'weekly', group_by: 'area', count_basic: 'yes' }, TODAY,
    )
    expect(bad).toEqual(defaultControls(TODAY))
    // a period backwards, or half a period, is the default period
    expect(controlsFromQuery({ from: '2026-12-05', to: '2026-12-01' }, TODAY)).toMatchObject({ from: '2026-11-07' })
    expect(controlsFromQuery({ from: '2026-12-01' }, TODAY)).toMatchObject({ from: '2026-11-07', to: TODAY })
  })

  it('offer every grouping the server has, by day first', () => {
    expect([...GROUPS].sort()).toEqual([...SATISFACTION_GROUPS].sort())
    expect(GROUPS[0]).toBe('day')
  })

  it('ask the API, and the export, for exactly the period shown', () => {
    const c = { ...defaultControls(TODAY), groupBy: 'unit' as const, countBasic: true }
    const p = controlsToParams(c)
    expect(p).toEqual({ from: '2026-11-07', to: TODAY, group_by: 'unit', kind: 'instant', count_basic: true })
    expect(satisfactionExportUrl(p)).toBe(
      '/api/v1/satisfaction/export?from=2026-11-07&to=2026-12-06&group_by=unit&kind=instant&count_basic=true',
    )
    expect(satisfactionExportUrl({})).toBe('/api/v1/satisfaction/export')
  })

  it('offer 近7天, 近30天, 近90天, 本月, 上月', () => {
    expect(SHORTCUTS).toEqual(['last7', 'last30', 'last90', 'thisMonth', 'lastMonth'])
  })
})

describe('rates', () => {
  it('share a whole as the server rounds its rates, none of an empty whole', () => {
    expect(formatRate(shareOf(1, 3))).toBe('33.3%')
    expect(shareOf(3, 0)).toBeNull()
    // rounded to 4 places first, as the server rounds 满意率: 29 of 31 reads 93.6 % in both
    expect(formatRate(shareOf(29, 31))).toBe('93.6%')
  })

  it('tell a group under the period’s rate from one far under it', () => {
    expect(rateTone(0.8, 0.9)).toBe('bad')
    expect(rateTone(0.85, 0.9)).toBe('low') // exactly 5 points under is not yet "far"
    expect(rateTone(0.89, 0.9)).toBe('low')
    expect(rateTone(0.9, 0.9)).toBe('ok')
    expect(rateTone(null, 0.9)).toBe('none')
    expect(rateTone(0.5, null)).toBe('ok')
  })

  it('rank the groups worst first, the busier one first on a tie, none without a rate', () => {
    const rows = [row('a', 9, 0, 1), row('b', 1, 0, 1), row('c', 2, 0, 2), row('d', 0), row('e', 10)]
    expect(worstFirst(rows).map((r) => r.key)).toEqual(['c', 'b', 'a', 'e'])
  })
})

describe('the charts', () => {
  it('by day: every day of the period, bars of ratings and a line of the rate on a second axis', () => {
    const f = figures([row('2026-12-01', 9, 0, 1), row('2026-12-03', 3, 1)], 'day')
    const o = dayChartOption(f, labels) as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(o.xAxis.data).toEqual(['12-01', '12-02', '12-03', '12-04'])
    expect(o.yAxis).toHaveLength(2)
    const [bars, line] = o.series
    expect(bars).toMatchObject({ type: 'bar', yAxisIndex: 0, name: '评价数', data: [10, 0, 4, 0] })
    expect(line).toMatchObject({ type: 'line', yAxisIndex: 1, name: '满意率', data: [90, null, 75, null] })
    // the overall rate (12 of 14) as a dashed line on the rate axis
    expect(line.markLine.data).toEqual([{ name: '整体', yAxis: 85.71 }])
    expect(o.yAxis[1]).toMatchObject({ min: 60, max: 100 })
    expect(o.tooltip.formatter([{ dataIndex: 2 }])).toContain('2026-12-03')
    expect(o.tooltip.formatter([{ dataIndex: 2 }])).toContain('75.0%')
  })

  it('by day: the whole date on an axis across years', () => {
    const f = figures([], 'day', '2026-12-31', '2027-01-01')
    const o = dayChartOption(f, labels) as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(o.xAxis.data).toEqual(['2026-12-31', '2027-01-01'])
    expect(fillDays([], '2026-12-31', '2027-01-01').map((r) => r.rate)).toEqual([null, null])
  })

  it('by group: the rate per group, the worst at the top, coloured by how far under the period', () => {
    const items = [row('1', 95, 0, 5, '甲所'), row('2', 6, 2, 2, '乙所'), row('3', 17, 1, 2, '丙所'), row('4', 0, 0, 0, '丁所')]
    const f = figures(items) // overall: 118 of 130 = 90.8 %
    const o = groupChartOption(f, labels) as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
    // a category axis draws bottom-up: the worst (乙所, 60 %) is last, at the top; nobody rated 丁所
    expect(o.yAxis.data).toEqual(['甲所', '丙所', '乙所'])
    const bars = o.series[0]
    expect(bars.data.map((d: { value: number }) => d.value)).toEqual([95, 85, 60])
    expect(bars.data.map((d: { itemStyle: { color: string } }) => d.itemStyle.color)).toEqual(['#2f6fed', '#e5484d', '#e5484d'])
    expect(bars.markLine.data).toEqual([{ name: '整体', xAxis: 90.77 }])
    expect(bars.label.formatter({ dataIndex: 2 })).toBe('60.0% {n|10 条}')
    const tip = o.tooltip.formatter({ dataIndex: 2 })
    expect(tip).toContain('乙所')
    expect(tip).toContain('10') // 评价数
  })

  it('by group: at most the worst 15', () => {
    const items = Array.from({ length: 20 }, (_, i) => row(String(i + 1), 80 + i, 0, 20 - i))
    expect(chartGroups(items)).toHaveLength(CHART_LIMIT)
    expect(chartGroups(items)[0].key).toBe('1')
  })

  it('keeps names out of the tooltip’s HTML', () => {
    expect(tooltipHtml('<b>所</b>', row('1', 1), labels)).toContain('&#60;b&#62;所')
  })

  it('puts the rate axis 10 points under the worst day', () => {
    expect(rateAxisMin([0.75, 0.92, null])).toBe(60)
    expect(rateAxisMin([0.95])).toBe(80)
    expect(rateAxisMin([0.05])).toBe(0)
    expect(rateAxisMin([null])).toBe(0)
  })
})
