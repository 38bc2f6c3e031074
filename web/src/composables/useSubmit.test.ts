import { describe, expect, it, vi } from 'vitest'
import { ref } from 'vue'
import { ApiError } from '@/api/client'
import { useSubmit, type SubmitForm } from './useSubmit'

function fakeForm(valid: boolean) {
  return {
    validate: vi.fn((): Promise<unknown> => (valid ? Promise.resolve(true) : Promise.reject(new Error('invalid')))),
    clearValidate: vi.fn((): void => undefined),
  } satisfies SubmitForm
}

describe('useSubmit', () => {
  it('runs the action, busy while it runs', async () => {
    let finish: () => void = () => {}
    const action = vi.fn(() => new Promise<void>((r) => (finish = r)))
    const state = useSubmit(action)
    const done = state.submit()
    await Promise.resolve()
    expect(state.busy.value).toBe(true)
    finish()
    expect(await done).toBe(true)
    expect(action).toHaveBeenCalledOnce()
    expect(state.busy.value).toBe(false)
    expect(state.error.value).toBe('')
  })

  it("shows the API's own message when the action fails, and clears it on the next try", async () => {
    let fail = true
    const state = useSubmit(async () => {
      if (fail) throw new ApiError(409, { title: 'Conflict', detail: 'code U1 is taken' })
    })
    expect(await state.submit()).toBe(false)
    expect(state.error.value).toBe('与当前状态冲突：code U1 is taken')
    expect(state.busy.value).toBe(false)
    fail = false
    expect(await state.submit()).toBe(true)
    expect(state.error.value).toBe('')
  })

  it('does not run the action when the form does not validate', async () => {
    const form = fakeForm(false)
    const action = vi.fn(async () => undefined)
    const state = useSubmit(action, ref(form))
    expect(await state.submit()).toBe(false)
    expect(form.validate).toHaveBeenCalledOnce()
    expect(action).not.toHaveBeenCalled()
    expect(state.busy.value).toBe(false)
    expect(state.error.value).toBe('')
  })

  it('runs the action once the form validates', async () => {
    const form = fakeForm(true)
    const action = vi.fn(async () => undefined)
    const state = useSubmit(action, ref(form))
    expect(await state.submit()).toBe(true)
    expect(action).toHaveBeenCalledOnce()
  })

  it('stops when a form is expected but not mounted', async () => {
    const action = vi.fn(async () => undefined)
    const state = useSubmit(action, ref<SubmitForm>())
    expect(await state.submit()).toBe(false)
    expect(action).not.toHaveBeenCalled()
  })

  it('reset clears the error and the form marks', async () => {
    const form = fakeForm(true)
    const state = useSubmit(async () => {
      throw new Error('boom')
    }, ref(form))
    await state.submit()
    expect(state.error.value).toBe('boom')
    state.reset()
    expect(state.error.value).toBe('')
    expect(form.clearValidate).toHaveBeenCalledOnce()
  })
})
