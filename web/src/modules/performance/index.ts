// 话务报表: the call KPIs of a period (offered, answered, service level, ASA, AHT, occupancy …) by day, interval,
// agent or queue (managers, QA, admin; GET /kpis/calls).
import { TrendCharts } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'
import { GATES } from '@/utils/roles'

export const routes: RouteRecordRaw[] = [
  {
    path: 'kpis/calls',
    name: 'call-kpis',
    component: () => import('./views/CallKpisView.vue'),
    // next to 满意度; the admin may read it but lands on 用户与角色
    meta: { roles: GATES.callKpis, menu: { label: 'callKpis.menu', icon: TrendCharts, order: 14, landing: false } },
  },
]
