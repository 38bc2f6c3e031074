// The customer's rating page, from the SMS sent when an order is closed: public, outside the app's layout.
import type { RouteRecordRaw } from 'vue-router'

export const publicRoutes: RouteRecordRaw[] = [
  {
    path: '/r/:token',
    name: 'rate-link',
    component: () => import('./views/RateLinkView.vue'),
    // anonymous: the guard lets it through without asking who is signed in (no /auth/me, no 401)
    meta: { public: true, anonymous: true },
  },
]
