/** "13800138000" → "138 0013 8000" for reading a number aloud to a caller. */
export function groupPhone(phone: string): string {
  const digits = phone.replace(/\s+/g, '')
  if (/^1\d{10}$/.test(digits)) return `${digits.slice(0, 3)} ${digits.slice(3, 7)} ${digits.slice(7)}`
  return phone
}

const MOBILE = /^1[3-9]\d{9}$/
const MASKED = /^\d{3,4}\*{4}\d{4}$/

/** Whether a number is shown masked, as the API shows numbers (138****1234, 0236****1234). */
export function isMasked(phone: string): boolean {
  return MASKED.test(phone)
}

/**
 * A number as the API shows it (the server's `mask_phone`): a mobile keeps its first 3 and last 4 digits
 * (138****1234), anything else of 7 or more its first 4 and last 4 (0236****1234); shorter numbers (95598) stay.
 * A number already masked stays as it is, so a whole number and a masked one compare by their masks.
 */
export function maskPhone(phone: string): string {
  const digits = phone.trim()
  if (digits.length < 7 || isMasked(digits)) return digits
  if (MOBILE.test(digits)) return `${digits.slice(0, 3)}****${digits.slice(-4)}`
  return `${digits.slice(0, 4)}****${digits.slice(-4)}`
}

/** Whether two numbers, each whole or masked, may be the same number (they mask alike). */
export function samePhone(a: string, b: string): boolean {
  return !!a && !!b && maskPhone(a) === maskPhone(b)
}
