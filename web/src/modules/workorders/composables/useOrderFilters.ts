// The work-order list's filters: one shape, kept in the URL query (so a filtered list can be bookmarked and
// Back works), turned into the API's query parameters, and saved under a name in localStorage.
// Pure functions do the work so they are tested without a component; useOrderFilters wires them to the route.
import { computed, type ComputedRef } from 'vue'
import { useRoute, useRouter, type LocationQuery, type LocationQueryRaw } from 'vue-router'
import type { Query } from '@/api/client'
import { dayEnd, dayStart } from '@/utils/time'
import { ORDER_STATES, ORDER_TYPES } from '@/utils/enums'
import { GATES, passes } from '@/utils/roles'

export type ListQuery = Query<'work-orders-list'>
export type Sort = NonNullable<ListQuery['sort']>

export const STATES = ORDER_STATES
/** the state filter's choices: 'open' (every state but closed) or one state */
export const STATE_CHOICES = ['open', ...STATES] as const
export const TYPES = ORDER_TYPES
export const SORTS: readonly Sort[] = [
  'created_at', '-created_at', 'updated_at', '-updated_at', 'number', '-number', 'grade', '-grade', 'state', '-state',
]
export const DEFAULT_SORT: Sort = '-created_at'
export const PAGE_SIZES = [20, 50, 100] as const
export const DEFAULT_PAGE_SIZE = 20
export const SUPERVISION = ['urge', 'supervise', 'any'] as const
export type Supervision = (typeof SUPERVISION)[number]
/** The 即将到期 choices of the filter bar, in minutes (the URL takes any 1 … 100000). */
export const DUE_WITHIN_CHOICES = [30, 60, 120, 240] as const

export interface OrderFilters {
  state: string[]
  type: string
  category: string
  unitId: number | null
  areaId: number | null
  ownerAgentId: number | null
  customerId: number | null
  /** Calendar days (YYYY-MM-DD) in Asia/Shanghai, both inclusive; '' for open ends. */
  from: string
  to: string
  q: string
  /** true: sent back by a unit and waiting for a dispatcher again; false: anything else; null: both */
  returned: boolean | null
  /** true: a deadline is past due now; false: none is; null: both */
  overdue: boolean | null
  /** minutes: the next deadline falls between now and now + this (not yet past due) */
  dueWithin: number | null
  /** true: the escalation ladder has reached level 1 or more */
  escalated: boolean | null
  /** 催办 / 督办 mark, or either ('any'); '' for no filter */
  supervision: Supervision | ''
  page: number
  pageSize: number
  sort: Sort
}

/** The fields that choose which orders (not the page or the order they come in). */
export type FilterFields = Omit<OrderFilters, 'page' | 'pageSize' | 'sort'>

export function emptyFilters(): OrderFilters {
  return {
    state: [], type: '', category: '', unitId: null, areaId: null, ownerAgentId: null, customerId: null,
    from: '', to: '', q: '', returned: null, overdue: null, dueWithin: null, escalated: null, supervision: '',
    page: 1, pageSize: DEFAULT_PAGE_SIZE, sort: DEFAULT_SORT,
  }
}

const DAY = /^\d{4}-\d{2}-\d{2}$/

function first(value: LocationQuery[string] | undefined): string {
  const v = Array.isArray(value) ? value[0] : value
  return typeof v === 'string' ? v.trim() : ''
}

function all(value: LocationQuery[string] | undefined): string[] {
  const list = Array.isArray(value) ? value : value == null ? [] : [value]
  return list.flatMap((v) => (typeof v === 'string' ? v.split(',') : [])).map((v) => v.trim()).filter(Boolean)
}

function id(value: LocationQuery[string] | undefined): number | null {
  const v = first(value)
  if (!/^\d{1,12}$/.test(v)) return null
  const n = Number(v)
  return n >= 1 ? n : null
}

function day(value: LocationQuery[string] | undefined): string {
  const v = first(value)
  return DAY.test(v) && !Number.isNaN(new Date(`${v}T00:00:00Z`).getTime()) ? v : ''
}

function flag(value: LocationQuery[string] | undefined): boolean | null {
  const v = first(value).toLowerCase()
  return v === '1' || v === 'true' ? true : v === '0' || v === 'false' ? false : null
}

/** URL query → filters; anything unknown or malformed falls back to its default (never throws). */
export function fromQuery(query: LocationQuery): OrderFilters {
  const f = emptyFilters()
  const valid = new Set<string>(STATE_CHOICES)
  f.state = [...new Set(all(query.state).filter((s) => valid.has(s)))]
  const type = first(query.type)
  f.type = (TYPES as readonly string[]).includes(type) ? type : ''
  f.category = first(query.category).slice(0, 32)
  f.unitId = id(query.unit)
  f.areaId = id(query.area)
  f.ownerAgentId = id(query.owner)
  f.customerId = id(query.customer)
  f.from = day(query.from)
  f.to = day(query.to)
  f.q = first(query.q).slice(0, 100)
  const returned = first(query.returned)
  f.returned = returned === '1' ? true : returned === '0' ? false : null
  f.overdue = flag(query.overdue)
  const within = first(query.due_within)
  f.dueWithin = /^\d{1,6}$/.test(within) && Number(within) >= 1 && Number(within) <= 100000 ? Number(within) : null
  f.escalated = flag(query.escalated)
  const mark = first(query.supervision) as Supervision
  f.supervision = SUPERVISION.includes(mark) ? mark : ''
  const page = Number(first(query.page))
  f.page = Number.isInteger(page) && page >= 1 && page <= 100000 ? page : 1
  const size = Number(first(query.size))
  f.pageSize = (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_PAGE_SIZE
  const sort = first(query.sort) as Sort
  f.sort = SORTS.includes(sort) ? sort : DEFAULT_SORT
  return f
}

/** Filters → URL query, short names, defaults left out (so the plain list is plain /orders). */
export function toQuery(f: Partial<OrderFilters>): Record<string, string | string[]> {
  const q: Record<string, string | string[]> = {}
  if (f.state?.length) q.state = f.state.length === 1 ? f.state[0] : [...f.state]
  if (f.type) q.type = f.type
  if (f.category) q.category = f.category
  if (f.unitId) q.unit = String(f.unitId)
  if (f.areaId) q.area = String(f.areaId)
  if (f.ownerAgentId) q.owner = String(f.ownerAgentId)
  if (f.customerId) q.customer = String(f.customerId)
  if (f.from) q.from = f.from
  if (f.to) q.to = f.to
  if (f.q?.trim()) q.q = f.q.trim()
  if (f.returned != null) q.returned = f.returned ? '1' : '0'
  if (f.overdue != null) q.overdue = f.overdue ? '1' : '0'
  if (f.dueWithin) q.due_within = String(f.dueWithin)
  if (f.escalated != null) q.escalated = f.escalated ? '1' : '0'
  if (f.supervision) q.supervision = f.supervision
  if (f.page && f.page > 1) q.page = String(f.page)
  if (f.pageSize && f.pageSize !== DEFAULT_PAGE_SIZE) q.size = String(f.pageSize)
  if (f.sort && f.sort !== DEFAULT_SORT) q.sort = f.sort
  return q
}

/** Filters → the query of GET /api/v1/work-orders (days become Asia/Shanghai bounds, end exclusive). */
export function toApiParams(f: OrderFilters, withCounts = true): ListQuery {
  const p: ListQuery = { page: f.page, page_size: f.pageSize, sort: f.sort }
  if (f.state.length) p.state = [...f.state]
  if (f.type) p.type = f.type
  if (f.category) p.category = f.category
  if (f.unitId) p.unit_id = f.unitId
  if (f.areaId) p.area_id = f.areaId
  if (f.ownerAgentId) p.owner_agent_id = f.ownerAgentId
  if (f.customerId) p.customer_id = f.customerId
  if (f.from) p.created_from = dayStart(f.from)
  if (f.to) p.created_to = dayEnd(f.to)
  if (f.q.trim()) p.q = f.q.trim()
  if (f.returned != null) p.returned = f.returned
  if (f.overdue != null) p.overdue = f.overdue
  if (f.dueWithin) p.due_within = f.dueWithin
  if (f.escalated != null) p.escalated = f.escalated
  if (f.supervision) p.supervision = f.supervision
  if (withCounts) p.with_counts = true
  return p
}

/** The filter fields only, normalised (states sorted) so two filters can be compared. */
export function fieldsOf(f: Partial<OrderFilters>): FilterFields {
  const e = { ...emptyFilters(), ...f }
  return {
    state: [...e.state].sort(), type: e.type, category: e.category, unitId: e.unitId, areaId: e.areaId,
    ownerAgentId: e.ownerAgentId, customerId: e.customerId, from: e.from, to: e.to, q: e.q.trim(),
    returned: e.returned, overdue: e.overdue, dueWithin: e.dueWithin, escalated: e.escalated,
    supervision: e.supervision,
  }
}

export function sameFields(a: Partial<OrderFilters>, b: Partial<OrderFilters>): boolean {
  return JSON.stringify(fieldsOf(a)) === JSON.stringify(fieldsOf(b))
}

export function hasFilters(f: Partial<OrderFilters>): boolean {
  return !sameFields(f, {})
}

/** The same filters on page 1 (what a changed filter, sort or page size means). */
export function withFields(current: OrderFilters, fields: Partial<OrderFilters>): OrderFilters {
  return { ...current, ...fields, page: 1 }
}

// ------------------------------------------------------------------ presets

export interface PresetUser {
  id: number
  roles: string[]
  unit_id: number | null
}

export interface Preset {
  id: 'mine-open' | 'unit-dispatched' | 'to-callback'
  /** i18n key of its name */
  label: string
  fields: Partial<FilterFields>
}

/** The built-in saved filters this user has: "my open orders", "my unit's unaccepted", "to call back". */
export function presetsFor(user: PresetUser | null): Preset[] {
  if (!user) return []
  const out: Preset[] = []
  if (passes(GATES.ownOrders, new Set(user.roles))) {
    out.push({ id: 'mine-open', label: 'orders.preset.mineOpen', fields: { ownerAgentId: user.id, state: ['open'] } })
  }
  if (user.roles.includes('unit_handler') && user.unit_id) {
    out.push({
      id: 'unit-dispatched', label: 'orders.preset.unitDispatched',
      fields: { unitId: user.unit_id, state: ['dispatched'] },
    })
  }
  out.push({ id: 'to-callback', label: 'orders.preset.toCallback', fields: { state: ['resolved'] } })
  return out
}

// ------------------------------------------------------------------ the user's own saved filters

export interface SavedFilter {
  name: string
  /** the URL query of the filter fields (toQuery of them: short, stable across releases) */
  query: Record<string, string | string[]>
}

export const SAVED_LIMIT = 30

export function storageKey(userId: number): string {
  return `huiyin.orderFilters.${userId}`
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage
  } catch {
    return null
  }
}

/** The user's saved filters; a damaged entry is ignored, not fatal. */
export function loadSaved(userId: number): SavedFilter[] {
  const raw = storage()?.getItem(storageKey(userId))
  if (!raw) return []
  try {
    const list: unknown = JSON.parse(raw)
    if (!Array.isArray(list)) return []
    return list.filter(
      (s): s is SavedFilter =>
        !!s && typeof s === 'object' && typeof s.name === 'string' && !!s.name && !!s.query &&
        typeof s.query === 'object' && !Array.isArray(s.query),
    )
  } catch {
    return []
  }
}

function store(userId: number, list: SavedFilter[]): void {
  storage()?.setItem(storageKey(userId), JSON.stringify(list))
}

/** Save the filter fields of `f` under `name` (replacing one of that name); returns the new list. */
export function saveFilter(userId: number, name: string, f: Partial<OrderFilters>): SavedFilter[] {
  const clean = name.trim().slice(0, 40)
  if (!clean) return loadSaved(userId)
  const entry: SavedFilter = { name: clean, query: toQuery({ ...fieldsOf(f) }) }
  const list = loadSaved(userId).filter((s) => s.name !== clean)
  list.push(entry)
  const kept = list.slice(-SAVED_LIMIT)
  store(userId, kept)
  return kept
}

export function deleteSaved(userId: number, name: string): SavedFilter[] {
  const list = loadSaved(userId).filter((s) => s.name !== name)
  store(userId, list)
  return list
}

/** A saved filter's fields, read back through the same parser as the URL. */
export function savedFields(s: SavedFilter): FilterFields {
  return fieldsOf(fromQuery(s.query as LocationQuery))
}

// ------------------------------------------------------------------ the composable

export interface UseOrderFilters {
  filters: ComputedRef<OrderFilters>
  /** Go to these filters (a new history entry, so Back returns to the previous list). */
  apply: (f: OrderFilters) => Promise<void>
}

/** The list's filters from the current route, and how to change them. */
export function useOrderFilters(): UseOrderFilters {
  const route = useRoute()
  const router = useRouter()
  const filters = computed(() => fromQuery(route.query))
  async function apply(f: OrderFilters): Promise<void> {
    const query: LocationQueryRaw = toQuery(f)
    await router.push({ path: route.path, query })
  }
  return { filters, apply }
}
