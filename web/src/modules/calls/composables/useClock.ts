// A "now" that ticks every second, shared by the phone's timers (agent state, ringing and talking time):
// one timer for all of them, running only while someone uses it.
import { getCurrentScope, onScopeDispose, ref, type Ref } from 'vue'

export const CLOCK_TICK_MS = 1_000

const now = ref(Date.now())
let users = 0
let timer: ReturnType<typeof setInterval> | undefined

/** Subscribes to the one-second clock; the subscription ends with the calling component (or effect scope). */
export function useClock(): Ref<number> {
  now.value = Date.now()
  if (users++ === 0) timer = setInterval(() => (now.value = Date.now()), CLOCK_TICK_MS)
  let released = false
  if (getCurrentScope()) {
    onScopeDispose(() => {
      if (released) return
      released = true
      if (--users === 0) {
        clearInterval(timer)
        timer = undefined
      }
    })
  }
  return now
}
