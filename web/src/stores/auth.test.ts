import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useAuthStore } from './auth'

function reply(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
}
const USER = { id: 1, username: 'li', full_name: '李', roles: ['agent', 'dispatcher'], unit_id: null, phone: null, is_active: true }

describe('auth store', () => {
  beforeEach(() => setActivePinia(createPinia()))
  afterEach(() => vi.unstubAllGlobals())

  it('knows the roles of the signed-in user', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => reply(200, USER)))
    const auth = useAuthStore()
    await auth.fetchMe()
    expect(auth.hasRole('dispatcher')).toBe(true)
    expect(auth.hasRole('admin')).toBe(false)
    expect(auth.isManager).toBe(false)
    expect(auth.can('dispatch')).toBe(true)
    expect(auth.can('users')).toBe(false)
    expect(auth.can('editRules')).toBe(false)
  })

  it('treats 401 from /me as signed out, not as an error', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => reply(401, { title: 'Unauthorized', detail: 'sign in' })))
    const auth = useAuthStore()
    expect(await auth.fetchMe()).toBeNull()
    expect(auth.loaded).toBe(true)
  })

  it('passes a wrong password on as the server words it', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => reply(401, { title: 'Unauthorized', detail: 'wrong username or password' })))
    const auth = useAuthStore()
    await expect(auth.login('li', 'x')).rejects.toThrow('wrong username or password')
    expect(auth.user).toBeNull()
  })

  it('sends the CSRF cookie back as a header on writes', async () => {
    document.cookie = 'huiyin_csrf=tok123'
    const fetch = vi.fn(async (_req: Request) => reply(200, { user: USER, csrf_token: 'tok123' }))
    vi.stubGlobal('fetch', fetch)
    await useAuthStore().login('li', 'pw')
    const request = fetch.mock.calls[0][0] as Request
    expect(request.headers.get('X-CSRF-Token')).toBe('tok123')
  })
})
