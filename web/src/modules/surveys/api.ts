// 满意度分析's API: the rating figures of a period (GET /satisfaction) and the same as an Excel download.
import { api, unwrap, type Query, type Schemas } from '@/api/client'

export type Satisfaction = Schemas['SatisfactionPublic']
export type SatisfactionRow = Schemas['SatisfactionRow']
export type SatisfactionQuery = Query<'surveys-satisfaction'>

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
