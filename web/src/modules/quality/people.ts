// The people a lead can pick (the sampling plan's inspectors, a calibration's): GET /quality/inspectors.
import type { Inspector } from './api'

export interface Person { id: number; name: string }

/** The inspectors as choices, by name; ``onlyQa``: the 质检员 alone (the sampling plan assigns to them). */
export function choices(inspectors: readonly Inspector[], onlyQa = false): Person[] {
  return inspectors
    .filter((p) => !onlyQa || p.qa_inspector)
    .map((p) => ({ id: p.id, name: p.name }))
    .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN') || a.id - b.id)
}
