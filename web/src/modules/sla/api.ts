// The time limits' API: SLA policies, business calendars, the escalation ladder and the supervision board, typed
// by the generated OpenAPI schema.
import { api, unwrap, type Schemas } from '@/api/client'

export type Policy = Schemas['PolicyPublic']
export type PolicyMatch = Schemas['PolicyMatch']
export type PolicyLimits = Schemas['PolicyLimits']
export type Calendar = Schemas['CalendarPublic']

export const ALL_DAY = '24x7'

export async function loadPolicies(): Promise<Policy[]> {
  return (await unwrap(api.GET('/api/v1/sla/policies'))).items
}

export function createPolicy(body: Schemas['PolicyCreate']): Promise<Policy> {
  return unwrap(api.POST('/api/v1/sla/policies', { body }))
}

/** An edit makes a new version of the policy. */
export function updatePolicy(id: number, body: Schemas['PolicyUpdate']): Promise<Policy> {
  return unwrap(api.PATCH('/api/v1/sla/policies/{policy_id}', { params: { path: { policy_id: id } }, body }))
}

export async function loadCalendars(): Promise<Calendar[]> {
  return (await unwrap(api.GET('/api/v1/sla/calendars'))).items
}

export function createCalendar(body: Schemas['CalendarCreate']): Promise<Calendar> {
  return unwrap(api.POST('/api/v1/sla/calendars', { body }))
}

/** A calendar with its holidays and make-up working days of one year. */
export function getCalendar(id: number, year: number): Promise<Calendar> {
  return unwrap(api.GET('/api/v1/sla/calendars/{calendar_id}', {
    params: { path: { calendar_id: id }, query: { year } },
  }))
}

/** Replaces the exception days of one year. */
export function saveCalendarDays(id: number, body: Schemas['CalendarDaysIn']): Promise<Calendar> {
  return unwrap(api.PUT('/api/v1/sla/calendars/{calendar_id}/days', { params: { path: { calendar_id: id } }, body }))
}

// ---------------------------------------------------------------- escalation ladder

export type Ladder = Schemas['Ladder']
export type LadderStep = Schemas['LadderStep']

export async function loadLadder(): Promise<Ladder> {
  return unwrap(api.GET('/api/v1/sla/ladder'))
}

export async function saveLadder(body: Ladder): Promise<Ladder> {
  return unwrap(api.PUT('/api/v1/sla/ladder', { body }))
}

// ---------------------------------------------------------------- the supervision board (督办看板)

export type Board = Schemas['Board']

/** Per unit, the open orders due within `soonMinutes`, overdue, escalated, urged and supervised. */
export function loadBoard(soonMinutes: number): Promise<Board> {
  return unwrap(api.GET('/api/v1/sla/board', { params: { query: { soon_minutes: soonMinutes } } }))
}
