// The QA inspectors a lead can pick (the sampling plan's inspectors, a calibration's): only the admin may list
// users, so a lead's choices are the inspectors the month's samples name, those of the plan, and themselves.
import type { Sample } from './api'

export interface Person { id: number; name: string }

/** Everyone named, once, by name (an id without a name as "#id"), `me` included when given. */
export function knownInspectors(samples: readonly Sample[], ids: readonly number[], me?: Person | null): Person[] {
  const out = new Map<number, string>()
  for (const s of samples) if (s.inspector_name || !out.has(s.inspector_id)) out.set(s.inspector_id, s.inspector_name || `#${s.inspector_id}`)
  if (me) out.set(me.id, me.name)
  for (const id of ids) if (!out.has(id)) out.set(id, `#${id}`)
  return [...out].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN') || a.id - b.id)
}
