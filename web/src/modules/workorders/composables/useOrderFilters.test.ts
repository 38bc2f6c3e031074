import { beforeEach, describe, expect, it } from 'vitest'
import {
  deleteSaved, emptyFilters, fromQuery, hasFilters, loadSaved, presetsFor, sameFields, saveFilter, savedFields,
  storageKey, toApiParams, toQuery, withFields,
} from './useOrderFilters'

describe('URL query', () => {
  it('an empty query is the default list', () => {
    expect(fromQuery({})).toEqual(emptyFilters())
    expect(toQuery(emptyFilters())).toEqual({})
  })

  it('round-trips every field', () => {
    const f = {
      ...emptyFilters(), state: ['dispatched', 'accepted'], type: 'repair', category: 'RP-GAS-NOGAS', unitId: 3,
      areaId: 7, ownerAgentId: 2, customerId: 99, from: '2026-11-01', to: '2026-11-22', q: '138 0013',
      returned: true, page: 3, pageSize: 50, sort: 'grade' as const,
    }
    const q = toQuery(f)
    expect(q).toEqual({
      state: ['dispatched', 'accepted'], type: 'repair', category: 'RP-GAS-NOGAS', unit: '3', area: '7', owner: '2',
      customer: '99', from: '2026-11-01', to: '2026-11-22', q: '138 0013', returned: '1', page: '3', size: '50', sort: 'grade',
    })
    expect(fromQuery(q)).toEqual(f)
  })

  it('one state is a plain string, several a repeated key (or a comma list)', () => {
    expect(toQuery({ state: ['open'] })).toEqual({ state: 'open' })
    expect(fromQuery({ state: 'open' }).state).toEqual(['open'])
    expect(fromQuery({ state: 'resolved,closed' }).state).toEqual(['resolved', 'closed'])
    expect(fromQuery({ state: ['resolved', 'resolved'] }).state).toEqual(['resolved'])
  })

  it('drops what is unknown or malformed instead of failing', () => {
    const f = fromQuery({
      state: ['bogus', 'closed'], type: 'nope', unit: 'x', area: '-1', owner: '0', customer: '1e3',
      from: '2026-13-45', to: 'yesterday', returned: 'yes', page: '0', size: '33', sort: 'description',
    })
    expect(f).toEqual({ ...emptyFilters(), state: ['closed'] })
    expect(fromQuery({ page: 'abc' }).page).toBe(1)
    expect(fromQuery({ returned: '0' }).returned).toBe(false)
    expect(toQuery({ returned: false })).toEqual({ returned: '0' })
    expect(fromQuery({ q: '  main street  ' }).q).toBe('main street')
  })
})

describe('deadline and supervision filters', () => {
  it('round-trip through the URL under the API\'s own names', () => {
    const f = { ...emptyFilters(), overdue: true, dueWithin: 60, escalated: false, supervision: 'supervise' as const }
    const q = toQuery(f)
    expect(q).toEqual({ overdue: '1', due_within: '60', escalated: '0', supervision: 'supervise' })
    expect(fromQuery(q)).toEqual(f)
    expect(fromQuery({ overdue: 'true', escalated: 'false', supervision: 'any' })).toMatchObject({
      overdue: true, escalated: false, supervision: 'any',
    })
  })

  it('drop what is malformed', () => {
    const f = fromQuery({ overdue: 'yes', due_within: '0', escalated: '2', supervision: 'shout' })
    expect(f).toEqual(emptyFilters())
    expect(fromQuery({ due_within: '100001' }).dueWithin).toBeNull()
    expect(fromQuery({ due_within: '-5' }).dueWithin).toBeNull()
    expect(fromQuery({ due_within: '1.5' }).dueWithin).toBeNull()
  })

  it('become the list\'s query parameters, and count as filters', () => {
    const p = toApiParams({ ...emptyFilters(), overdue: false, dueWithin: 30, escalated: true, supervision: 'urge' })
    expect(p).toMatchObject({ overdue: false, due_within: 30, escalated: true, supervision: 'urge' })
    expect(toApiParams(emptyFilters())).not.toHaveProperty('overdue')
    expect(hasFilters({ supervision: 'any' })).toBe(true)
    expect(hasFilters({ overdue: false })).toBe(true)
    expect(sameFields({ dueWithin: 60 }, { dueWithin: 120 })).toBe(false)
  })
})

describe('API parameters', () => {
  it('sends only what is set, with counts', () => {
    expect(toApiParams(emptyFilters())).toEqual({ page: 1, page_size: 20, sort: '-created_at', with_counts: true })
    expect(toApiParams(emptyFilters(), false)).not.toHaveProperty('with_counts')
  })

  it('days become Asia/Shanghai bounds, the end day included', () => {
    const p = toApiParams({ ...emptyFilters(), from: '2026-11-01', to: '2026-11-30' })
    expect(p.created_from).toBe('2026-11-01T00:00:00+08:00')
    expect(p.created_to).toBe('2026-12-01T00:00:00+08:00')
  })

  it('maps every filter to its API name', () => {
    const p = toApiParams({
      ...emptyFilters(), state: ['open'], type: 'repair', category: 'RP-GAS', unitId: 1, areaId: 2, ownerAgentId: 3,
      customerId: 4, q: ' 2026 ', returned: false, page: 2, pageSize: 100, sort: '-grade',
    })
    expect(p).toEqual({
      state: ['open'], type: 'repair', category: 'RP-GAS', unit_id: 1, area_id: 2, owner_agent_id: 3,
      customer_id: 4, q: '2026', returned: false, page: 2, page_size: 100, sort: '-grade', with_counts: true,
    })
  })
})

describe('comparing and changing filters', () => {
  it('compares the filter fields, not the page or sort, states in any order', () => {
    expect(sameFields({ state: ['a', 'b'], page: 3 }, { state: ['b', 'a'], sort: 'grade' })).toBe(true)
    expect(sameFields({ state: ['open'] }, { state: ['open'], ownerAgentId: 1 })).toBe(false)
    expect(hasFilters(emptyFilters())).toBe(false)
    expect(hasFilters({ q: 'x' })).toBe(true)
  })

  it('a changed filter starts again at page 1', () => {
    const f = withFields({ ...emptyFilters(), page: 5, pageSize: 50 }, { state: ['resolved'] })
    expect(f.page).toBe(1)
    expect(f.pageSize).toBe(50)
    expect(f.state).toEqual(['resolved'])
  })
})

describe('presets', () => {
  it('an agent has "my open orders" and "to call back"', () => {
    const p = presetsFor({ id: 5, roles: ['agent'], unit_id: null })
    expect(p.map((x) => x.id)).toEqual(['mine-open', 'to-callback'])
    expect(p[0].fields).toEqual({ ownerAgentId: 5, state: ['open'] })
  })

  it('a unit handler has "my unit, not accepted"', () => {
    const p = presetsFor({ id: 9, roles: ['unit_handler'], unit_id: 4 })
    expect(p.map((x) => x.id)).toEqual(['unit-dispatched', 'to-callback'])
    expect(p[0].fields).toEqual({ unitId: 4, state: ['dispatched'] })
    expect(presetsFor({ id: 9, roles: ['unit_handler'], unit_id: null }).map((x) => x.id)).toEqual(['to-callback'])
    expect(presetsFor(null)).toEqual([])
  })
})

describe('saved filters', () => {
  beforeEach(() => localStorage.clear())

  it('saves, lists, replaces and deletes by name, per user', () => {
    expect(loadSaved(1)).toEqual([])
    saveFilter(1, ' 燃气报修 ', { type: 'repair', state: ['open'], page: 4, sort: 'grade' })
    saveFilter(1, 'urgent', { q: 'leak' })
    expect(loadSaved(1).map((s) => s.name)).toEqual(['燃气报修', 'urgent'])
    expect(loadSaved(2)).toEqual([])
    const saved = loadSaved(1)[0]
    expect(saved.query).toEqual({ type: 'repair', state: 'open' })
    expect(savedFields(saved)).toEqual({
      state: ['open'], type: 'repair', category: '', unitId: null, areaId: null, ownerAgentId: null,
      customerId: null, from: '', to: '', q: '', returned: null, overdue: null, dueWithin: null, escalated: null,
      supervision: '',
    })
    saveFilter(1, 'urgent', { q: 'fire' })
    expect(loadSaved(1).map((s) => [s.name, s.query.q])).toEqual([['燃气报修', undefined], ['urgent', 'fire']])
    expect(deleteSaved(1, '燃气报修').map((s) => s.name)).toEqual(['urgent'])
    expect(loadSaved(1).map((s) => s.name)).toEqual(['urgent'])
  })

  it('a blank name saves nothing', () => {
    expect(saveFilter(1, '   ', { q: 'x' })).toEqual([])
  })

  it('ignores damaged storage', () => {
    localStorage.setItem(storageKey(1), '{not json')
    expect(loadSaved(1)).toEqual([])
    localStorage.setItem(storageKey(1), JSON.stringify([{ name: 'ok', query: { q: 'a' } }, { name: 3 }, null, 'x']))
    expect(loadSaved(1).map((s) => s.name)).toEqual(['ok'])
  })
})
