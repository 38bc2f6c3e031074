import { describe, expect, it } from 'vitest'
import {
  PARETO_COLORS, dataIndex, escapeHtml, matrixHeatmapOption, pareto, paretoOption, percent, tooltipHtml, type ParetoRow,
} from './charts'

describe('the shared charts', () => {
  it('rank rows for a Pareto, most first, with the cumulative share', () => {
    const rows = pareto([
      { key: 'a', name: 'A', count: 2 }, { key: 'b', name: 'B', count: 6 }, { key: 'c', name: 'C', count: 2 },
      { key: '', name: '?', count: 5 },
    ])
    expect(rows.map((r) => [r.key, r.cumulative])).toEqual([['b', 60], ['a', 80], ['c', 100]])
  })

  it('draw every bar alike when no row says whether it is vital (the complaint desk)', () => {
    const option = paretoOption([{ key: 'a', name: 'A', count: 3, cumulative: 100 }], { count: 'n', cumulative: 'cum' })
    const series = option.series as { data: unknown[]; markLine?: { data: { yAxis: number }[] } }[]
    expect(series[0].data).toEqual([3])
    expect(series[1].data).toEqual([100])
    expect(series[1].markLine?.data).toEqual([{ yAxis: 80 }])
  })

  it('draw the trivial many lighter than the vital few, and tell a bar in the tooltip', () => {
    const rows: ParetoRow[] = [
      { key: 'a', name: 'A', count: 8, cumulative: 80, vital: true },
      { key: 'b', name: 'B', count: 2, cumulative: 100, vital: false },
    ]
    const option = paretoOption(rows, { count: 'n', cumulative: 'cum', tooltip: (r) => `${r.name}:${r.count}` })
    const bars = (option.series as { data: { value: number; itemStyle: { color: string } }[] }[])[0].data
    expect(bars.map((b) => [b.value, b.itemStyle.color])).toEqual([[8, PARETO_COLORS.bar], [2, PARETO_COLORS.trivial]])
    const formatter = (option.tooltip as { formatter: (raw: unknown) => string }).formatter
    expect(formatter([{ dataIndex: 1 }])).toBe('B:2')
    expect(formatter([{ dataIndex: 5 }])).toBe('')
  })

  it('find the data index of a tooltip', () => {
    expect(dataIndex([{ dataIndex: 3 }])).toBe(3)
    expect(dataIndex({ dataIndex: 2 })).toBe(2)
    expect(dataIndex(undefined)).toBe(-1)
  })

  it('draw a matrix as a heatmap, the scale up to the largest value', () => {
    const option = matrixHeatmapOption({ x: ['a', 'b'], y: ['r'], data: [[0, 0, 2], [1, 0, 5]], label: 'n', cellLabels: false })
    expect((option.xAxis as { data: string[] }).data).toEqual(['a', 'b'])
    expect((option.visualMap as { max: number }).max).toBe(5)
    const series = (option.series as { data: number[][]; label: { show: boolean } }[])[0]
    expect(series.data).toEqual([[0, 0, 2], [1, 0, 5]])
    expect(series.label.show).toBe(false)
    expect((matrixHeatmapOption({ x: [], y: [], data: [], label: 'n' }).visualMap as { max: number }).max).toBe(1)
    const told = matrixHeatmapOption({ x: ['a'], y: ['r'], data: [[0, 0, 1]], label: 'n', tooltip: (x, y, v) => `${x}/${y}/${v}` })
    expect((told.tooltip as { formatter: (raw: unknown) => string }).formatter({ value: [0, 0, 1] })).toBe('0/0/1')
  })
})

describe("the report charts' helpers", () => {
  it('plot a rate as a percentage to two decimals, none as a gap', () => {
    expect(percent(0.8965)).toBe(89.65)
    expect(percent(0.12345)).toBe(12.35)
    expect(percent(0)).toBe(0)
    expect(percent(null)).toBeNull()
  })

  it('escape what a tooltip shows', () => {
    expect(escapeHtml(`<a href="x">&'`)).toBe('&#60;a href=&#34;x&#34;&#62;&#38;&#39;')
    expect(tooltipHtml('<b>', [['a&b', '1']])).toContain('&#60;b&#62;')
    expect(tooltipHtml('t', [['a&b', '1']])).toContain('a&#38;b')
  })

  it('write a title and a line a figure, a swatch of its colour where given', () => {
    const html = tooltipHtml('12-01', [['呼入', '8', '#a9c1f5'], ['服务水平', '—']])
    const [title, first, second] = html.split('<br/>')
    expect(title).toBe('<div style="margin-bottom:4px;color:#1f2d3d;font-weight:600">12-01</div>')
    expect(first).toContain('background:#a9c1f5')
    expect(first).toContain('呼入<span style="float:right;margin-left:24px;font-weight:600">8</span>')
    expect(second).toBe('服务水平<span style="float:right;margin-left:24px;font-weight:600">—</span>')
  })
})
