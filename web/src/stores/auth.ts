import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, ApiError, unwrap, type User } from '@/api/client'
import { GATES, MANAGERS, passes, type Gate, type Role } from '@/utils/roles'

/** The signed-in user (from /me) and what their roles allow. */
export const useAuthStore = defineStore('auth', () => {
  const user = ref<User | null>(null)
  const loaded = ref(false)

  const roles = computed(() => new Set(user.value?.roles ?? []))
  function hasRole(...wanted: Role[]): boolean {
    return wanted.some((r) => roles.value.has(r))
  }
  /** Whether the user's roles pass a gate of utils/roles.ts (a page, or a tool inside one). */
  function can(gate: Gate): boolean {
    return passes(GATES[gate], roles.value)
  }
  const isManager = computed(() => hasRole(...MANAGERS))

  async function fetchMe(): Promise<User | null> {
    try {
      user.value = await unwrap(api.GET('/api/v1/me'))
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401) throw e
      user.value = null
    } finally {
      loaded.value = true
    }
    return user.value
  }

  async function login(username: string, password: string): Promise<User> {
    const result = await unwrap(api.POST('/api/v1/auth/login', { body: { username, password } }))
    user.value = result.user
    loaded.value = true
    return result.user
  }

  async function logout(): Promise<void> {
    try {
      await unwrap(api.POST('/api/v1/auth/logout'))
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401) throw e
    }
    user.value = null
  }

  /** The session ended on the server (401): forget the user; the router sends them to sign-in. */
  function expire(): void {
    user.value = null
  }

  return { user, loaded, roles, hasRole, can, isManager, fetchMe, login, logout, expire }
})
