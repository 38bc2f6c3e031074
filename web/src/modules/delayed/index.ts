// 延时调查: the managers' page (/surveys: results, handler ratings, questionnaire versions, sampling rules) and the
// customer's survey page from the survey SMS (/s/:token: public, outside the app's layout).
import { DocumentChecked } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'
import { GATES } from '@/utils/roles'

export const routes: RouteRecordRaw[] = [
  {
    path: 'surveys',
    name: 'delayed-surveys',
    component: () => import('./views/DelayedSurveysView.vue'),
    // after 满意度; the admin may use it but lands on 用户与角色
    meta: { roles: GATES.delayedSurveys, menu: { label: 'delayed.menu', icon: DocumentChecked, order: 16, landing: false } },
  },
]

export const publicRoutes: RouteRecordRaw[] = [
  {
    path: '/s/:token',
    name: 'survey-link',
    component: () => import('./views/SurveyLinkView.vue'),
    // anonymous: the guard lets it through without asking who is signed in (no /auth/me, no 401)
    meta: { public: true, anonymous: true },
  },
]
