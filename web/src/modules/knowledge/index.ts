// 知识库 and 智能客服 (issue 19): the knowledge base (search, the category tree, the articles with their versions,
// review and attachments, synonyms), a live outage read as an article, and the FAQ bot's page (settings, a test
// box, its figures, the questions it could not answer). The workbench's registration form uses KbSuggestions.
import { ChatDotSquare, Reading } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'
import { GATES } from '@/utils/roles'

// 知识库 right after the workbench, 智能客服 after it: pages nobody lands on
export const routes: RouteRecordRaw[] = [
  {
    path: 'knowledge',
    name: 'knowledge',
    component: () => import('./views/KnowledgeView.vue'),
    meta: { roles: GATES.knowledge, menu: { label: 'knowledge.menu', icon: Reading, order: 25, landing: false } },
  },
  {
    path: 'knowledge/:id(\\d+)',
    name: 'knowledge-article',
    component: () => import('./views/ArticleView.vue'),
    props: (route) => ({ id: Number(route.params.id) }),
    meta: { roles: GATES.knowledge },
  },
  {
    path: 'knowledge/outage/:id(\\d+)',
    name: 'knowledge-outage',
    component: () => import('./views/OutageArticleView.vue'),
    props: (route) => ({ id: Number(route.params.id) }),
    meta: { roles: GATES.knowledge },
  },
  {
    path: 'bot',
    name: 'bot',
    component: () => import('./views/BotView.vue'),
    meta: { roles: GATES.bot, menu: { label: 'bot.menu', icon: ChatDotSquare, order: 26, landing: false } },
  },
]
