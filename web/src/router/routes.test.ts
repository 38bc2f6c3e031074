import { describe, expect, it } from 'vitest'
import { ROLES, type Role } from '@/utils/enums'
import { GATES } from '@/utils/roles'
import { allowed, homeFor, pages } from './routes'

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
  })

  it('put the menu in one order across modules', () => {
    expect(menuOf('agent')).toEqual(['workbench', 'orders', 'callbacks', 'calls'])
    expect(menuOf('dispatcher')).toEqual(['orders', 'dispatch', 'calls'])
    expect(menuOf('admin')).toEqual([
      'orders', 'admin-users', 'admin-units', 'admin-areas', 'admin-categories', 'admin-dispatch-rules', 'admin-cti',
      'sla-policies', 'sla-calendars', 'sla-ladder', 'ivr-rules',
    ])
    expect(menuOf('supervisor')).toEqual([
      'overview', 'workbench', 'orders', 'dispatch', 'callbacks', 'calls', 'admin-categories', 'admin-dispatch-rules',
      'sla-policies', 'sla-calendars', 'sla-ladder', 'agent-board', 'ivr-rules',
    ])
  })

  it('name each route once', () => {
    const names = pages.map((p) => p.name)
    expect(new Set(names).size).toBe(names.length)
  })

  it('gate with roles the server knows', () => {
    for (const roles of Object.values(GATES)) for (const r of roles) expect(ROLES).toContain(r)
  })
})
