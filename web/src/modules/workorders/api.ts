// Work orders' API: the list, an order, registering one, the actions on it, its attachments, the callback
// queue, the customer look-up of the workbench, and 显示号码 (an order's contact number, a customer's numbers,
// each read audited); typed by the generated OpenAPI schema.
import {
  api, unwrap, upload, type Customer, type Query, type Schemas, type WorkOrderDetail,
} from '@/api/client'

export type OrdersPage = Schemas['WorkOrdersPublic']
export type OrderQuery = Query<'work-orders-list'>
export type Attachment = Schemas['AttachmentPublic']
export type CallbackTask = Schemas['CallbackTaskPublic']

export function listOrders(query: OrderQuery): Promise<OrdersPage> {
  return unwrap(api.GET('/api/v1/work-orders', { params: { query } }))
}

export function getOrder(id: number): Promise<WorkOrderDetail> {
  return unwrap(api.GET('/api/v1/work-orders/{order_id}', { params: { path: { order_id: id } } }))
}

/** 显示号码: the order's contact number whole (the server records who read it). */
export async function revealOrderPhone(id: number): Promise<string[]> {
  const shown = await unwrap(api.POST('/api/v1/work-orders/{order_id}/contact-phone/reveal', {
    params: { path: { order_id: id } },
  }))
  return shown.phones
}

export function registerOrder(body: Schemas['WorkOrderCreate']): Promise<WorkOrderDetail> {
  return unwrap(api.POST('/api/v1/work-orders', { body }))
}

/** Takes an action on an order (POST /work-orders/{id}/<action>); `body` is what it needs (the dialog builds it). */
export function takeAction(orderId: number, action: string, body: unknown): Promise<WorkOrderDetail> {
  const params = { path: { order_id: orderId } }
  const b = body as never
  switch (action) {
    case 'dispatch': return unwrap(api.POST('/api/v1/work-orders/{order_id}/dispatch', { params, body: b }))
    case 'accept': return unwrap(api.POST('/api/v1/work-orders/{order_id}/accept', { params, body: b }))
    case 'start': return unwrap(api.POST('/api/v1/work-orders/{order_id}/start', { params, body: b }))
    case 'suspend': return unwrap(api.POST('/api/v1/work-orders/{order_id}/suspend', { params, body: b }))
    case 'resume': return unwrap(api.POST('/api/v1/work-orders/{order_id}/resume', { params, body: b }))
    case 'return': return unwrap(api.POST('/api/v1/work-orders/{order_id}/return', { params, body: b }))
    case 'reassign': return unwrap(api.POST('/api/v1/work-orders/{order_id}/reassign', { params, body: b }))
    case 'resolve': return unwrap(api.POST('/api/v1/work-orders/{order_id}/resolve', { params, body: b }))
    case 'callback': return unwrap(api.POST('/api/v1/work-orders/{order_id}/callback', { params, body: b }))
    case 'close': return unwrap(api.POST('/api/v1/work-orders/{order_id}/close', { params, body: b }))
    case 'reopen': return unwrap(api.POST('/api/v1/work-orders/{order_id}/reopen', { params, body: b }))
    case 'urge': return unwrap(api.POST('/api/v1/work-orders/{order_id}/urge', { params, body: b }))
    case 'supervise': return unwrap(api.POST('/api/v1/work-orders/{order_id}/supervise', { params, body: b }))
    default: throw new Error(`unknown action ${action}`)
  }
}

export type FieldStaff = Schemas['StaffPublic']
const unitStaffCache = new Map<number, Promise<FieldStaff[]>>()

/** A unit's active field staff (维修工, 抄表员 …: GET /staff?unit_id=), asked once per unit and page load. */
export function unitFieldStaff(unitId: number): Promise<FieldStaff[]> {
  let people = unitStaffCache.get(unitId)
  if (!people) {
    people = unwrap(api.GET('/api/v1/staff', { params: { query: { unit_id: unitId } } })).then((page) => page.items)
    people.catch(() => unitStaffCache.delete(unitId))
    unitStaffCache.set(unitId, people)
  }
  return people
}

export function uploadAttachment(orderId: number, file: File): Promise<Attachment> {
  return upload<Attachment>(`/api/v1/work-orders/${orderId}/attachments`, file)
}

/** The callbacks owed: the user's own and the team's shared ones (`mine`), or all of them (managers). */
export function listCallbacks(mine: boolean): Promise<CallbackTask[]> {
  return unwrap(api.GET('/api/v1/callbacks', { params: { query: { mine } } }))
}

// ---------------------------------------------------------------- customers (the workbench's look-up)

/** Customers by phone, account number, name or address fragment. */
export function searchCustomers(q: string, limit = 20): Promise<Schemas['CustomersPublic']> {
  return unwrap(api.GET('/api/v1/customers', { params: { query: { q, limit } } }))
}

export function createCustomer(body: Schemas['CustomerCreate']): Promise<Customer> {
  return unwrap(api.POST('/api/v1/customers', { body }))
}

export function getCustomer(id: number): Promise<Customer> {
  return unwrap(api.GET('/api/v1/customers/{customer_id}', { params: { path: { customer_id: id } } }))
}

/** 显示号码: a customer's numbers whole, in the order `phones` lists them masked (the server records who read them). */
export async function revealCustomerPhones(id: number): Promise<string[]> {
  const shown = await unwrap(api.POST('/api/v1/customers/{customer_id}/phones/reveal', {
    params: { path: { customer_id: id } },
  }))
  return shown.phones
}
