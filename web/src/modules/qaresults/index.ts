// The results side of manual quality inspection: 我的质检 (the agent's own evaluations and appeals), 质检记录
// (every evaluation of a month), 申诉处理 (the leads decide appeals), 质检结果 (per agent and month) and 质检规则
// (thresholds, phrase lists with 试一试, the QA forms). The inspector's own pages are the quality module's.
import { ChatLineSquare, Checked, DataBoard, DocumentChecked, List } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'
import { GATES } from '@/utils/roles'

export const routes: RouteRecordRaw[] = [
  {
    // an agent's own, next to 我的考评 (72)
    path: 'quality/me',
    name: 'my-quality',
    component: () => import('./views/MyQualityView.vue'),
    meta: { roles: GATES.myQuality, menu: { label: 'qaResults.menu.mine', icon: Checked, order: 72.5, landing: false } },
  },
  {
    path: 'quality/evaluations',
    name: 'quality-evaluations',
    component: () => import('./views/EvaluationsView.vue'),
    meta: { roles: GATES.qaEvaluations, menu: { label: 'qaResults.menu.evaluations', icon: List, order: 16.3, landing: false } },
  },
  {
    path: 'quality/appeals',
    name: 'quality-appeals',
    component: () => import('./views/AppealsView.vue'),
    meta: { roles: GATES.qaAppeals, menu: { label: 'qaResults.menu.appeals', icon: ChatLineSquare, order: 16.4, landing: false } },
  },
  {
    path: 'quality/results',
    name: 'quality-results',
    component: () => import('./views/ResultsView.vue'),
    meta: { roles: GATES.qaResults, menu: { label: 'qaResults.menu.results', icon: DataBoard, order: 16.5, landing: false } },
  },
  {
    path: 'quality/rules',
    name: 'quality-rules',
    component: () => import('./views/RulesView.vue'),
    meta: { roles: GATES.qaRules, menu: { label: 'qaResults.menu.rules', icon: DocumentChecked, order: 16.6, landing: false } },
  },
]
