// Pure helpers of the outage pages (Vitest: format.test.ts): states' colours and which changes a state allows,
// the announcement's template and audience, the notice progress as shares.
import type { Audience, OutageState, Utility } from './api'

export const OUTAGE_STATES: OutageState[] = ['announced', 'active', 'restored', 'closed', 'cancelled']
export const UTILITIES: Utility[] = ['gas', 'electricity', 'water']
export const LIVE_STATES: OutageState[] = ['announced', 'active']

type Tone = 'primary' | 'success' | 'warning' | 'danger' | 'info'
export const OUTAGE_STATE_TONES: Record<OutageState, Tone> = {
  announced: 'warning', active: 'danger', restored: 'success', closed: 'info', cancelled: 'info',
}

export type OutageChange = 'update' | 'activate' | 'restore' | 'close' | 'cancel'
/** The changes the server's transition table allows from a state (anything else is a 409). */
export function allowedChanges(state: OutageState): OutageChange[] {
  switch (state) {
    case 'announced': return ['update', 'activate', 'cancel']
    case 'active': return ['update', 'restore', 'cancel']
    case 'restored': return ['close']
    default: return []
  }
}

export const SMS_SIGNATURE = '【回音】'
export const SMS_OPT_OUT = '回TD退订'
/** An announcement's text as the page prefills it: the signature, the body, the opt-out. */
export function smsTemplate(body: string): string {
  return `${SMS_SIGNATURE}${body}${SMS_OPT_OUT}`
}
/** Whether a text carries the signature and the opt-out the SMS rules ask for. */
export function smsComplete(text: string): boolean {
  const s = text.trim()
  return s.startsWith(SMS_SIGNATURE) && s.endsWith(SMS_OPT_OUT)
}
/** An SMS's length in billed parts (70 characters for one, 67 each when split). */
export function smsParts(text: string): number {
  const n = [...text].length
  return n <= 70 ? 1 : Math.ceil(n / 67)
}

export type AudienceKind = 'areas' | 'tag' | 'outage'
export interface AudienceForm { kind: AudienceKind; areaIds: number[]; tag: string; outageId: number | null }
/** The API's audience (exactly one of areas, a tag, an outage), or null while the chosen one is empty. */
export function audienceOf(f: AudienceForm): Audience | null {
  if (f.kind === 'areas') return f.areaIds.length ? { area_ids: [...f.areaIds] } : null
  if (f.kind === 'tag') return f.tag ? { tag: f.tag as NonNullable<Audience['tag']> } : null
  return f.outageId ? { outage_id: f.outageId } : null
}

/** A share of the call list in whole percent (0 for an empty list). */
export function percent(part: number, total: number): number {
  return total > 0 ? Math.round((part / total) * 100) : 0
}
