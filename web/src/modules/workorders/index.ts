// Work orders: the agent's workbench (register), the order list and an order, and the three queues (待派单,
// 单位待办, 回访).
import { Bell, Headset, Phone, Promotion, Tickets } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'
import { GATES } from '@/utils/roles'

export const routes: RouteRecordRaw[] = [
  {
    path: 'workbench',
    name: 'workbench',
    component: () => import('./views/WorkbenchView.vue'),
    meta: { roles: GATES.workbench, menu: { label: 'menu.workbench', icon: Headset, order: 20 } },
  },
  {
    path: 'orders',
    name: 'orders',
    component: () => import('./views/OrderListView.vue'),
    meta: { menu: { label: 'menu.orders', icon: Tickets, order: 30 } },
  },
  {
    path: 'orders/:id(\\d+)',
    name: 'order',
    component: () => import('./views/OrderDetailView.vue'),
    props: (route) => ({ id: Number(route.params.id) }),
    meta: {},
  },
  {
    path: 'dispatch',
    name: 'dispatch',
    component: () => import('./views/DispatchQueueView.vue'),
    meta: { roles: GATES.dispatch, menu: { label: 'menu.dispatch', icon: Promotion, order: 40 } },
  },
  {
    path: 'inbox',
    name: 'inbox',
    component: () => import('./views/UnitInboxView.vue'),
    meta: { roles: GATES.inbox, menu: { label: 'menu.inbox', icon: Bell, order: 50 } },
  },
  {
    path: 'callbacks',
    name: 'callbacks',
    component: () => import('./views/CallbackQueueView.vue'),
    meta: { roles: GATES.callbacks, menu: { label: 'menu.callbacks', icon: Phone, order: 60 } },
  },
]
