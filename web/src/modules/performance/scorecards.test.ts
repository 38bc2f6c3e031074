import { describe, expect, it } from 'vitest'
import {
  formatFigure, historyOption, isFigure, nextSteps, pageQueryOf, pageQueryTo, rowsWeight, sourceLocation, stateTone,
  templateItems, templateRows,
} from './scorecards'

describe('the monthly scorecard', () => {
  it('writes each figure in its unit, "—" for none', () => {
    expect(formatFigure('registrations_right', 0.5)).toBe('50.0%')
    expect(formatFigure('satisfaction', 0.8965)).toBe('89.7%')
    expect(formatFigure('occupancy', 1)).toBe('100.0%')
    expect(formatFigure('aht', 150)).toBe('2:30')
    expect(formatFigure('acw', 30)).toBe('0:30')
    expect(formatFigure('calls_handled', 2)).toBe('2')
    expect(formatFigure('valid_complaints', 0)).toBe('0')
    expect(formatFigure('talk_hours', 1.5)).toBe('1.50')
    expect(formatFigure('qa_score', 88.25)).toBe('88.3')
    expect(formatFigure('qa_score', null)).toBe('—')
    expect(formatFigure('aht', undefined)).toBe('—')
    expect(isFigure('aht')).toBe(true)
    expect(isFigure('speed')).toBe(false)
  })

  it('knows what each state allows next', () => {
    expect(nextSteps(null)).toEqual({ review: false, publish: false, needsReason: false })
    expect(nextSteps('draft')).toEqual({ review: true, publish: false, needsReason: false })
    expect(nextSteps('reviewed')).toEqual({ review: false, publish: true, needsReason: true })
    expect(nextSteps('published')).toEqual({ review: false, publish: false, needsReason: true })
    expect([stateTone('draft'), stateTone('reviewed'), stateTone('published')]).toEqual(['info', 'warning', 'success'])
  })

  it('keeps the month, the group and the version in the URL, defaults left out', () => {
    const today = '2026-12-07'
    const none = { month: '2026-11', group: '', version: null, agent: null }
    expect(pageQueryOf({}, today)).toEqual(none)
    expect(pageQueryOf({ month: '2026-10', group: '12', version: '2', agent: '7' }, today))
      .toEqual({ month: '2026-10', group: '12', version: 2, agent: 7 })
    expect(pageQueryOf({ month: '2027-01', group: 'x', version: '0', agent: '-3' }, today)).toEqual(none)
    expect(pageQueryOf({ month: ['2026-12'], version: '1.5', agent: '1e3' }, today)).toEqual({ ...none, month: '2026-12' })
    expect(pageQueryTo(none, '2026-11')).toEqual({})
    expect(pageQueryTo({ month: '2026-10', group: '0', version: 3, agent: 9 }, '2026-11'))
      .toEqual({ month: '2026-10', group: '0', version: '3', agent: '9' })
  })

  it('links a figure to the page of its facts in the query that page reads', () => {
    expect(sourceLocation('/calls?agent_id=7&from=2026-11-01&to=2026-11-30')).toEqual({
      path: '/calls', query: { agent_id: '7', from: '2026-11-01 00:00:00', to: '2026-11-30 23:59:59' },
    })
    expect(sourceLocation('/orders?owner_agent_id=7&from=2026-11-01&to=2026-11-30')).toEqual({
      path: '/orders', query: { owner: '7', from: '2026-11-01', to: '2026-11-30' },
    })
    expect(sourceLocation('/satisfaction?group_by=agent&from=2026-11-01&to=2026-11-30')).toEqual({
      path: '/satisfaction', query: { group_by: 'agent', from: '2026-11-01', to: '2026-11-30' },
    })
    expect(sourceLocation('/complaints')).toEqual({ path: '/complaints', query: {} })
    expect(sourceLocation(null)).toBeNull()
    expect(sourceLocation('https://elsewhere.example/x')).toBeNull()
  })

  it('edits rates as percentages and gives the API fractions back', () => {
    const items = [
      { code: 'registrations_right', weight: 30, method: 'target' as const, target: 1, floor: 0.9 },
      { code: 'satisfaction', weight: 15, method: 'target' as const, target: 0.98, floor: 0.85 },
      { code: 'calls_handled', weight: 15, method: 'rank' as const, target: null, floor: null },
      { code: 'aht', weight: 40, method: 'target' as const, target: 240, floor: 480 },
    ]
    const rows = templateRows(items)
    expect(rows.map((r) => [r.target, r.floor])).toEqual([[100, 90], [98, 85], [null, null], [240, 480]])
    expect(templateItems(rows)).toEqual(items)
    expect(rowsWeight(rows)).toBe(100)
    rows[2].method = 'target'
    rows[2].target = 300
    rows[0].method = 'rank'
    expect(templateItems(rows)[0]).toEqual({ code: 'registrations_right', weight: 30, method: 'rank', target: null, floor: null })
    expect(templateItems(rows)[2]).toEqual({ code: 'calls_handled', weight: 15, method: 'target', target: 300, floor: null })
    expect(rowsWeight([{ weight: 60 }, { weight: 50 }, { weight: null }])).toBe(110)
  })

  it('draws the totals oldest month first', () => {
    const option = historyOption([
      { month: '2026-11', version: 2, state: 'published', total: 71.5, rank: 3 },
      { month: '2026-09', version: 1, state: 'published', total: 64, rank: 5 },
      { month: '2026-10', version: 1, state: 'draft', total: 80, rank: 1 },
    ], 'Total') as { xAxis: { data: string[] }; series: { data: number[]; name: string }[] }
    expect(option.xAxis.data).toEqual(['2026-09', '2026-10', '2026-11'])
    expect(option.series[0].data).toEqual([64, 80, 71.5])
    expect(option.series[0].name).toBe('Total')
  })
})
