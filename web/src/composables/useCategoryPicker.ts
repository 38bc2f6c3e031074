// The category picker of the agent workbench: the categories of one order type, searched as the agent
// types (code, Chinese name, English name, or a parent's name), each shown with its path "parent › child".
// Pure functions do the work so they can be tested without a component; the composable wires them to refs.
import { computed, ref, toValue, type ComputedRef, type MaybeRefOrGetter, type Ref } from 'vue'
import type { Category } from '@/api/client'

export const PATH_SEPARATOR = ' › '

/** What the picker needs of a category (CategoryPublic has more). */
export type PickerCategory = Pick<
  Category,
  'id' | 'code' | 'name' | 'name_en' | 'type' | 'parent_id' | 'default_grade' | 'safety_script' | 'is_active'
>

export interface CategoryOption<C extends PickerCategory = PickerCategory> {
  /** The category code: what the API takes as `category`. */
  value: string
  /** "燃气报修 › 无气/气压低" (or the English names). */
  label: string
  category: C
  /** The category's own safety script, or the nearest ancestor's; null when none. */
  safetyScript: string | null
}

export function indexById<C extends PickerCategory>(categories: readonly C[]): Map<number, C> {
  return new Map(categories.map((c) => [c.id, c]))
}

/** The category and its ancestors, root first (stops on a missing parent or a cycle). */
export function ancestry<C extends PickerCategory>(category: C, byId: Map<number, C>): C[] {
  const chain: C[] = []
  const seen = new Set<number>()
  let node: C | undefined = category
  while (node && !seen.has(node.id)) {
    seen.add(node.id)
    chain.unshift(node)
    node = node.parent_id === null ? undefined : byId.get(node.parent_id)
  }
  return chain
}

function displayName(c: PickerCategory, locale: string): string {
  return locale.startsWith('zh') ? c.name : c.name_en || c.name
}

/** "燃气报修 › 无气/气压低" in Chinese, "Gas repair › No gas / low pressure" otherwise. */
export function categoryPath<C extends PickerCategory>(category: C, byId: Map<number, C>, locale: string): string {
  return ancestry(category, byId).map((c) => displayName(c, locale)).join(PATH_SEPARATOR)
}

/** The safety script to read to the caller: the category's own, else the nearest ancestor's. */
export function safetyScriptOf<C extends PickerCategory>(category: C, byId: Map<number, C>): string | null {
  const chain = ancestry(category, byId)
  for (let i = chain.length - 1; i >= 0; i--) {
    const script = chain[i].safety_script?.trim()
    if (script) return script
  }
  return null
}

function normalize(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim()
}

/**
 * How well a category matches the query: 0 = no match; higher is better. Every word of the query must be
 * found in the code, the Chinese name or the English name of the category or one of its ancestors; a
 * code typed exactly, or the start of a code or name, ranks first.
 */
export function matchScore<C extends PickerCategory>(category: C, query: string, byId: Map<number, C>): number {
  const q = normalize(query)
  if (!q) return 1
  const chain = ancestry(category, byId)
  const own = [category.code, category.name, category.name_en].map(normalize)
  const haystack = chain.flatMap((c) => [c.code, c.name, c.name_en]).map(normalize).join('\n')
  const words = q.split(' ')
  if (!words.every((w) => haystack.includes(w))) return 0
  const code = own[0]
  if (code === q) return 100
  if (code.startsWith(q)) return 80
  if (own.some((t) => t.startsWith(q))) return 60
  if (own.some((t) => t.includes(q))) return 40
  if (words.every((w) => own.some((t) => t.includes(w)))) return 30
  return 10 // matched through a parent's name
}

/** Whether a category can be picked: active, with active ancestors, and a leaf (no active children). */
export function isPickable<C extends PickerCategory>(category: C, byId: Map<number, C>, parents: Set<number>): boolean {
  if (parents.has(category.id)) return false
  return ancestry(category, byId).every((c) => c.is_active)
}

/**
 * The options for one order type and query, best match first; ties keep the catalogue's order (the API
 * returns categories sorted by type, sort and code).
 */
export function filterCategories<C extends PickerCategory>(
  categories: readonly C[],
  type: string,
  query: string,
  locale: string,
): CategoryOption<C>[] {
  const byId = indexById(categories)
  const parents = new Set<number>()
  for (const c of categories) if (c.parent_id !== null && c.is_active) parents.add(c.parent_id)
  const scored: Array<{ option: CategoryOption<C>; score: number; index: number }> = []
  categories.forEach((c, index) => {
    if (c.type !== type || !isPickable(c, byId, parents)) return
    const score = matchScore(c, query, byId)
    if (!score) return
    scored.push({
      option: { value: c.code, label: categoryPath(c, byId, locale), category: c, safetyScript: safetyScriptOf(c, byId) },
      score,
      index,
    })
  })
  scored.sort((a, b) => b.score - a.score || a.index - b.index)
  return scored.map((s) => s.option)
}

export interface CategoryPicker<C extends PickerCategory> {
  /** What the agent has typed in the picker. */
  query: Ref<string>
  /** The options to show for the current type and query. */
  options: ComputedRef<CategoryOption<C>[]>
  /** For el-select's filter-method. */
  setQuery: (q: string) => void
  /** The option of a code (whatever the query), for the chosen value's label, script and grade. */
  find: (code: string | null | undefined) => CategoryOption<C> | undefined
}

export function useCategoryPicker<C extends PickerCategory>(
  categories: MaybeRefOrGetter<readonly C[]>,
  type: MaybeRefOrGetter<string>,
  locale: MaybeRefOrGetter<string>,
): CategoryPicker<C> {
  const query = ref('')
  const all = computed(() => filterCategories(toValue(categories), toValue(type), '', toValue(locale)))
  const options = computed(() =>
    query.value.trim() ? filterCategories(toValue(categories), toValue(type), query.value, toValue(locale)) : all.value,
  )
  function setQuery(q: string): void {
    query.value = q ?? ''
  }
  function find(code: string | null | undefined): CategoryOption<C> | undefined {
    if (!code) return undefined
    return all.value.find((o) => o.value === code)
  }
  return { query, options, setQuery, find }
}
