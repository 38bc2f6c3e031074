// Loaders shared by the admin pages.
import { api, unwrap, type Unit } from '@/api/client'

export async function loadUnits(): Promise<Unit[]> {
  return (await unwrap(api.GET('/api/v1/units'))).items
}
