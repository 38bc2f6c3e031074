// The phone channel: 通话记录 (every call leg, with the recording player), 坐席监控 and IVR 路由规则 (话务管理),
// CTI 集成 (系统管理). The workbench's screen pop and agent state bar are its components too.
import { Connection, Monitor, PhoneFilled, Share } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'
import { GATES } from '@/utils/roles'

const GROUP = 'callLog.menu.group'

export const routes: RouteRecordRaw[] = [
  {
    path: 'calls',
    name: 'calls',
    component: () => import('./views/CallsView.vue'),
    meta: { roles: GATES.calls, menu: { label: 'callLog.menu.calls', icon: PhoneFilled, order: 70 } },
  },
  {
    // the live agent board (managers) and the IVR routing rules (supervisors edit; managers, admins read)
    path: 'agents/board',
    name: 'agent-board',
    component: () => import('./views/AgentBoardView.vue'),
    meta: { roles: GATES.agentBoard, menu: { label: 'callLog.menu.board', icon: Monitor, group: GROUP, order: 310 } },
  },
  {
    path: 'ivr/rules',
    name: 'ivr-rules',
    component: () => import('./views/IvrRulesView.vue'),
    meta: { roles: GATES.ivrRules, menu: { label: 'callLog.menu.ivr', icon: Share, group: GROUP, order: 320 } },
  },
  {
    path: 'admin/cti',
    name: 'admin-cti',
    component: () => import('./views/CtiView.vue'),
    meta: { roles: GATES.cti, menu: { label: 'callLog.menu.cti', icon: Connection, group: 'menu.admin', order: 160 } },
  },
]
