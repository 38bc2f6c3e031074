import { describe, expect, it } from 'vitest'
import type { Complaint } from './api'
import { emptyForm, formFrom, judgeMode, rootCauseName, verdictBody, verdictProblem, type VerdictForm } from './format'

const pending: Complaint = {
  grade: 'major', source: 'hotline', stage: null, validity: null, reason: null, responsible_unit_id: null,
  responsible_staff_ids: [], joint_head_id: null, root_cause: null, action: null, action_due: null, repeat_of: null,
  verdict_at: null, verdict_version: 0,
  action_owner_id: null, action_done_at: null, action_result: null,
}
const judged: Complaint = {
  ...pending, stage: 'repair', validity: 'valid', responsible_unit_id: 7, responsible_staff_ids: [3, 4],
  joint_head_id: 9, root_cause: 'attitude', action: '培训', action_due: '2030-01-02T09:00:00+08:00',
  verdict_at: '2026-01-01T08:00:00+08:00', verdict_version: 1,
}
const NOW = new Date('2026-06-01T00:00:00+08:00').getTime()
const valid = (over: Partial<VerdictForm> = {}): VerdictForm => ({
  ...emptyForm(), validity: 'valid', stage: 'repair', rootCause: 'attitude', unitId: 7, staffIds: [3], ...over,
})

describe('who may judge a complaint', () => {
  it('lets the unit and managers give the first verdict, only a supervisor or director change it', () => {
    expect(judgeMode(pending, new Set(['unit_handler']))).toBe('first')
    expect(judgeMode(pending, new Set(['duty_manager']))).toBe('first')
    expect(judgeMode(pending, new Set(['agent']))).toBeNull()
    expect(judgeMode(judged, new Set(['duty_manager']))).toBeNull()
    expect(judgeMode(judged, new Set(['unit_handler']))).toBeNull()
    expect(judgeMode(judged, new Set(['supervisor']))).toBe('review')
    expect(judgeMode(judged, new Set(['director']))).toBe('review')
  })
})

describe('the verdict form', () => {
  it('starts a first verdict from the order unit and a review from the verdict in force', () => {
    expect(formFrom(pending, 5, NOW)).toEqual({ ...emptyForm(), unitId: 5 })
    const review = formFrom(judged, 5, NOW)
    expect(review).toMatchObject({ validity: 'valid', stage: 'repair', unitId: 7, staffIds: [3, 4], rootCause: 'attitude' })
    expect(formFrom({ ...judged, action_owner_id: 9 }, 5, NOW).actionOwnerId).toBe(9)
    expect(review.actionDue).toBe('2030-01-02 09:00:00')
    expect(review.reviewReason).toBe('')
  })

  it('says what is missing, in order', () => {
    expect(verdictProblem(emptyForm(), false, NOW)).toBe('complaint.form.needValidity')
    expect(verdictProblem(valid({ stage: '' }), false, NOW)).toBe('complaint.form.needStage')
    expect(verdictProblem(valid({ rootCause: '' }), false, NOW)).toBe('complaint.form.needRootCause')
    expect(verdictProblem(valid({ unitId: null }), false, NOW)).toBe('complaint.form.needUnit')
    expect(verdictProblem(valid({ validity: 'invalid', unitId: null }), false, NOW)).toBe('complaint.form.needReason')
    expect(verdictProblem(valid({ validity: 'invalid', unitId: null, reason: '录音证实' }), false, NOW)).toBe('')
    expect(verdictProblem(valid({ actionDue: '2026-07-01 09:00:00' }), false, NOW)).toBe('complaint.form.needAction')
    expect(verdictProblem(valid({ actionOwnerId: 3 }), false, NOW)).toBe('complaint.form.needAction')
    expect(verdictProblem(valid({ action: '培训' }), false, NOW)).toBe('complaint.form.needDue')
    expect(verdictProblem(valid({ action: '培训', actionDue: '2026-05-01 09:00:00' }), false, NOW))
      .toBe('complaint.form.needFutureDue')
    expect(verdictProblem(valid(), true, NOW)).toBe('complaint.form.needReviewReason')
    expect(verdictProblem(valid({ reviewReason: '复核录音' }), true, NOW)).toBe('')
  })

  it('builds the body: staff only for a valid complaint, the due time in the centre zone, a reason only in a review', () => {
    expect(verdictBody(valid({ action: ' 培训 ', actionDue: '2026-07-01 09:00:00', reviewReason: 'x' }), false)).toEqual({
      validity: 'valid', reason: undefined, stage: 'repair', responsible_unit_id: 7, responsible_staff_ids: [3],
      root_cause: 'attitude', action: '培训', action_due: '2026-07-01T09:00:00+08:00', action_owner_id: undefined,
      review_reason: undefined,
    })
    expect(verdictBody(valid({ action: '培训', actionDue: '2026-07-01 09:00:00', actionOwnerId: 4 }), false).action_owner_id)
      .toBe(4)
    const invalid = verdictBody(valid({ validity: 'invalid', reason: '客户误解', reviewReason: '复核录音' }), true)
    expect(invalid.responsible_staff_ids).toEqual([])
    expect(invalid.review_reason).toBe('复核录音')
    expect(invalid.reason).toBe('客户误解')
  })

  it('names a root cause in the reader language, else as the server does', () => {
    const names = new Map([['attitude', '服务态度'], ['new_one', '新原因']])
    const en = (code: string) => (code === 'attitude' ? 'Attitude' : null)
    expect(rootCauseName('attitude', names, en)).toBe('Attitude')
    expect(rootCauseName('new_one', names, en)).toBe('新原因')
    expect(rootCauseName('gone', names, en)).toBe('gone')
    expect(rootCauseName(null, names, en)).toBe('')
  })
})
