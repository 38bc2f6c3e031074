// Notifications: 通知中心 (everyone; reached from the bell in the header, no menu entry). The layout mounts the
// module's NotificationPopup once: it asks for every acknowledgement, on every page.
import type { RouteRecordRaw } from 'vue-router'

export const routes: RouteRecordRaw[] = [
  {
    path: 'notifications',
    name: 'notifications',
    component: () => import('./views/NotificationsView.vue'),
    meta: {},
  },
]
