// The KPI layer's API (docs/kpis.md): the call KPIs of a period by a cut (话务报表, GET /kpis/calls), the
// wallboard (大屏, GET /kpis/wallboard; live over the socket), early warnings (预警, GET /warnings, acknowledge),
// the unit league table (单位考核排名, GET /league, its export and weights) and the order KPIs (工单报表,
// GET /kpis/orders); 服务质量报告 (GET /reports, generate, the files, my subscriptions).
import { api, ApiError, unwrap, type Query, type Schemas } from '@/api/client'

export type CallKpis = Schemas['CallKpis']
export type CallKpiItem = Schemas['CallKpiItem']
export type CallKpiQuery = Query<'kpis-calls'>
export type Wallboard = Schemas['Wallboard']
export type KpiWarning = Schemas['WarningPublic']
export type WarningState = NonNullable<Query<'kpis-warnings'>['state']>
export type League = Schemas['League']
export type LeagueItem = Schemas['LeagueItem']
export type OrderKpis = Schemas['OrderKpis']
export type OrderKpiItem = Schemas['OrderKpiItem']
export type OrderKpiQuery = Query<'kpis-orders'>
export type Scorecard = Schemas['ScorecardPublic']
export type ScorecardLine = Schemas['ScorecardAgentLine']
export type ScorecardItem = Schemas['ScorecardItemLine']
export type ScorecardTemplateLine = Schemas['ScorecardTemplateLine']
export type ScorecardHistoryLine = Schemas['ScorecardHistoryLine']

/** The call KPIs of the period (days in the centre's zone, both included), one item per group (group_by=none:
 * one item, the whole period). Rates are fractions, times seconds, null where there is nothing to divide by. */
export function loadCallKpis(query: CallKpiQuery): Promise<CallKpis> {
  return unwrap(api.GET('/api/v1/kpis/calls', { params: { query } }))
}

/** The floor as of now (the same figures the socket pushes to `watch:wallboard`). */
export function loadWallboard(): Promise<Wallboard> {
  return unwrap(api.GET('/api/v1/kpis/wallboard'))
}

/** Early warnings of a state, newest first. */
export function loadWarnings(state: WarningState, limit = 200): Promise<KpiWarning[]> {
  return unwrap(api.GET('/api/v1/warnings', { params: { query: { state, limit } } }))
}

/** A manager acknowledges a warning with its outcome (409: acknowledged already). */
export function acknowledgeWarning(id: number, outcome: string): Promise<KpiWarning> {
  return unwrap(api.POST('/api/v1/warnings/{warning_id}/acknowledge', {
    params: { path: { warning_id: id } }, body: { outcome },
  }))
}

/** The month's league table ("YYYY-MM"). */
export function loadLeague(month: string): Promise<League> {
  return unwrap(api.GET('/api/v1/league', { params: { query: { month } } }))
}

/** The month's league table as an Excel workbook (a plain link: the browser downloads it). */
export function leagueExportUrl(month: string): string {
  return `/api/v1/league/export?${new URLSearchParams({ month })}`
}

/** The league's weights in force (figure code → weight, adding up to 100). */
export function loadLeagueWeights(): Promise<Record<string, number>> {
  return unwrap(api.GET('/api/v1/league/weights'))
}

/** New weights (supervisor, director, admin); 422 unless they add up to 100. */
export function saveLeagueWeights(weights: Record<string, number>): Promise<Record<string, number>> {
  return unwrap(api.PUT('/api/v1/league/weights', { body: { weights } }))
}

/** The order KPIs of the period, one item per group (group_by=none: the whole period). */
export function loadOrderKpis(query: OrderKpiQuery): Promise<OrderKpis> {
  return unwrap(api.GET('/api/v1/kpis/orders', { params: { query } }))
}

// 分析看板: when the work comes (GET /kpis/heatmap) and what it is about (GET /kpis/pareto)
export type Heatmap = Schemas['Heatmap']
export type Pareto = Schemas['Pareto']
export type ParetoItem = Schemas['ParetoItem']

/** Inbound calls offered or orders registered by local hour × weekday: 168 cells, count and mean per day. */
export function loadHeatmap(query: Query<'kpis-heatmap'>): Promise<Heatmap> {
  return unwrap(api.GET('/api/v1/kpis/heatmap', { params: { query } }))
}

/** Orders registered by a cut, most first, with shares, the cumulative share and the vital few (to 80 %). */
export function loadPareto(query: Query<'kpis-pareto'>): Promise<Pareto> {
  return unwrap(api.GET('/api/v1/kpis/pareto', { params: { query } }))
}

// 服务质量报告 (GET /reports, POST /reports, the files, GET / PUT /reports/subscriptions/me)
export type Report = Schemas['ReportPublic']
export type ReportKind = Schemas['ReportIn']['kind']

/** The reports made so far (of one kind, or every kind), newest period first. */
export function loadReports(kind: ReportKind | null, limit = 200): Promise<Report[]> {
  return unwrap(api.GET('/api/v1/reports', { params: { query: kind ? { kind, limit } : { limit } } }))
}

/** Makes the report of `kind` for the period holding `day` now (again, if made before); 422 for a period to come. */
export function generateReport(kind: ReportKind, day: string): Promise<Report> {
  return unwrap(api.POST('/api/v1/reports', { body: { kind, day } }))
}

/** The kinds of report the signed-in user receives by e-mail. */
export function loadMySubscriptions(): Promise<string[]> {
  return unwrap(api.GET('/api/v1/reports/subscriptions/me'))
}

/** Subscribes the signed-in user to these kinds, and no others; the kinds now subscribed to. */
export function saveMySubscriptions(kinds: ReportKind[]): Promise<string[]> {
  return unwrap(api.PUT('/api/v1/reports/subscriptions/me', { body: { kinds } }))
}

// 月度考评 (GET /scorecards, compute, review, publish, the template; an agent's own, an agent's history)

/** null for a 404 (the month not computed, or not published, yet); any other error is thrown. */
async function orNone<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null
    throw e
  }
}

/** The month's scorecards ("YYYY-MM"): the latest version or `version`, every group or one; null until computed. */
export function loadScorecards(month: string, group?: string, version?: number | null): Promise<Scorecard | null> {
  const query: Query<'scorecards-month'> = { month }
  if (group) query.group = group
  if (version) query.version = version
  return orNone(unwrap(api.GET('/api/v1/scorecards', { params: { query } })))
}

/** The signed-in agent's own scorecard of the month as published; null until it is. */
export function loadMyScorecard(month: string): Promise<Scorecard | null> {
  return orNone(unwrap(api.GET('/api/v1/scorecards/me', { params: { query: { month } } })))
}

/** An agent's months, newest first (an agent: their own published ones; managers: anyone's, every state). */
export function loadScorecardHistory(agentId: number): Promise<ScorecardHistoryLine[]> {
  return unwrap(api.GET('/api/v1/scorecards/agents/{agent_id}/history', { params: { path: { agent_id: agentId } } }))
}

/** Computes the month: a draft (again while it is one); once reviewed or published a new version, with a reason. */
export function computeScorecards(month: string, reason?: string): Promise<Scorecard> {
  return unwrap(api.POST('/api/v1/scorecards/compute', { body: reason ? { month, reason } : { month } }))
}

/** A draft reviewed (409 otherwise). */
export function reviewScorecards(id: number): Promise<Scorecard> {
  return unwrap(api.POST('/api/v1/scorecards/{card_id}/review', { params: { path: { card_id: id } } }))
}

/** A reviewed version published and frozen (supervisor, director, admin; 409 unless reviewed). */
export function publishScorecards(id: number): Promise<Scorecard> {
  return unwrap(api.POST('/api/v1/scorecards/{card_id}/publish', { params: { path: { card_id: id } } }))
}

/** The scorecard's items in force. */
export function loadScorecardTemplate(): Promise<ScorecardTemplateLine[]> {
  return unwrap(api.GET('/api/v1/scorecards/template'))
}

/** New items (supervisor, director, admin); 422 unless each figure is known and once, a target item has a
 * target and a floor, and the weights add up to 100. */
export function saveScorecardTemplate(items: ScorecardTemplateLine[]): Promise<ScorecardTemplateLine[]> {
  return unwrap(api.PUT('/api/v1/scorecards/template', { body: { items } }))
}
