import { describe, expect, it } from 'vitest'
import { ROLES, type Role } from '@/utils/enums'
import { GATES } from '@/utils/roles'
import { allowed, homeFor, pages } from './routes'

/** The performance module's entries, between 运行概览 and 满意度 (managers, QA, the admin). */
const KPI_MENU = ['wallboard', 'warnings', 'league', 'scorecards', 'call-kpis', 'order-kpis', 'analysis', 'reports']

const menuOf = (...roles: Role[]) =>
  pages.filter((p) => p.meta?.menu && allowed(p, new Set(roles))).map((p) => p.name)

describe('the pages of the feature modules', () => {
  it('land each role on its own first page', () => {
    expect(homeFor(new Set(['supervisor']))).toBe('/overview')
    expect(homeFor(new Set(['qa_inspector']))).toBe('/overview')
    expect(homeFor(new Set(['agent']))).toBe('/workbench')
    expect(homeFor(new Set(['dispatcher']))).toBe('/dispatch')
    expect(homeFor(new Set(['unit_handler']))).toBe('/inbox')
    expect(homeFor(new Set(['admin']))).toBe('/admin/users')
    expect(homeFor(new Set())).toBe('/orders')
    expect(homeFor(new Set(['admin', 'qa_inspector']))).toBe('/overview')
  })

  it('show 大屏, 话务报表 … and 满意度 to managers, QA and the admin, next to 运行概览', () => {
    expect(menuOf('duty_manager').slice(0, KPI_MENU.length + 2)).toEqual(['overview', ...KPI_MENU, 'satisfaction'])
    for (const role of ['floor_manager', 'supervisor', 'director', 'qa_inspector', 'admin'] as const) {
      expect(menuOf(role)).toEqual(expect.arrayContaining(KPI_MENU))
    }
    for (const role of ['agent', 'dispatcher', 'unit_handler'] as const) {
      for (const page of KPI_MENU) expect(menuOf(role)).not.toContain(page)
    }
    expect(menuOf('qa_inspector')).toContain('satisfaction')
    expect(menuOf('agent')).not.toContain('satisfaction')
    expect(menuOf('dispatcher')).not.toContain('satisfaction')
    expect(menuOf('unit_handler')).not.toContain('satisfaction')
  })

  it('put the menu in one order across modules', () => {
    expect(menuOf('agent')).toEqual([
      'workbench', 'chat', 'knowledge', 'orders', 'outages', 'callbacks', 'outage-calls', 'care', 'calls', 'my-scorecard',
      'my-quality',
    ])
    expect(menuOf('dispatcher')).toEqual(['knowledge', 'orders', 'dispatch', 'outages', 'announcements', 'calls'])
    expect(menuOf('admin')).toEqual([
      ...KPI_MENU, 'satisfaction', 'delayed-surveys', 'quality-rules', 'knowledge', 'bot', 'orders', 'complaint-desk', 'ledger', 'absences', 'admin-users', 'admin-units', 'admin-areas', 'admin-categories', 'admin-dispatch-rules', 'admin-cti',
      'sla-policies', 'sla-calendars', 'sla-ladder', 'ivr-rules',
    ])
    expect(menuOf('supervisor')).toEqual([
      'overview', ...KPI_MENU, 'satisfaction', 'delayed-surveys',
      'qa-samples', 'qa-calibrations', 'quality-evaluations', 'quality-appeals', 'quality-results', 'quality-rules',
      'workbench', 'chat', 'knowledge', 'bot', 'orders', 'dispatch', 'outages', 'announcements', 'callbacks', 'outage-calls',
      'care',
      'complaint-desk', 'ledger', 'absences', 'calls',
      'admin-categories', 'admin-dispatch-rules',
      'sla-policies', 'sla-calendars', 'sla-ladder', 'agent-board', 'ivr-rules',
    ])
  })

  it('show 关怀回访 to agents and managers, the readers of the care tasks', () => {
    expect(menuOf('duty_manager')).toContain('care')
    expect(menuOf('dispatcher')).not.toContain('care')
    expect(menuOf('unit_handler')).not.toContain('care')
    expect(menuOf('qa_inspector')).not.toContain('care')
  })

  it('show 投诉台 and 奖惩台账 to managers, unit handlers, QA and the admin, where nobody lands', () => {
    for (const role of ['duty_manager', 'director', 'unit_handler', 'qa_inspector', 'admin'] as const) {
      expect(menuOf(role)).toEqual(expect.arrayContaining(['complaint-desk', 'ledger']))
    }
    expect(menuOf('agent')).not.toContain('complaint-desk')
    expect(menuOf('dispatcher')).not.toContain('ledger')
    const mine = ['orders', 'inbox', 'complaint-desk', 'ledger']
    expect(menuOf('unit_handler').filter((n) => mine.includes(String(n)))).toEqual(mine)
  })

  it('show 延时调查 to managers, QA and the admin, 请假/代班 to managers, the admin and unit handlers', () => {
    for (const role of ['duty_manager', 'qa_inspector', 'admin'] as const) expect(menuOf(role)).toContain('delayed-surveys')
    for (const role of ['agent', 'dispatcher', 'unit_handler'] as const) expect(menuOf(role)).not.toContain('delayed-surveys')
    for (const role of ['floor_manager', 'admin', 'unit_handler'] as const) expect(menuOf(role)).toContain('absences')
    for (const role of ['agent', 'dispatcher', 'qa_inspector'] as const) expect(menuOf(role)).not.toContain('absences')
    expect(homeFor(new Set(['unit_handler']))).toBe('/inbox')
  })

  it('show 专家求助 to unit handlers only (the field staff ask, the experts answer from 单位待办), where nobody lands', () => {
    expect(menuOf('unit_handler')).toEqual(['orders', 'inbox', 'expert-help', 'complaint-desk', 'ledger', 'absences'])
    for (const role of ['agent', 'dispatcher', 'duty_manager', 'supervisor', 'qa_inspector', 'admin'] as const) {
      expect(menuOf(role)).not.toContain('expert-help')
    }
    expect(homeFor(new Set(['unit_handler']))).toBe('/inbox')
  })

  it('show 在线客服 to agents and managers, right after the workbench, where nobody lands', () => {
    for (const role of ['agent', 'duty_manager', 'floor_manager', 'supervisor', 'director'] as const) {
      const menu = menuOf(role)
      expect(menu[menu.indexOf('workbench') + 1]).toBe('chat')
    }
    for (const role of ['dispatcher', 'unit_handler', 'qa_inspector', 'admin'] as const) expect(menuOf(role)).not.toContain('chat')
    expect(homeFor(new Set(['agent']))).toBe('/workbench')
  })

  it('show 知识库 to every reader of the knowledge base and 智能客服 to managers, QA and the admin, where nobody lands', () => {
    for (const role of ['agent', 'dispatcher', 'qa_inspector', 'duty_manager', 'floor_manager', 'supervisor', 'director', 'admin'] as const) {
      expect(menuOf(role)).toContain('knowledge')
    }
    expect(menuOf('unit_handler')).not.toContain('knowledge')
    for (const role of ['qa_inspector', 'duty_manager', 'floor_manager', 'supervisor', 'director', 'admin'] as const) {
      const menu = menuOf(role)
      expect(menu[menu.indexOf('knowledge') + 1]).toBe('bot')
    }
    for (const role of ['agent', 'dispatcher', 'unit_handler'] as const) expect(menuOf(role)).not.toContain('bot')
    expect(homeFor(new Set(['agent']))).toBe('/workbench')
    expect(homeFor(new Set(['dispatcher']))).toBe('/dispatch')
    expect(homeFor(new Set(['qa_inspector']))).toBe('/overview')
  })

  it('name each route once', () => {
    const names = pages.map((p) => p.name)
    expect(new Set(names).size).toBe(names.length)
  })

  it('gate with roles the server knows', () => {
    for (const roles of Object.values(GATES)) for (const r of roles) expect(ROLES).toContain(r)
  })
})
