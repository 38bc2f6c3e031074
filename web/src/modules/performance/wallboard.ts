// 大屏's pure parts (tested with Vitest): the pushed message read safely, the newer of two boards, the agents'
// states in the floor's order, and what turns red (a wait past 60 s, an open emergency).
import type { Envelope } from '@/stores/notifications'
import type { Wallboard } from './api'

/** The socket topic, sent as `watch:wallboard` / `unwatch:wallboard`; its messages have this `type`. */
export const TOPIC = 'wallboard'
/** A wait longer than this (seconds) shows red. */
export const LATE_WAIT_SECONDS = 60
/** How often the open warnings are counted again (ms). */
export const WARNINGS_REFRESH_MS = 60_000

/** The agents' states as the floor reads them: 就绪, 通话中, 话后处理, 未就绪, 已签入 (not signed out). */
export const AGENT_STATES = ['ready', 'on_call', 'acw', 'not_ready', 'signed_in'] as const
export type AgentState = (typeof AGENT_STATES)[number]

/** The wallboard of a `{"type": "wallboard", "wallboard": {...}}` message, or null for anything malformed. */
export function wallboardOf(message: Envelope): Wallboard | null {
  const w = message.wallboard as Record<string, unknown> | undefined
  if (message.type !== TOPIC || !w || typeof w !== 'object') return null
  if (typeof w.at !== 'string' || typeof w.waiting !== 'number' || !Array.isArray(w.queues)) return null
  if (!w.today || typeof w.today !== 'object' || !w.agents || typeof w.agents !== 'object') return null
  return w as unknown as Wallboard
}

/** The newer of two boards by their `at` (a slow GET answer never replaces a newer push). */
export function newer(current: Wallboard | null | undefined, incoming: Wallboard): Wallboard {
  if (!current) return incoming
  return Date.parse(incoming.at) >= Date.parse(current.at) ? incoming : current
}

/** Whether a wait (seconds) is past the floor's limit. */
export function isLate(seconds: number | null | undefined): boolean {
  return (seconds ?? 0) > LATE_WAIT_SECONDS
}

/** Agents in each state, 0 for a state the board leaves out; and all signed in. */
export function agentCounts(board: Pick<Wallboard, 'agents'>): { state: AgentState; n: number }[] {
  return AGENT_STATES.map((state) => ({ state, n: board.agents[state] ?? 0 }))
}

export function agentsOnline(board: Pick<Wallboard, 'agents'>): number {
  return Object.entries(board.agents).reduce((sum, [state, n]) => (state === 'signed_out' ? sum : sum + n), 0)
}

/** Queues with callers first (most waiting, then the longest wait), then the rest by name. */
export function queueOrder(queues: Wallboard['queues']): Wallboard['queues'] {
  return [...queues].sort(
    (a, b) => b.waiting - a.waiting || b.longest_wait - a.longest_wait || a.queue.localeCompare(b.queue),
  )
}
