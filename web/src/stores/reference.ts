import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Category, Unit } from '@/api/client'
import { listCategories, loadUnits as loadUnitList } from '@/modules/org/api'

export interface TreeNode<T> {
  value: number
  label: string
  item: T
  children: TreeNode<T>[]
}

/** Parent/child rows → a forest, children in the rows' order. */
export function buildTree<T extends { id: number; parent_id: number | null }>(
  rows: T[],
  label: (row: T) => string,
): TreeNode<T>[] {
  const nodes = new Map<number, TreeNode<T>>()
  for (const row of rows) nodes.set(row.id, { value: row.id, label: label(row), item: row, children: [] })
  const roots: TreeNode<T>[] = []
  for (const row of rows) {
    const node = nodes.get(row.id)!
    const parent = row.parent_id === null ? undefined : nodes.get(row.parent_id)
    if (parent) parent.children.push(node)
    else roots.push(node)
  }
  return roots
}

/** Units and categories, loaded once per page load and shared by every page that names them. */
export const useReferenceStore = defineStore('reference', () => {
  const units = ref<Unit[]>([])
  const categories = ref<Category[]>([])
  let unitsLoading: Promise<Unit[]> | null = null
  let categoriesLoading: Promise<Category[]> | null = null

  function loadUnits(force = false): Promise<Unit[]> {
    if (!unitsLoading || force) {
      unitsLoading = loadUnitList().then((items) => (units.value = items))
      unitsLoading.catch(() => (unitsLoading = null))
    }
    return unitsLoading
  }
  function loadCategories(force = false): Promise<Category[]> {
    if (!categoriesLoading || force) {
      categoriesLoading = listCategories().then((items) => (categories.value = items))
      categoriesLoading.catch(() => (categoriesLoading = null))
    }
    return categoriesLoading
  }
  function unitName(id: number | null | undefined): string {
    return units.value.find((u) => u.id === id)?.name ?? ''
  }
  return { units, categories, loadUnits, loadCategories, unitName }
})
