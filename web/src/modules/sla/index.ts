// Time limits (时限管理): 时限标准, 工作日历, 升级阶梯; and the 督办看板 (a link in the header, not in the menu).
import { Calendar, Histogram, Timer } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'
import { GATES } from '@/utils/roles'

const GROUP = 'slaAdmin.menu.group'

export const routes: RouteRecordRaw[] = [
  {
    path: 'sla/policies',
    name: 'sla-policies',
    component: () => import('./views/PoliciesView.vue'),
    meta: { roles: GATES.slaAdmin, menu: { label: 'slaAdmin.menu.policies', icon: Timer, group: GROUP, order: 210 } },
  },
  {
    path: 'sla/calendars',
    name: 'sla-calendars',
    component: () => import('./views/CalendarsView.vue'),
    meta: { roles: GATES.slaAdmin, menu: { label: 'slaAdmin.menu.calendars', icon: Calendar, group: GROUP, order: 220 } },
  },
  {
    path: 'sla/ladder',
    name: 'sla-ladder',
    component: () => import('./views/LadderView.vue'),
    meta: { roles: GATES.slaAdmin, menu: { label: 'slaAdmin.menu.ladder', icon: Histogram, group: GROUP, order: 230 } },
  },
  {
    // reached from the header link next to the bell (no menu entry)
    path: 'board',
    name: 'board',
    component: () => import('./views/BoardView.vue'),
    meta: { roles: GATES.board },
  },
]
