// A ticking "now" shared by every countdown on the page: one timer for all of them, running only while
// someone uses it. Browser clock (see countdown.ts on a server-clock offset).
import { getCurrentScope, onScopeDispose, ref, type Ref } from 'vue'

export const NOW_TICK_MS = 30_000

const now = ref(Date.now())
let users = 0
let timer: ReturnType<typeof setInterval> | undefined

function tick(): void {
  now.value = Date.now()
}
function onVisible(): void {
  if (document.visibilityState === 'visible') tick()
}

/** Subscribes to the shared clock; the subscription ends with the calling component (or effect scope). */
export function useNow(): Ref<number> {
  tick()
  if (users++ === 0) {
    timer = setInterval(tick, NOW_TICK_MS)
    if (typeof document !== 'undefined') document.addEventListener('visibilitychange', onVisible)
  }
  let released = false
  const release = (): void => {
    if (released) return
    released = true
    if (--users === 0) {
      clearInterval(timer)
      timer = undefined
      if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', onVisible)
    }
  }
  if (getCurrentScope()) onScopeDispose(release)
  return now
}

/** How many subscribers the shared clock has, and whether its timer runs (for tests). */
export function nowStats(): { users: number; running: boolean } {
  return { users, running: timer !== undefined }
}
