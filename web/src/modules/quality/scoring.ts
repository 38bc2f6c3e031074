// 质检's pure rules (Vitest: scoring.test.ts): the live total of a form being scored (100 − deductions, 0 once a
// red line is violated), the flags as markers on the recording's timeline, comments in time order, a transcript
// segment cut around the flagged phrases, the calibration's spread as table rows, months and the draw's message.

export const FLAG_KINDS = [
  'fast_speech', 'slow_speech', 'dead_air', 'talk_over', 'loud', 'monotone', 'forbidden', 'shirking',
  'missing_opening', 'missing_closing',
] as const
export const REASONS = ['random', 'new_agent', 'complaint', 'unsatisfied', 'flagged', 'long', 'short'] as const

/** A marker's colour by flag kind (phrases red, delivery amber, silence and overlap blue/purple). */
export const FLAG_COLORS: Record<string, string> = {
  forbidden: '#f56c6c', shirking: '#e6713a', missing_opening: '#c45656', missing_closing: '#c45656',
  fast_speech: '#e6a23c', slow_speech: '#d4b106', loud: '#b88230', monotone: '#a0a3a8',
  dead_air: '#409eff', talk_over: '#8e6cd8',
}
export const flagColor = (kind: string): string => FLAG_COLORS[kind] ?? '#909399'

export interface ScoreItem {
  key: string
  max_points: number
  steps: number[]
  red_line?: boolean
}
export interface Choice {
  deduction: number
  violated: boolean
  note: string
}

/** The items of a form's sections, in order. */
export function itemsOf(form: { sections: { items: ScoreItem[] }[] }): ScoreItem[] {
  return form.sections.flatMap((s) => s.items)
}

/** A fresh choice per item: nothing deducted, no red line violated. */
export function blankChoices(items: ScoreItem[]): Record<string, Choice> {
  return Object.fromEntries(items.map((i) => [i.key, { deduction: 0, violated: false, note: '' }]))
}

export interface Total {
  /** the score as the server will compute it */
  total: number
  /** points deducted from the normal items */
  deducted: number
  /** some red line is violated: the contact scores 0 */
  redLine: boolean
  /** the form's points (the normal items' maximums; 100 for a valid form) */
  max: number
}

/** The live total: the normal items' points less each deduction (a deduction not among the item's steps
 * counts as none, as the server refuses it), or 0 once any red line is violated. */
export function liveTotal(items: ScoreItem[], choices: Record<string, Choice | undefined>): Total {
  let max = 0
  let deducted = 0
  let redLine = false
  for (const item of items) {
    const c = choices[item.key]
    if (item.red_line) {
      redLine = redLine || !!c?.violated
      continue
    }
    max += item.max_points
    const d = c?.deduction ?? 0
    if (d > 0 && item.steps.includes(d)) deducted += Math.min(d, item.max_points)
  }
  return { total: redLine ? 0 : max - deducted, deducted, redLine, max }
}

/** The body's items: every item once, a red line with `violated` (no deduction), a normal one with its `deduction`. */
export function scoredItems(items: ScoreItem[], choices: Record<string, Choice | undefined>) {
  return items.map((i) => {
    const c = choices[i.key]
    const note = (c?.note ?? '').trim()
    return i.red_line
      ? { key: i.key, deduction: 0, violated: !!c?.violated, note }
      : { key: i.key, deduction: c?.deduction ?? 0, violated: false, note }
  })
}

export interface Span {
  kind: string
  start: number
  end: number
}
export interface Marker<T extends Span = Span> {
  flag: T
  index: number
  /** percent of the timeline from the left */
  left: number
  /** percent of the timeline; at least `minWidth` so a point is still a visible mark */
  width: number
  /** stacking row, so markers that overlap do not hide one another */
  lane: number
}

/** Each flag as a mark on a timeline of `duration` seconds (clamped to it; none without a duration), in
 * lanes: a mark goes to the first lane whose last mark ended before it starts. */
export function placeMarkers<T extends Span>(flags: readonly T[], duration: number, minWidth = 0.6): Marker<T>[] {
  if (!(duration > 0)) return []
  const order = flags.map((flag, index) => ({ flag, index })).sort((a, b) => a.flag.start - b.flag.start || a.index - b.index)
  const laneEnds: number[] = []
  const out: Marker<T>[] = []
  for (const { flag, index } of order) {
    const start = Math.min(Math.max(flag.start, 0), duration)
    const end = Math.min(Math.max(flag.end, start), duration)
    const width = Math.min(Math.max(((end - start) / duration) * 100, minWidth), 100)
    const left = Math.min((start / duration) * 100, 100 - width)
    let lane = laneEnds.findIndex((e) => e <= left)
    if (lane < 0) lane = laneEnds.push(left + width) - 1
    else laneEnds[lane] = left + width
    out.push({ flag, index, left, width, lane })
  }
  return out.sort((a, b) => a.index - b.index)
}

export interface Comment {
  at: number
  text: string
}

/** Comments by time (equal times keep their order). */
export function sortComments<T extends Comment>(comments: readonly T[]): T[] {
  return comments.map((c, i) => ({ c, i })).sort((a, b) => a.c.at - b.c.at || a.i - b.i).map((x) => x.c)
}

/** A time in the recording as m:ss.s (one decimal: markers are closer than a second). */
export function formatAt(seconds: number): string {
  const s = Math.max(0, seconds)
  const m = Math.floor(s / 60)
  const rest = (s - m * 60).toFixed(1).padStart(4, '0')
  return `${m}:${rest}`
}

export interface Part {
  text: string
  hit: boolean
}

/** A transcript segment's text cut into parts, the flagged phrases marked. A phrase is found in the text as
 * written or across the spaces and punctuation the recogniser put inside it (“这 不归我管” for 这不归我管). */
export function highlight(text: string, phrases: readonly string[]): Part[] {
  const skip = /[\s，。、！？,.!?；;：:“”"']/
  const marks = new Array<boolean>(text.length).fill(false)
  for (const phrase of new Set(phrases.filter((p) => p))) {
    const want = [...phrase].filter((ch) => !skip.test(ch))
    if (!want.length) continue
    for (let i = 0; i < text.length; i++) {
      if (text[i] !== want[0]) continue
      let j = i
      let k = 0
      while (j < text.length && k < want.length) {
        if (text[j] === want[k]) k++
        else if (!skip.test(text[j]) || k === 0) break
        j++
      }
      if (k === want.length) for (let x = i; x < j; x++) marks[x] = true
    }
  }
  const parts: Part[] = []
  for (let i = 0; i < text.length; i++) {
    const last = parts[parts.length - 1]
    if (last && last.hit === marks[i]) last.text += text[i]
    else parts.push({ text: text[i], hit: marks[i] })
  }
  return parts
}

/** The phrases the analysis flagged inside a segment's time (the phrase flags carry the phrase as their value). */
export function phrasesIn(seg: { start: number; end: number; channel: string },
  flags: readonly { kind: string; start: number; end: number; value?: unknown }[]): string[] {
  return flags
    .filter((f) => (f.kind === 'forbidden' || f.kind === 'shirking') && typeof f.value === 'string')
    .filter((f) => f.start < seg.end + 0.01 && f.end > seg.start - 0.01)
    .map((f) => String(f.value))
}

export interface SpreadRow {
  key: string
  title: string
  redLine: boolean
  values: (number | null)[]
  low: number | null
  high: number | null
  range: number | null
  differs: boolean
}

/** The calibration's spread as rows: each item's values in the order of the evaluations (the server's order). */
export function spreadRows(spread: {
  items: { key: string; title: string; red_line: boolean; values: number[]; low: number | null; high: number | null; range: number | null }[]
}): SpreadRow[] {
  return spread.items.map((i) => ({
    key: i.key, title: i.title, redLine: i.red_line, values: i.values, low: i.low, high: i.high, range: i.range,
    differs: (i.range ?? 0) > 0,
  }))
}

/** This month in the centre's zone ("YYYY-MM") of a centre day ("YYYY-MM-DD"). */
export const monthOf = (day: string): string => day.slice(0, 7)

/** The draw's result as "random 3 · complaint 1" in the reasons' order, the rest after; empty when nothing new. */
export function drawSummary(drawn: Record<string, number>, label: (reason: string) => string): string {
  const keys = [...REASONS.filter((r) => r in drawn), ...Object.keys(drawn).filter((r) => !(REASONS as readonly string[]).includes(r))]
  return keys.filter((k) => drawn[k] > 0).map((k) => `${label(k)} ${drawn[k]}`).join(' · ')
}
