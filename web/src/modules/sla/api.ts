// The API of the time-limit editors: SLA policies, business calendars and the escalation ladder, typed by the
// generated OpenAPI schema.
import { api, unwrap, type Schemas } from '@/api/client'

export type Policy = Schemas['PolicyPublic']
export type PolicyMatch = Schemas['PolicyMatch']
export type PolicyLimits = Schemas['PolicyLimits']
export type Calendar = Schemas['CalendarPublic']

export const ALL_DAY = '24x7'

export async function loadPolicies(): Promise<Policy[]> {
  return (await unwrap(api.GET('/api/v1/sla/policies'))).items
}

export async function loadCalendars(): Promise<Calendar[]> {
  return (await unwrap(api.GET('/api/v1/sla/calendars'))).items
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
