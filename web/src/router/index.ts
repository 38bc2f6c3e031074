import { createRouter, createWebHistory, type Router } from 'vue-router'
import { onUnauthorized } from '@/api/client'
import { publicRoutes as surveyPages } from '@/modules/delayed'
import { publicRoutes as ratingPages } from '@/modules/rating'
import { publicRoutes as selfPages } from '@/modules/selfservice'
import { useAuthStore } from '@/stores/auth'
import { allowed, homeFor, pages } from './routes'

export function makeRouter(): Router {
  const router = createRouter({
    history: createWebHistory(),
    routes: [
      { path: '/login', name: 'login', component: () => import('@/views/LoginView.vue'), meta: { public: true } },
      {
        path: '/',
        component: () => import('@/components/AppLayout.vue'),
        // 'home' renders nothing: the guard sends a signed-in user on to their own first page.
        children: [{ path: '', name: 'home', component: { render: () => null } }, ...pages],
      },
      ...ratingPages,
      ...surveyPages,
      ...selfPages,
      { path: '/:rest(.*)*', name: 'not-found', component: () => import('@/views/NotFoundView.vue') },
    ],
  })

  router.beforeEach(async (to) => {
    // a customer's page (the rating link): no session asked for, so no 401 and no sign-in redirect
    if (to.meta.anonymous) return true
    const auth = useAuthStore()
    if (!auth.loaded) await auth.fetchMe().catch(() => null)
    if (to.meta.public) return true
    if (!auth.user) return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
    if (to.name === 'home' || !allowed(to, auth.roles)) return homeFor(auth.roles)
    return true
  })

  // A request answered 401: the session has expired. Back to sign-in, and back here afterwards.
  onUnauthorized(() => {
    const auth = useAuthStore()
    const current = router.currentRoute.value
    const wasSignedIn = auth.user !== null
    auth.expire()
    if (wasSignedIn && current.name !== 'login') {
      router.push({ name: 'login', query: { redirect: current.fullPath, expired: '1' } })
    }
  })
  return router
}
