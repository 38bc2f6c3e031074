// 运行概览: the managers' and QA's dashboard of the last days' orders.
import { DataAnalysis } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'
import { GATES } from '@/utils/roles'

export const routes: RouteRecordRaw[] = [
  {
    path: 'overview',
    name: 'overview',
    component: () => import('./views/OverviewView.vue'),
    meta: { roles: GATES.overview, menu: { label: 'menu.overview', icon: DataAnalysis, order: 10 } },
  },
]
