// 专家求助's API (issue 18): a support order registered by the signed-in field worker (the one type a unit handler
// may register; a dispatch rule sends SP-FIELD to the experts' unit) and the worker's own requests with their answers
// (everyone sees the orders they registered); typed by the generated OpenAPI schema.
import { api, unwrap, type WorkOrder, type WorkOrderDetail } from '@/api/client'
import type { SupportCategory } from './format'

export type SupportOrder = WorkOrder

/** The newest requests listed (a field worker's week holds far fewer). */
export const LIST_SIZE = 50

export interface Ask {
  category: SupportCategory
  description: string
  phone: string
}

/** Asks the experts: a support order by phone, the worker's number to call back. */
export function askExperts(ask: Ask): Promise<WorkOrderDetail> {
  return unwrap(api.POST('/api/v1/work-orders', {
    body: {
      type: 'support', category: ask.category, description: ask.description, channel: 'phone',
      contact_phone: ask.phone, close_on_spot: false,
    },
  }))
}

/** The requests `ownerId` registered, newest first, and how many there are in all. */
export async function myRequests(ownerId: number): Promise<{ items: SupportOrder[]; total: number }> {
  const page = await unwrap(api.GET('/api/v1/work-orders', {
    params: { query: { owner_agent_id: ownerId, type: 'support', sort: '-created_at', page_size: LIST_SIZE } },
  }))
  return { items: page.items, total: page.total }
}
