// The organisation (系统管理): users and roles, units, areas, categories, dispatch rules.
import { Files, Guide, MapLocation, OfficeBuilding, User } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'
import { GATES } from '@/utils/roles'

const GROUP = 'menu.admin'

export const routes: RouteRecordRaw[] = [
  {
    path: 'admin/users',
    name: 'admin-users',
    component: () => import('./views/UsersView.vue'),
    meta: { roles: GATES.users, menu: { label: 'menu.users', icon: User, group: GROUP, order: 110 } },
  },
  {
    path: 'admin/units',
    name: 'admin-units',
    component: () => import('./views/UnitsView.vue'),
    meta: { roles: GATES.units, menu: { label: 'menu.units', icon: OfficeBuilding, group: GROUP, order: 120 } },
  },
  {
    path: 'admin/areas',
    name: 'admin-areas',
    component: () => import('./views/AreasView.vue'),
    meta: { roles: GATES.areas, menu: { label: 'menu.areas', icon: MapLocation, group: GROUP, order: 130 } },
  },
  {
    path: 'admin/categories',
    name: 'admin-categories',
    component: () => import('./views/CategoriesView.vue'),
    meta: { roles: GATES.categories, menu: { label: 'menu.categories', icon: Files, group: GROUP, order: 140 } },
  },
  {
    path: 'admin/dispatch-rules',
    name: 'admin-dispatch-rules',
    component: () => import('./views/DispatchRulesView.vue'),
    meta: { roles: GATES.dispatchRules, menu: { label: 'menu.dispatchRules', icon: Guide, group: GROUP, order: 150 } },
  },
]
