import { describe, expect, it } from 'vitest'
import {
  articleActions, authorName, categoryPath, categoryTree, formatSynonyms, markSnippet, parseSynonyms, sortedCounts,
  suggestionQuery, validOn, windowProblem,
} from './format'

const marked = (s: string) => markSnippet(s).map((p) => (p.mark ? `[${p.text}]` : p.text)).join('')

describe('the search snippet', () => {
  it('marks what is between 【 and 】, as pieces', () => {
    expect(markSnippet('燃气【过户】需携带')).toEqual([
      { text: '燃气', mark: false }, { text: '过户', mark: true }, { text: '需携带', mark: false },
    ])
    expect(markSnippet('【过户】')).toEqual([{ text: '过户', mark: true }])
    expect(markSnippet('没有标记')).toEqual([{ text: '没有标记', mark: false }])
    expect(markSnippet('')).toEqual([])
  })

  it('keeps overlapping and unbalanced marks to their words, a mark cut off at the end', () => {
    // what the server writes when matched words overlap (燃气 / 燃气灶, 点不着 / 不着)
    expect(marked('【燃气】灶】【【点【不着】火】，可按以下步骤')).toBe('[燃气灶点不着火]，可按以下步骤')
    expect(marked('…查看【余')).toBe('…查看[余]')
    expect(marked('【A】】B')).toBe('[A]B')
    expect(marked('【天然【气】价格很高')).toBe('[天然气]价格很高')
    expect(marked('【气】，然后很长一段话】')).toBe('[气]，然后很长一段话')
    expect(marked('【【天然气】】价格')).toBe('[天然气]价格')
  })

  it('never turns text into markup: tags stay text', () => {
    const pieces = markSnippet('<img src=x onerror=alert(1)>【<b>】')
    expect(pieces).toEqual([{ text: '<img src=x onerror=alert(1)>', mark: false }, { text: '<b>', mark: true }])
  })
})

describe('the synonyms as text', () => {
  it('read one group a line, words split by spaces or "/"', () => {
    const { groups, problems } = parseSynonyms('燃气/天然气 煤气\n\n  过户 ／ 改户名\u3000更名 \n怎么办/咋办/怎么办')
    expect(groups).toEqual([['燃气', '天然气', '煤气'], ['过户', '改户名', '更名'], ['怎么办', '咋办']])
    expect(problems).toEqual([])
  })

  it('name the lines the server would refuse', () => {
    const { problems } = parseSynonyms(`燃气\n过户/${'长'.repeat(21)}\n好/好`)
    expect(problems).toEqual([
      { line: 1, kind: 'one', text: '燃气' },
      { line: 2, kind: 'long', text: '长'.repeat(21) },
      { line: 3, kind: 'one', text: '好/好' },
    ])
  })

  it('write the groups back as they are read', () => {
    const groups = [['燃气', '天然气'], ['过户', '更名', '改户名']]
    expect(formatSynonyms(groups)).toBe('燃气/天然气\n过户/更名/改户名')
    expect(parseSynonyms(formatSynonyms(groups)).groups).toEqual(groups)
  })
})

describe('the categories', () => {
  const cats = [
    { id: 1, name: '燃气业务', parent_id: null, position: 0 },
    { id: 9, name: '电力业务', parent_id: null, position: 1 },
    { id: 4, name: '过户', parent_id: 1, position: 2 },
    { id: 7, name: '孤儿', parent_id: 99, position: 3 },
  ]
  it('make a tree, orphans at the top', () => {
    expect(categoryTree(cats)).toEqual([
      { id: 1, label: '燃气业务', children: [{ id: 4, label: '过户', children: [] }] },
      { id: 9, label: '电力业务', children: [] },
      { id: 7, label: '孤儿', children: [] },
    ])
  })
  it('name a category with its parents', () => {
    expect(categoryPath(4, cats)).toBe('燃气业务 › 过户')
    expect(categoryPath(9, cats)).toBe('电力业务')
    expect(categoryPath(42, cats)).toBe('')
    expect(categoryPath(null, cats)).toBe('')
  })
})

describe('an article’s actions', () => {
  const both = { editor: true, reviewer: true }
  const art = (state: string, latest: string, live: number | null = 1) => ({ state, live_version_id: live, latest: { state: latest } })
  it('follow the version’s state', () => {
    expect(articleActions(art('draft', 'draft', null), both)).toEqual(['edit', 'submit', 'attach'])
    expect(articleActions(art('draft', 'in_review', null), both)).toEqual(['approve', 'reject', 'attach'])
    expect(articleActions(art('published', 'published'), both)).toEqual(['edit', 'archive', 'attach'])
    expect(articleActions(art('published', 'in_review'), both)).toEqual(['approve', 'reject', 'archive', 'attach'])
    expect(articleActions(art('archived', 'published'), both)).toEqual(['restore', 'attach'])
  })
  it('follow the roles', () => {
    expect(articleActions(art('published', 'in_review'), { editor: true, reviewer: false })).toEqual(['attach'])
    expect(articleActions(art('draft', 'draft', null), { editor: false, reviewer: false })).toEqual([])
  })
})

describe('the little ones', () => {
  it('find a version’s author among the events', () => {
    const ev = (version_id: number, actor_id: number, actor_name: string, action = 'create') =>
      ({ id: 0, version_id, action, from_state: null, to_state: 'draft', actor_id, actor_name, at: '', note: '' })
    const events = [ev(2, 8, '李主管', 'approve'), ev(2, 5, '王质检', 'draft'), ev(1, 5, '王质检')]
    expect(authorName({ id: 2, author_id: 5 }, events)).toBe('王质检')
    expect(authorName({ id: 3, author_id: 5 }, events)).toBeNull()
  })
  it('tell whether a date is in a validity window', () => {
    expect(validOn(null, null, '2026-12-01')).toBe(true)
    expect(validOn('2026-12-02', null, '2026-12-01')).toBe(false)
    expect(validOn(null, '2026-11-30', '2026-12-01')).toBe(false)
    expect(validOn('2026-12-01', '2026-12-01', '2026-12-01')).toBe(true)
  })
  it('build the workbench’s search from the category and the description', () => {
    expect(suggestionQuery('无气/气压低', '  客户反映\n灶具打不着火 ')).toBe('无气/气压低 客户反映 灶具打不着火')
    expect(suggestionQuery(null, '过户')).toBe('过户')
    expect(suggestionQuery('', '气')).toBe('')
    expect(suggestionQuery('', '')).toBe('')
    expect([...suggestionQuery('类', '长'.repeat(300))].length).toBe(200)
  })
  it('check a busy-hour window', () => {
    expect(windowProblem({ days: [1], start: '11:30:00', end: '13:30:00' })).toBeNull()
    expect(windowProblem({ days: [], start: '11:30:00', end: '13:30:00' })).toBe('days')
    expect(windowProblem({ days: [1], start: '13:30:00', end: '11:30:00' })).toBe('order')
  })
  it('sort counts, most first', () => {
    expect(sortedCounts({ misses: 2, asked: 5, agent: 2 })).toEqual([['asked', 5], ['agent', 2], ['misses', 2]])
    expect(sortedCounts(null)).toEqual([])
  })
})
