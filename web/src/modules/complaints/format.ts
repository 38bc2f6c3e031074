// The verdict form's rules, pure (Vitest): who may judge now, what the form still lacks, the request body.
import type { VerdictStage, VerdictValidity } from '@/utils/enums'
import { GATES, passes } from '@/utils/roles'
import { isoToWall, wallToIso } from '@/utils/time'
import type { Complaint, VerdictBody } from './api'

/** What the user may do with the complaint's verdict: give the first, review the one given, or nothing. */
export type JudgeMode = 'first' | 'review' | null

export function judgeMode(complaint: Pick<Complaint, 'validity'>, roles: ReadonlySet<string>): JudgeMode {
  if (complaint.validity === null) return passes(GATES.firstVerdict, roles) ? 'first' : null
  return passes(GATES.reviewVerdict, roles) ? 'review' : null
}

export interface VerdictForm {
  validity: VerdictValidity | ''
  reason: string
  stage: VerdictStage | ''
  unitId: number | null
  staffIds: number[]
  rootCause: string
  action: string
  /** wall-clock time in the centre, "YYYY-MM-DD HH:mm:ss", or '' */
  actionDue: string
  /** who carries the action out (none: the server names the unit's head) */
  actionOwnerId: number | null
  reviewReason: string
}

export function emptyForm(): VerdictForm {
  return {
    validity: '', reason: '', stage: '', unitId: null, staffIds: [], rootCause: '', action: '', actionDue: '',
    actionOwnerId: null, reviewReason: '',
  }
}

/** The form filled from the verdict in force (a review starts from it), or for a first one from the order's unit. */
export function formFrom(c: Complaint, orderUnitId: number | null, now: number = Date.now()): VerdictForm {
  if (c.validity === null) return { ...emptyForm(), unitId: orderUnitId }
  return {
    validity: c.validity,
    reason: c.reason ?? '',
    stage: (c.stage ?? '') as VerdictStage | '',
    unitId: c.responsible_unit_id,
    staffIds: [...c.responsible_staff_ids],
    rootCause: c.root_cause ?? '',
    action: c.action ?? '',
    actionDue: c.action_due && new Date(c.action_due).getTime() > now ? isoToWall(c.action_due) : '',
    actionOwnerId: c.action_owner_id ?? null,
    reviewReason: '',
  }
}

/** The first thing the form lacks, as a `complaint.form.*` key, or '' when it can be sent. */
export function verdictProblem(f: VerdictForm, reviewing: boolean, now: number = Date.now()): string {
  if (!f.validity) return 'complaint.form.needValidity'
  if (!f.stage) return 'complaint.form.needStage'
  if (!f.rootCause) return 'complaint.form.needRootCause'
  if (f.validity === 'valid' && !f.unitId) return 'complaint.form.needUnit'
  if (f.validity === 'invalid' && !f.reason.trim()) return 'complaint.form.needReason'
  const action = f.action.trim()
  if (!action && (f.actionDue || f.actionOwnerId)) return 'complaint.form.needAction'
  if (action && !f.actionDue) return 'complaint.form.needDue'
  if (f.actionDue && new Date(wallToIso(f.actionDue)).getTime() <= now) return 'complaint.form.needFutureDue'
  if (reviewing && !f.reviewReason.trim()) return 'complaint.form.needReviewReason'
  return ''
}

/** The body of POST /work-orders/{id}/verdict (call only when `verdictProblem` is ''). */
export function verdictBody(f: VerdictForm, reviewing: boolean): VerdictBody {
  const text = (s: string) => s.trim() || undefined
  const valid = f.validity === 'valid'
  return {
    validity: f.validity as VerdictValidity,
    reason: text(f.reason),
    stage: f.stage as VerdictStage,
    responsible_unit_id: f.unitId ?? undefined,
    responsible_staff_ids: valid ? [...f.staffIds] : [],
    root_cause: f.rootCause,
    action: text(f.action),
    action_due: f.actionDue ? wallToIso(f.actionDue) : undefined,
    action_owner_id: f.action.trim() && f.actionOwnerId ? f.actionOwnerId : undefined,
    review_reason: reviewing ? text(f.reviewReason) : undefined,
  }
}

/** A root cause's name in the reader's language: the locale's, else the server's (an admin may add codes). */
export function rootCauseName(
  code: string | null | undefined, names: ReadonlyMap<string, string>, translate: (code: string) => string | null,
): string {
  if (!code) return ''
  return translate(code) ?? names.get(code) ?? code
}
