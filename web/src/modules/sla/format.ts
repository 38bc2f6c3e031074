// The pure rules of the time-limit editors (时限标准, 工作日历, 升级阶梯): how a limit in minutes reads,
// how long a calendar's working day is, the exception days of a year, and the ladder's ordering.
// Text goes through a translate function, so all of it is testable without i18n.

/** vue-i18n's `t(key, named, plural)`: `n` picks the plural form ("1 workday", "3 workdays"). */
export type Translate = (key: string, params: { n: number }, plural: number) => string

export type LimitUnit = 'd' | 'wd' | 'h' | 'm'
export interface LimitPart {
  unit: LimitUnit
  n: number
}

export const DAY = 1440

/**
 * A limit in minutes as whole units: days when it is a whole number of days (working days on a
 * calendar whose working day is `workdayMinutes` long), else hours and minutes.
 * 4320 → 3 d; 1350 on a 450-minute working day → 3 wd; 225 → 3 h 45 min; 45 → 45 min.
 */
export function limitParts(minutes: number, workdayMinutes?: number | null): LimitPart[] {
  const total = Math.max(0, Math.round(minutes))
  if (total === 0) return [{ unit: 'm', n: 0 }]
  if (workdayMinutes && workdayMinutes > 0) {
    if (total % workdayMinutes === 0) return [{ unit: 'wd', n: total / workdayMinutes }]
  } else if (total % DAY === 0) {
    return [{ unit: 'd', n: total / DAY }]
  }
  const h = Math.floor(total / 60)
  const m = total % 60
  const parts: LimitPart[] = []
  if (h) parts.push({ unit: 'h', n: h })
  if (m) parts.push({ unit: 'm', n: m })
  return parts
}

/** Each unit of a limit as text: ["3 小时", "45 分钟"] (keys `slaAdmin.unit.*`); [] for no limit. */
export function limitTexts(minutes: number | null | undefined, t: Translate, workdayMinutes?: number | null): string[] {
  if (minutes == null || Number.isNaN(minutes)) return []
  return limitParts(minutes, workdayMinutes).map((p) => t(`slaAdmin.unit.${p.unit}`, { n: p.n }, p.n))
}

/** "45 分钟", "2 小时", "3 天", "3 个工作日", "3 小时 45 分钟"; '' for no limit. */
export function formatLimit(minutes: number | null | undefined, t: Translate, workdayMinutes?: number | null): string {
  return limitTexts(minutes, t, workdayMinutes).join(' ')
}

/** "08:30" → 510; NaN for anything else. */
export function clockMinutes(hhmm: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm ?? '')
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN
}

export interface WorkPeriod {
  start: string
  end: string
}

/** The working minutes of one working day: 08:30–12:00 + 13:30–17:30 → 450. */
export function workdayMinutes(periods: readonly WorkPeriod[] | null | undefined): number {
  let total = 0
  for (const p of periods ?? []) {
    const span = clockMinutes(p.end) - clockMinutes(p.start)
    if (span > 0) total += span
  }
  return total
}

/** What is wrong with a calendar's work periods: a bad time, an end not after its start, an overlap. */
export function periodProblem(periods: readonly WorkPeriod[]): 'empty' | 'time' | 'order' | 'overlap' | null {
  if (!periods.length) return 'empty'
  const spans = periods.map((p) => [clockMinutes(p.start), clockMinutes(p.end)] as const)
  if (spans.some(([a, b]) => Number.isNaN(a) || Number.isNaN(b))) return 'time'
  if (spans.some(([a, b]) => b <= a)) return 'order'
  const sorted = [...spans].sort((x, y) => x[0] - y[0])
  for (let i = 1; i < sorted.length; i++) if (sorted[i][0] < sorted[i - 1][1]) return 'overlap'
  return null
}

/** warn_at (a share, 0.75) as a whole percentage (75) and back. */
export const warnPercent = (share: number | null | undefined): number => Math.round((share ?? 0.75) * 100)
export const warnShare = (percent: number): number => Math.min(100, Math.max(1, Math.round(percent))) / 100

// ---------------------------------------------------------------- calendar exception days

export interface ExceptionDay {
  date: string
  is_working: boolean
  note: string
}

/** 0 = Sunday … 6 = Saturday, of a 'YYYY-MM-DD' day (the calendar day itself, whatever the zone). */
export function weekday(date: string): number {
  const [y, m, d] = date.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay()
}

export const isWeekend = (date: string): boolean => [0, 6].includes(weekday(date))

/**
 * What looks wrong with one exception day: no date, a day outside the year, a date listed twice, or a
 * make-up working day on a weekday (already a working day). A holiday on a weekend is fine: the notices
 * list every day of a holiday.
 */
export function dayProblem(
  day: { date: string | null; is_working: boolean },
  year: number,
  all: readonly { date: string | null }[],
): 'missing' | 'year' | 'twice' | 'weekdayWorking' | null {
  if (!day.date) return 'missing'
  if (!day.date.startsWith(`${year}-`)) return 'year'
  if (all.filter((d) => d.date === day.date).length > 1) return 'twice'
  if (day.is_working && !isWeekend(day.date)) return 'weekdayWorking'
  return null
}

/** The problems that stop a save (the others are only worth a remark). */
export const BLOCKING = new Set(['missing', 'year', 'twice'])

/** The days to send: dated ones, sorted, notes trimmed. */
export function daysToSave(rows: readonly { date: string | null; is_working: boolean; note: string }[]): ExceptionDay[] {
  return rows
    .filter((r): r is ExceptionDay => !!r.date)
    .map((r) => ({ date: r.date, is_working: r.is_working, note: r.note.trim() }))
    .sort((a, b) => a.date.localeCompare(b.date))
}

/** Two lists of days are the same (order aside). */
export function sameDays(a: readonly ExceptionDay[], b: readonly ExceptionDay[]): boolean {
  const key = (list: readonly ExceptionDay[]) =>
    JSON.stringify([...list].sort((x, y) => x.date.localeCompare(y.date)).map((d) => [d.date, d.is_working, d.note]))
  return key(a) === key(b)
}

// ---------------------------------------------------------------- escalation ladder

export interface LadderStepLike {
  level: number
  delay_minutes: number | null
  channels: readonly string[]
}

/**
 * The first problem of a ladder, by level: a missing delay, a delay earlier than the level before it
 * (the API refuses delays that decrease), or no channel to notify through.
 */
export function ladderProblems(steps: readonly LadderStepLike[]): Map<number, 'delay' | 'order' | 'channels'> {
  const out = new Map<number, 'delay' | 'order' | 'channels'>()
  let before: number | null = null
  for (const s of [...steps].sort((a, b) => a.level - b.level)) {
    if (s.delay_minutes == null || s.delay_minutes < 0) out.set(s.level, 'delay')
    else if (before != null && s.delay_minutes < before) out.set(s.level, 'order')
    else if (!s.channels.length) out.set(s.level, 'channels')
    if (s.delay_minutes != null && s.delay_minutes >= 0) before = s.delay_minutes
  }
  return out
}
