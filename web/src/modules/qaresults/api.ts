// The manual quality inspection's results side (huiyin/quality/api.py): the evaluations (an agent's own, or a
// month's for QA and managers), the agent's appeal and the lead's decision, the monthly results per agent, and
// QA's rule table (thresholds, phrase lists, 试一试) with the QA forms.
import { api, unwrap, type Query, type Schemas } from '@/api/client'

export type Evaluation = Schemas['EvaluationPublic']
export type ScoredItem = Schemas['ScoredItem']
export type Appeal = Schemas['AppealPublic']
export type QaForm = Schemas['QaFormPublic']
export type FormItem = Schemas['FormItem']
export type AgentResult = Schemas['AgentResult']
export type Rules = Schemas['RulesPublic']
export type Threshold = Schemas['Threshold']
export type Phrase = Schemas['PhrasePublic']
export type PhraseKind = Schemas['PhraseIn']['kind']
export type Severity = Schemas['PhraseIn']['severity']
export type TextHit = Schemas['TextHit']
export type AppealItemIn = Schemas['AppealItem']
export type DecisionItemIn = Schemas['DecisionItem']
export type EvaluationQuery = Query<'quality-evaluations'>
export type EvaluationState = Evaluation['state']

/** Evaluations, newest first (an agent: only their own, whatever the query says). */
export function loadEvaluations(query: EvaluationQuery): Promise<Evaluation[]> {
  return unwrap(api.GET('/api/v1/quality/evaluations', { params: { query } }))
}

export function loadEvaluation(id: number): Promise<Evaluation> {
  return unwrap(api.GET('/api/v1/quality/evaluations/{evaluation_pk}', { params: { path: { evaluation_pk: id } } }))
}

/** A form by id (any version: an evaluation keeps the one it was scored on). */
export function loadForm(id: number): Promise<QaForm> {
  return unwrap(api.GET('/api/v1/quality/forms/{form_pk}', { params: { path: { form_pk: id } } }))
}

/** The current form of each code; `everyVersion`: the earlier versions too. */
export function loadForms(everyVersion = false): Promise<QaForm[]> {
  return unwrap(api.GET('/api/v1/quality/forms', { params: { query: { every_version: everyVersion } } }))
}

/** Saves the next version of a form, which becomes current for its code (422: points not adding up to 100 …). */
export function saveForm(body: Schemas['QaFormIn']): Promise<QaForm> {
  return unwrap(api.POST('/api/v1/quality/forms', { body }))
}

/** The agent appeals items of their evaluation, each with a reason (409: window closed, appealed already). */
export function appealEvaluation(id: number, items: AppealItemIn[]): Promise<Appeal> {
  return unwrap(api.POST('/api/v1/quality/evaluations/{evaluation_pk}/appeal', {
    params: { path: { evaluation_pk: id } }, body: { items },
  }))
}

/** Appeals of a state, oldest first (an agent: their own). */
export function loadAppeals(state: 'open' | 'decided', limit = 200): Promise<Appeal[]> {
  return unwrap(api.GET('/api/v1/quality/appeals', { params: { query: { state, limit } } }))
}

/** A lead decides an appeal (403 for the inspector who scored it); the evaluation as it now stands. */
export function decideAppeal(id: number, items: DecisionItemIn[], note: string): Promise<Evaluation> {
  return unwrap(api.POST('/api/v1/quality/appeals/{appeal_pk}/decide', {
    params: { path: { appeal_pk: id } }, body: { items, note },
  }))
}

/** The month's results per agent (an agent: their own). */
export function loadResults(month: string): Promise<AgentResult[]> {
  return unwrap(api.GET('/api/v1/quality/results', { params: { query: { month } } }))
}

export function loadRules(): Promise<Rules> {
  return unwrap(api.GET('/api/v1/quality/rules'))
}

export function saveThresholds(values: Record<string, number>): Promise<Rules> {
  return unwrap(api.PUT('/api/v1/quality/rules/thresholds', { body: { values } }))
}

export function addPhrase(kind: PhraseKind, text: string, severity: Severity): Promise<Phrase> {
  return unwrap(api.POST('/api/v1/quality/phrases', { body: { kind, text, severity } }))
}

export function setPhraseActive(id: number, active: boolean): Promise<Phrase> {
  return unwrap(api.PATCH('/api/v1/quality/phrases/{phrase_pk}', { params: { path: { phrase_pk: id } }, body: { active } }))
}

/** A text through the phrase rules: its hits and hints with where they sit. */
export function checkText(text: string): Promise<TextHit[]> {
  return unwrap(api.POST('/api/v1/quality/phrases/check', { body: { text } })).then((r) => r.hits)
}
