// 请假/代班 (AB角): absences now and planned, marking one, ending one early; the unit handlers to pick from.
import { api, unwrap, type Schemas } from '@/api/client'

export type Absence = Schemas['AbsencePublic']
export type AbsenceIn = Schemas['AbsenceIn']
export type AbsenceReason = AbsenceIn['reason']
export type UnitHandler = Schemas['HandlerPublic']

export async function listAbsences(): Promise<Absence[]> {
  return (await unwrap(api.GET('/api/v1/absences'))).items
}

export function addAbsence(body: AbsenceIn): Promise<Absence> {
  return unwrap(api.POST('/api/v1/absences', { body }))
}

/** Back early: the absence ends now. */
export function endAbsence(id: number): Promise<Absence> {
  return unwrap(api.POST('/api/v1/absences/{absence_id}/end', { params: { path: { absence_id: id } } }))
}

/** Every active unit handler with their unit and backup (for the managers who keep absences, and the admin). */
export async function listUnitHandlers(): Promise<UnitHandler[]> {
  return (await unwrap(api.GET('/api/v1/unit-handlers'))).items
}

/** GET /absences as an Excel workbook (a plain link: the browser downloads it with the session cookie). */
export const absencesExportUrl = '/api/v1/absences/export'
