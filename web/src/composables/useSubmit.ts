import { ref, type Ref } from 'vue'
import { errorMessage } from './useAsync'

/** What `useSubmit` needs of an el-form: validate it, clear its marks. `FormInstance` fits. */
export interface SubmitForm {
  validate: () => Promise<unknown>
  clearValidate: () => void
}

export interface SubmitState {
  busy: Ref<boolean>
  error: Ref<string>
  /** Validate the form (when given), run the action; true when it went through. */
  submit: () => Promise<boolean>
  /** Clear the error and the form's validation marks (as a dialog opens). */
  reset: () => void
}

/**
 * busy / error for a form that posts: validates the el-form in `form` (when given; an invalid or
 * missing form stops there), runs `action`, and on a failure shows the API's own message in `error`.
 * Closing the dialog, emitting what was saved and so on belong in `action`, after its call.
 */
export function useSubmit(
  action: () => Promise<unknown>,
  form?: Readonly<Ref<SubmitForm | undefined>>,
): SubmitState {
  const busy = ref(false)
  const error = ref('')
  async function submit(): Promise<boolean> {
    error.value = ''
    if (form && !(await form.value?.validate().catch(() => false))) return false
    busy.value = true
    try {
      await action()
      return true
    } catch (e) {
      error.value = errorMessage(e)
      return false
    } finally {
      busy.value = false
    }
  }
  function reset(): void {
    error.value = ''
    form?.value?.clearValidate()
  }
  return { busy, error, submit, reset }
}
