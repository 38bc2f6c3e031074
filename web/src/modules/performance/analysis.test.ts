import { describe, expect, it } from 'vitest'
import {
  ANALYSIS_DAYS, DURATION_COLORS, SECTIONS, analysisControlsFromQuery, analysisControlsToQuery, defaultAnalysisControls,
  durationOption, durationRows, durationTicks, heatmapMatrix, heatmapOption, heatmapShown, hourSpan, orderDayRows,
  paretoName, paretoParams, paretoRows, paretoShown, sectionOrder,
} from './analysis'
import type { Heatmap, OrderKpiItem, ParetoItem } from './api'

const today = '2026-12-06'
const TYPES = ['repair', 'complaint']

function order(key: string, over: Partial<OrderKpiItem> = {}): OrderKpiItem {
  const t = (n: number, p50: number | null, p90: number | null) => ({ n, mean: p50, p50, p90 })
  return {
    key, label: `分类${key}`, registered: 3, closed: 2, reopened: 0, urged: 0, supervised: 0, on_time_rate: 0.5, reopen_rate: 0,
    stage_on_time: { accept: null, arrive: null, resolve: null, reply: null, callback: null },
    response: { accept: t(3, 5, 12), arrive: t(2, 40, 90), resolve: t(2, 300, 1500), close: t(0, null, null) },
    ...over,
  }
}

describe("分析看板's controls", () => {
  it('default to the last 28 days by category, every type', () => {
    expect(ANALYSIS_DAYS).toBe(28)
    expect(defaultAnalysisControls(today)).toEqual({ from: '2026-11-09', to: today, of: 'category', type: '' })
    expect(analysisControlsFromQuery({}, today, TYPES)).toEqual(defaultAnalysisControls(today))
    expect(analysisControlsToQuery(defaultAnalysisControls(today), today)).toEqual({})
  })

  it('read a period, a cut and a type from the URL, and write them back', () => {
    const c = analysisControlsFromQuery({ from: '2026-11-01', to: '2026-11-30', of: 'category', type: 'complaint' }, today, TYPES)
    expect(c).toEqual({ from: '2026-11-01', to: '2026-11-30', of: 'category', type: 'complaint' })
    expect(analysisControlsToQuery(c, today)).toEqual({ from: '2026-11-01', to: '2026-11-30', type: 'complaint' })
    expect(paretoParams(c)).toEqual({ from: '2026-11-01', to: '2026-11-30', of: 'category', type: 'complaint' })
    const area = analysisControlsFromQuery({ of: 'area', type: 'complaint' }, today, TYPES)
    expect(area.of).toBe('area')
    expect(area.type).toBe('') // a type goes with the categories only
    expect(analysisControlsToQuery({ ...area, type: 'repair' }, today)).toEqual({ of: 'area' })
    expect(paretoParams({ ...area, type: 'repair' })).toEqual({ from: area.from, to: area.to, of: 'area' })
  })

  it('keep the default for anything malformed', () => {
    const d = defaultAnalysisControls(today)
    for (const q of [
      { from: '2026-11-30', to: '2026-11-01' }, { from: '2026-02-30', to: '2026-03-01' }, { from: '2026-12-01', to: '2026-12-07' },
      { from: '2020-01-01', to: '2026-12-01' },
    ]) expect(analysisControlsFromQuery(q, today, TYPES)).toEqual(d)
    expect(analysisControlsFromQuery({ of: 'agent', type: 'nonsense' }, today, TYPES)).toEqual(d)
  })
})

describe('the sections by job', () => {
  it('put the calls first for the floor, the orders for supervisors and directors, the Pareto for QA', () => {
    expect(sectionOrder(['duty_manager'])).toEqual([...SECTIONS])
    expect(sectionOrder(['floor_manager'])[0]).toBe('callTrend')
    for (const role of ['supervisor', 'director']) {
      expect(sectionOrder([role])).toEqual(['orderTrend', 'orderHeatmap', 'pareto', 'durations', 'callTrend', 'callHeatmap'])
    }
    expect(sectionOrder(new Set(['qa_inspector']))[0]).toBe('pareto')
    expect(sectionOrder(['admin'])).toEqual([...SECTIONS])
    expect(sectionOrder([])).toEqual([...SECTIONS])
  })

  it('show every section once whatever the job, and let the floor win over QA', () => {
    for (const roles of [['duty_manager'], ['director'], ['qa_inspector'], ['admin']]) {
      expect([...sectionOrder(roles)].sort()).toEqual([...SECTIONS].sort())
    }
    expect(sectionOrder(['qa_inspector', 'duty_manager'])[0]).toBe('callTrend')
  })
})

describe('the heatmaps', () => {
  const map: Pick<Heatmap, 'cells' | 'days' | 'total'> = {
    cells: [
      { weekday: 1, hour: 9, count: 8, mean: 2 },
      { weekday: 7, hour: 23, count: 3, mean: 0.75 },
      { weekday: 3, hour: 0, count: 0, mean: null },
    ],
    days: [4, 4, 0, 4, 4, 4, 4],
    total: 11,
  }

  it('build the weekday × hour matrix, a cell left out as zero', () => {
    const m = heatmapMatrix(map)
    expect(m.rows).toHaveLength(7)
    expect(m.rows.every((r) => r.length === 24)).toBe(true)
    expect(m.rows[0][9]).toEqual({ weekday: 1, hour: 9, count: 8, mean: 2 })
    expect(m.rows[0][10]).toEqual({ weekday: 1, hour: 10, count: 0, mean: 0 })
    expect(m.rows[2][5].mean).toBeNull() // a weekday the period does not reach
    expect(m.max).toBe(2)
    expect(m.total).toBe(11)
    const shown = heatmapShown(m)
    expect(shown).toHaveLength(168)
    expect(shown[9]).toEqual([1, 9, 8, 2])
    expect(shown[167]).toEqual([7, 23, 3, 0.75])
  })

  it('draw hours across and weekdays down, Monday on top, the tooltip with the count and mean', () => {
    const weekdays = ['一', '二', '三', '四', '五', '六', '日']
    const option = heatmapOption(heatmapMatrix(map), {
      weekdays, series: '来电', tooltip: (cell, day) => `${day}${hourSpan(cell.hour)} ${cell.count}/${cell.mean}`,
    })
    expect((option.xAxis as { data: string[] }).data).toHaveLength(24)
    expect((option.yAxis as { data: string[] }).data).toEqual(['日', '六', '五', '四', '三', '二', '一'])
    const data = (option.series as { data: number[][] }[])[0].data
    expect(data).toHaveLength(6 * 24) // Wednesday is not in the period
    expect(data).toContainEqual([9, 6, 2])
    expect(data).toContainEqual([23, 0, 0.75])
    expect(option.visualMap).toMatchObject({ max: 2, text: ['2', '0'] })
    const formatter = (option.tooltip as { formatter: (raw: unknown) => string }).formatter
    expect(formatter({ value: [9, 6, 2] })).toBe('一09:00–10:00 8/2')
    expect(formatter({ value: [23, 0, 0.75] })).toBe('日23:00–24:00 3/0.75')
  })

  it('keep a scale for a quiet map', () => {
    const quiet = heatmapMatrix({ cells: [], days: [1, 1, 1, 1, 1, 1, 1], total: 0 })
    expect(quiet.max).toBe(0)
    const option = heatmapOption(quiet, { weekdays: ['1', '2', '3', '4', '5', '6', '7'], series: 'x', tooltip: () => '' })
    expect((option.visualMap as { max: number }).max).toBe(1)
  })
})

describe('the Pareto', () => {
  const items: ParetoItem[] = [
    { key: '3', label: '停电', count: 6, share: 0.6, cumulative: 0.6, vital: true },
    { key: '0', label: '—', count: 3, share: 0.3, cumulative: 0.9, vital: true },
    { key: '5', label: '—', count: 1, share: 0.1, cumulative: 1, vital: false },
  ]
  const words = { type: (k: string) => `T:${k}`, channel: (k: string) => `C:${k}`, none: '未指定' }

  it('name a row by its cut', () => {
    expect(paretoName(items[0], 'category', words)).toBe('停电')
    expect(paretoName(items[1], 'unit', words)).toBe('未指定')
    expect(paretoName(items[2], 'area', words)).toBe('#5')
    expect(paretoName({ key: 'complaint', label: 'complaint' }, 'type', words)).toBe('T:complaint')
    expect(paretoName({ key: 'wechat', label: 'wechat' }, 'channel', words)).toBe('C:wechat')
  })

  it('keep the API order, the cumulative as a percentage and the vital few', () => {
    const rows = paretoRows(items, (i) => paretoName(i, 'unit', words))
    expect(rows.map((r) => [r.key, r.name, r.count, r.cumulative, r.vital])).toEqual([
      ['3', '停电', 6, 60, true], ['0', '未指定', 3, 90, true], ['5', '#5', 1, 100, false],
    ])
    expect(paretoShown({ items })).toEqual([['3', 6, 0.6, true], ['0', 3, 0.9, true], ['5', 1, 1, false]])
  })
})

describe('the order trend and the response times', () => {
  it('fill every day of the period', () => {
    const rows = orderDayRows([order('2026-12-03'), order('2026-12-01')], '2026-12-01', '2026-12-04')
    expect(rows.map((r) => r.key)).toEqual(['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04'])
    expect(rows[1].registered).toBe(0)
    expect(rows[1].on_time_rate).toBeNull()
  })

  it('take the categories with a time for the stage, most orders first', () => {
    const items = [order('1'), order('2', { response: { ...order('2').response, resolve: { n: 9, mean: 60, p50: 50, p90: 100 } } })]
    const name = (i: OrderKpiItem) => i.label
    expect(durationRows(items, 'resolve', name).map((r) => [r.key, r.n, r.p50, r.p90])).toEqual([['2', 9, 50, 100], ['1', 2, 300, 1500]])
    expect(durationRows(items, 'close', name)).toEqual([])
    expect(durationRows(items, 'accept', name, 1)).toHaveLength(1)
  })

  it('draw P50 and P90 side by side on a minutes axis read as h:mm', () => {
    const rows = durationRows([order('1')], 'resolve', (i) => i.label)
    const option = durationOption(rows, { p50: 'P50', p90: 'P90', tooltip: (r) => r.name })
    const series = option.series as { id: string; data: (number | null)[]; itemStyle: { color: string } }[]
    expect(series.map((s) => [s.id, s.data, s.itemStyle.color])).toEqual([
      ['p50', [300], DURATION_COLORS.p50], ['p90', [1500], DURATION_COLORS.p90],
    ])
    const y = option.yAxis as { max: number; interval: number; axisLabel: { formatter: (v: number) => string } }
    expect(y.max).toBeGreaterThanOrEqual(1500)
    expect(y.interval % 60).toBe(0)
    expect(y.axisLabel.formatter(90)).toBe('1:30')
    expect((option.tooltip as { formatter: (raw: unknown) => string }).formatter([{ dataIndex: 0 }])).toBe('分类1')
  })

  it('step the time axis in 10 minutes for short times, whole hours for long', () => {
    expect(durationTicks([12, null, 25])).toEqual({ interval: 10, max: 30 })
    expect(durationTicks([])).toEqual({ interval: 10, max: 10 })
    expect(durationTicks([1500])).toEqual({ interval: 420, max: 1680 })
  })
})
