// QA forms by id, each read once per page load (an evaluation names the form version it was scored on).
import { loadForm, type QaForm } from './api'

const cache = new Map<number, Promise<QaForm>>()

export function formById(id: number): Promise<QaForm> {
  let found = cache.get(id)
  if (!found) {
    found = loadForm(id)
    found.catch(() => cache.delete(id))
    cache.set(id, found)
  }
  return found
}
