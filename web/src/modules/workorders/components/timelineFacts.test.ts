import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import common from '@/locales/common'
import workorders from '@/modules/workorders/locale'
import sla from '@/locales/sla'
import { mergeMessages } from '@/locales'
import { deadlineFacts, standInFacts } from './timelineFacts'

const messages = mergeMessages([common, workorders, sla])
function i18n(locale: 'zh-CN' | 'en') {
  type Global = { t: (k: string, p: Record<string, unknown>) => string; te: (k: string) => boolean }
  const g = createI18n({ legacy: false, locale, messages: messages as never }).global as unknown as Global
  return [(k: string, p?: Record<string, unknown>) => g.t(k, p ?? {}), (k: string) => g.te(k)] as const
}

describe('time-limit events in the history', () => {
  it('a warning names the stage and its due time', () => {
    const [t, te] = i18n('zh-CN')
    expect(deadlineFacts('warn', { stage: 'arrive', cycle: 0, due_at: '2026-11-23T02:30:00Z' }, t, te))
      .toEqual(['到场时限将于 2026-11-23 10:30 到期'])
  })

  it('an escalation names the stage, level, role and mark', () => {
    const data = { stage: 'resolve', cycle: 0, level: 2, role: 'floor_manager', mark: 'urge', due_at: '2026-11-23T02:30:00Z' }
    const [t, te] = i18n('zh-CN')
    expect(deadlineFacts('escalate', data, t, te)).toEqual(['办结超时，升级至第 2 级（现场管理），催办'])
    const [et, ete] = i18n('en')
    expect(deadlineFacts('escalate', data, et, ete)).toEqual(['Resolve overdue: escalated to level 2 (Floor manager), Urged'])
  })

  it('other events and incomplete data say nothing', () => {
    const [t, te] = i18n('zh-CN')
    expect(deadlineFacts('dispatch', { stage: 'accept' }, t, te)).toEqual([])
    expect(deadlineFacts('escalate', { stage: 'accept' }, t, te)).toEqual([])
  })
})

describe('standInFacts', () => {
  const t = (k: string, p?: Record<string, unknown>) => (p ? `${k}:${JSON.stringify(p)}` : k)
  const te = (k: string) => ['orderEv.away.leave'].includes(k)

  it('names who stood in for whom, and who had nobody', () => {
    const lines = standInFacts({ stand_ins: [
      { absent_id: 1, absent: '张三', backup_id: 2, backup: '李四' },
      { absent_id: 3, absent: '王五', backup_id: null, backup: null, reason: 'leave' },
    ] }, t, te)
    expect(lines).toEqual([
      'orderEv.standIn:{"absent":"张三","away":"orderEv.away.any","backup":"李四"}',
      'orderEv.noStandIn:{"absent":"王五","away":"orderEv.away.leave"}',
    ])
  })

  it('says why the handler is away when the event carries the reason', () => {
    const lines = standInFacts({ stand_ins: [
      { absent_id: 1, absent: '陈春燕', backup_id: 2, backup: '李四', reason: 'leave' },
      { absent_id: 3, absent: '王五', backup_id: 4, backup: '赵六', reason: 'unheard-of' },
    ] }, t, te)
    expect(lines).toEqual([
      'orderEv.standIn:{"absent":"陈春燕","away":"orderEv.away.leave","backup":"李四"}',
      'orderEv.standIn:{"absent":"王五","away":"orderEv.away.any","backup":"赵六"}',
    ])
  })

  it('says nothing without stand-ins', () => {
    expect(standInFacts({}, t, te)).toEqual([])
    expect(standInFacts({ stand_ins: 'x' }, t, te)).toEqual([])
  })
})
