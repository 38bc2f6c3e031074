// 在线客服 (the written channels): the agents' inbox of conversations from WeChat, the web chat, e-mail and SMS, with
// the queue, the thread, quick replies from the knowledge base, transfer, hand-back to the bot, close and order
// registration. `?conversation=<id>` opens one (the order page's 来源会话 card links there).
import { ChatLineSquare } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'
import { GATES } from '@/utils/roles'

// right after the workbench (20): the agents' second desk, which nobody lands on
export const routes: RouteRecordRaw[] = [
  {
    path: 'chat',
    name: 'chat',
    component: () => import('./views/ChatView.vue'),
    meta: { roles: GATES.chat, menu: { label: 'chat.menu', icon: ChatLineSquare, order: 21, landing: false } },
  },
]
