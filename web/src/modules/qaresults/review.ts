// Pure helpers of 我的质检 / 质检记录 / 申诉处理 / 质检结果 / 质检规则 (Vitest: review.test.ts): the form's items by
// key, the items an agent may appeal, the score a lead's decision gives (the server's rule: a violated red line
// scores 0, otherwise the items' points add up), the decision body (only items whose score changes), a comment's
// time as mm:ss, the 试一试 text cut into plain and highlighted pieces, months.
import type { Evaluation, FormItem, QaForm, ScoredItem, TextHit } from './api'

export interface ItemRow {
  key: string
  title: string
  section: string
  item: FormItem
}

/** The form's items in order, each with its section's title. */
export function formItems(form: QaForm | null | undefined): ItemRow[] {
  if (!form) return []
  return form.sections.flatMap((s) => s.items.map((item) => ({ key: item.key, title: item.title, section: s.title, item })))
}

/** An item's title from the form (the key when the form does not know it). */
export function titleOf(form: QaForm | null | undefined, key: string): string {
  return formItems(form).find((r) => r.key === key)?.title ?? key
}

/** The items the agent may appeal: those with a deduction, and a red line found violated. */
export function appealable(items: readonly ScoredItem[]): ScoredItem[] {
  return items.filter((i) => i.deduction > 0 || i.violated)
}

/** Whether the agent may appeal now: scored (not appealed yet) and before the window closes. */
export function canAppeal(ev: Pick<Evaluation, 'state' | 'appeal_until' | 'items'>, now: Date = new Date()): boolean {
  return ev.state === 'scored' && now.getTime() < new Date(ev.appeal_until).getTime() && appealable(ev.items).length > 0
}

/** A lead's pick for an appealed item: a deduction (0 or one of the item's steps), or a red line's violated. */
export interface Choice { deduction: number; violated: boolean }

/** The evaluation's items with the lead's picks applied (points = max − deduction; a red line keeps 0 points). */
export function applyPicks(items: readonly ScoredItem[], form: QaForm | null | undefined, picks: Record<string, Choice>): ScoredItem[] {
  const spec = new Map(formItems(form).map((r) => [r.key, r.item]))
  return items.map((i) => {
    const p = picks[i.key]
    const s = spec.get(i.key)
    if (!p || !s) return i
    if (s.red_line) return { ...i, violated: p.violated }
    return { ...i, deduction: p.deduction, points: s.max_points - p.deduction }
  })
}

/** The score of scored items, as the server counts it. */
export function scoreOf(items: readonly ScoredItem[]): number {
  return items.some((i) => i.violated) ? 0 : items.reduce((sum, i) => sum + i.points, 0)
}

/** The decision's items: only the appealed items whose deduction or violation the lead changed. */
export function decisionItems(
  items: readonly ScoredItem[], form: QaForm | null | undefined, picks: Record<string, Choice>,
): { key: string; deduction: number; violated: boolean }[] {
  const spec = new Map(formItems(form).map((r) => [r.key, r.item]))
  const out: { key: string; deduction: number; violated: boolean }[] = []
  for (const i of items) {
    const p = picks[i.key]
    const s = spec.get(i.key)
    if (!p || !s) continue
    if (s.red_line) {
      if (p.violated !== i.violated) out.push({ key: i.key, deduction: 0, violated: p.violated })
    } else if (p.deduction !== i.deduction) {
      out.push({ key: i.key, deduction: p.deduction, violated: false })
    }
  }
  return out
}

/** The deductions a lead may choose for an item: none (0) and each of its steps, smallest first. */
export function deductionChoices(item: FormItem | undefined): number[] {
  return [0, ...[...(item?.steps ?? [])].sort((a, b) => a - b)]
}

/** Seconds into the recording as mm:ss (an hour or more: h:mm:ss). */
export function formatAt(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  const h = Math.floor(s / 3600)
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0')
  const ss = String(s % 60).padStart(2, '0')
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`
}

/** A score with one decimal ("—" for none). */
export function formatScore(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : value.toFixed(1)
}

export interface Piece { text: string; hit?: TextHit }

/** The text cut into plain pieces and highlighted ones (the hits in order; one overlapping an earlier is dropped). */
export function highlight(text: string, hits: readonly TextHit[]): Piece[] {
  const out: Piece[] = []
  let at = 0
  for (const h of [...hits].sort((a, b) => a.start - b.start || b.end - a.end)) {
    if (h.start < at || h.end <= h.start || h.end > text.length) continue
    if (h.start > at) out.push({ text: text.slice(at, h.start) })
    out.push({ text: text.slice(h.start, h.end), hit: h })
    at = h.end
  }
  if (at < text.length) out.push({ text: text.slice(at) })
  return out
}

/** This month of a "YYYY-MM-DD" day. */
export function monthOfDay(day: string): string {
  return day.slice(0, 7)
}

/** A `?month=` value: "YYYY-MM", not after this month; else this month. */
export function pickMonth(value: unknown, today: string): string {
  const v = Array.isArray(value) ? value[0] : value
  if (typeof v === 'string' && /^\d{4}-(0[1-9]|1[0-2])$/.test(v) && v >= '2000-01' && v <= today.slice(0, 7)) return v
  return today.slice(0, 7)
}

/** The trend's months with a score, for a line chart: [months, scores (null for none)]. */
export function trendSeries(trend: readonly { month: string; qa_score: number | null }[]): [string[], (number | null)[]] {
  const rows = [...trend].sort((a, b) => a.month.localeCompare(b.month))
  return [rows.map((r) => r.month), rows.map((r) => (r.qa_score === null ? null : Math.round(r.qa_score * 10) / 10))]
}

/** The locale key (qaResults.rules.why.*) of a hint's rule as the API names it; null for one it does not know. */
export function whyKey(why: string): string | null {
  const keys: Record<string, string> = {
    'another word': 'another', 'A-not-A question': 'aNotA', 'polite question follows': 'politeAfter', 'polite opener before': 'politeBefore',
  }
  return keys[why] ? `qaResults.rules.why.${keys[why]}` : null
}
