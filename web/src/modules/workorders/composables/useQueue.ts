// What the three queue pages share: their list loaded on mount and refreshed every 30 seconds, a
// ticking "now" for waiting times, the area names, the urgent-row highlight, and a small pool for
// fetching several order details without flooding the server.
import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { api, unwrap, type Schemas, type WorkOrderDetail } from '@/api/client'
import { useAsync, type AsyncState } from '@/composables/useAsync'
import { useReferenceStore } from '@/stores/reference'

export const AUTO_REFRESH_MS = 30_000

/** Calls `refresh` every 30 s while the page is open (skipped while the tab is hidden or a call runs). */
export function useAutoRefresh(refresh: () => Promise<unknown>, busy?: Ref<boolean>): { lastRefreshed: Ref<Date | null>; now: Ref<number> } {
  const lastRefreshed = ref<Date | null>(null)
  const now = ref(Date.now())
  let timer: ReturnType<typeof setInterval> | undefined
  onMounted(() => {
    timer = setInterval(() => {
      now.value = Date.now()
      if (document.visibilityState === 'hidden' || busy?.value) return
      void refresh()
    }, AUTO_REFRESH_MS)
  })
  onBeforeUnmount(() => clearInterval(timer))
  return { lastRefreshed, now }
}

export interface QueueState<T> extends AsyncState<T> {
  /** Load again; on success `lastRefreshed` moves on. `now` ticks either way. */
  refresh: () => Promise<void>
  lastRefreshed: Ref<Date | null>
  now: Ref<number>
}

/** A queue page's list: loaded when the page opens, by 刷新 (`refresh`) and every 30 s. */
export function useQueue<T>(loader: () => Promise<T>): QueueState<T> {
  const state = useAsync(loader)
  const { lastRefreshed, now } = useAutoRefresh(refresh, state.loading)
  async function refresh(): Promise<void> {
    await state.run()
    if (!state.error.value) lastRefreshed.value = new Date()
    now.value = Date.now()
  }
  onMounted(refresh)
  return { ...state, refresh, lastRefreshed, now }
}

/** Minutes between an ISO time and now (never negative). */
export function minutesSince(iso: string, now: number): number {
  const t = new Date(iso).getTime()
  return Number.isNaN(t) ? 0 : Math.max(0, Math.floor((now - t) / 60_000))
}

let areasLoading: Promise<Map<number, Schemas['AreaPublic']>> | null = null
/** Area id → area, loaded once per page load. */
export function loadAreas(): Promise<Map<number, Schemas['AreaPublic']>> {
  if (!areasLoading) {
    areasLoading = unwrap(api.GET('/api/v1/areas')).then((r) => new Map(r.items.map((a) => [a.id, a])))
    areasLoading.catch(() => (areasLoading = null))
  }
  return areasLoading
}

/** Area names for a queue's rows: `loadAreaNames()` (never fails: a missing name shows blank). */
export function useAreaNames(): { loadAreaNames: () => Promise<void>; areaName: (id: number | null) => string } {
  const areas = ref(new Map<number, Schemas['AreaPublic']>())
  async function loadAreaNames(): Promise<void> {
    await loadAreas().then((m) => (areas.value = m)).catch(() => undefined)
  }
  function areaName(id: number | null): string {
    return id === null ? '' : (areas.value.get(id)?.name ?? '')
  }
  return { loadAreaNames, areaName }
}

/** Runs `work` over `items`, at most `limit` at a time, results in the items' order. */
export async function pool<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  async function worker(): Promise<void> {
    while (next < items.length) {
      const i = next++
      out[i] = await work(items[i])
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}

export function fetchDetail(id: number): Promise<WorkOrderDetail> {
  return unwrap(api.GET('/api/v1/work-orders/{order_id}', { params: { path: { order_id: id } } }))
}

/** Rows shown first: emergencies and urgent orders. */
export function isUrgent(order: { grade: string; type: string }): boolean {
  return order.grade === 'urgent' || order.type === 'emergency'
}

/** `row-class-name` of a queue table: urgent rows are highlighted (the page styles `hy-row-urgent`). */
export function urgentRowClass({ row }: { row: { grade: string; type: string } }): string {
  return isUrgent(row) ? 'hy-row-urgent' : ''
}

/** A category's name in the current language (the English name once categories are loaded). */
export function useCategoryName(): (order: { category: string; category_name: string }) => string {
  const store = useReferenceStore()
  const { locale } = useI18n()
  onMounted(() => store.loadCategories().catch(() => undefined))
  return (order) => {
    if (locale.value !== 'en') return order.category_name
    return store.categories.find((c) => c.code === order.category)?.name_en || order.category_name
  }
}
