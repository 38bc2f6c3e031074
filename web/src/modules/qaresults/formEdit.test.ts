import { describe, expect, it } from 'vitest'
import type { QaForm } from './api'
import { badSteps, editCopy, formBody, newItem, parseSteps, pointsSum, setRedLine } from './formEdit'

const form = {
  id: 7, code: 'outbound_call', version: 3, name: '外呼回访', contact_kind: 'outbound_call', current: true,
  created_at: '2026-12-01T00:00:00Z',
  sections: [
    { title: '开场', items: [{ key: 'opening', title: '开场白', max_points: 40, steps: [2, 5, 10], red_line: false, flags: ['missing_opening'] }] },
    { title: '内容', items: [
      { key: 'result', title: '核实结果', max_points: 60, steps: [10, 20], red_line: false, flags: [] },
      { key: 'leak', title: '泄露信息', max_points: 0, steps: [], red_line: true, flags: [] },
    ] },
  ],
} as QaForm

describe('the QA form editor helpers', () => {
  it('edit a copy, leaving the form alone', () => {
    const draft = editCopy(form)
    expect(draft.sections[0].items[0].steps).toBe('2, 5, 10')
    draft.sections[0].items[0].flags.push('monotone')
    draft.sections[0].title = '改'
    expect(form.sections[0].items[0].flags).toEqual(['missing_opening'])
    expect(form.sections[0].title).toBe('开场')
  })

  it('read steps typed with commas, 、 or spaces, ascending and once each', () => {
    expect(parseSteps('10, 2，5 、2')).toEqual([2, 5, 10])
    expect(parseSteps('')).toEqual([])
    expect(parseSteps('2, x')).toBeNull()
    expect(parseSteps('0, 2')).toBeNull()
    expect(parseSteps('2.5')).toBeNull()
  })

  it('sum the max points, red lines counting none', () => {
    const draft = editCopy(form)
    expect(pointsSum(draft)).toBe(100)
    draft.sections[1].items[0].max_points = 55
    expect(pointsSum(draft)).toBe(95)
    draft.sections[1].items[1].max_points = 5 // a red line's points are not sent
    expect(pointsSum(draft)).toBe(95)
  })

  it('clear the points and steps of an item made a red line', () => {
    const draft = editCopy(form)
    const item = draft.sections[0].items[0]
    setRedLine(item, true)
    expect([item.red_line, item.max_points, item.steps]).toEqual([true, 0, ''])
    setRedLine(item, false)
    expect(item.red_line).toBe(false)
  })

  it('give a new item a key no other item has', () => {
    const draft = editCopy(form)
    expect(newItem(draft).key).toBe('item_1')
    draft.sections[0].items.push(newItem(draft))
    expect(newItem(draft).key).toBe('item_2')
  })

  it('find the steps that cannot be read', () => {
    const draft = editCopy(form)
    draft.sections[1].items[0].steps = '10, abc'
    draft.sections[1].items[1].steps = 'abc' // a red line's steps are cleared anyway
    expect(badSteps(draft)).toEqual(['1.0'])
  })

  it('build the body of the new version: texts trimmed, red lines without points or steps', () => {
    const draft = editCopy(form)
    draft.name = '  外呼回访（新）  '
    draft.sections[0].items[0].title = ' 开场白与身份 '
    draft.sections[1].items[1].max_points = 5
    draft.sections[1].items[1].steps = '5'
    expect(formBody(draft)).toEqual({
      code: 'outbound_call', name: '外呼回访（新）', contact_kind: 'outbound_call',
      sections: [
        { title: '开场', items: [{ key: 'opening', title: '开场白与身份', max_points: 40, steps: [2, 5, 10], red_line: false, flags: ['missing_opening'] }] },
        { title: '内容', items: [
          { key: 'result', title: '核实结果', max_points: 60, steps: [10, 20], red_line: false, flags: [] },
          { key: 'leak', title: '泄露信息', max_points: 0, steps: [], red_line: true, flags: [] },
        ] },
      ],
    })
  })
})
