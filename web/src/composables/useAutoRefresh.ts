// A page's list refreshed every 30 seconds (the queues, the overview, the supervision board).
import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue'

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
