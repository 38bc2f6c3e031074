// Work-order numbers for the order links of call rows: `want(ids)` fetches the ones not known yet (a few at a
// time); `label(id)` is the number once known, "#id" until then.
import { reactive } from 'vue'
import { pool } from '@/utils/pool'
import { orderNumber } from '@/modules/calls/api'

export function useOrderNumbers(): { want: (ids: Iterable<number>) => Promise<void>; label: (id: number) => string } {
  const known = reactive(new Map<number, string>())
  async function want(ids: Iterable<number>): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !known.has(id))
    await pool(missing, 4, async (id) => {
      const n = await orderNumber(id)
      if (n) known.set(id, n)
    })
  }
  return { want, label: (id) => known.get(id) ?? `#${id}` }
}
