import { describe, expect, it } from 'vitest'
import {
  byPriority, cleanBlocked, cleanCallerIdRules, emptyFilters, filtersFromQuery, filtersToParams, filtersToQuery,
  formToBody, isHttpUrl, outcomeOf, ruleProblem, ruleToForm, secondsNow,
  sortAgents, waitIsLong, windowState,
} from './format'
import { isoToWall, wallToIso } from '@/utils/time'

const ended = {
  state: 'ended', direction: 'in', answered_at: '2026-11-24T01:00:08Z', cause: 'normalClearing', abandoned: false,
  short_abandon: false, blocked: false,
}

describe('the board’s clocks', () => {
  it('counts on from when the board was fetched', () => {
    expect(secondsNow(30, 1_000, 4_900)).toBe(33)
    expect(secondsNow(30, 5_000, 4_000)).toBe(30)
  })
})

describe('a call’s outcome', () => {
  it('names what became of the call', () => {
    expect(outcomeOf(ended)).toBe('answered')
    expect(outcomeOf({ ...ended, blocked: true, answered_at: null })).toBe('blocked')
    expect(outcomeOf({ ...ended, answered_at: null, abandoned: true, cause: 'cancel' })).toBe('abandoned')
    expect(outcomeOf({ ...ended, answered_at: null, abandoned: true, short_abandon: true })).toBe('short_abandon')
    expect(outcomeOf({ ...ended, cause: 'forwarded' })).toBe('forwarded')
    expect(outcomeOf({ ...ended, state: 'ringing', answered_at: null, cause: null })).toBe('ringing')
    expect(outcomeOf({ ...ended, state: 'talking', cause: null })).toBe('talking')
    expect(outcomeOf({ ...ended, direction: 'out', answered_at: null, cause: 'noAnswer' })).toBe('missed')
  })
})

describe('the call list’s filters', () => {
  it('round-trips through the URL and leaves defaults out', () => {
    const f = {
      ...emptyFilters(), number: '139 1234', direction: 'in' as const, abandoned: true, agentId: 7, orderId: 42,
      from: '2026-11-24 08:00:00', to: '2026-11-24 18:00:00', page: 2, pageSize: 50,
    }
    const q = filtersToQuery(f)
    expect(q).toEqual({
      number: '139 1234', direction: 'in', abandoned: '1', agent_id: '7', order_id: '42', from: '2026-11-24 08:00:00',
      to: '2026-11-24 18:00:00', page: '2', page_size: '50',
    })
    expect(filtersFromQuery(q)).toEqual({ ...f, number: '139 1234' })
    expect(filtersToQuery(emptyFilters())).toEqual({})
  })
  it('drops what is malformed', () => {
    const f = filtersFromQuery({
      direction: 'sideways', abandoned: 'maybe', agent_id: '-3', customer_id: 'x', page: '0', page_size: '33',
      from: 'yesterday', to: '2026-11-24 18:00',
    })
    expect(f).toEqual(emptyFilters())
    expect(filtersFromQuery({ abandoned: '0', customer_id: '5' })).toMatchObject({ abandoned: false, customerId: 5 })
  })
  it('sends the API times in the centre’s zone', () => {
    expect(wallToIso('2026-11-24 09:00')).toBe('2026-11-24T09:00:00+08:00')
    const p = filtersToParams({
      ...emptyFilters(), abandoned: false, customerId: 3, from: '2026-11-24 00:00:00', to: '2026-11-25 00:00:00',
    })
    expect(p).toEqual({
      page: 1, page_size: 20, abandoned: false, customer_id: 3, since: '2026-11-24T00:00:00+08:00',
      until: '2026-11-25T00:00:00+08:00',
    })
  })
})

describe('the live board', () => {
  it('marks a wait over 20 seconds', () => {
    expect(waitIsLong(20)).toBe(false)
    expect(waitIsLong(21)).toBe(true)
  })
  it('orders agents by state, then the longest in it', () => {
    const agents = [
      { username: 'c', state: 'not_ready', seconds: 10 },
      { username: 'b', state: 'ready', seconds: 5 },
      { username: 'a', state: 'ready', seconds: 50 },
      { username: 'd', state: 'on_call', seconds: 1 },
    ]
    expect(sortAgents(agents).map((a) => a.username)).toEqual(['a', 'b', 'd', 'c'])
  })
})

describe('integration settings', () => {
  it('cleans the blocked numbers and finds the bad ones', () => {
    const { rows, bad, duplicate } = cleanBlocked([
      { number: ' 139 0000 1111 ', note: ' 骚扰 ' },
      { number: '', note: '' },
      { number: '12', note: '' },
      { number: '13900001111', note: '' },
    ])
    expect(rows).toEqual([
      { number: '13900001111', note: '骚扰' }, { number: '12', note: '' }, { number: '13900001111', note: '' },
    ])
    expect(bad).toEqual([2])
    expect(duplicate).toBe('13900001111')
  })
  it('cleans the caller-ID rules', () => {
    const { rows, bad } = cleanCallerIdRules([
      { prefix: '023*', caller_id: '023 6300 0000', note: '' },
      { prefix: '', caller_id: '', note: '' },
      { prefix: '', caller_id: '02363000001', note: 'x' },
    ])
    expect(rows[0]).toEqual({ prefix: '023*', caller_id: '02363000000', note: '' })
    expect(rows).toHaveLength(2)
    expect(bad).toEqual([2])
  })
  it('takes only http(s) dial URLs', () => {
    expect(isHttpUrl('https://pbx.example/dial')).toBe(true)
    expect(isHttpUrl('ftp://pbx')).toBe(false)
    expect(isHttpUrl('')).toBe(false)
  })
})

describe('IVR rules', () => {
  const area = {
    id: 9, name: '龙溪停气', priority: 50, kind: 'area', tags: [], area_ids: [3], queue: null, connect_agent: false,
    announcement: '龙溪街道暂停供气', starts_at: '2026-11-24T01:00:00Z', ends_at: '2026-11-24T10:00:00Z', enabled: true,
  }
  it('reads a rule into the form in the centre’s time zone and back', () => {
    const form = ruleToForm(area)
    expect(form.starts_at).toBe('2026-11-24 09:00:00')
    expect(isoToWall('2026-11-24T10:00:00Z')).toBe('2026-11-24 18:00:00')
    expect(formToBody(form)).toEqual({
      name: '龙溪停气', priority: 50, kind: 'area', tags: [], area_ids: [3], queue: null, connect_agent: false,
      announcement: '龙溪街道暂停供气', starts_at: '2026-11-24T09:00:00+08:00', ends_at: '2026-11-24T18:00:00+08:00',
      enabled: true,
    })
  })
  it('sends only what the kind uses', () => {
    const form = { ...ruleToForm(area), kind: 'tag' as const, tags: ['elderly'], queue: ' slow_speech ' }
    const body = formToBody(form)
    expect(body).toMatchObject({ kind: 'tag', tags: ['elderly'], area_ids: [], queue: 'slow_speech', starts_at: null })
    expect(formToBody({ ...form, kind: 'emergency' }).tags).toEqual([])
  })
  it('says what a rule still needs', () => {
    const blank = ruleToForm(null)
    expect(blank.kind).toBe('area')
    expect(ruleProblem(blank)).toBe('needAreas')
    expect(ruleProblem({ ...blank, area_ids: [1] })).toBe('needAnnouncement')
    expect(ruleProblem({ ...blank, area_ids: [1], announcement: 'x', starts_at: '2026-11-24 10:00:00',
      ends_at: '2026-11-24 09:00:00' })).toBe('endAfterStart')
    expect(ruleProblem({ ...blank, kind: 'tag' })).toBe('needTags')
    expect(ruleProblem({ ...blank, kind: 'tag', tags: ['vip'] })).toBe('needAction')
    expect(ruleProblem({ ...blank, kind: 'emergency', connect_agent: true })).toBeNull()
  })
  it('knows whether a window is on', () => {
    const at = (iso: string) => new Date(iso).getTime()
    expect(windowState(area, at('2026-11-24T00:00:00Z'))).toBe('upcoming')
    expect(windowState(area, at('2026-11-24T05:00:00Z'))).toBe('active')
    expect(windowState(area, at('2026-11-24T10:00:00Z'))).toBe('ended')
    expect(windowState({ starts_at: null, ends_at: null }, 0)).toBe('always')
  })
  it('sorts by priority, then by id', () => {
    expect(byPriority([{ id: 2, priority: 10 }, { id: 1, priority: 10 }, { id: 3, priority: 5 }]).map((r) => r.id))
      .toEqual([3, 1, 2])
  })
})
