// What the three queue pages share: their list loaded on mount and refreshed every 30 seconds, a
// ticking "now" for waiting times, the area names, the urgent-row highlight, category names.
import { onMounted, ref, type Ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { useAsync, type AsyncState } from '@/composables/useAsync'
import { useAutoRefresh } from '@/composables/useAutoRefresh'
import { listAreas, type Area } from '@/modules/org/api'
import { useReferenceStore } from '@/stores/reference'

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

let areasLoading: Promise<Map<number, Area>> | null = null
/** Area id → area, loaded once per page load. */
export function loadAreas(): Promise<Map<number, Area>> {
  if (!areasLoading) {
    areasLoading = listAreas().then((items) => new Map(items.map((a) => [a.id, a])))
    areasLoading.catch(() => (areasLoading = null))
  }
  return areasLoading
}

/** Area names for a queue's rows: `loadAreaNames()` (never fails: a missing name shows blank). */
export function useAreaNames(): { loadAreaNames: () => Promise<void>; areaName: (id: number | null) => string } {
  const areas = ref(new Map<number, Area>())
  async function loadAreaNames(): Promise<void> {
    await loadAreas().then((m) => (areas.value = m)).catch(() => undefined)
  }
  function areaName(id: number | null): string {
    return id === null ? '' : (areas.value.get(id)?.name ?? '')
  }
  return { loadAreaNames, areaName }
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
