/** "13800138000" → "138 0013 8000" for reading a number aloud to a caller. */
export function groupPhone(phone: string): string {
  const digits = phone.replace(/\s+/g, '')
  if (/^1\d{10}$/.test(digits)) return `${digits.slice(0, 3)} ${digits.slice(3, 7)} ${digits.slice(7)}`
  return phone
}
