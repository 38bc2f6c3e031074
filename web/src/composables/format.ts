// Dates are shown in the center's time zone, whatever the browser's is.
export const TIME_ZONE = 'Asia/Shanghai'

const cache = new Map<string, Intl.DateTimeFormat>()
function formatter(locale: string, withSeconds: boolean): Intl.DateTimeFormat {
  const key = `${locale}|${withSeconds}`
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

/** "2026-11-22 14:05" in Asia/Shanghai; empty for null. */
export function formatDateTime(value: string | null | undefined, withSeconds = false): string {
  if (!value) return ''
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) return ''
  return formatter('sv-SE', withSeconds).format(date)
}

/** Start of a calendar day in Asia/Shanghai as an ISO string with +08:00 (what the API expects). */
export function dayStart(day: string): string {
  return `${day}T00:00:00+08:00`
}

/** End (exclusive) of a calendar day in Asia/Shanghai. */
export function dayEnd(day: string): string {
  const d = new Date(`${day}T00:00:00+08:00`)
  d.setUTCDate(d.getUTCDate() + 1)
  return `${formatDateTime(d.toISOString()).slice(0, 10)}T00:00:00+08:00`
}

/** "13800138000" → "138 0013 8000" for reading a number aloud to a caller. */
export function groupPhone(phone: string): string {
  const digits = phone.replace(/\s+/g, '')
  if (/^1\d{10}$/.test(digits)) return `${digits.slice(0, 3)} ${digits.slice(3, 7)} ${digits.slice(7)}`
  return phone
}
