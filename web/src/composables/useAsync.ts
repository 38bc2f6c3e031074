import { ref, shallowRef, type Ref, type ShallowRef } from 'vue'
import { ApiError } from '@/api/client'

export interface AsyncState<T> {
  data: ShallowRef<T | undefined>
  loading: Ref<boolean>
  error: Ref<string>
  /** Run the loader; a newer run wins over an older one still in flight. */
  run: () => Promise<T | undefined>
}

/** Message to show for an error: the API's own message, never a stack trace. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message
  if (e instanceof Error) return e.message
  return String(e)
}

/** loading / error / data for one loader, as every page needs them. */
export function useAsync<T>(loader: () => Promise<T>): AsyncState<T> {
  const data = shallowRef<T>()
  const loading = ref(false)
  const error = ref('')
  let generation = 0
  async function run(): Promise<T | undefined> {
    const mine = ++generation
    loading.value = true
    error.value = ''
    try {
      const value = await loader()
      if (mine === generation) data.value = value
      return value
    } catch (e) {
      if (mine === generation) error.value = errorMessage(e)
      return undefined
    } finally {
      if (mine === generation) loading.value = false
    }
  }
  return { data, loading, error, run }
}
