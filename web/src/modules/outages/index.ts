// 停供事件 (issue 18): outages (停气/停电/停水) with their detail and 故障研判 (the dispatchers' and managers'; agents
// read them), 主动服务 (an agent's proactive-notice calls) and 一对多公告 (the writers' bulk SMS).
import { Lightning, Message, Service } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'
import { GATES } from '@/utils/roles'

// 停供事件 and 一对多公告 after 待派单 (40), 主动服务 after 回访 (60): pages nobody lands on
export const routes: RouteRecordRaw[] = [
  {
    path: 'outages',
    name: 'outages',
    component: () => import('./views/OutagesView.vue'),
    meta: { roles: GATES.outages, menu: { label: 'outages.menu', icon: Lightning, order: 42, landing: false } },
  },
  {
    path: 'outages/:id(\\d+)',
    name: 'outage',
    component: () => import('./views/OutageDetailView.vue'),
    props: (route) => ({ id: Number(route.params.id) }),
    meta: { roles: GATES.outages },
  },
  {
    path: 'announcements',
    name: 'announcements',
    component: () => import('./views/AnnouncementsView.vue'),
    meta: { roles: GATES.announcements, menu: { label: 'announcements.menu', icon: Message, order: 43, landing: false } },
  },
  {
    path: 'outage-calls',
    name: 'outage-calls',
    component: () => import('./views/OutageCallsView.vue'),
    meta: { roles: GATES.outageCalls, menu: { label: 'outageCalls.menu', icon: Service, order: 62, landing: false } },
  },
]
