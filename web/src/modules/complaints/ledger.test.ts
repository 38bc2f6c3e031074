import { describe, expect, it } from 'vitest'
import type { TitleRule } from './api'
import {
  isMonth, lastMonths, monthHeatmapOption, monthOf, pareto, paretoOption, praisedNow, reversedIds, ruleBody, ruleForm, ruleProblem, signed,
} from './ledger'

const rule: TitleRule = {
  code: 'star', name: '零投诉服务明星', kind: 'no_valid_complaint_ytd', top_n: 0, min_points: 0,
  posts: ['repairer', 'meter_reader'], is_active: true,
}

describe('the ledger helpers', () => {
  it('take the month of a day and check a month', () => {
    expect(monthOf('2025-03-14')).toBe('2025-03')
    expect(monthOf()).toMatch(/^\d{4}-\d{2}$/)
    expect(isMonth('2025-12')).toBe(true)
    expect(isMonth('2025-13')).toBe(false)
    expect(isMonth(['2025-01'])).toBe(false)
  })

  it('sign points', () => {
    expect(signed(2)).toBe('+2')
    expect(signed(-3)).toBe('−3')
    expect(signed(0)).toBe('0')
  })

  it('find reversed entries and the people a praise names now', () => {
    expect([...reversedIds([{ reverses: null }, { reverses: 4 }])]).toEqual([4])
    const e = (person_id: number, points: number, order_id = 7, kind: 'praise' | 'complaint' = 'praise') =>
      ({ person_id, points, order_id, kind })
    // 3 was named, then reversed; 5 named instead; another order's and a complaint entry do not count
    expect(praisedNow([e(3, 2), e(3, -2), e(5, 2), e(9, 2, 8), e(6, -3, 7, 'complaint')], 7)).toEqual([5])
  })

  it('rank root causes for a Pareto chart with their cumulative share', () => {
    const rows = pareto([
      { key: 'a', name: 'A', count: 1 }, { key: '', name: '', count: 9 }, { key: 'b', name: 'B', count: 3 },
      { key: 'c', name: 'C', count: 0 },
    ])
    expect(rows.map((r) => [r.key, r.count, r.cumulative])).toEqual([['b', 3, 75], ['a', 1, 100]])
    const option = paretoOption(rows, { count: 'n', cumulative: 'cum' })
    expect((option.series as { data: number[] }[])[1].data).toEqual([75, 100])
  })

  it('edit a title rule: checks and a body of only what changed', () => {
    const f = ruleForm(rule)
    expect(ruleProblem(f)).toBe('')
    expect(ruleBody(f, rule)).toEqual({})
    expect(ruleBody({ ...f, posts: ['meter_reader', 'repairer'] }, rule)).toEqual({})
    expect(ruleBody({ ...f, name: ' 明星 ', top_n: 3, is_active: false, posts: ['head'] }, rule))
      .toEqual({ name: '明星', top_n: 3, is_active: false, posts: ['head'] })
    expect(ruleProblem({ ...f, name: ' ' })).toBe('ledger.rule.needName')
  })

  it('take the last 12 months, across a year', () => {
    const y = lastMonths('2026-03-14')
    expect(y.from).toBe('2025-04-01')
    expect(y.to).toBe('2026-03-14')
    expect(y.months).toHaveLength(12)
    expect(y.months[0]).toBe('2025-04')
    expect(y.months[11]).toBe('2026-03')
    expect(lastMonths('2026-01-05', 2).months).toEqual(['2025-12', '2026-01'])
  })

  it('draw stage × month as a heatmap, the stage with most complaints on top', () => {
    const months = ['2026-01', '2026-02']
    const option = monthHeatmapOption([
      { key: 'repair', name: '维修抢修', month: '2026-01', complaints: 2 },
      { key: 'billing', name: '收费', month: '2026-01', complaints: 1 },
      { key: 'repair', name: '维修抢修', month: '2026-02', complaints: 3 },
      { key: '', name: '', month: '2026-02', complaints: 9 },
      { key: 'other', name: '其他', month: '2025-12', complaints: 4 },
    ], months, '投诉数')
    const yAxis = option.yAxis as { data: string[] }
    expect(yAxis.data).toEqual(['收费', '维修抢修'])
    const series = option.series as { data: number[][] }[]
    expect(series[0].data).toEqual([[0, 1, 2], [0, 0, 1], [1, 1, 3]])
    expect((option.visualMap as { max: number }).max).toBe(3)
  })
})
