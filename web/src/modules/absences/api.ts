// 请假/代班 (AB角): absences now and planned, marking one, ending one early; the user list (admin only) to pick from.
import { api, unwrap, type Schemas, type User } from '@/api/client'

export type Absence = Schemas['AbsencePublic']
export type AbsenceIn = Schemas['AbsenceIn']
export type AbsenceReason = AbsenceIn['reason']

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

/** The unit handlers (GET /users is the admin's alone). */
export async function listUnitHandlers(): Promise<User[]> {
  return (await unwrap(api.GET('/api/v1/users', { params: { query: { role: 'unit_handler' } } }))).items
}
