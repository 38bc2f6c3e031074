// Surveys' API: the rating figures of a period (满意度分析, GET /satisfaction) and the same as an Excel download;
// an order's ratings; the care tasks (关怀回访) of unsatisfied ratings and finishing one.
import { api, unwrap, type Query, type Schemas } from '@/api/client'

export type Satisfaction = Schemas['SatisfactionPublic']
export type SatisfactionRow = Schemas['SatisfactionRow']
export type SatisfactionQuery = Query<'surveys-satisfaction'>
export type Rating = Schemas['RatingPublic']
export type CareTask = Schemas['CareTaskPublic']
export type CareDone = Schemas['CareDoneIn']
export type CareState = CareTask['state']

/** The counts and 满意率 per group over the period, and the period's total. */
export function loadSatisfaction(query: SatisfactionQuery): Promise<Satisfaction> {
  return unwrap(api.GET('/api/v1/satisfaction', { params: { query } }))
}

/** Where the browser downloads the same figures as .xlsx (a plain link: the session cookie signs it in). */
export function satisfactionExportUrl(query: SatisfactionQuery): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value))
  }
  const search = params.toString()
  return `/api/v1/satisfaction/export${search ? `?${search}` : ''}`
}

/** An order's ratings (its calls' and its own, every channel), newest first. */
export async function listOrderRatings(orderId: number): Promise<Rating[]> {
  const page = await unwrap(api.GET('/api/v1/ratings', { params: { query: { order_id: orderId } } }))
  return page.items
}

/** Care tasks, open ones soonest due first; `orderId` narrows them to one order. */
export async function listCareTasks(state: CareState, orderId?: number, limit = 500): Promise<CareTask[]> {
  const query = { state, limit, ...(orderId ? { order_id: orderId } : {}) }
  const page = await unwrap(api.GET('/api/v1/care-tasks', { params: { query } }))
  return page.items
}

/** 完成: the follow-up was made (its outcome and a note); once. */
export function finishCare(taskId: number, body: CareDone): Promise<CareTask> {
  return unwrap(api.POST('/api/v1/care-tasks/{task_id}/done', { params: { path: { task_id: taskId } }, body }))
}
