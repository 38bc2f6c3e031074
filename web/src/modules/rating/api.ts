// The customer's rating page (/r/:token, no sign-in): a plain fetch, not the app's client, so no answer here
// (404, 410, or a 401 from anything) ever reaches the session's "back to sign-in" handler.
import { ApiError, type Schemas } from '@/api/client'

export type RateLink = Schemas['LinkPublic']
export type RateBody = Schemas['LinkRatingIn']

async function call(token: string, init?: RequestInit): Promise<RateLink> {
  let response: Response
  try {
    response = await fetch(`/api/v1/rate/${encodeURIComponent(token)}`, {
      credentials: 'omit',
      headers: { Accept: 'application/json', ...(init?.body ? { 'Content-Type': 'application/json' } : {}) },
      ...init,
    })
  } catch (e) {
    throw new ApiError(0, { title: 'network', detail: e instanceof Error ? e.message : String(e) })
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>
  if (!response.ok) throw new ApiError(response.status, body)
  return body as unknown as RateLink
}

/** What the link is about, and whether it has been rated. */
export function loadRateLink(token: string): Promise<RateLink> {
  return call(token)
}

/** The customer's rating; the first one stands (a second answer is the first rating). */
export function submitRating(token: string, body: RateBody): Promise<RateLink> {
  return call(token, { method: 'POST', body: JSON.stringify(body) })
}
