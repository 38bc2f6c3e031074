import { afterEach, describe, expect, it, vi } from 'vitest'
import { copyText } from './clipboard'

describe('copyText', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('writes through the Clipboard API', async () => {
    const writeText = vi.fn(async () => undefined)
    vi.stubGlobal('navigator', { clipboard: { writeText } })
    await copyText('13912345678')
    expect(writeText).toHaveBeenCalledWith('13912345678')
  })

  it('falls back to a selected textarea, and says when that fails too', async () => {
    vi.stubGlobal('navigator', {})
    const exec = vi.fn(() => false)
    Object.defineProperty(document, 'execCommand', { value: exec, configurable: true })
    await expect(copyText('13912345678')).rejects.toThrow('copy')
    expect(exec).toHaveBeenCalledWith('copy')
    expect(document.querySelector('textarea')).toBeNull()
    exec.mockReturnValue(true)
    await copyText('13912345678')
  })
})
