// 运行概览's API: the order statistics of the last days.
import { api, unwrap, type Schemas } from '@/api/client'

export type Stats = Schemas['WorkOrderStats']

/** Orders registered and closed per day (by type), today's figures, open orders by state and type. */
export function loadStats(days: number): Promise<Stats> {
  return unwrap(api.GET('/api/v1/work-orders/stats', { params: { query: { days } } }))
}
