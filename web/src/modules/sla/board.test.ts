import { describe, expect, it } from 'vitest'
import { boardChartOption, boardLink, chartRows, soonFrom, type BoardRow } from './board'

function row(unit_id: number | null, extra: Partial<BoardRow> = {}): BoardRow {
  return {
    unit_id, unit_name: unit_id ? `U${unit_id}` : null, open: 5, due_soon: 1, overdue: 2, escalated: 1, urged: 1,
    supervised: 0, max_level: 2, ...extra,
  }
}

describe('the supervision board', () => {
  it('each count opens the order list filtered to those orders', () => {
    expect(boardLink(row(3), 'open', 60).query).toEqual({ state: 'open', unit: '3' })
    expect(boardLink(row(3), 'due_soon', 120).query).toEqual({ state: 'open', unit: '3', due_within: '120' })
    expect(boardLink(row(3), 'overdue', 60).query).toEqual({ state: 'open', unit: '3', overdue: '1' })
    expect(boardLink(row(3), 'escalated', 60).query).toEqual({ state: 'open', unit: '3', escalated: '1' })
    expect(boardLink(row(3), 'urged', 60).query).toEqual({ state: 'open', unit: '3', supervision: 'urge' })
    expect(boardLink(row(3), 'supervised', 60).query).toEqual({ state: 'open', unit: '3', supervision: 'supervise' })
    expect(boardLink(null, 'overdue', 60)).toEqual({ name: 'orders', query: { state: 'open', overdue: '1' } })
    // orders no unit holds wait in the dispatcher queue
    expect(boardLink(row(null), 'open', 60).query).toEqual({ state: 'registered' })
  })

  it('reads the soon window from the URL, 60 unless 30 or 120', () => {
    expect(soonFrom('30')).toBe(30)
    expect(soonFrom(['120'])).toBe(120)
    expect(soonFrom('45')).toBe(60)
    expect(soonFrom(undefined)).toBe(60)
  })

  it('stacks overdue, due soon and the rest per unit, most overdue at the top', () => {
    const rows = [row(1, { overdue: 3 }), row(2), row(3, { open: 0, due_soon: 0, overdue: 0 })]
    const option = boardChartOption(rows, { unit: (r) => r.unit_name ?? '-', overdue: 'o', dueSoon: 'd', rest: 'r' })
    const series = option.series as { id: string; data: number[] }[]
    expect(series.map((s) => s.id)).toEqual(['overdue', 'due_soon', 'open'])
    expect((option.yAxis as { data: string[] }).data).toEqual(['U2', 'U1']) // drawn bottom-up
    expect(series[0].data).toEqual([2, 3])
    expect(series[2].data).toEqual([2, 1])
    expect(chartRows(rows).map((r) => r.unit_id)).toEqual([2, 1])
  })
})
