import { createI18n } from 'vue-i18n'

export type Locale = 'zh-CN' | 'en'
export const LOCALES: Locale[] = ['zh-CN', 'en']
const STORAGE_KEY = 'huiyin.locale'

type Messages = Record<Locale, Record<string, unknown>>
// The shared vocabulary (every file in this folder but this one) and each feature module's `locale.ts` are
// { 'zh-CN': {...}, en: {...} }; they are merged here.
const modules = import.meta.glob<{ default: Messages }>(
  ['./*.ts', '!./index.ts', '!./*.test.ts', '../modules/*/locale.ts'],
  { eager: true },
)

export function mergeMessages(parts: Messages[]): Messages {
  const out: Messages = { 'zh-CN': {}, en: {} }
  for (const part of parts) for (const locale of LOCALES) Object.assign(out[locale], part[locale])
  return out
}

/** Keys asked for but missing in the current locale; browser tests assert it stays empty. */
export const missingKeys: string[] = []
declare global {
  interface Window {
    __i18nMissing?: string[]
  }
}
if (typeof window !== 'undefined') window.__i18nMissing = missingKeys

// The server's errors by code (`huiyin/errors.py`): one JSON file per domain under ./errors, each entry its
// sentence in both languages side by side, { "code_wrong": { "zh-CN": "…", "en": "…" } }; merged here under
// apiErrors.<domain>.<name> (the code is "<domain>.<name>"). tests/unit/test_error_codes.py checks that every
// code the server raises is there, and that a sentence names only parameters the error carries.
type ErrorEntries = Record<string, Record<Locale, string>>
const errorFiles = import.meta.glob<{ default: ErrorEntries }>('./errors/*.json', { eager: true })

export function errorMessages(files: Record<string, { default: ErrorEntries }>): Messages {
  const out: Messages = { 'zh-CN': {}, en: {} }
  for (const locale of LOCALES) {
    const byDomain: Record<string, Record<string, string>> = {}
    for (const [path, { default: entries }] of Object.entries(files)) {
      const domain = path.replace(/^.*\/([^/]+)\.json$/, '$1')
      byDomain[domain] = Object.fromEntries(Object.entries(entries).map(([name, words]) => [name, words[locale]]))
    }
    out[locale] = { apiErrors: byDomain }
  }
  return out
}

export function savedLocale(): Locale {
  const saved = typeof localStorage !== 'undefined' ? localStorage.getItem(STORAGE_KEY) : null
  return saved === 'en' ? 'en' : 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  locale: savedLocale(),
  fallbackLocale: false,
  messages: mergeMessages([...Object.values(modules).map((m) => m.default), errorMessages(errorFiles)]) as never,
  missingWarn: false,
  fallbackWarn: false,
  missing: (locale, key) => {
    missingKeys.push(`${locale}:${key}`)
    console.warn(`[i18n] missing ${locale}:${key}`)
    return key
  },
})

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  localStorage.setItem(STORAGE_KEY, locale)
  document.documentElement.lang = locale
}
