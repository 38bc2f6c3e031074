// Outages' API (issue 18): 停供事件 (停气/停电/停水) and their state changes, the live outages of an area with the
// preset answer (预设答案), 故障研判 (the dispatcher's suggestions), the proactive-notice call list (主动服务) and
// one-to-many announcements (一对多公告); typed by the generated OpenAPI schema.
import { api, unwrap, type Query, type Schemas } from '@/api/client'

export type Outage = Schemas['OutagePublic']
export type OutageDetail = Schemas['OutageDetail']
export type OutageBody = Schemas['OutageIn']
export type OutagePatch = Schemas['OutagePatch']
export type OutageEvent = Schemas['OutageEventPublic']
export type OutageState = Outage['state']
export type Utility = OutageBody['utility']
export type OutageKind = OutageBody['kind']
export type LiveOutage = Schemas['LiveOutagePublic']
export type Suggestion = Schemas['SuggestionPublic']
export type AcceptBody = Schemas['AcceptIn']
export type NoticeCall = Schemas['NoticeCallPublic']
export type NoticeResult = Schemas['NoticeResultIn']['result']
export type Audience = Schemas['Audience']
export type Announcement = Schemas['AnnouncementPublic']

export async function listOutages(query: Query<'outages-list'> = {}): Promise<Outage[]> {
  return (await unwrap(api.GET('/api/v1/outages', { params: { query } }))).items
}

export function getOutage(id: number): Promise<OutageDetail> {
  return unwrap(api.GET('/api/v1/outages/{outage_id}', { params: { path: { outage_id: id } } }))
}

export function createOutage(body: OutageBody): Promise<OutageDetail> {
  return unwrap(api.POST('/api/v1/outages', { body }))
}

/** ETA, cause, scope, areas (a new ETA reaches the IVR, the screen pop and the preset answer at once). */
export function updateOutage(id: number, body: OutagePatch): Promise<OutageDetail> {
  return unwrap(api.PATCH('/api/v1/outages/{outage_id}', { params: { path: { outage_id: id } }, body }))
}

export function activateOutage(id: number, note = ''): Promise<OutageDetail> {
  return unwrap(api.POST('/api/v1/outages/{outage_id}/activate', { params: { path: { outage_id: id } }, body: { note } }))
}

/** Supply is back: every merged report is resolved with `result`. */
export function restoreOutage(id: number, result: string, endedAt?: string | null): Promise<OutageDetail> {
  return unwrap(api.POST('/api/v1/outages/{outage_id}/restore', {
    params: { path: { outage_id: id } }, body: { result, ended_at: endedAt || null },
  }))
}

export function closeOutage(id: number, note = ''): Promise<OutageDetail> {
  return unwrap(api.POST('/api/v1/outages/{outage_id}/close', { params: { path: { outage_id: id } }, body: { note } }))
}

export function cancelOutage(id: number, reason: string): Promise<OutageDetail> {
  return unwrap(api.POST('/api/v1/outages/{outage_id}/cancel', { params: { path: { outage_id: id } }, body: { reason } }))
}

/** The live outages (announced or active) of an area, each with the preset answer the agent reads. */
export async function liveOutages(areaId: number): Promise<LiveOutage[]> {
  return (await unwrap(api.GET('/api/v1/outages/live', { params: { query: { area_id: areaId } } }))).items
}

// ---------------------------------------------------------------- 故障研判

export async function listSuggestions(): Promise<Suggestion[]> {
  return (await unwrap(api.GET('/api/v1/outage-suggestions', { params: { query: { state: 'open' } } }))).items
}

export function acceptSuggestion(id: number, body: AcceptBody): Promise<Schemas['AcceptedPublic']> {
  return unwrap(api.POST('/api/v1/outage-suggestions/{suggestion_id}/accept', {
    params: { path: { suggestion_id: id } }, body,
  }))
}

export function dismissSuggestion(id: number): Promise<Suggestion> {
  return unwrap(api.POST('/api/v1/outage-suggestions/{suggestion_id}/dismiss', { params: { path: { suggestion_id: id } } }))
}

// ---------------------------------------------------------------- 主动服务

export async function outageCalls(id: number): Promise<NoticeCall[]> {
  return (await unwrap(api.GET('/api/v1/outages/{outage_id}/calls', { params: { path: { outage_id: id } } }))).items
}

export async function myOutageCalls(): Promise<NoticeCall[]> {
  return (await unwrap(api.GET('/api/v1/outage-calls/mine'))).items
}

export function recordOutageCall(id: number, result: NoticeResult, note = ''): Promise<NoticeCall> {
  return unwrap(api.POST('/api/v1/outage-calls/{call_id}', { params: { path: { call_id: id } }, body: { result, note } }))
}

// ---------------------------------------------------------------- 一对多公告

export async function countAudience(audience: Audience): Promise<number> {
  return (await unwrap(api.POST('/api/v1/announcements/count', { body: audience }))).customers
}

export const CHANNELS = ['sms', 'wechat'] as const
export type Channel = (typeof CHANNELS)[number]

export function announce(audience: Audience, text: string, channels: Channel[] = ['sms']): Promise<Announcement> {
  return unwrap(api.POST('/api/v1/announcements', { body: { audience, text, channels } }))
}

export async function listAnnouncements(): Promise<Announcement[]> {
  return (await unwrap(api.GET('/api/v1/announcements'))).items
}
