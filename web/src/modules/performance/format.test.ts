import { describe, expect, it } from 'vitest'
import type { CallKpiItem } from './api'
import { COLUMNS, compareBy } from './columns'
import {
  DEFAULT_DAYS, SHORTCUTS, busiestFirst, controlsFromQuery, controlsToQuery, defaultControls, formatTime, groupChartOption,
  groupParams, minuteTicks, intervalKeys, isQuiet, nameOf, rowKey, serviceLevel, timeChartOption, timeLabel,
  timeRows, totalParams, withinRate, type ChartLabels,
} from './format'

const today = '2026-12-06'

function item(over: Partial<CallKpiItem> = {}): CallKpiItem {
  return {
    key: 'all', label: null, offered: 10, answered: 8, abandoned: 2, short_abandoned: 1, ivr_only: 3, blocked: 1,
    answered_within: 6, abandoned_within: 1,
    service_level: { F1: 0.7, F2: 0.75, F3: 0.6, F4: 0.6667, F5: 0.7 },
    answer_rate: 0.8, answered_within_rate: { '15': 0.5, '20': 0.6, '30': 0.7 }, abandon_rate: 0.1111,
    asa: 12.4, longest_wait: 65, aht: 260.5, acw: 15.8, avg_talk: 244.2, avg_hold: 0, occupancy: null,
    outbound: 2, outbound_connected: 1,
    ...over,
  }
}

describe("话务报表's controls", () => {
  it('default to the last 7 days by day, hourly intervals', () => {
    expect(DEFAULT_DAYS).toBe(7)
    expect(defaultControls(today)).toEqual({ from: '2026-11-30', to: today, groupBy: 'day', interval: 60 })
    expect(controlsFromQuery({}, today)).toEqual(defaultControls(today))
  })

  it('read the period, grouping and interval from the URL, the default for anything malformed', () => {
    expect(controlsFromQuery({ from: '2026-11-01', to: '2026-11-30', group_by: 'interval', interval: '15' }, today))
      .toEqual({ from: '2026-11-01', to: '2026-11-30', groupBy: 'interval', interval: 15 })
    expect(controlsFromQuery({ from: ['2026-11-01'], to: ['2026-11-02', null], group_by: 'agent' }, today))
      .toEqual({ from: '2026-11-01', to: '2026-11-02', groupBy: 'agent', interval: 60 })
    const d = defaultControls(today)
    expect(controlsFromQuery({ from: '2026-11-30', to: '2026-11-01' }, today)).toEqual(d) // backwards
    expect(controlsFromQuery({ from: '2026-02-30', to: '2026-03-01' }, today)).toEqual(d) // no such day
    expect(controlsFromQuery({ from: '2026-12-01', to: '2026-12-07' }, today)).toEqual(d) // after today
    expect(controlsFromQuery({ from: '2024-01-01', to: '2026-12-01' }, today)).toEqual(d) // over 800 days
    expect(controlsFromQuery({ group_by: 'none', interval: '20' }, today)).toEqual(d)
    expect(controlsFromQuery({ group_by: 'unit', interval: 'x' }, today)).toEqual(d)
  })

  it('leave the defaults out of the URL, the interval but for 按时段', () => {
    expect(controlsToQuery(defaultControls(today), today)).toEqual({})
    expect(controlsToQuery({ from: today, to: today, groupBy: 'queue', interval: 15 }, today))
      .toEqual({ from: today, to: today, group_by: 'queue' })
    expect(controlsToQuery({ ...defaultControls(today), groupBy: 'interval', interval: 30 }, today))
      .toEqual({ group_by: 'interval', interval: '30' })
    expect(controlsToQuery({ ...defaultControls(today), groupBy: 'interval', interval: 60 }, today))
      .toEqual({ group_by: 'interval' })
    const back = controlsFromQuery(controlsToQuery({ from: '2026-10-01', to: '2026-10-31', groupBy: 'interval', interval: 15 }, today), today)
    expect(back).toEqual({ from: '2026-10-01', to: '2026-10-31', groupBy: 'interval', interval: 15 })
  })

  it('ask the API for the totals and for the groups over the same days', () => {
    const c = { from: '2026-11-01', to: '2026-11-30', groupBy: 'interval' as const, interval: 30 as const }
    expect(totalParams(c)).toEqual({ from: '2026-11-01', to: '2026-11-30', group_by: 'none' })
    expect(groupParams(c)).toEqual({ from: '2026-11-01', to: '2026-11-30', group_by: 'interval', interval: 30 })
    expect(groupParams({ ...c, groupBy: 'agent' })).toEqual({ from: '2026-11-01', to: '2026-11-30', group_by: 'agent' })
  })

  it('offer 今天, 近7天, 近30天, 本月, 上月', () => {
    expect(SHORTCUTS).toEqual(['today', 'last7', 'last30', 'thisMonth', 'lastMonth'])
  })
})

describe("话务报表's figures", () => {
  it('write times as clocks', () => {
    expect(formatTime(22.2)).toBe('0:22')
    expect(formatTime(260.5)).toBe('4:20')
    expect(formatTime(3725)).toBe('1:02:05')
    expect(formatTime(null)).toBe('—')
  })

  it("pick the centre's variant and the N-second rates", () => {
    expect(serviceLevel(item(), 'F3')).toBe(0.6)
    expect(serviceLevel(item(), 'F4')).toBe(0.6667)
    expect(serviceLevel(item(), 'F9')).toBeNull()
    expect(withinRate(item(), 20)).toBe(0.6)
    expect(withinRate(item({ answered_within_rate: {} }), 15)).toBeNull()
  })

  it('call a period quiet when nothing at all happened in it', () => {
    expect(isQuiet(undefined)).toBe(true)
    const none = item({ offered: 0, answered: 0, abandoned: 0, ivr_only: 0, blocked: 0, outbound: 0 })
    expect(isQuiet(none)).toBe(true)
    expect(isQuiet({ ...none, ivr_only: 1 })).toBe(false)
    expect(isQuiet({ ...none, outbound: 1 })).toBe(false)
    expect(isQuiet(item())).toBe(false)
  })

  it('name each row: 未接通 for the agent nobody was, the interval with a space', () => {
    const words = { unanswered: '未接通', noQueue: '未分队列', agent: (id: string) => `坐席 #${id}` }
    expect(nameOf({ key: null, label: null }, 'agent', words)).toBe('未接通')
    expect(nameOf({ key: 12, label: '张波' }, 'agent', words)).toBe('张波')
    expect(nameOf({ key: 12, label: null }, 'agent', words)).toBe('坐席 #12')
    expect(nameOf({ key: '2026-12-01T08:30', label: null }, 'interval', words)).toBe('2026-12-01 08:30')
    expect(nameOf({ key: '2026-12-01', label: null }, 'day', words)).toBe('2026-12-01')
    expect(nameOf({ key: '燃气', label: null }, 'queue', words)).toBe('燃气')
    expect(nameOf({ key: null, label: null }, 'queue', words)).toBe('未分队列')
    expect(rowKey({ key: null })).toBe('none')
    expect(rowKey({ key: 12 })).toBe('12')
  })
})

describe("话务报表's table", () => {
  it('shows the main columns in order', () => {
    expect(COLUMNS.map((c) => c.id)).toEqual([
      'offered', 'answered', 'abandoned', 'short', 'ivr', 'answer-rate', 'within20', 'sl', 'asa', 'longest', 'aht',
      'acw', 'talk', 'occupancy', 'outbound',
    ])
    const row = item()
    const text = Object.fromEntries(COLUMNS.map((c) => [c.id, c.text(row, 'F3', String)]))
    expect(text).toMatchObject({
      offered: '10', short: '1', ivr: '3', 'answer-rate': '80.0%', within20: '60.0%', sl: '60.0%', asa: '0:12',
      longest: '1:05', aht: '4:20', occupancy: '—', outbound: '2',
    })
    const sl = COLUMNS.find((c) => c.id === 'sl')!
    expect(sl.text(row, 'F2', String)).toBe('75.0%')
  })

  it('sorts a column with "—" lowest', () => {
    const asa = COLUMNS.find((c) => c.id === 'asa')!
    const rows = [item({ key: 'a', asa: 30 }), item({ key: 'b', asa: null }), item({ key: 'c', asa: 5 })]
    expect([...rows].sort(compareBy(asa, 'F3')).map((r) => r.key)).toEqual(['b', 'c', 'a'])
  })
})

describe("话务报表's charts", () => {
  const labels: ChartLabels = {
    offered: '呼入', answered: '接通', serviceLevel: '服务水平 F3', aht: 'AHT', name: (r) => String(r.key ?? '未接通'),
    number: String,
  }

  it('cut a day into intervals', () => {
    expect(intervalKeys('2026-12-01', '2026-12-01', 60)).toHaveLength(24)
    expect(intervalKeys('2026-12-01', '2026-12-02', 15)).toHaveLength(192)
    expect(intervalKeys('2026-12-01', '2026-12-01', 30).slice(0, 3)).toEqual([
      '2026-12-01T00:00', '2026-12-01T00:30', '2026-12-01T01:00',
    ])
  })

  it('draw every day of the period, a quiet day with no calls and no service level', () => {
    const rows = timeRows([item({ key: '2026-12-02' })], 'day', '2026-12-01', '2026-12-03', 60)
    expect(rows.map((r) => [r.key, r.offered, r.service_level.F3])).toEqual([
      ['2026-12-01', 0, null], ['2026-12-02', 10, 0.6], ['2026-12-03', 0, null],
    ])
    const hours = timeRows([item({ key: '2026-12-01T09:00' })], 'interval', '2026-12-01', '2026-12-01', 60)
    expect(hours).toHaveLength(24)
    expect(hours[9].offered).toBe(10)
    // too many to fill (a month in 15 minutes): only the API's
    const month = timeRows([item({ key: '2026-11-03T09:15' })], 'interval', '2026-11-01', '2026-11-30', 15)
    expect(month.map((r) => r.key)).toEqual(['2026-11-03T09:15'])
  })

  it('by time: 呼入 and 接通 bars, the service level as a line in percent', () => {
    const rows = [item({ key: '2026-12-01' }), item({ key: '2026-12-02', service_level: { F1: null, F2: null, F3: null, F4: null, F5: null } })]
    const option = timeChartOption(rows, 'day', 'F3', labels) as { series: { id: string; type: string; data: unknown[] }[]; xAxis: { data: string[] } }
    expect(option.series.map((s) => [s.id, s.type])).toEqual([['offered', 'bar'], ['answered', 'bar'], ['level', 'line']])
    expect(option.series[2].data).toEqual([60, null])
    expect(option.xAxis.data).toEqual(['12-01', '12-02'])
    expect(timeLabel('2026-12-01T08:30', 'interval', true)).toBe('12-01 08:30')
    expect(timeLabel('2025-12-01', 'day', false)).toBe('2025-12-01')
  })

  it('by agent or queue: the busiest first, the agents but 未接通, AHT as a line', () => {
    const rows = busiestFirst([
      item({ key: 1, answered: 3 }), item({ key: null, answered: 0 }), item({ key: 2, answered: 9, aht: null }),
    ], 'agent')
    expect(rows.map((r) => r.key)).toEqual([2, 1])
    const queues = [item({ key: '燃气', answered: 0, offered: 4 }), item({ key: null, answered: 1 }), item({ key: '电力', answered: 0, offered: 6 })]
    expect(busiestFirst(queues, 'queue').map((r) => r.key)).toEqual([null, '电力', '燃气'])
    expect(busiestFirst([item({ key: 1 }), item({ key: 2 }), item({ key: 3 })], 'agent', 2)).toHaveLength(2)
    const option = groupChartOption(rows, labels) as { series: { id: string; data: unknown[] }[] }
    expect(option.series.map((s) => s.id)).toEqual(['answered', 'aht'])
    expect(option.series[0].data).toEqual([9, 3])
    expect(option.series[1].data).toEqual([null, 261])
    expect(minuteTicks([260.5, null, 100])).toEqual({ interval: 120, max: 360 })
    expect(minuteTicks([])).toEqual({ interval: 60, max: 60 })
    expect(minuteTicks([1500])).toEqual({ interval: 420, max: 1680 })
  })
})
