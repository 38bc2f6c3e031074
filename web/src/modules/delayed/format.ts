// Pure helpers of the delayed survey: the page state an error means, the answers' body, how an answer reads,
// the questionnaire editor's checks, a share as a percentage.
import type { Answers, Question } from './api'

export const RESULTS = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const
export type SurveyResult = (typeof RESULTS)[number]
export const KINDS = ['result', 'score', 'yesno', 'text'] as const
export type QuestionKind = (typeof KINDS)[number]
export const TEXT_MAX = 500

export type FailState = 'invalid' | 'expired' | 'closed' | 'retry'

/** A failed load or answer as the page shows it: 404 invalid, 410 expired, 409 answered or closed, else retry. */
export function failState(status: number | undefined): FailState {
  if (status === 404) return 'invalid'
  if (status === 410) return 'expired'
  if (status === 409) return 'closed'
  return 'retry'
}

export type Draft = Record<string, string | number | boolean | null>

/** The keys of required questions left unanswered. */
export function missingAnswers(questions: readonly Question[], draft: Draft): string[] {
  return questions
    .filter((q) => q.required !== false)
    .filter((q) => {
      const v = draft[q.key]
      return v === undefined || v === null || v === '' || (q.kind === 'score' && v === 0)
        || (q.kind === 'text' && typeof v === 'string' && !v.trim())
    })
    .map((q) => q.key)
}

/** The POST body's answers: each question's value of its kind; blanks (and a 0 score) left out. */
export function answersBody(questions: readonly Question[], draft: Draft): Answers {
  const out: Answers = {}
  for (const q of questions) {
    const v = draft[q.key]
    if (q.kind === 'result' && typeof v === 'string' && (RESULTS as readonly string[]).includes(v)) out[q.key] = v
    else if (q.kind === 'score' && typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 5) out[q.key] = v
    else if (q.kind === 'yesno' && typeof v === 'boolean') out[q.key] = v
    else if (q.kind === 'text' && typeof v === 'string' && v.trim()) out[q.key] = v.trim().slice(0, TEXT_MAX)
  }
  return out
}

type T = (key: string, params?: Record<string, unknown>) => string

/** An answer as a line in the reader's language. */
export function answerText(kind: string, value: unknown, t: T): string {
  if (value === null || value === undefined || value === '') return '—'
  if (kind === 'result' && typeof value === 'string' && (RESULTS as readonly string[]).includes(value)) {
    return t(`delayed.result.${value}`)
  }
  if (kind === 'yesno' && typeof value === 'boolean') return t(value ? 'delayed.yes' : 'delayed.no')
  if (kind === 'score' && typeof value === 'number') return t('delayed.scoreOf', { n: value })
  return String(value)
}

/** 0.25 → "25%" (one decimal when needed); null → "—". */
export function percent(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—'
  const p = Math.round(value * 1000) / 10
  return `${p}%`
}

export interface QuestionDraft {
  key: string
  kind: QuestionKind
  text: string
  required: boolean
  handler: boolean
}

export const KEY_PATTERN = /^[a-z][a-z0-9_]*$/

/** The editor's problems, as i18n keys (empty: it may be saved): 3–6 questions, keys unique and well formed,
 *  texts given, an `overall` question of kind `result` (the order's delayed rating). */
export function questionnaireProblems(name: string, questions: readonly QuestionDraft[]): string[] {
  const out: string[] = []
  if (!name.trim()) out.push('delayed.editor.nameRequired')
  if (questions.length < 3 || questions.length > 6) out.push('delayed.editor.count')
  const keys = questions.map((q) => q.key.trim())
  if (keys.some((k) => !KEY_PATTERN.test(k) || k.length > 32)) out.push('delayed.editor.keyRule')
  if (new Set(keys).size !== keys.length) out.push('delayed.editor.keyUnique')
  if (questions.some((q) => !q.text.trim())) out.push('delayed.editor.textRequired')
  if (!questions.some((q) => q.key.trim() === 'overall' && q.kind === 'result')) out.push('delayed.editor.overall')
  return out
}

/** The editor's rows as the POST's questions. */
export function questionsBody(questions: readonly QuestionDraft[]): Question[] {
  return questions.map((q) => ({
    key: q.key.trim(), kind: q.kind, text: q.text.trim(), required: q.required,
    ...(q.handler ? { about: 'handler' as const } : {}),
  }))
}

export function toDraft(q: Question): QuestionDraft {
  return { key: q.key, kind: q.kind, text: q.text, required: q.required !== false, handler: q.about === 'handler' }
}
