import type { RouteRecordRaw } from 'vue-router'

const MANAGERS = ['duty_manager', 'floor_manager', 'supervisor', 'director']

/**
 * Every page, who may open it (meta.roles; none = anyone signed in) and its menu entry (meta.menu, an
 * i18n key). The layout's menu shows exactly the entries the user's roles allow.
 */
export const pages: RouteRecordRaw[] = [
  {
    path: 'overview',
    name: 'overview',
    component: () => import('@/views/OverviewView.vue'),
    meta: { roles: [...MANAGERS, 'qa_inspector'], menu: 'menu.overview', icon: 'DataAnalysis' },
  },
  {
    path: 'workbench',
    name: 'workbench',
    component: () => import('@/views/WorkbenchView.vue'),
    meta: { roles: ['agent', ...MANAGERS], menu: 'menu.workbench', icon: 'Headset' },
  },
  {
    path: 'orders',
    name: 'orders',
    component: () => import('@/views/OrderListView.vue'),
    meta: { menu: 'menu.orders', icon: 'Tickets' },
  },
  {
    path: 'orders/:id(\\d+)',
    name: 'order',
    component: () => import('@/views/OrderDetailView.vue'),
    props: (route) => ({ id: Number(route.params.id) }),
    meta: {},
  },
  {
    path: 'dispatch',
    name: 'dispatch',
    component: () => import('@/views/DispatchQueueView.vue'),
    meta: { roles: ['dispatcher', ...MANAGERS], menu: 'menu.dispatch', icon: 'Promotion' },
  },
  {
    path: 'inbox',
    name: 'inbox',
    component: () => import('@/views/UnitInboxView.vue'),
    meta: { roles: ['unit_handler'], menu: 'menu.inbox', icon: 'Bell' },
  },
  {
    path: 'callbacks',
    name: 'callbacks',
    component: () => import('@/views/CallbackQueueView.vue'),
    meta: { roles: ['agent', ...MANAGERS], menu: 'menu.callbacks', icon: 'Phone' },
  },
  {
    // 通话记录: every call leg, with the recording player (the calls API is the call centre's)
    path: 'calls',
    name: 'calls',
    component: () => import('@/views/CallsView.vue'),
    meta: { roles: ['agent', 'dispatcher', 'qa_inspector', ...MANAGERS], menu: 'callLog.menu.calls', icon: 'PhoneFilled' },
  },
  {
    path: 'admin/users',
    name: 'admin-users',
    component: () => import('@/views/admin/UsersView.vue'),
    meta: { roles: ['admin'], menu: 'menu.users', group: 'menu.admin', icon: 'User' },
  },
  {
    path: 'admin/units',
    name: 'admin-units',
    component: () => import('@/views/admin/UnitsView.vue'),
    meta: { roles: ['admin'], menu: 'menu.units', group: 'menu.admin', icon: 'OfficeBuilding' },
  },
  {
    path: 'admin/areas',
    name: 'admin-areas',
    component: () => import('@/views/admin/AreasView.vue'),
    meta: { roles: ['admin'], menu: 'menu.areas', group: 'menu.admin', icon: 'MapLocation' },
  },
  {
    path: 'admin/categories',
    name: 'admin-categories',
    component: () => import('@/views/admin/CategoriesView.vue'),
    meta: { roles: ['admin', 'supervisor'], menu: 'menu.categories', group: 'menu.admin', icon: 'Files' },
  },
  {
    path: 'admin/dispatch-rules',
    name: 'admin-dispatch-rules',
    component: () => import('@/views/admin/DispatchRulesView.vue'),
    meta: { roles: ['admin', 'supervisor'], menu: 'menu.dispatchRules', group: 'menu.admin', icon: 'Guide' },
  },
  {
    path: 'admin/cti',
    name: 'admin-cti',
    component: () => import('@/views/admin/CtiView.vue'),
    meta: { roles: ['admin'], menu: 'callLog.menu.cti', group: 'menu.admin', icon: 'Connection' },
  },
  {
    path: 'sla/policies',
    name: 'sla-policies',
    component: () => import('@/views/sla/PoliciesView.vue'),
    meta: {
      roles: ['supervisor', 'director', 'admin'], group: 'slaAdmin.menu.group',
      menu: 'slaAdmin.menu.policies', icon: 'Timer',
    },
  },
  {
    path: 'sla/calendars',
    name: 'sla-calendars',
    component: () => import('@/views/sla/CalendarsView.vue'),
    meta: {
      roles: ['supervisor', 'director', 'admin'], group: 'slaAdmin.menu.group',
      menu: 'slaAdmin.menu.calendars', icon: 'Calendar',
    },
  },
  {
    path: 'sla/ladder',
    name: 'sla-ladder',
    component: () => import('@/views/sla/LadderView.vue'),
    meta: {
      roles: ['supervisor', 'director', 'admin'], group: 'slaAdmin.menu.group',
      menu: 'slaAdmin.menu.ladder', icon: 'Histogram',
    },
  },
  {
    // 话务管理: the live agent board (managers) and the IVR routing rules (supervisors edit; managers, admins read)
    path: 'agents/board',
    name: 'agent-board',
    component: () => import('@/views/AgentBoardView.vue'),
    meta: { roles: [...MANAGERS], group: 'callLog.menu.group', menu: 'callLog.menu.board', icon: 'Monitor' },
  },
  {
    path: 'ivr/rules',
    name: 'ivr-rules',
    component: () => import('@/views/IvrRulesView.vue'),
    meta: { roles: [...MANAGERS, 'admin'], group: 'callLog.menu.group', menu: 'callLog.menu.ivr', icon: 'Share' },
  },
  {
    // 通知中心: everyone signed in; reached from the bell in the header (no menu entry)
    path: 'notifications',
    name: 'notifications',
    component: () => import('@/views/NotificationsView.vue'),
    meta: {},
  },
  {
    // 督办看板: reached from the header link next to the bell (no menu entry)
    path: 'board',
    name: 'board',
    component: () => import('@/views/BoardView.vue'),
    meta: { roles: ['agent', 'dispatcher', ...MANAGERS, 'qa_inspector', 'unit_handler'] },
  },
]

export function allowed(route: { meta?: { roles?: unknown } }, roles: Set<string>): boolean {
  const wanted = route.meta?.roles as string[] | undefined
  return !wanted || wanted.some((r) => roles.has(r))
}

/**
 * Where a user lands after sign-in: the first page made for one of their roles (the agent's workbench,
 * the dispatcher's queue, the unit's inbox, the admin's users), else the order list everyone may read.
 */
export function homeFor(roles: Set<string>): string {
  const first = pages.find((p) => p.meta?.menu && p.meta.roles && allowed(p, roles))
  return first ? `/${first.path}` : '/orders'
}
