// The words a user reads for an error the server answered (problem+json, RFC 9457), in the app's language.
// The server names each error it raises by a stable `code` ("self.code_wrong"), with the facts it needs as
// fields of the body ("tries_left": 4); its sentences are in locales/errors/<domain>.json. An error with no
// code (yet) reads as its status in the app's language, with the server's English detail after it, so that
// nothing the server said is lost; in English, the detail itself.
import { i18n } from '@/locales'

const STANDARD = new Set(['type', 'title', 'status', 'detail', 'code', 'errors', 'instance'])

type Body = Record<string, unknown>
// vue-i18n's own types for t() with keys built at run time are too deep for the checker
const words = i18n.global as unknown as {
  t: (key: string, params?: Record<string, unknown>) => string
  te: (key: string) => boolean
  locale: { value: string }
}

function params(body: Body): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(body)) if (!STANDARD.has(k) && v !== null && typeof v !== 'object') out[k] = v
  return out
}

/** A validation error (422 `request.invalid`): its first error's own words when we have them. */
function invalid(body: Body): string | null {
  const { t, te } = words
  const first = Array.isArray(body.errors) ? (body.errors[0] as Body | undefined) : undefined
  const reason = typeof body.reason === 'string' ? body.reason : ''
  const ctx = first && typeof first.ctx === 'object' && first.ctx !== null ? (first.ctx as Body) : {}
  if (reason && te(`apiErrors.pydantic.${reason}`)) return t(`apiErrors.pydantic.${reason}`, { ...params(body), ...ctx })
  return null
}

export function describeProblem(status: number, body: Body): string {
  const { t, te, locale } = words
  const detail = typeof body.detail === 'string' ? body.detail : ''
  const code = typeof body.code === 'string' ? body.code : ''
  if (status === 0) return t('apiErrors.http.network')
  if (code === 'request.invalid') {
    const said = invalid(body)
    if (said) return said
  }
  if (code && te(`apiErrors.${code}`)) return t(`apiErrors.${code}`, params(body))
  if (locale.value === 'en') return detail || (typeof body.title === 'string' ? body.title : `HTTP ${status}`)
  const generic = te(`apiErrors.http.s${status}`) ? t(`apiErrors.http.s${status}`) : t('apiErrors.http.other', { status })
  return detail ? `${generic}：${detail}` : generic
}
