// Complaints' API: the verdict (定责) on a complaint order, its history, the root causes, the staff of the
// responsible unit; the complaint desk (整改, analysis), 表扬核实, the accountability ledger (奖惩台账) and its titles.
import { api, unwrap, type Query, type Schemas, type WorkOrderDetail } from '@/api/client'

export type Complaint = Schemas['ComplaintView']
export type VerdictBody = Schemas['VerdictIn']
export type Verdict = Schemas['VerdictPublic']
export type RootCause = Schemas['RootCausePublic']
export type Staff = Schemas['StaffPublic']

/** 定责 (or, once one is given, 复核 with `review_reason`): the order as the server now has it. */
export function giveVerdict(orderId: number, body: VerdictBody): Promise<WorkOrderDetail> {
  return unwrap(api.POST('/api/v1/work-orders/{order_id}/verdict', { params: { path: { order_id: orderId } }, body }))
}

/** Every verdict given on the complaint, the first first. */
export async function listVerdicts(orderId: number): Promise<Verdict[]> {
  const page = await unwrap(api.GET('/api/v1/work-orders/{order_id}/verdicts', { params: { path: { order_id: orderId } } }))
  return page.items
}

let causes: Promise<RootCause[]> | null = null
/** The active root causes (原因分类), loaded once per page load. */
export function listRootCauses(): Promise<RootCause[]> {
  if (!causes) {
    causes = unwrap(api.GET('/api/v1/complaints/root-causes')).then((page) => page.items)
    causes.catch(() => (causes = null))
  }
  return causes
}

/** A unit's active people (抄表员, 维修工, 负责人 …), by name. */
export async function listUnitStaff(unitId: number): Promise<Staff[]> {
  const page = await unwrap(api.GET('/api/v1/staff', { params: { query: { unit_id: unitId } } }))
  return page.items
}

// ---------------------------------------------------------------- 投诉台: corrective actions, analysis

export type ActionRow = Schemas['ActionRowPublic']
export type ActionState = NonNullable<Query<'complaints-actions'>['state']>
export type Analysis = Schemas['AnalysisPublic']
export type AnalysisQuery = Query<'complaints-analysis'>

/** The corrective actions (整改): open ones soonest due first, overdue ones, or done ones latest first. */
export async function listActions(state: ActionState, limit = 500): Promise<ActionRow[]> {
  const page = await unwrap(api.GET('/api/v1/complaints/actions', { params: { query: { state, limit } } }))
  return page.items
}

/** 整改完成: the action's result; the order as the server now has it. */
export function finishAction(orderId: number, result: string): Promise<WorkOrderDetail> {
  return unwrap(api.POST('/api/v1/work-orders/{order_id}/action-done', {
    params: { path: { order_id: orderId } }, body: { result },
  }))
}

/** Complaints of a period by stage, root cause, unit or staff, most first. */
export function loadAnalysis(query: AnalysisQuery): Promise<Analysis> {
  return unwrap(api.GET('/api/v1/complaints/analysis', { params: { query } }))
}

export type Summary = Schemas['SummaryPublic']
export type Rates = Schemas['RatesPublic']
export type RateRow = Schemas['RatePublic']
export type RatesBy = NonNullable<Query<'complaints-rates'>['by']>
export type ByMonth = Schemas['ByMonthPublic']
export type MonthCell = Schemas['MonthCellPublic']

/** The period's complaints in all: valid, invalid, pending, repeats, 有效投诉占比, the average hours to a verdict. */
export function loadSummary(query: Query<'complaints-summary'> = {}): Promise<Summary> {
  return unwrap(api.GET('/api/v1/complaints/summary', { params: { query } }))
}

/** 投诉率: complaints per 10,000 customers per month by station or service area, highest first. */
export function loadRates(query: Query<'complaints-rates'>): Promise<Rates> {
  return unwrap(api.GET('/api/v1/complaints/rates', { params: { query } }))
}

/** Where the browser downloads the same rates as .xlsx. */
export function ratesExportUrl(query: Query<'complaints-rates'>): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null) params.set(key, String(value))
  return `/api/v1/complaints/rates/export?${params}`
}

/** 投诉易发环节: complaints by stage (or another grouping) and month of registration. */
export function loadByMonth(query: Query<'complaints-by_month'>): Promise<ByMonth> {
  return unwrap(api.GET('/api/v1/complaints/by-month', { params: { query } }))
}

// ---------------------------------------------------------------- 表扬核实

export type Commendation = Schemas['CommendationPublic']

/** The staff a praise order is for; each gets the praise's points (naming others later reverses them). */
export function commend(orderId: number, staffIds: number[], note: string): Promise<Commendation> {
  return unwrap(api.POST('/api/v1/work-orders/{order_id}/commendation', {
    params: { path: { order_id: orderId } }, body: { staff_ids: staffIds, note },
  }))
}

// ---------------------------------------------------------------- 奖惩台账

export type LedgerEntry = Schemas['LedgerEntryPublic']
export type Ledger = Schemas['LedgerPublic']
export type Standing = Schemas['StandingPublic']
export type Standings = Schemas['StandingsPublic']
export type Titles = Schemas['TitlesPublic']
export type Title = Schemas['TitlePublic']
export type TitleRule = Schemas['TitleRulePublic']
export type TitleRuleUpdate = Schemas['TitleRuleUpdate']

/** The ledger's entries, latest first: one person's, one month's, or both. */
export function loadLedger(query: Query<'complaints-ledger'>): Promise<Ledger> {
  return unwrap(api.GET('/api/v1/ledger', { params: { query } }))
}

/** Each person's points of the month by kind, lowest total first (末位 on top). */
export function loadStandings(month: string): Promise<Standings> {
  return unwrap(api.GET('/api/v1/ledger/standings', { params: { query: { month } } }))
}

/** Where the browser downloads the month's standings as .xlsx (a plain link: the session cookie signs it in). */
export function standingsExportUrl(month: string): string {
  return `/api/v1/ledger/standings/export?${new URLSearchParams({ month })}`
}

export function titlesExportUrl(month: string): string {
  return `/api/v1/ledger/titles/export?${new URLSearchParams({ month })}`
}

/** The month's titles (零投诉服务明星 …) and who holds them. */
export function loadTitles(month: string): Promise<Titles> {
  return unwrap(api.GET('/api/v1/ledger/titles', { params: { query: { month } } }))
}

export async function listTitleRules(): Promise<TitleRule[]> {
  const page = await unwrap(api.GET('/api/v1/ledger/title-rules'))
  return page.items
}

/** Edits a title rule (supervisor, director, admin). */
export function updateTitleRule(code: string, body: TitleRuleUpdate): Promise<TitleRule> {
  return unwrap(api.PATCH('/api/v1/ledger/title-rules/{code}', { params: { path: { code } }, body }))
}

/** Where the browser downloads the same analysis as .xlsx, with each row's cumulative share. */
export function analysisExportUrl(query: AnalysisQuery): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null) params.set(key, String(value))
  return `/api/v1/complaints/analysis/export?${params}`
}
