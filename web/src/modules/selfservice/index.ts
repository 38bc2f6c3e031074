// 服务型网站: the customers' self-service site (/m…), mobile first, no app: sign in by mobile number and SMS code,
// report a repair with photos and the place, follow one's orders, the outages of one's area, chat with the centre,
// the FAQ. Public as far as the staff app is concerned (no staff sign-in, no staff layout); the customer's own
// token (huiyin.self.token) is asked for by each page that needs it (the FAQ does not).
import type { NavigationGuard, RouteRecordRaw } from 'vue-router'
import { hasToken } from './composables/session'

/** A page for a signed-in customer: without a token, to /m/login and back here afterwards. */
const signedIn: NavigationGuard = (to) =>
  hasToken() ? true : { name: 'self-login', query: to.fullPath === '/m' ? {} : { redirect: to.fullPath } }

export const publicRoutes: RouteRecordRaw[] = [
  {
    path: '/m',
    component: () => import('./views/SelfLayout.vue'),
    // anonymous: the staff guard lets every /m page through without asking who is signed in (no /auth/me, no 401)
    meta: { public: true, anonymous: true },
    children: [
      { path: '', name: 'self-home', component: () => import('./views/SelfHomeView.vue'), beforeEnter: signedIn },
      {
        path: 'login',
        name: 'self-login',
        component: () => import('./views/SelfLoginView.vue'),
        beforeEnter: () => (hasToken() ? { name: 'self-home' } : true),
      },
      { path: 'report', name: 'self-report', component: () => import('./views/SelfReportView.vue'), beforeEnter: signedIn },
      { path: 'orders', name: 'self-orders', component: () => import('./views/SelfOrdersView.vue'), beforeEnter: signedIn },
      {
        path: 'orders/:id(\\d+)',
        name: 'self-order',
        component: () => import('./views/SelfOrderView.vue'),
        beforeEnter: signedIn,
      },
      { path: 'outages', name: 'self-outages', component: () => import('./views/SelfOutagesView.vue'), beforeEnter: signedIn },
      { path: 'chat', name: 'self-chat', component: () => import('./views/SelfChatView.vue'), beforeEnter: signedIn },
      { path: 'faq', name: 'self-faq', component: () => import('./views/SelfFaqView.vue') },
      { path: 'faq/:id(\\d+)', name: 'self-article', component: () => import('./views/SelfArticleView.vue') },
      // anything else under /m: the site's home (not the staff app's 404, which asks for a staff sign-in)
      { path: ':rest(.*)*', redirect: { name: 'self-home' } },
    ],
  },
]
