// Trees built from flat API lists (units by parent_id, categories by parent_id), for el-table / el-tree.
import type { Unit } from '@/api/client'

export type TreeRow<T> = T & { children?: TreeRow<T>[] }

/** Nest items under their parents; an item whose parent is missing becomes a root. Order is kept. */
export function buildTree<T extends { id: number; parent_id: number | null }>(items: readonly T[]): TreeRow<T>[] {
  const byId = new Map<number, TreeRow<T>>()
  for (const item of items) byId.set(item.id, { ...item })
  const roots: TreeRow<T>[] = []
  for (const item of items) {
    const row = byId.get(item.id)!
    const parent = item.parent_id != null ? byId.get(item.parent_id) : undefined
    if (parent) (parent.children ??= []).push(row)
    else roots.push(row)
  }
  return roots
}

export type UnitNode = TreeRow<Unit>

/** id → name, for showing a unit referred to by id. */
export function namesById<T extends { id: number; name: string }>(items: readonly T[] | undefined): Map<number, string> {
  return new Map((items ?? []).map((i) => [i.id, i.name]))
}

/** Every id of a tree (for default-expanded keys). */
export function allIds<T extends { id: number; children?: T[] }>(rows: readonly T[]): number[] {
  const out: number[] = []
  const walk = (list: readonly T[]) => {
    for (const r of list) {
      out.push(r.id)
      if (r.children) walk(r.children)
    }
  }
  walk(rows)
  return out
}
