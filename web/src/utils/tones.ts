// The colour of every state the pages show, in one place: a tone (the `type` of an Element Plus tag, badge or
// button) per order state, grade, agent state and call state, and the chart colours of the order states.
// Keys are the server's enum values (utils/enums.ts), so a state the server adds fails the type-check here.
import type { AgentStatus, CallState, ComplaintGrade, Grade, OpenState, OrderState, RatingResult } from './enums'

export type Tone = 'primary' | 'success' | 'info' | 'warning' | 'danger'

/** 待派单 grey, 已派单 amber, 已接单 / 处理中 blue, 挂起 red, 已并单 grey, 待回访 green, 已归档 grey (as huiyin/workorders/states.py). */
export const ORDER_STATE_TONES: Record<OrderState, Tone> = {
  registered: 'info',
  dispatched: 'warning',
  accepted: 'primary',
  in_progress: 'primary',
  suspended: 'danger',
  merged: 'info',
  resolved: 'success',
  closed: 'info',
}

/** The open states in the 运行概览 charts (ECharts wants colours, and 已接单 / 处理中 must differ there). */
export const ORDER_STATE_COLORS: Record<OpenState, string> = {
  registered: '#8e9bb0',
  dispatched: '#f59e0b',
  accepted: '#2f6fed',
  in_progress: '#6e56cf',
  suspended: '#e5484d',
  merged: '#b4a7d6',
  resolved: '#12a594',
}

/** 紧急 red, 重要 amber, 一般 plain. */
export const GRADE_TONES: Record<Grade, Tone> = { urgent: 'danger', important: 'warning', normal: 'info' }

/** 就绪 green, 通话中 blue, 话后处理 amber, 未就绪 red, 签入 / 签出 grey: the agent's bar and the floor's board. */
export const AGENT_STATUS_TONES: Record<AgentStatus, Tone> = {
  ready: 'success',
  on_call: 'primary',
  acw: 'warning',
  not_ready: 'danger',
  signed_in: 'info',
  signed_out: 'info',
}

/** 振铃中 amber, 通话中 blue (as an agent on a call), 已挂断 grey. */
export const CALL_STATE_TONES: Record<CallState, Tone> = { ringing: 'warning', talking: 'primary', ended: 'info' }

/** The tone of a value the map may not know (a state a newer server sends): grey. */
export function toneOf<K extends string>(tones: Record<K, Tone>, value: string | null | undefined): Tone {
  return (tones as Record<string, Tone>)[value ?? ''] ?? 'info'
}

/** A complaint's grade: 重大 red, 较大 amber, 一般 grey. */
export const COMPLAINT_GRADE_TONES: Record<ComplaintGrade, Tone> = { serious: 'danger', major: 'warning', general: 'info' }

/** A customer's rating: 满意 green, 基本满意 blue, 不满意 red. */
export const RATING_RESULT_TONES: Record<RatingResult, Tone> = {
  satisfied: 'success',
  basically_satisfied: 'primary',
  unsatisfied: 'danger',
}
