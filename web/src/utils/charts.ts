// Chart helpers more than one page draws with, pure (Vitest): the Pareto (counts most first as bars, the
// cumulative share as a line on a 0–100 % axis with 80 % marked, the vital few in a stronger colour) and a
// matrix heatmap (labels on both axes, one value a cell). 投诉台 ranks its root causes with them (through
// complaints/ledger.ts), 分析看板 its order cuts and the hour × weekday maps.
import type { ChartOption } from '@/components/chartOption'

export interface ParetoRow {
  key: string
  name: string
  count: number
  /** cumulative share in percent (0–100, one decimal) */
  cumulative: number
  /** among the few that make up 80 % (drawn stronger); absent: every bar alike */
  vital?: boolean
}

/** Rows with a known key, most first, each with the cumulative share of the total. */
export function pareto(rows: readonly { key: string; count: number; name: string }[]): ParetoRow[] {
  const known = rows.filter((r) => r.key !== '' && r.count > 0).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))
  const total = known.reduce((n, r) => n + r.count, 0)
  let running = 0
  return known.map((r) => {
    running += r.count
    return { key: r.key, name: r.name, count: r.count, cumulative: total ? Math.round((running / total) * 1000) / 10 : 0 }
  })
}

export const PARETO_COLORS = { bar: '#409eff', trivial: '#b3d1f7', line: '#e6a23c', mark: '#f56c6c' }

export interface ParetoLabels {
  count: string
  cumulative: string
  /** the tooltip's lines of a bar (html-escaped by the caller); absent: ECharts' own */
  tooltip?: (row: ParetoRow) => string
}

/** Bars of the counts (most first) and a line of the cumulative share on a 0–100 % axis, 80 % marked; a row
 * marked `vital: false` is drawn lighter than the vital few. */
export function paretoOption(rows: readonly ParetoRow[], labels: ParetoLabels): ChartOption {
  const axisLabel = { color: '#5a6b82', fontSize: 11 }
  const tell = labels.tooltip
  return {
    grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
    tooltip: tell
      ? { trigger: 'axis', formatter: (raw: unknown) => { const r = rows[dataIndex(raw)]; return r ? tell(r) : '' } }
      : { trigger: 'axis' },
    legend: { top: 0, data: [labels.count, labels.cumulative] },
    xAxis: {
      type: 'category', data: rows.map((r) => r.name), axisTick: { show: false },
      axisLabel: { ...axisLabel, interval: 0, width: 84, overflow: 'truncate', hideOverlap: true },
    },
    yAxis: [
      { type: 'value', minInterval: 1, axisLabel, splitLine: { lineStyle: { color: '#eef1f5' } } },
      { type: 'value', min: 0, max: 100, axisLabel: { ...axisLabel, formatter: '{value}%' }, splitLine: { show: false } },
    ],
    series: [
      {
        type: 'bar', name: labels.count, barMaxWidth: 36,
        data: rows.some((r) => r.vital === false)
          ? rows.map((r) => ({ value: r.count, itemStyle: { color: r.vital === false ? PARETO_COLORS.trivial : PARETO_COLORS.bar } }))
          : rows.map((r) => r.count),
        itemStyle: { color: PARETO_COLORS.bar, borderRadius: [3, 3, 0, 0] },
        label: { show: true, position: 'insideTop', fontSize: 11, color: '#fff' },
      },
      {
        type: 'line', name: labels.cumulative, yAxisIndex: 1, data: rows.map((r) => r.cumulative), smooth: false,
        symbolSize: 6, itemStyle: { color: PARETO_COLORS.line }, label: { show: true, formatter: '{c}%', fontSize: 10, color: '#b88230' },
        markLine: {
          silent: true, symbol: 'none', lineStyle: { type: 'dashed', color: PARETO_COLORS.mark },
          data: [{ yAxis: 80 }], label: { formatter: '80%', color: PARETO_COLORS.mark, position: 'insideStartTop' },
        },
      },
    ],
  }
}

// ---------------------------------------------------------------- what every report chart shares

/** The look of the report charts' axes, split lines and legend (话务报表, 工单报表, 分析看板, 满意度分析). */
export const AXIS_LABEL = { color: '#8492a6', fontSize: 11 }
export const SPLIT_LINE = { lineStyle: { color: '#eef1f5' } }
export const LEGEND = {
  top: 0, left: 0, icon: 'roundRect', itemWidth: 12, itemHeight: 8, itemGap: 14,
  textStyle: { color: '#5a6b82', fontSize: 12 },
}

/** A rate (0–1) as the percentage a 0–100 % axis plots, to two decimals; null stays null (a gap). */
export function percent(rate: number | null): number | null {
  return rate === null ? null : Math.round(rate * 10000) / 100
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)
}

/** HTML of a tooltip: a title and label–value lines (escaped), each with its series' colour swatch if given. */
export function tooltipHtml(title: string, lines: readonly (readonly [string, string, string?])[]): string {
  const line = ([label, value, color]: readonly [string, string, string?]) =>
    `${color ? `<span style="display:inline-block;width:8px;height:8px;border-radius:2px;margin-right:6px;background:${color}"></span>` : ''}` +
    `${escapeHtml(label)}<span style="float:right;margin-left:24px;font-weight:600">${escapeHtml(value)}</span>`
  return [`<div style="margin-bottom:4px;color:#1f2d3d;font-weight:600">${escapeHtml(title)}</div>`, ...lines.map(line)]
    .join('<br/>')
}

/** The index of the data item a tooltip's params are about (axis tooltips pass a list). */
export function dataIndex(raw: unknown): number {
  const first = (Array.isArray(raw) ? raw[0] : raw) as { dataIndex?: number } | undefined
  return first?.dataIndex ?? -1
}

export const HEAT_COLORS = ['#eaf1fe', '#79bbff', '#f89898', '#c45656']

export interface MatrixHeatmap {
  /** the columns' labels, left to right */
  x: readonly string[]
  /** the rows' labels, bottom to top (a category y axis draws its first entry at the bottom) */
  y: readonly string[]
  /** [column, row, value]; a cell left out is drawn empty */
  data: readonly (readonly [number, number, number])[]
  /** the series' name */
  label: string
  /** the value in each cell as text; default on */
  cellLabels?: boolean
  /** the tooltip of a cell; absent: ECharts' own */
  tooltip?: (x: number, y: number, value: number) => string
  /** the colour scale's top (default the largest value, at least 1) */
  max?: number
  /** the colour scale's numbers ("{value}") */
  precision?: number
  /** the words at the colour scale's ends, high first (e.g. its top and 0) */
  scaleText?: [string, string]
}

/** A heatmap of a matrix: labelled columns and rows, a colour scale from 0 to the largest value under it. */
export function matrixHeatmapOption(m: MatrixHeatmap): ChartOption {
  const max = m.max ?? Math.max(1, ...m.data.map((d) => d[2]))
  const axisLabel = { color: '#5a6b82', fontSize: 11 }
  const tell = m.tooltip
  return {
    grid: { left: 8, right: 8, top: 8, bottom: 44, containLabel: true },
    tooltip: tell
      ? {
          position: 'top',
          formatter: (raw: unknown) => {
            const v = (raw as { value?: number[] }).value
            return v ? tell(v[0], v[1], v[2]) : ''
          },
        }
      : { position: 'top' },
    xAxis: { type: 'category', data: [...m.x], splitArea: { show: true }, axisLabel },
    yAxis: { type: 'category', data: [...m.y], splitArea: { show: true }, axisLabel },
    visualMap: {
      min: 0, max, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, itemWidth: 10,
      inRange: { color: HEAT_COLORS }, textStyle: { color: '#5a6b82', fontSize: 11 },
      ...(m.precision === undefined ? {} : { precision: m.precision }),
      ...(m.scaleText ? { text: [...m.scaleText] } : {}),
    },
    series: [
      {
        type: 'heatmap', name: m.label, data: m.data.map((d) => [...d]), label: { show: m.cellLabels ?? true, fontSize: 11 },
        emphasis: { itemStyle: { shadowBlur: 6, shadowColor: 'rgba(0, 0, 0, 0.3)' } },
      },
    ],
  }
}
