// Pure helpers of the rating page: the three results and the page state an error means.

export const RESULTS = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const
export type RateResult = (typeof RESULTS)[number]

export function isResult(value: unknown): value is RateResult {
  return typeof value === 'string' && (RESULTS as readonly string[]).includes(value)
}

/** The i18n key of a result's label (rateLink.result.*); an unknown value gets the generic "rated". */
export function resultKey(value: string | null | undefined): string {
  return isResult(value) ? `rateLink.result.${value}` : 'rateLink.result.unknown'
}

export type FailState = 'invalid' | 'expired' | 'retry'

/** A failed load or submit as the page shows it: 404 (forged, altered) invalid, 410 expired, anything else retry. */
export function failState(status: number | undefined): FailState {
  if (status === 404) return 'invalid'
  if (status === 410) return 'expired'
  return 'retry'
}

export const COMMENT_MAX = 500

/** The POST body: the result, the score only if given (1–5), the comment only if not blank (trimmed, ≤ 500). */
export function rateBody(result: RateResult, score: number, comment: string) {
  const body: { result: RateResult; score?: number; comment?: string } = { result }
  if (Number.isInteger(score) && score >= 1 && score <= 5) body.score = score
  const text = comment.trim().slice(0, COMMENT_MAX)
  if (text) body.comment = text
  return body
}
