import { ref, shallowRef, type Ref, type ShallowRef } from 'vue'

export interface DialogTarget<T> {
  /** v-model of the dialog. */
  open: Ref<boolean>
  /** What the dialog works on (null: a new one). */
  target: ShallowRef<T | null>
  /** Open the dialog on `item`. */
  show: (item: T | null) => void
}

/** A dialog opened on one row at a time: edit this unit, dispatch that order. */
export function useDialogTarget<T>(): DialogTarget<T> {
  const open = ref(false)
  const target = shallowRef<T | null>(null)
  function show(item: T | null): void {
    target.value = item
    open.value = true
  }
  return { open, target, show }
}
