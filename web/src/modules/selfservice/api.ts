// The customers' self-service site (/m): its own calls, with the customer's token in X-Self-Token, never the
// staff session's cookie (credentials: 'omit'). A plain fetch like the rating page's, so that no answer here
// reaches the staff app's "back to sign-in" handler; a 401 here clears the customer's token and calls the
// site's own handler (back to /m/login).
import { ApiError, type Schemas } from '@/api/client'
import type { RateResult } from './format'

export type SelfMe = Schemas['SelfMe']
export type SelfLogin = Schemas['LoginOut']
export type SelfCode = Schemas['CodeOut']
export type SelfOrder = Schemas['SelfOrder']
export type SelfOrderDetail = Schemas['SelfOrderDetail']
export type SelfOutage = Schemas['SelfOutage']
export type SelfChat = Schemas['SelfChat']
export type SelfMessage = Schemas['SelfMessage']
export type SelfReport = Schemas['ReportOut']
export type KbHit = Schemas['KbHit']
export type KbArticle = Schemas['KbPublicArticle']

export const TOKEN_KEY = 'huiyin.self.token'

export function savedToken(): string {
  try {
    return localStorage.getItem(TOKEN_KEY) ?? ''
  } catch {
    return ''
  }
}

export function saveToken(token: string): void {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token)
    else localStorage.removeItem(TOKEN_KEY)
  } catch {
    // private mode: the token lives as long as the page
  }
}

let expired: () => void = () => {}
/** What to do when the customer's token is no longer good (the site sends them to /m/login). */
export function onSelfExpired(handler: () => void): void {
  expired = handler
}

interface CallOptions {
  method?: string
  json?: unknown
  form?: FormData
  /** no token sent (sign-in, the public FAQ) and a 401 is an answer, not an expired session */
  open?: boolean
}

async function call<T>(path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  const token = options.open ? '' : savedToken()
  if (token) headers['X-Self-Token'] = token
  let body: BodyInit | undefined
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.json)
  } else if (options.form) {
    body = options.form
  }
  let response: Response
  try {
    response = await fetch(`/api/v1${path}`, { method: options.method ?? 'GET', credentials: 'omit', headers, body })
  } catch (e) {
    throw new ApiError(0, { title: 'network', detail: e instanceof Error ? e.message : String(e) })
  }
  const data = response.status === 204 ? {} : ((await response.json().catch(() => ({}))) as Record<string, unknown>)
  if (!response.ok) {
    if (response.status === 401 && !options.open) {
      saveToken('')
      expired()
    }
    throw new ApiError(response.status, data)
  }
  return data as T
}

// ---------------------------------------------------------------- sign-in

export function sendCode(phone: string): Promise<SelfCode> {
  return call('/self/code', { method: 'POST', json: { phone }, open: true })
}

export function login(phone: string, code: string): Promise<SelfLogin> {
  return call('/self/login', { method: 'POST', json: { phone, code }, open: true })
}

export function loadMe(): Promise<SelfMe> {
  return call('/self/me')
}

export function logout(): Promise<unknown> {
  return call('/self/logout', { method: 'POST' })
}

// ---------------------------------------------------------------- orders, reports, outages

export function listOrders(): Promise<SelfOrder[]> {
  return call('/self/orders')
}

export function loadOrder(id: number): Promise<SelfOrderDetail> {
  return call(`/self/orders/${id}`)
}

export function rateOrder(id: number, body: { result: RateResult; comment?: string }): Promise<unknown> {
  return call(`/self/orders/${id}/rate`, { method: 'POST', json: body })
}

/** Reports a repair: the fields of format.reportFields and up to six photos (multipart). */
export function sendReport(fields: [string, string][], photos: readonly Blob[]): Promise<SelfReport> {
  const form = new FormData()
  for (const [k, v] of fields) form.append(k, v)
  photos.forEach((p, i) => form.append('photos', p, p instanceof File ? p.name : `photo-${i + 1}.jpg`))
  return call('/self/reports', { method: 'POST', form })
}

export function listOutages(): Promise<SelfOutage[]> {
  return call('/self/outages')
}

// ---------------------------------------------------------------- chat (the socket is in composables/useChat.ts)

export function loadChat(after = 0): Promise<SelfChat> {
  return call(`/self/chat?after=${after}`)
}

export function sendChat(text: string, id: string, after = 0): Promise<SelfChat> {
  return call(`/self/chat?after=${after}`, { method: 'POST', json: { text, id } })
}

// ---------------------------------------------------------------- the public FAQ (no sign-in)

export function searchFaq(q: string): Promise<{ items: KbHit[] }> {
  return call(`/kb/public/search?q=${encodeURIComponent(q)}`, { open: true })
}

export function loadArticle(id: number): Promise<KbArticle> {
  return call(`/kb/public/articles/${id}`, { open: true })
}
