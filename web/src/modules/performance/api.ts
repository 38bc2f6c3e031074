// The KPI layer's API (docs/kpis.md): the call KPIs of a period by a cut (话务报表, GET /kpis/calls).
import { api, unwrap, type Query, type Schemas } from '@/api/client'

export type CallKpis = Schemas['CallKpis']
export type CallKpiItem = Schemas['CallKpiItem']
export type CallKpiQuery = Query<'kpis-calls'>

/** The call KPIs of the period (days in the centre's zone, both included), one item per group (group_by=none:
 * one item, the whole period). Rates are fractions, times seconds, null where there is nothing to divide by. */
export function loadCallKpis(query: CallKpiQuery): Promise<CallKpis> {
  return unwrap(api.GET('/api/v1/kpis/calls', { params: { query } }))
}
