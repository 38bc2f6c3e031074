import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/client'
import { useAsync } from './useAsync'

describe('useAsync', () => {
  it('keeps the data and clears loading when the loader succeeds', async () => {
    const state = useAsync(async () => 42)
    const run = state.run()
    expect(state.loading.value).toBe(true)
    await run
    expect(state.data.value).toBe(42)
    expect(state.loading.value).toBe(false)
    expect(state.error.value).toBe('')
  })

  it("shows the API's own message, not a stack", async () => {
    const state = useAsync(async () => {
      throw new ApiError(409, { title: 'Conflict', detail: 'order GD1 is closed' })
    })
    await state.run()
    expect(state.error.value).toBe('与当前状态冲突：order GD1 is closed') // no code: the status in Chinese, then the server's words
    expect(state.data.value).toBeUndefined()
  })

  it('lets the newest run win over an older one still in flight', async () => {
    let resolvers: Array<(v: number) => void> = []
    const state = useAsync(() => new Promise<number>((r) => resolvers.push(r)))
    const first = state.run()
    const second = state.run()
    resolvers[1](2)
    await second
    resolvers[0](1)
    await first
    expect(state.data.value).toBe(2)
    resolvers = []
  })
})
