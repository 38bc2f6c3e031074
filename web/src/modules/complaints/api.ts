// Complaints' API: the verdict (定责) on a complaint order, its history, the root causes, and the staff of the
// responsible unit (the org API's people list); typed by the generated OpenAPI schema.
import { api, unwrap, type Schemas, type WorkOrderDetail } from '@/api/client'

export type Complaint = Schemas['ComplaintView']
export type VerdictBody = Schemas['VerdictIn']
export type Verdict = Schemas['VerdictPublic']
export type RootCause = Schemas['RootCausePublic']
export type Staff = Schemas['StaffPublic']

/** 定责 (or, once one is given, 复核 with `review_reason`): the order as the server now has it. */
export function giveVerdict(orderId: number, body: VerdictBody): Promise<WorkOrderDetail> {
  return unwrap(api.POST('/api/v1/work-orders/{order_id}/verdict', { params: { path: { order_id: orderId } }, body }))
}

/** Every verdict given on the complaint, the first first. */
export async function listVerdicts(orderId: number): Promise<Verdict[]> {
  const page = await unwrap(api.GET('/api/v1/work-orders/{order_id}/verdicts', { params: { path: { order_id: orderId } } }))
  return page.items
}

let causes: Promise<RootCause[]> | null = null
/** The active root causes (原因分类), loaded once per page load. */
export function listRootCauses(): Promise<RootCause[]> {
  if (!causes) {
    causes = unwrap(api.GET('/api/v1/complaints/root-causes')).then((page) => page.items)
    causes.catch(() => (causes = null))
  }
  return causes
}

/** A unit's active people (抄表员, 维修工, 负责人 …), by name. */
export async function listUnitStaff(unitId: number): Promise<Staff[]> {
  const page = await unwrap(api.GET('/api/v1/staff', { params: { query: { unit_id: unitId } } }))
  return page.items
}
