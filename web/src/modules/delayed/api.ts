// 延时调查 (the delayed survey): the customer's page by its signed link (/s/:token, a plain fetch like the rating
// page's, so no answer ever reaches the session's sign-in handler), and the managers' side: results per
// questionnaire version, each handler's ratings (and their Excel), the versions, the sampling rules, an order's survey.
import { api, ApiError, unwrap, type Query, type Schemas } from '@/api/client'

export type SurveyPage = Schemas['SurveyPagePublic']
export type Question = Schemas['Question']
export type Questionnaire = Schemas['QuestionnairePublic']
export type QuestionnaireIn = Schemas['QuestionnaireIn']
export type SurveyRule = Schemas['SurveyRulePublic']
export type SurveyRuleIn = Schemas['SurveyRuleIn']
export type SurveyResults = Schemas['SurveyResultsPublic']
export type HandlerFigures = Schemas['HandlerFiguresPublic']
export type HandlerRow = Schemas['HandlerRowPublic']
export type Survey = Schemas['SurveyPublic']
export type ResultsQuery = Query<'surveys-results'>
export type HandlersQuery = Query<'surveys-handlers'>
export type StaffFigures = Schemas['StaffFiguresPublic']
export type StaffRow = Schemas['StaffRowPublic']
export type StaffQuery = Query<'surveys-staff'>
export type Answers = Schemas['SurveyAnswersIn']['answers']

async function call(token: string, init?: RequestInit): Promise<SurveyPage> {
  let response: Response
  try {
    response = await fetch(`/api/v1/survey/${encodeURIComponent(token)}`, {
      credentials: 'omit',
      headers: { Accept: 'application/json', ...(init?.body ? { 'Content-Type': 'application/json' } : {}) },
      ...init,
    })
  } catch (e) {
    throw new ApiError(0, { title: 'network', detail: e instanceof Error ? e.message : String(e) })
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>
  if (!response.ok) throw new ApiError(response.status, body)
  return body as unknown as SurveyPage
}

/** The survey's questions and state, by the link of the survey SMS (no sign-in). */
export function loadSurveyPage(token: string): Promise<SurveyPage> {
  return call(token)
}

/** The customer's answers, once (a second one is a 409). */
export function answerSurvey(token: string, answers: Answers): Promise<SurveyPage> {
  return call(token, { method: 'POST', body: JSON.stringify({ answers }) })
}

export async function listQuestionnaires(): Promise<Questionnaire[]> {
  return (await unwrap(api.GET('/api/v1/surveys/questionnaires'))).items
}

/** A new version of the questionnaire, current from now on. */
export function newQuestionnaire(body: QuestionnaireIn): Promise<Questionnaire> {
  return unwrap(api.POST('/api/v1/surveys/questionnaires', { body }))
}

export async function listSurveyRules(): Promise<SurveyRule[]> {
  return (await unwrap(api.GET('/api/v1/surveys/rules'))).items
}

export function setSurveyRule(body: SurveyRuleIn): Promise<SurveyRule> {
  return unwrap(api.PUT('/api/v1/surveys/rules', { body }))
}

export function loadSurveyResults(query: ResultsQuery): Promise<SurveyResults> {
  return unwrap(api.GET('/api/v1/surveys/results', { params: { query } }))
}

export function loadHandlerFigures(query: HandlersQuery): Promise<HandlerFigures> {
  return unwrap(api.GET('/api/v1/surveys/handlers', { params: { query } }))
}

/** GET /surveys/results as an Excel workbook, for the same version and period (a plain link, like the handlers'). */
export function resultsExportUrl(query: { from?: string; to?: string; questionnaire_id?: number | null }): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value))
  }
  const search = params.toString()
  return `/api/v1/surveys/results/export${search ? `?${search}` : ''}`
}

/** Where the browser downloads the handlers' figures as .xlsx (a plain link: the session cookie signs it in). */
export function handlersExportUrl(query: HandlersQuery): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value))
  }
  const search = params.toString()
  return `/api/v1/surveys/handlers/export${search ? `?${search}` : ''}`
}

export async function handlerHistory(handlerId: number): Promise<Survey[]> {
  const page = await unwrap(
    api.GET('/api/v1/surveys/handlers/{handler_id}/history', { params: { path: { handler_id: handlerId } } }),
  )
  return page.items
}

/** 现场人员评价: the field staff named on site at the resolve, rated by those orders' delayed surveys. */
export function loadStaffFigures(query: StaffQuery): Promise<StaffFigures> {
  return unwrap(api.GET('/api/v1/surveys/staff', { params: { query } }))
}

/** Where the browser downloads the field staff's figures as .xlsx (a plain link, like the handlers'). */
export function staffExportUrl(query: StaffQuery): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value))
  }
  const search = params.toString()
  return `/api/v1/surveys/staff/export${search ? `?${search}` : ''}`
}

/** One field staff member's answered surveys, latest first. */
export async function staffHistory(staffId: number): Promise<Survey[]> {
  const page = await unwrap(
    api.GET('/api/v1/surveys/staff/{staff_id}/history', { params: { path: { staff_id: staffId } } }),
  )
  return page.items
}

/** The order's delayed survey, if one was drawn. */
export async function orderSurveys(orderId: number): Promise<Survey[]> {
  const page = await unwrap(api.GET('/api/v1/work-orders/{order_id}/survey', { params: { path: { order_id: orderId } } }))
  return page.items
}
