// The API of the time-limit editors: SLA policies, business calendars and the escalation ladder, typed by
// schema.d.ts.
import { api, unwrap, type Schemas } from '@/api/client'
import { MANAGERS } from '@/utils/roles'

export type Policy = Schemas['PolicyPublic']
export type PolicyMatch = Schemas['PolicyMatch']
export type PolicyLimits = Schemas['PolicyLimits']
export type Calendar = Schemas['CalendarPublic']

export const STAGES = ['accept', 'arrive', 'resolve', 'reply', 'callback'] as const
export type Stage = (typeof STAGES)[number]
export const CUSTOMER_TAGS = ['key_customer', 'sensitive', 'repeat_complainant', 'elderly', 'vip'] as const
export const ALL_DAY = '24x7'

export async function loadPolicies(): Promise<Policy[]> {
  return (await unwrap(api.GET('/api/v1/sla/policies'))).items
}

export async function loadCalendars(): Promise<Calendar[]> {
  return (await unwrap(api.GET('/api/v1/sla/calendars'))).items
}

// ---------------------------------------------------------------- escalation ladder

/** Who an escalation step goes to: the managers, from the floor up (the API takes any role name). */
export const LADDER_ROLES = MANAGERS
/** urge = 催办, supervise = 督办. */
export const LADDER_MARKS = ['urge', 'supervise'] as const
/** app = 站内弹窗, sms = 短信, voice = 语音电话, email = 邮件. */
export const LADDER_CHANNELS = ['app', 'sms', 'voice', 'email'] as const

export type Ladder = Schemas['Ladder']
export type LadderStep = Schemas['LadderStep']

export async function loadLadder(): Promise<Ladder> {
  return unwrap(api.GET('/api/v1/sla/ladder'))
}

export async function saveLadder(body: Ladder): Promise<Ladder> {
  return unwrap(api.PUT('/api/v1/sla/ladder', { body }))
}
