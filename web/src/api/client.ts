// The typed API client, the one way the web app talks to the server (each feature module's api.ts calls it).
// Paths, parameters and bodies come from generated/schema.ts, which scripts/gen-api.mjs writes from the
// server's OpenAPI document: a changed endpoint fails `npm run typecheck`, not a user.
import createClient, { type Middleware } from 'openapi-fetch'
import type { components, operations, paths } from './generated/schema'
import { describeProblem } from './problem'

export type Schemas = components['schemas']
/** The query parameters of an operation, by its OpenAPI operation id ("notifications-list"). */
export type Query<Op extends keyof operations> = NonNullable<operations[Op]['parameters']['query']>
export type WorkOrder = Schemas['WorkOrderPublic']
export type WorkOrderDetail = Schemas['WorkOrderDetail']
export type Customer = Schemas['CustomerPublic']
export type Category = Schemas['CategoryPublic']
export type Unit = Schemas['UnitPublic']
export type User = Schemas['UserPublic']

/** An error the API answered with (problem+json), or a network failure (status 0). Its `message` is what the
 *  user reads, in the app's language (api/problem.ts); `detail` is the server's own English sentence, `code` the
 *  error's stable name ("self.code_wrong"), when it has one. */
export class ApiError extends Error {
  readonly status: number
  readonly title: string
  readonly detail: string
  readonly code: string
  readonly body: Record<string, unknown>

  constructor(status: number, body: Record<string, unknown>) {
    super(describeProblem(status, body))
    this.status = status
    this.title = typeof body.title === 'string' ? body.title : `HTTP ${status}`
    this.detail = typeof body.detail === 'string' ? body.detail : ''
    this.code = typeof body.code === 'string' ? body.code : ''
    this.body = body
  }
}

export function csrfToken(): string {
  const match = document.cookie.match(/(?:^|;\s*)huiyin_csrf=([^;]+)/)
  return match ? decodeURIComponent(match[1]) : ''
}

let unauthorized: () => void = () => {}
/** Called once by the app: what to do when the session has expired (back to sign-in). */
export function onUnauthorized(handler: () => void): void {
  unauthorized = handler
}

const middleware: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const token = csrfToken()
      if (token) request.headers.set('X-CSRF-Token', token)
    }
    return request
  },
  onResponse({ request, response }) {
    if (response.status === 401 && !request.url.includes('/auth/login')) unauthorized()
    return response
  },
}

export const api = createClient<paths>({
  baseUrl: '',
  credentials: 'same-origin',
  fetch: (request) => globalThis.fetch(request), // looked up per call, so tests can stub it
})
api.use(middleware)

type Result<T> = { data?: T; error?: unknown; response: Response }

/** The data of a call, or an ApiError carrying the server's own message. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>
  try {
    result = await call
  } catch (e) {
    throw new ApiError(0, { title: 'network', detail: e instanceof Error ? e.message : String(e) })
  }
  if (!result.response.ok) {
    const body = (result.error && typeof result.error === 'object' ? result.error : {}) as Record<string, unknown>
    throw new ApiError(result.response.status, body)
  }
  return result.data as T
}

/** Upload a file with the session's CSRF token (multipart bodies are simpler with fetch itself). */
export async function upload<T>(url: string, file: File): Promise<T> {
  const form = new FormData()
  form.append('file', file)
  const response = await fetch(url, { method: 'POST', body: form, headers: { 'X-CSRF-Token': csrfToken() } })
  const body = await response.json().catch(() => ({}))
  if (response.status === 401) unauthorized()
  if (!response.ok) throw new ApiError(response.status, body)
  return body as T
}
