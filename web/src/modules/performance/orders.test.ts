import { describe, expect, it } from 'vitest'
import type { OrderKpiItem } from './api'
import {
  busiestOrders, dayChartOption, formatMinutes, groupOrderChartOption, orderControlsFromQuery, orderControlsToQuery,
  orderGroupParams, orderRowName, orderTotalParams,
} from './orders'

const TODAY = '2026-12-07'

function item(key: string, registered: number, extra: Partial<OrderKpiItem> = {}): OrderKpiItem {
  const none = { n: 0, mean: null, p50: null, p90: null }
  return {
    key, label: '', registered, closed: 1, reopened: 0, urged: 0, supervised: 0, on_time_rate: 0.5, reopen_rate: 0,
    stage_on_time: { accept: null, arrive: null, resolve: null, reply: null, callback: null },
    response: { accept: none, arrive: none, resolve: { n: 1, mean: 100, p50: 90, p90: 181.2 }, close: none }, ...extra,
  }
}

describe('工单报表', () => {
  it('keeps its controls in the URL, defaults left out', () => {
    const d = orderControlsFromQuery({}, TODAY)
    expect(d).toEqual({ from: '2026-12-01', to: TODAY, groupBy: 'category' })
    expect(orderControlsToQuery(d, TODAY)).toEqual({})
    const c = orderControlsFromQuery({ from: '2026-11-01', to: '2026-11-30', group_by: 'day' }, TODAY)
    expect(orderControlsToQuery(c, TODAY)).toEqual({ from: '2026-11-01', to: '2026-11-30', group_by: 'day' })
    expect(orderTotalParams(c)).toEqual({ from: '2026-11-01', to: '2026-11-30', group_by: 'none' })
    expect(orderGroupParams(c).group_by).toBe('day')
    expect(orderControlsFromQuery({ from: '2026-12-08', to: '2026-12-09', group_by: 'x' }, TODAY)).toEqual(d)
  })

  it('writes minutes as h:mm', () => {
    expect(formatMinutes(6.9)).toBe('0:07')
    expect(formatMinutes(180.6)).toBe('3:01')
    expect(formatMinutes(1600)).toBe('26:40')
    expect(formatMinutes(null)).toBe('—')
  })

  it('names each row', () => {
    const words = { type: (k: string) => `T:${k}`, channel: (k: string) => `C:${k}`, none: '未指定' }
    expect(orderRowName(item('repair', 1), 'type', words)).toBe('T:repair')
    expect(orderRowName(item('phone', 1), 'channel', words)).toBe('C:phone')
    expect(orderRowName(item('0', 1, { label: '—' }), 'unit', words)).toBe('未指定')
    expect(orderRowName(item('7', 1, { label: '渝中区' }), 'area', words)).toBe('渝中区')
    expect(orderRowName(item('2026-12-01', 1), 'day', words)).toBe('2026-12-01')
  })

  it('draws by day and by group', () => {
    const labels = { registered: '登记', closed: '办结', onTime: '按时', p90: 'P90', name: (r: OrderKpiItem) => r.key }
    const byDay = dayChartOption([item('2026-12-01', 3), item('2026-12-02', 0, { on_time_rate: null })], labels)
    expect((byDay.series as { data: unknown[] }[])[2].data).toEqual([50, null])
    const rows = busiestOrders([item('a', 1), item('b', 5), item('c', 3)], 2)
    expect(rows.map((r) => r.key)).toEqual(['b', 'c'])
    const byGroup = groupOrderChartOption(rows, labels)
    expect((byGroup.series as { data: unknown[] }[])[1].data).toEqual([181, 181])
  })
})
