// The signed-in customer of the self-service site: the token (kept in the phone's storage under
// huiyin.self.token) and who they are (GET /self/me, once per page load). Shared by every /m page.
import { ref } from 'vue'
import { loadMe, login, logout, saveToken, savedToken, type SelfMe } from '../api'

const token = ref(savedToken())
const me = ref<SelfMe | null>(null)
let loading: Promise<SelfMe | null> | null = null

export function useSelfSession() {
  return { token, me, ensureMe, signIn, signOut, forget }
}

/** Whether a token is kept (the route guard's question; the server may still refuse it). */
export function hasToken(): boolean {
  token.value = savedToken()
  return token.value !== ''
}

/** Who is signed in, asked once; null when the token is refused (it is then forgotten). */
export function ensureMe(): Promise<SelfMe | null> {
  if (me.value) return Promise.resolve(me.value)
  if (!token.value) return Promise.resolve(null)
  loading ??= loadMe()
    .then((m) => (me.value = m))
    .catch(() => null)
    .finally(() => (loading = null))
  return loading
}

export async function signIn(phone: string, code: string): Promise<SelfMe> {
  const out = await login(phone, code)
  saveToken(out.token)
  token.value = out.token
  me.value = { phone: out.phone, customer_id: out.customer_id, name: out.name, address: out.address }
  return me.value
}

/** Signs out on the server (best effort) and forgets the token here. */
export async function signOut(): Promise<void> {
  if (token.value) await logout().catch(() => null)
  forget()
}

/** The token is no longer good (or the customer signed out): forget it and who they were. */
export function forget(): void {
  saveToken('')
  token.value = ''
  me.value = null
}
