// What a time-limit event in an order's history means, in the reader's language: a warning (临期预警:
// which stage, due when) or an escalation (超时升级: which stage, the level, who was told, the mark).
// Pure, so it is tested without a component.
import { formatDateTime } from '@/utils/time'

type T = (key: string, params?: Record<string, unknown>) => string
type Te = (key: string) => boolean

/** Actions the worker writes with a Chinese note that the lines below say again. */
export const SYSTEM_NOTED = new Set(['warn', 'escalate'])

function known(prefix: string, value: unknown, t: T, te: Te): string {
  if (typeof value !== 'string' || !value) return ''
  return te(`${prefix}.${value}`) ? t(`${prefix}.${value}`) : value
}

export function deadlineFacts(action: string, d: Record<string, unknown>, t: T, te: Te): string[] {
  const stage = known('sla.stage', d.stage, t, te)
  const due = typeof d.due_at === 'string' ? formatDateTime(d.due_at) : ''
  if (action === 'warn' && stage) return [t('orderEv.warn', { stage, due })]
  if (action === 'escalate' && stage && typeof d.level === 'number') {
    return [
      t('orderEv.escalate', {
        stage, level: d.level, role: known('role', d.role, t, te), mark: known('mark', d.mark, t, te),
      }),
    ]
  }
  return []
}

/** AB角: a dispatch while unit handlers were away names who stood in for each ("张三休假，由李四代班"). */
export function standInFacts(d: Record<string, unknown>, t: T, te: Te): string[] {
  if (!Array.isArray(d.stand_ins)) return []
  const out: string[] = []
  for (const s of d.stand_ins as unknown[]) {
    if (!s || typeof s !== 'object') continue
    const { absent, backup, reason } = s as Record<string, unknown>
    if (typeof absent !== 'string' || !absent) continue
    const away = typeof reason === 'string' && te(`orderEv.away.${reason}`) ? t(`orderEv.away.${reason}`) : t('orderEv.away.any')
    out.push(typeof backup === 'string' && backup
      ? t('orderEv.standIn', { absent, away, backup })
      : t('orderEv.noStandIn', { absent, away }))
  }
  return out
}
