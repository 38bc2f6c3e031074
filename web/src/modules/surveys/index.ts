// 满意度分析: the customers' ratings over a period, by day, agent, unit, category or channel (managers, QA, admin);
// 关怀回访: the follow-ups of unsatisfied ratings (agents and managers).
import { ChatDotRound, Star } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'
import { GATES } from '@/utils/roles'

export const routes: RouteRecordRaw[] = [
  {
    path: 'satisfaction',
    name: 'satisfaction',
    component: () => import('./views/SatisfactionView.vue'),
    // next to 运行概览; the admin may read it but lands on 用户与角色
    meta: { roles: GATES.satisfaction, menu: { label: 'satisfaction.menu', icon: Star, order: 15, landing: false } },
  },
  {
    path: 'care',
    name: 'care',
    component: () => import('./views/CareQueueView.vue'),
    // after 回访
    meta: { roles: GATES.care, menu: { label: 'care.menu', icon: ChatDotRound, order: 65 } },
  },
]
