// A written conversation on the 质检工作台: its messages as bubbles (the customer's on the left, the bot's and the
// agents' on the right, system notices centred), each agent message with the phrase flags the server found in it
// (QaChatFlag: the phrase's place in the message's text), split into parts so the flagged words are marked.
import type { QaChatFlag, QaChatLine } from '@/modules/quality/api'

export type Side = 'left' | 'right' | 'centre'
export interface Piece { text: string; flag: QaChatFlag | null }
export interface Bubble { line: QaChatLine; side: Side; pieces: Piece[]; flags: QaChatFlag[]; flagged: boolean; hit: boolean }

export function sideOf(sender: string): Side {
  if (sender === 'customer') return 'left'
  if (sender === 'agent' || sender === 'bot') return 'right'
  return 'centre'
}

/** The text cut at each flag's [start, end) (overlaps: the earlier flag wins), flagged pieces carrying their flag. */
export function pieces(text: string, flags: readonly QaChatFlag[]): Piece[] {
  const spans = flags
    .filter((f) => f.start != null && f.end != null && f.start < f.end && f.start >= 0 && f.end <= text.length)
    .sort((a, b) => (a.start ?? 0) - (b.start ?? 0))
  const out: Piece[] = []
  let at = 0
  for (const f of spans) {
    const start = f.start ?? 0
    const end = f.end ?? 0
    if (start < at) continue
    if (start > at) out.push({ text: text.slice(at, start), flag: null })
    out.push({ text: text.slice(start, end), flag: f })
    at = end
  }
  if (at < text.length || !out.length) out.push({ text: text.slice(at), flag: null })
  return out
}

/** The conversation's messages as bubbles; only agents' messages carry flags (the customer's words are not judged). */
export function bubbles(lines: readonly QaChatLine[], flags: readonly QaChatFlag[]): Bubble[] {
  const byMessage = new Map<number, QaChatFlag[]>()
  for (const f of flags) {
    if (f.message_id == null) continue
    byMessage.set(f.message_id, [...(byMessage.get(f.message_id) ?? []), f])
  }
  return lines.map((line) => {
    const mine = line.sender === 'agent' ? byMessage.get(line.id) ?? [] : []
    return {
      line, side: sideOf(line.sender), pieces: pieces(line.text, mine), flags: mine, flagged: mine.length > 0,
      hit: mine.some((f) => f.verdict === 'hit'),
    }
  })
}
