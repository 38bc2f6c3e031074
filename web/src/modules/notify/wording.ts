// A notification in the reader's language. The server writes a Chinese title and body for SMS and
// e-mail; on screen the title and the explaining lines are built from `kind` and `data` (order number,
// stage, level, mark, due time …), falling back to the server's words when the data is missing.
import type { Notification } from '@/stores/notifications'
import { formatDateTime } from '@/utils/time'

type T = (key: string, params?: Record<string, unknown>) => string
type Te = (key: string) => boolean

/** The tone of a notification: red for emergencies, escalations and 督办, amber for 催办, deadline and early warnings. */
export type Tone = 'danger' | 'warning' | 'primary'

export function toneOf(n: Pick<Notification, 'kind' | 'data'>): Tone {
  if (n.kind === 'escalation' || n.kind === 'supervise' || n.data?.emergency === true) return 'danger'
  if (n.kind === 'urge' || n.kind === 'warning' || n.kind === 'kpi_alert') return 'warning'
  return 'primary'
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : ''
}

function stageName(stage: unknown, t: T, te: Te): string {
  const s = str(stage)
  return s && te(`sla.stage.${s}`) ? t(`sla.stage.${s}`) : s
}

function markName(mark: unknown, t: T, te: Te): string {
  const m = str(mark)
  return m && te(`mark.${m}`) ? t(`mark.${m}`) : m
}

export function kindLabel(kind: string, t: T, te: Te): string {
  return te(`notify.kind.${kind}`) ? t(`notify.kind.${kind}`) : kind
}

/** What it is, without the order number: "新工单", "超时督办（3 级）" … in the current language; the
 * server's own title when the kind is unknown. */
export function headOf(n: Notification, t: T, te: Te): string {
  switch (n.kind) {
    case 'dispatch':
      return t(n.data?.emergency === true ? 'notify.head.dispatchUrgent' : 'notify.head.dispatch')
    case 'escalation':
      return t('notify.head.escalation', { level: n.level || str(n.data?.level), mark: markName(n.data?.mark, t, te) })
    case 'warning': case 'urge': case 'supervise':
      return t(`notify.head.${n.kind}`)
    case 'kpi_alert': {
      const rule = str(n.data?.rule)
      return rule && te(`warnings.rule.${rule}`) ? t('notify.head.kpiAlert', { rule: t(`warnings.rule.${rule}`) }) : n.title
    }
    default:
      return n.title
  }
}

/** "新工单 GD…", "超时督办（3 级）GD…" …; the server's title when the data names no order. */
export function titleOf(n: Notification, t: T, te: Te): string {
  if (n.kind === 'kpi_alert') return headOf(n, t, te)
  const number = str(n.data?.order_number)
  return number && te(`notify.head.${n.kind}`) ? `${headOf(n, t, te)} ${number}` : n.title
}

/** The lines that explain it: what is late and how far it climbed, the unit, who pressed and why. */
export function linesOf(n: Notification, t: T, te: Te): string[] {
  const d = n.data ?? {}
  const out: string[] = []
  const stage = stageName(d.stage, t, te)
  if (n.kind === 'warning') {
    out.push(stage && d.due_at ? t('notify.line.warning', { stage, due: formatDateTime(str(d.due_at)) }) : n.body)
  } else if (n.kind === 'escalation') {
    const level = n.level || str(d.level)
    const mark = markName(d.mark, t, te)
    if (!stage) out.push(n.body)
    else if (typeof d.late_minutes === 'number') {
      out.push(t('notify.line.escalation', { stage, late: d.late_minutes, level, mark }))
    } else out.push(t('notify.line.escalationNoLate', { stage, level, mark }))
    if (d.due_at) out.push(t('notify.line.due', { due: formatDateTime(str(d.due_at)) }))
  } else if (n.kind === 'kpi_alert') {
    out.push(kpiLine(d, t) ?? n.body)
  } else if (n.kind === 'urge' || n.kind === 'supervise') {
    if (str(d.by)) out.push(t('notify.line.by', { name: str(d.by) }))
    if (str(d.note)) out.push(t('notify.line.note', { note: str(d.note) }))
    else if (n.body) out.push(n.body)
  } else {
    if (n.body) out.push(n.body)
    if (str(d.unit_name)) out.push(t('notify.line.unit', { unit: str(d.unit_name) }))
  }
  return out.filter(Boolean)
}

/** An early warning's line from its facts (a spike against its weeks' median, a wait or a rate against its
 * limit); null when the facts are missing (an older notification: the server's words then). */
function kpiLine(d: Record<string, unknown>, t: T): string | null {
  const rule = str(d.rule)
  const label = str(d.label)
  if (!rule || !label || typeof d.value !== 'number') return null
  const limit = typeof d.baseline === 'number' ? d.baseline : 0
  if (rule.startsWith('spike')) {
    return t('notify.line.kpiSpike', { label, value: Math.round(d.value), median: limit, weeks: str(d.weeks), from: formatDateTime(str(d.from)) })
  }
  if (rule === 'wait_long') return t('notify.line.kpiWait', { label, value: Math.round(d.value), limit: Math.round(limit) })
  return t('notify.line.kpiRate', { label, value: (d.value * 100).toFixed(1), limit: Math.round(limit * 100) })
}
