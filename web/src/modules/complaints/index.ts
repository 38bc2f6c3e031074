// 投诉台: the corrective actions (整改) of valid complaints and the complaints' analysis; 奖惩台账: the month's
// points per person, their entries, the month's titles and the title rules. Managers, unit handlers, QA, admin.
import { Checked, Medal } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'
import { GATES } from '@/utils/roles'

export const routes: RouteRecordRaw[] = [
  {
    path: 'complaints',
    name: 'complaint-desk',
    component: () => import('./views/ComplaintDeskView.vue'),
    // after 关怀回访; pages some roles only consult, never where anyone lands
    meta: { roles: GATES.complaintDesk, menu: { label: 'complaintDesk.menu', icon: Checked, order: 66, landing: false } },
  },
  {
    path: 'ledger',
    name: 'ledger',
    component: () => import('./views/LedgerView.vue'),
    meta: { roles: GATES.ledger, menu: { label: 'ledger.menu', icon: Medal, order: 67, landing: false } },
  },
]
