import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import common from '@/locales/common'
import workorders from '@/modules/workorders/locale'
import notify from './locale'
import sla from '@/locales/sla'
import performance from '@/modules/performance/locale'
import { mergeMessages } from '@/locales'
import type { Notification } from '@/stores/notifications'
import { headOf, kindLabel, linesOf, titleOf, toneOf } from './wording'

const messages = mergeMessages([common, notify, workorders, sla, performance])
function i18n(locale: 'zh-CN' | 'en') {
  type Global = { t: (k: string, p: Record<string, unknown>) => string; te: (k: string) => boolean }
  const g = createI18n({ legacy: false, locale, messages: messages as never }).global as unknown as Global
  return { t: (k: string, p?: Record<string, unknown>) => g.t(k, p ?? {}), te: (k: string) => g.te(k) }
}
function note(extra: Partial<Notification>): Notification {
  return {
    id: 1, kind: 'dispatch', order_id: 7, level: 0, title: '服务器标题', body: '收费争议｜测试路 1 号', data: {},
    requires_ack: true, created_at: '2026-11-23T01:00:00Z', read_at: null, acked_at: null, ...extra,
  }
}

describe('notification wording', () => {
  it('says a dispatch in either language, urgent ones louder and red', () => {
    const n = note({ data: { order_number: 'GD1', unit_name: '解放碑供气所', emergency: true } })
    const zh = i18n('zh-CN')
    const en = i18n('en')
    expect(titleOf(n, zh.t, zh.te)).toBe('【紧急】新工单 GD1')
    expect(titleOf(n, en.t, en.te)).toBe('EMERGENCY: new work order GD1')
    expect(linesOf(n, zh.t, zh.te)).toEqual(['收费争议｜测试路 1 号', '处理单位：解放碑供气所'])
    expect(toneOf(n)).toBe('danger')
    expect(toneOf(note({ data: { emergency: false } }))).toBe('primary')
  })

  it('explains an escalation from its data: stage, minutes late, level, mark', () => {
    const n = note({
      kind: 'escalation', level: 3,
      data: { order_number: 'GD2', stage: 'accept', level: 3, mark: 'supervise', late_minutes: 130, due_at: '2026-11-23T01:00:00Z' },
    })
    const zh = i18n('zh-CN')
    const en = i18n('en')
    expect(headOf(n, zh.t, zh.te)).toBe('超时督办（3 级）')
    expect(linesOf(n, zh.t, zh.te)).toEqual(['接单已超时 130 分钟，升级至第 3 级，督办', '截止时间：2026-11-23 09:00'])
    expect(titleOf(n, en.t, en.te)).toBe('Overdue, level 3 (Supervised) GD2')
    expect(linesOf(n, en.t, en.te)[0]).toBe('Accept overdue by 130 min: escalated to level 3 (Supervised)')
    expect(toneOf(n)).toBe('danger')
  })

  it('names who urged and why; warnings say when the stage is due', () => {
    const zh = i18n('zh-CN')
    const urge = note({ kind: 'urge', data: { order_number: 'GD3', by: '王经理', note: '请尽快上门' } })
    expect(titleOf(urge, zh.t, zh.te)).toBe('催办 GD3')
    expect(linesOf(urge, zh.t, zh.te)).toEqual(['发起人：王经理', '说明：请尽快上门'])
    expect(toneOf(urge)).toBe('warning')
    const warn = note({ kind: 'warning', requires_ack: false, data: { order_number: 'GD4', stage: 'arrive', due_at: '2026-11-23T02:30:00Z' } })
    expect(linesOf(warn, zh.t, zh.te)).toEqual(['到场时限将于 2026-11-23 10:30 到期'])
  })

  it('words an early warning from its facts, in either language', () => {
    const facts = { warning_id: 3, rule: 'spike_orders', label: '全中心工单', value: 42, baseline: 12.5, weeks: 6, from: '2026-11-23T02:00:00Z' }
    const n = note({ kind: 'kpi_alert', title: '特征值预警：工单量突增', body: '服务器正文', data: facts })
    const zh = i18n('zh-CN')
    const en = i18n('en')
    expect(titleOf(n, zh.t, zh.te)).toBe('特征值预警：工单量突增')
    expect(titleOf(n, en.t, en.te)).toBe('Early warning: Order spike')
    expect(linesOf(n, zh.t, zh.te)).toEqual(['全中心工单：42（近 6 周同时段中位数 12.5），2026-11-23 10:00 起'])
    const rate = note({ kind: 'kpi_alert', data: { ...facts, rule: 'abandon_high', value: 0.1234, baseline: 0.05 } })
    expect(linesOf(rate, en.t, en.te)).toEqual(['全中心工单 12.3%, limit 5%'])
    expect(linesOf(note({ kind: 'kpi_alert', body: '服务器正文', data: { rule: 'spike_orders' } }), zh.t, zh.te)).toEqual(['服务器正文'])
    expect(toneOf(n)).toBe('warning')
    expect(kindLabel('kpi_alert', en.t, en.te)).toBe('Early warning')
  })

  it('falls back to the server\'s words when the data is missing', () => {
    const zh = i18n('zh-CN')
    const n = note({ kind: 'escalation', body: '服务器正文', data: {} })
    expect(titleOf(n, zh.t, zh.te)).toBe('服务器标题')
    expect(linesOf(n, zh.t, zh.te)).toEqual(['服务器正文'])
  })
})
