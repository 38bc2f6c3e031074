// Figures as every page writes them (tested with Vitest): rates as percentages.

/** A rate (0–1) as a percentage with one decimal, half up: 0.8965 → "89.7%"; "—" for none. */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—'
  // the server rounds to 4 places; 1e-9 keeps 0.8965 (89.649999… in binary) rounding up, as it reads
  return `${(Math.round(rate * 1000 + 1e-9) / 10).toFixed(1)}%`
}
