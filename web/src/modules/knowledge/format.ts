// Pure helpers of the knowledge and bot pages (Vitest: format.test.ts): a search snippet's 【】 marks as pieces to
// render (never as HTML), the synonyms as text (one group a line), the category tree, what an article's state
// allows, the workbench's suggestion query, the bot's busy-hour windows.
import type { BotWindow, KbArticleDetail, KbCategory, KbEvent, KbKind, KbVersion } from './api'

export const KINDS: KbKind[] = ['faq', 'policy', 'procedure', 'script']
/** What a search hit may be: an article's kind, or a live outage (停供公告). */
export const HIT_KINDS = [...KINDS, 'outage'] as const
export const ARTICLE_STATES = ['draft', 'published', 'archived'] as const
export const VERSION_STATES = ['draft', 'in_review', 'published', 'superseded'] as const

type Tone = 'primary' | 'success' | 'warning' | 'danger' | 'info'
export const KIND_TONES: Record<string, Tone> = {
  faq: 'primary', policy: 'warning', procedure: 'success', script: 'info', outage: 'danger',
}
export const STATE_TONES: Record<string, Tone> = {
  draft: 'info', in_review: 'warning', published: 'success', superseded: 'info', archived: 'danger',
}
export function toneOf(tones: Record<string, Tone>, key: string | null | undefined): Tone {
  return (key && tones[key]) || 'info'
}

// ---------------------------------------------------------------- snippets

export interface Piece { text: string; mark: boolean }

/**
 * A snippet's text cut into plain and marked pieces: what is between 【 and 】 is marked. The server marks each
 * matched word on its own, so marks may overlap and come unbalanced (【燃气】灶】【【点【不着】火】) or be cut off at
 * the snippet's end: a 【 starts marking (again), a 】 ends it; a 】 with nothing open extends the previous mark
 * over the short word just before it (【燃气】灶】 → 燃气灶), else it is dropped. A mark never runs past the next 】.
 * Neighbouring pieces of one kind are joined; no piece is empty. Text stays text: the page renders the pieces
 * as text nodes, never as HTML.
 */
export function markSnippet(snippet: string): Piece[] {
  const out: Piece[] = []
  let open = false
  let run = ''
  const flush = (): void => {
    if (!run) return
    const mark = open
    const last = out[out.length - 1]
    if (last && last.mark === mark) last.text += run
    else out.push({ text: run, mark })
    run = ''
  }
  for (const ch of snippet) {
    if (ch === '【') {
      if (!open) flush()
      open = true
    } else if (ch === '】') {
      if (open) {
        flush()
        open = false
      } else {
        // a stray close: the short word just before it belongs to the previous mark
        const last = out[out.length - 1]
        if (run && last?.mark && [...run].length <= 4 && !/[\s，。；：、！？,.;:!?…（）()]/.test(run)) {
          last.text += run
          run = ''
        }
      }
    } else {
      run += ch
    }
  }
  flush()
  return out
}

// ---------------------------------------------------------------- synonyms

/** One group a line, its words joined by "/". */
export function formatSynonyms(groups: readonly (readonly string[])[]): string {
  return groups.map((g) => g.join('/')).join('\n')
}

export interface SynonymProblem { line: number; kind: 'one' | 'long'; text: string }

/**
 * The synonym groups typed as text: one group a line, its words separated by spaces or "/" (the full-width
 * ones too); empty lines are skipped, repeated words kept once. A line of one word, or a word longer than the
 * server takes (20 characters), is a problem (line numbers from 1).
 */
export function parseSynonyms(text: string): { groups: string[][]; problems: SynonymProblem[] } {
  const groups: string[][] = []
  const problems: SynonymProblem[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    const words = [...new Set(raw.split(/[\s/／\u3000]+/).map((w) => w.trim()).filter(Boolean))]
    if (!words.length) return
    if (words.length < 2) problems.push({ line: i + 1, kind: 'one', text: raw.trim() })
    const long = words.find((w) => [...w].length > 20)
    if (long) problems.push({ line: i + 1, kind: 'long', text: long })
    groups.push(words)
  })
  return { groups, problems }
}

// ---------------------------------------------------------------- categories

export interface CategoryNode { id: number; label: string; children: CategoryNode[] }

/** The flat category list as a tree (parents first, in the server's order); orphans stay at the top. */
export function categoryTree(categories: readonly KbCategory[]): CategoryNode[] {
  const nodes = new Map<number, CategoryNode>(categories.map((c) => [c.id, { id: c.id, label: c.name, children: [] }]))
  const roots: CategoryNode[] = []
  for (const c of categories) {
    const node = nodes.get(c.id)!
    const parent = c.parent_id != null ? nodes.get(c.parent_id) : undefined
    if (parent && parent !== node) parent.children.push(node)
    else roots.push(node)
  }
  return roots
}

/** "燃气业务 › 燃气开户、过户与销户"; empty for an unknown category. */
export function categoryPath(id: number | null | undefined, categories: readonly KbCategory[]): string {
  const byId = new Map(categories.map((c) => [c.id, c]))
  const names: string[] = []
  const seen = new Set<number>()
  let c = id != null ? byId.get(id) : undefined
  while (c && !seen.has(c.id)) {
    seen.add(c.id)
    names.unshift(c.name)
    c = c.parent_id != null ? byId.get(c.parent_id) : undefined
  }
  return names.join(' › ')
}

// ---------------------------------------------------------------- an article's actions

export type ArticleAction = 'edit' | 'submit' | 'approve' | 'reject' | 'archive' | 'restore' | 'attach'

/** The actions an article's state allows to an editor and to a reviewer (the server checks again; a reviewer
 * who wrote the version is refused there: 四眼原则). */
export function articleActions(
  a: Pick<KbArticleDetail, 'state' | 'live_version_id'> & { latest: Pick<KbVersion, 'state'> },
  can: { editor: boolean; reviewer: boolean },
): ArticleAction[] {
  const out: ArticleAction[] = []
  const archived = a.state === 'archived'
  if (can.editor && !archived && a.latest.state !== 'in_review') out.push('edit')
  if (can.editor && !archived && a.latest.state === 'draft') out.push('submit')
  if (can.reviewer && !archived && a.latest.state === 'in_review') out.push('approve', 'reject')
  if (can.reviewer && a.state === 'published') out.push('archive')
  if (can.reviewer && archived && a.live_version_id != null) out.push('restore')
  if (can.editor) out.push('attach')
  return out
}

/** Who wrote a version: the name on the event that made it (create / draft), else the last one on it. */
export function authorName(v: Pick<KbVersion, 'id' | 'author_id'>, events: readonly KbEvent[]): string | null {
  const mine = events.filter((e) => e.version_id === v.id && e.actor_name)
  const by = mine.find((e) => e.actor_id === v.author_id) ?? mine.find((e) => e.action === 'create' || e.action === 'draft')
  return by?.actor_name ?? null
}

/** Whether a date (YYYY-MM-DD) window holds `today`; open ends hold everything. */
export function validOn(from: string | null | undefined, to: string | null | undefined, today: string): boolean {
  return (!from || from <= today) && (!to || today <= to)
}

// ---------------------------------------------------------------- the workbench's suggestions

export const SUGGEST_MAX = 200

/** What the workbench searches for while the agent types: the category's name and the description, spaces
 * collapsed, at most 200 characters (the server's limit); empty when there is too little to search. */
export function suggestionQuery(category: string | null | undefined, description: string): string {
  const text = description.replace(/\s+/g, ' ').trim()
  const cat = (category ?? '').replace(/\s+/g, ' ').trim()
  if ([...text].length < 2 && !cat) return ''
  return [...[cat, text].filter(Boolean).join(' ')].slice(0, SUGGEST_MAX).join('').trim()
}

// ---------------------------------------------------------------- the bot

export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const

/** "HH:mm" of an API time ("11:30:00"). */
export function hhmm(time: string | null | undefined): string {
  return (time ?? '').slice(0, 5)
}

/** A window's problem, if any: no day, or an end not after its start. */
export function windowProblem(w: BotWindow): 'days' | 'order' | null {
  if (!w.days?.length) return 'days'
  if (!w.start || !w.end || hhmm(w.end) <= hhmm(w.start)) return 'order'
  return null
}

/** The hand-off reasons by count, most first (ties by name). */
export function sortedCounts(counts: Record<string, number> | null | undefined): [string, number][] {
  return Object.entries(counts ?? {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
}
