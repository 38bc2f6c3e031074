import { describe, expect, it } from 'vitest'
import { buildTree } from './reference'

describe('buildTree', () => {
  it('nests children under their parents and keeps orphans as roots', () => {
    const rows = [
      { id: 1, parent_id: null, name: '燃气集团' },
      { id: 2, parent_id: 1, name: '渝中分公司' },
      { id: 3, parent_id: 2, name: '解放碑站' },
      { id: 4, parent_id: 99, name: '孤儿站' },
    ]
    const tree = buildTree(rows, (r) => r.name)
    expect(tree.map((n) => n.label)).toEqual(['燃气集团', '孤儿站'])
    expect(tree[0].children[0].children[0].label).toBe('解放碑站')
    expect(tree[0].children[0].children[0].value).toBe(3)
  })
})
