// Notifications: 通知中心 (everyone; reached from the bell in the header, no menu entry) and the popup the
// layout mounts once, which asks for every acknowledgement.
import type { RouteRecordRaw } from 'vue-router'

export { default as NotificationPopup } from './components/NotificationPopup.vue'

export const routes: RouteRecordRaw[] = [
  {
    path: 'notifications',
    name: 'notifications',
    component: () => import('./views/NotificationsView.vue'),
    meta: {},
  },
]
