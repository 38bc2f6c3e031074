// A loader run every few seconds while the page is open and its tab visible (the server pushes only some of a
// conversation's changes): skipped while the tab is hidden or the previous run is still going, and run at once
// when the tab shows again.
import { onBeforeUnmount, onMounted } from 'vue'

export function usePoll(load: () => Promise<unknown>, everyMs: number): { now: () => Promise<void> } {
  let timer: ReturnType<typeof setInterval> | undefined
  let running = false
  async function now(): Promise<void> {
    if (running) return
    running = true
    try {
      await load()
    } catch {
      /* the next round tries again */
    } finally {
      running = false
    }
  }
  function tick(): void {
    if (document.visibilityState !== 'hidden') void now()
  }
  function onVisible(): void {
    if (document.visibilityState === 'visible') void now()
  }
  onMounted(() => {
    timer = setInterval(tick, everyMs)
    document.addEventListener('visibilitychange', onVisible)
  })
  onBeforeUnmount(() => {
    clearInterval(timer)
    document.removeEventListener('visibilitychange', onVisible)
  })
  return { now }
}
