// 专家求助 (issue 18, the expert seats): a field worker (台区经理, a unit handler) asks the centre's experts a question
// from the field on their phone and reads the answer there.
import { HelpFilled } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'
import { GATES } from '@/utils/roles'

// after 单位待办 (50), where a unit handler lands; nobody lands here
export const routes: RouteRecordRaw[] = [
  {
    path: 'expert-help',
    name: 'expert-help',
    component: () => import('./views/ExpertHelpView.vue'),
    meta: { roles: GATES.expertHelp, menu: { label: 'expertHelp.menu', icon: HelpFilled, order: 52, landing: false } },
  },
]
