// 质检's API (manual quality inspection, docs/quality.md): the inspector's samples (GET /quality/samples), drawing
// them now and the sampling plan (leads), the workbench's contact (GET /quality/contacts/{id}: everything of one
// call; GET /quality/conversations/{id}: of a written conversation), evaluations (POST /quality/evaluations) and calibrations (blind scoring by two or more inspectors).
import { api, unwrap, type Query, type Schemas } from '@/api/client'

export type Sample = Schemas['SamplePublic']
export type SamplingPlan = Schemas['SamplingPlan']
export type Contact = Schemas['ContactPublic']
export type ChatContact = Schemas['QaConversationContact']
export type QaChatLine = Schemas['QaChatLine']
export type QaChatFlag = Schemas['QaChatFlag']
export type QaForm = Schemas['QaFormPublic']
export type FormItem = Schemas['FormItem']
export type Analysis = Schemas['CallAnalysisPublic']
export type AnalysisFlag = Schemas['AnalysisFlag']
export type Segment = Schemas['Segment']
export type Evaluation = Schemas['EvaluationPublic']
export type EvaluationIn = Schemas['EvaluationIn']
export type Calibration = Schemas['CalibrationPublic']
export type SampleQuery = Query<'quality-samples'>
export type Inspector = Schemas['InspectorPublic']

/** The drawn samples of a month (an inspector's worklist: `inspector_id=<me>&state=open`), open first. */
export function loadSamples(query: SampleQuery): Promise<Sample[]> {
  return unwrap(api.GET('/api/v1/quality/samples', { params: { query } }))
}

/** Draws the month's samples now (leads): the new samples by reason. */
export async function drawSamples(month: string): Promise<Record<string, number>> {
  return (await unwrap(api.POST('/api/v1/quality/samples/draw', { body: { month } }))).drawn
}

export function loadPlan(): Promise<SamplingPlan> {
  return unwrap(api.GET('/api/v1/quality/sampling-plan'))
}

export function savePlan(body: SamplingPlan): Promise<SamplingPlan> {
  return unwrap(api.PUT('/api/v1/quality/sampling-plan', { body }))
}

/** Everything the workbench shows of a call (facts, analysis, orders, rating, the form, its evaluations). */
export function loadContact(callId: number): Promise<Contact> {
  return unwrap(api.GET('/api/v1/quality/contacts/{call_pk}', { params: { path: { call_pk: callId } } }))
}

/** Everything the workbench shows of a written conversation (transcript, waits, flags, the chat form, …). */
export function loadConversation(conversationId: number): Promise<ChatContact> {
  return unwrap(api.GET('/api/v1/quality/conversations/{conversation_pk}', {
    params: { path: { conversation_pk: conversationId } },
  }))
}

/** Scores a call (403 for one's own call; 409 for a sample or a calibration scored already). */
export function evaluate(body: EvaluationIn): Promise<Evaluation> {
  return unwrap(api.POST('/api/v1/quality/evaluations', { body }))
}

export function loadCalibrations(): Promise<Calibration[]> {
  return unwrap(api.GET('/api/v1/quality/calibrations'))
}

export function loadCalibration(id: number): Promise<Calibration> {
  return unwrap(api.GET('/api/v1/quality/calibrations/{calibration_pk}', { params: { path: { calibration_pk: id } } }))
}

export function createCalibration(body: Schemas['CalibrationIn']): Promise<Calibration> {
  return unwrap(api.POST('/api/v1/quality/calibrations', { body }))
}

/** Who scores calls: the active 质检员 and 业务主管. */
export function loadInspectors(): Promise<Inspector[]> {
  return unwrap(api.GET('/api/v1/quality/inspectors'))
}
