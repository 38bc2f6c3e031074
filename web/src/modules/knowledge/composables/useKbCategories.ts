// The knowledge base's category tree, read once per page load and shared by the pages of the module (the list's
// tree, the editor's picker, the category names of the search hits); `reload` after a category is added or renamed.
import { computed, shallowRef } from 'vue'
import { listCategories, type KbCategory } from '../api'
import { categoryPath, categoryTree } from '../format'

const items = shallowRef<KbCategory[]>([])
let pending: Promise<KbCategory[]> | null = null

async function reload(): Promise<KbCategory[]> {
  pending = listCategories()
  try {
    items.value = await pending
  } catch (e) {
    pending = null
    throw e
  }
  return items.value
}

export function useKbCategories() {
  if (!pending) reload().catch(() => undefined)
  const tree = computed(() => categoryTree(items.value))
  return {
    items,
    tree,
    reload,
    path: (id: number | null | undefined) => categoryPath(id, items.value),
  }
}
