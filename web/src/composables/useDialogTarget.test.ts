import { describe, expect, it } from 'vitest'
import { useDialogTarget } from './useDialogTarget'

describe('useDialogTarget', () => {
  it('opens the dialog on the row given, or on nothing for a new one', () => {
    const dialog = useDialogTarget<{ id: number }>()
    expect(dialog.open.value).toBe(false)
    expect(dialog.target.value).toBeNull()
    const row = { id: 7 }
    dialog.show(row)
    expect(dialog.open.value).toBe(true)
    expect(dialog.target.value).toBe(row)
    dialog.open.value = false
    dialog.show(null)
    expect(dialog.open.value).toBe(true)
    expect(dialog.target.value).toBeNull()
  })
})
