// 请假/代班 (AB角): absences now and planned, for managers, the admin and unit handlers (their own).
import { Calendar } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'
import { GATES } from '@/utils/roles'

export const routes: RouteRecordRaw[] = [
  {
    path: 'absences',
    name: 'absences',
    component: () => import('./views/AbsencesView.vue'),
    // after 单位待办 and 回访; never a landing page
    meta: { roles: GATES.absences, menu: { label: 'absences.menu', icon: Calendar, order: 68, landing: false } },
  },
]
