// Dates and clocks, shown the one way everywhere: instants in the centre's time zone (Asia/Shanghai, whatever
// the browser's is), durations as clocks. The API takes and gives ISO instants; wall-clock times typed by a
// user are the centre's.
export const TIME_ZONE = 'Asia/Shanghai'
/** The centre's offset from UTC (China keeps no daylight saving time). */
const OFFSET = '+08:00'

const cache = new Map<string, Intl.DateTimeFormat>()
function formatter(withSeconds: boolean): Intl.DateTimeFormat {
  const key = String(withSeconds)
  let f = cache.get(key)
  if (!f) {
    f = new Intl.DateTimeFormat('sv-SE', {
      timeZone: TIME_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: withSeconds ? '2-digit' : undefined,
      hour12: false,
    })
    cache.set(key, f)
  }
  return f
}

function toDate(value: string | number | Date | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null
  const date = value instanceof Date ? value : new Date(value)
  return Number.isNaN(date.getTime()) ? null : date
}

/** "2026-11-22 14:05" (or "2026-11-22 14:05:09") in Asia/Shanghai; empty for null or nonsense. */
export function formatDateTime(value: string | number | Date | null | undefined, withSeconds = false): string {
  const date = toDate(value)
  return date ? formatter(withSeconds).format(date) : ''
}

/** The time of day, "14:05:09", in Asia/Shanghai (when a page was last refreshed). */
export function formatTime(value: string | number | Date | null | undefined): string {
  return formatDateTime(value, true).slice(11)
}

/** Start of a calendar day in Asia/Shanghai as an ISO string with +08:00 (what the API expects). */
export function dayStart(day: string): string {
  return `${day}T00:00:00${OFFSET}`
}

/** End (exclusive) of a calendar day in Asia/Shanghai. */
export function dayEnd(day: string): string {
  const d = new Date(dayStart(day))
  d.setUTCDate(d.getUTCDate() + 1)
  return dayStart(formatDateTime(d).slice(0, 10))
}

/** Today's date in Asia/Shanghai, "2026-12-06" (whatever the browser's zone and clock date say). */
export function centreToday(now: Date = new Date()): string {
  return formatDateTime(now).slice(0, 10)
}

/** A calendar day ("YYYY-MM-DD") `n` days later (earlier for a negative `n`): plain date arithmetic. */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}

/** The days from `first` to `last`, both included ("YYYY-MM-DD"; none if `first` is after `last`). */
export function daysBetween(first: string, last: string): string[] {
  const out: string[] = []
  for (let d = first; d <= last && out.length < 3700; d = addDays(d, 1)) out.push(d)
  return out
}

/** A wall-clock time in the centre's zone ("2026-11-23 09:00[:00]") as the API wants it: "2026-11-23T09:00:00+08:00". */
export function wallToIso(wall: string): string {
  const full = wall.length === 16 ? `${wall}:00` : wall
  return `${full.replace(' ', 'T')}${OFFSET}`
}

/** An ISO instant as a wall-clock time in the centre's zone, "2026-11-24 09:00:00" (for a date picker). */
export function isoToWall(iso: string | null | undefined): string {
  return formatDateTime(iso, true)
}

function clock(s: number, minuteDigits: 1 | 2): string {
  const h = Math.floor(s / 3600)
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h > 0 ? 2 : minuteDigits, '0')
  const ss = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`
}

/** A duration in seconds as "0:08", "2:05", "1:02:05" (a call's wait or talk); "—" when unknown. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—'
  return clock(Math.max(0, Math.floor(seconds)), 1)
}

/** A running clock: "00:42", "12:05", "1:02:03" (time in a state, ringing, talking). */
export function formatClock(seconds: number): string {
  return clock(Math.max(0, Math.floor(seconds)), 2)
}
