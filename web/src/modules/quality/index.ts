// 质检: the inspectors' and leads' pages of manual quality inspection. 质检任务 (the month's samples to score, the
// draw and the sampling plan), 质检工作台 (one call scored: recording with its flags, transcript, the form with a
// live total, pinned comments; no menu entry, opened from a sample or a calibration), 质检校准 (blind calibrations
// and the spread per item).
import { Finished, Stamp } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'
import { GATES } from '@/utils/roles'

// after 满意度 (15): managers and QA land on 运行概览 still
export const routes: RouteRecordRaw[] = [
  {
    path: 'quality/samples',
    name: 'qa-samples',
    component: () => import('./views/SamplesView.vue'),
    meta: { roles: GATES.qaSamples, menu: { label: 'quality.menu.samples', icon: Finished, order: 16.1, landing: false } },
  },
  {
    path: 'quality/calibrations',
    name: 'qa-calibrations',
    component: () => import('./views/CalibrationsView.vue'),
    meta: { roles: GATES.qaCalibrations, menu: { label: 'quality.menu.calibrations', icon: Stamp, order: 16.2, landing: false } },
  },
  {
    // ?sample=<id> closes that sample; ?calibration=<id> scores it as that calibration's blind score
    path: 'quality/contacts/:callId(\\d+)',
    name: 'qa-workbench',
    component: () => import('./views/WorkbenchView.vue'),
    meta: { roles: GATES.qaWorkbench },
  },
  {
    // a written conversation on the chat form (?sample=<id> closes that sample)
    path: 'quality/conversations/:conversationId(\\d+)',
    name: 'qa-chat-workbench',
    component: () => import('./views/WorkbenchView.vue'),
    meta: { roles: GATES.qaWorkbench },
  },
]
