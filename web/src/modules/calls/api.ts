// The phone channel's API, typed by the generated OpenAPI schema: call records, recordings, the live agent board, CTI
// integrations and IVR routing rules.
import { api, unwrap, upload, type Schemas } from '@/api/client'
import { getOrder } from '@/modules/workorders/api'

export type Call = Schemas['CallPublic']
export type CallsPage = Schemas['CallsPublic']
export type Board = Schemas['AgentBoard']
export type BoardAgent = Schemas['BoardAgent']
export type BoardQueue = Schemas['BoardQueue']
export type Integration = Schemas['IntegrationPublic']
export type IntegrationWithToken = Schemas['IntegrationWithToken']
export type IntegrationPatch = Schemas['IntegrationPatch']
export type BlockedNumber = Integration['blocked_numbers'][number]
export type CallerIdRule = Integration['caller_id_rules'][number]
export type IvrRule = Schemas['IvrRulePublic']
export type IvrRuleBody = Schemas['IvrRuleIn']
export type IvrRoute = Schemas['IvrRoute']

/** The query of GET /calls (what the filters send). */
export interface CallQuery {
  customer_id?: number
  agent_id?: number
  number?: string
  direction?: 'in' | 'out'
  abandoned?: boolean
  order_id?: number
  since?: string
  until?: string
  page?: number
  page_size?: number
}

export function listCalls(query: CallQuery): Promise<CallsPage> {
  return unwrap(api.GET('/api/v1/calls', { params: { query } }))
}

export function getCall(id: number): Promise<Call> {
  return unwrap(api.GET('/api/v1/calls/{call_pk}', { params: { path: { call_pk: id } } }))
}

/** 显示号码: the customer's number of a call whole (the caller's, or the number called; the server records who read it). */
export async function revealCallNumber(id: number): Promise<string[]> {
  const shown = await unwrap(api.POST('/api/v1/calls/{call_pk}/number/reveal', { params: { path: { call_pk: id } } }))
  return shown.phones
}

/** Where the player fetches the recording (bytes with Range support, or a 307 to the PBX's URL). */
export function recordingUrl(id: number): string {
  return `/api/v1/calls/${id}/recording`
}

export function uploadRecording(id: number, file: File): Promise<Call> {
  return upload<Call>(recordingUrl(id), file)
}

// ---------------------------------------------------------------- the agent's desk (the phone store sends these)

/** The rest of a screen pop: open orders, last contacts, notices. */
export function getPop(id: number): Promise<Schemas['ScreenPop']> {
  return unwrap(api.GET('/api/v1/calls/{call_pk}/pop', { params: { path: { call_pk: id } } }))
}

export function getMyState(): Promise<Schemas['AgentStatePublic']> {
  return unwrap(api.GET('/api/v1/agents/me/state'))
}

/** 签入 / 就绪 / 未就绪 (with a reason) / 签出; a 409 when the state does not allow it now. */
export function setMyState(body: Schemas['AgentStateIn']): Promise<Schemas['AgentStatePublic']> {
  return unwrap(api.PUT('/api/v1/agents/me/state', { body }))
}

/** 完成话后处理: after-call work on this call is over. */
export function finishCall(id: number): Promise<Call> {
  return unwrap(api.POST('/api/v1/calls/{call_pk}/done', { params: { path: { call_pk: id } } }))
}

/** The caller is this customer. */
export function setCallCustomer(id: number, customerId: number): Promise<Call> {
  return unwrap(api.POST('/api/v1/calls/{call_pk}/customer', {
    params: { path: { call_pk: id } }, body: { customer_id: customerId },
  }))
}

/** 关联到本次来电: the caller asks about this order. */
export function linkCallOrder(id: number, orderId: number): Promise<Call> {
  return unwrap(api.POST('/api/v1/calls/{call_pk}/orders', {
    params: { path: { call_pk: id } }, body: { order_id: orderId },
  }))
}

/** Click-to-call: the PBX calls the number for the signed-in agent. */
export function dial(body: Schemas['DialIn']): Promise<Schemas['DialOut']> {
  return unwrap(api.POST('/api/v1/calls/dial', { body }))
}

// ---------------------------------------------------------------- the floor's live board

export function loadBoard(): Promise<Board> {
  return unwrap(api.GET('/api/v1/agents/board'))
}

// ---------------------------------------------------------------- CTI integrations

export function listIntegrations(): Promise<Integration[]> {
  return unwrap(api.GET('/api/v1/cti-integrations'))
}

export function createIntegration(name: string): Promise<IntegrationWithToken> {
  return unwrap(api.POST('/api/v1/cti-integrations', { body: { name } }))
}

export function updateIntegration(id: number, body: IntegrationPatch): Promise<Integration> {
  return unwrap(api.PATCH('/api/v1/cti-integrations/{integration_id}', {
    params: { path: { integration_id: id } }, body,
  }))
}

export function revokeIntegration(id: number): Promise<Integration> {
  return unwrap(api.POST('/api/v1/cti-integrations/{integration_id}/revoke', {
    params: { path: { integration_id: id } },
  }))
}

export function rotateToken(id: number): Promise<IntegrationWithToken> {
  return unwrap(api.POST('/api/v1/cti-integrations/{integration_id}/token', {
    params: { path: { integration_id: id } },
  }))
}

// ---------------------------------------------------------------- IVR

export function listRules(): Promise<IvrRule[]> {
  return unwrap(api.GET('/api/v1/ivr/rules'))
}

export function saveRule(id: number | null, body: IvrRuleBody): Promise<IvrRule> {
  return id === null
    ? unwrap(api.POST('/api/v1/ivr/rules', { body }))
    : unwrap(api.PUT('/api/v1/ivr/rules/{rule_id}', { params: { path: { rule_id: id } }, body }))
}

export async function deleteRule(id: number): Promise<void> {
  await unwrap(api.DELETE('/api/v1/ivr/rules/{rule_id}', { params: { path: { rule_id: id } } }))
}

export function tryRoute(caller: string): Promise<IvrRoute> {
  return unwrap(api.GET('/api/v1/ivr/route', { params: { query: { caller } } }))
}

// ---------------------------------------------------------------- what a call links to

const numbers = new Map<number, Promise<string | null>>()

/** A work order's number (e.g. GD20261124…), fetched once per page load; null when it cannot be read. */
export function orderNumber(id: number): Promise<string | null> {
  let found = numbers.get(id)
  if (!found) {
    found = getOrder(id)
      .then((o) => o.number)
      .catch(() => null)
    numbers.set(id, found)
  }
  return found
}
