// 质检评分表编辑 (pure): the editable copy of a QA form, the live sum of its points, and the body of
// POST /quality/forms built from the copy (the server checks the rest: points add up to 100, a red-line item has
// none, keys unique, steps within 1..max points; its 422 message is shown as it comes).
import type { Schemas } from '@/api/client'
import type { QaForm } from './api'

export type FlagKind = Schemas['FormItem']['flags'][number]
export type QaFormIn = Schemas['QaFormIn']

/** The automatic flags an item may name (huiyin/quality/schemas.py FlagKind), in the order the editor lists them. */
export const FLAG_KINDS: readonly FlagKind[] = [
  'fast_speech', 'slow_speech', 'loudness_jump', 'monotone', 'dead_air', 'talk_over', 'forbidden', 'shirking',
  'missing_opening', 'missing_closing',
]

export interface DraftItem {
  key: string
  title: string
  max_points: number
  /** the deduction steps as typed: "2, 5, 10" (commas, 、 or spaces) */
  steps: string
  red_line: boolean
  flags: FlagKind[]
}

export interface DraftSection {
  title: string
  items: DraftItem[]
}

export interface FormDraft {
  code: string
  contact_kind: QaFormIn['contact_kind']
  name: string
  sections: DraftSection[]
}

/** A copy of the form to edit (the form itself is left alone). */
export function editCopy(form: QaForm): FormDraft {
  return {
    code: form.code,
    contact_kind: form.contact_kind as QaFormIn['contact_kind'],
    name: form.name,
    sections: form.sections.map((s) => ({
      title: s.title,
      items: s.items.map((i) => ({
        key: i.key, title: i.title, max_points: i.max_points, steps: i.steps.join(', '), red_line: !!i.red_line,
        flags: [...(i.flags ?? [])],
      })),
    })),
  }
}

/** The steps typed, ascending and once each; null when a piece is not a whole number above 0. */
export function parseSteps(text: string): number[] | null {
  const pieces = text.split(/[\s,，、;；/]+/).filter(Boolean)
  if (pieces.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) return null
  return [...new Set(pieces.map(Number))].sort((a, b) => a - b)
}

/** The sum of the items' max points (red-line items count none): the server wants 100. */
export function pointsSum(draft: FormDraft): number {
  return draft.sections.reduce((sum, s) => sum + s.items.reduce((n, i) => n + (i.red_line ? 0 : Number(i.max_points) || 0), 0), 0)
}

/** Turns an item into a red line (no points, no steps) or back into a scored one. */
export function setRedLine(item: DraftItem, on: boolean): void {
  item.red_line = on
  if (on) {
    item.max_points = 0
    item.steps = ''
  }
}

/** An empty item with a key no other item of the draft has. */
export function newItem(draft: FormDraft): DraftItem {
  const used = new Set(draft.sections.flatMap((s) => s.items.map((i) => i.key)))
  let n = 1
  while (used.has(`item_${n}`)) n++
  return { key: `item_${n}`, title: '', max_points: 0, steps: '', red_line: false, flags: [] }
}

/** Where the draft's steps cannot be read: "section.item" indexes. */
export function badSteps(draft: FormDraft): string[] {
  return draft.sections.flatMap((s, sn) => s.items.flatMap((i, n) => (!i.red_line && parseSteps(i.steps) === null ? [`${sn}.${n}`] : [])))
}

/** The body of POST /quality/forms: a red-line item sent with no points and no steps, texts trimmed. */
export function formBody(draft: FormDraft): QaFormIn {
  return {
    code: draft.code,
    name: draft.name.trim(),
    contact_kind: draft.contact_kind,
    sections: draft.sections.map((s) => ({
      title: s.title.trim(),
      items: s.items.map((i) => ({
        key: i.key.trim(),
        title: i.title.trim(),
        max_points: i.red_line ? 0 : Number(i.max_points) || 0,
        steps: i.red_line ? [] : (parseSteps(i.steps) ?? []),
        red_line: i.red_line,
        flags: [...i.flags],
      })),
    })),
  }
}
