// The performance module: 大屏 (the floor's wallboard, live), 预警 (early warnings), 单位考核排名 (the unit league
// table), 话务报表 (the call KPIs), 工单报表 (the order KPIs) and 服务质量报告 (the reports), for managers, QA and the admin.
import { DataAnalysis, DataLine, Document, Memo, Monitor, Postcard, TrendCharts, Trophy, WarnTriangleFilled } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'
import { GATES } from '@/utils/roles'

// next to 运行概览 (10) and 满意度 (15); the admin may read them but lands on 用户与角色
export const routes: RouteRecordRaw[] = [
  {
    path: 'wallboard',
    name: 'wallboard',
    component: () => import('./views/WallboardView.vue'),
    meta: { roles: GATES.wallboard, menu: { label: 'wallboard.menu', icon: Monitor, order: 11, landing: false } },
  },
  {
    path: 'warnings',
    name: 'warnings',
    component: () => import('./views/WarningsView.vue'),
    meta: { roles: GATES.warnings, menu: { label: 'warnings.menu', icon: WarnTriangleFilled, order: 12, landing: false } },
  },
  {
    path: 'league',
    name: 'league',
    component: () => import('./views/LeagueView.vue'),
    meta: { roles: GATES.league, menu: { label: 'league.menu', icon: Trophy, order: 13, landing: false } },
  },
  {
    path: 'scorecards',
    name: 'scorecards',
    component: () => import('./views/ScorecardsView.vue'),
    meta: { roles: GATES.scorecards, menu: { label: 'scorecards.menu', icon: Memo, order: 13.5, landing: false } },
  },
  {
    // an agent's own: after their 通话记录 (70), never where they land
    path: 'scorecards/me',
    name: 'my-scorecard',
    component: () => import('./views/MyScorecardView.vue'),
    meta: { roles: GATES.myScorecard, menu: { label: 'scorecards.myMenu', icon: Postcard, order: 72, landing: false } },
  },
  {
    path: 'kpis/calls',
    name: 'call-kpis',
    component: () => import('./views/CallKpisView.vue'),
    meta: { roles: GATES.callKpis, menu: { label: 'callKpis.menu', icon: TrendCharts, order: 14, landing: false } },
  },
  {
    path: 'kpis/orders',
    name: 'order-kpis',
    component: () => import('./views/OrderKpisView.vue'),
    meta: { roles: GATES.orderKpis, menu: { label: 'orderKpis.menu', icon: DataLine, order: 14.5, landing: false } },
  },
  {
    // 分析看板: the period's trends, when the work comes (hour × weekday) and what it is about (Pareto)
    path: 'kpis/analysis',
    name: 'analysis',
    component: () => import('./views/AnalysisView.vue'),
    meta: { roles: GATES.analysis, menu: { label: 'analysis.menu', icon: DataAnalysis, order: 14.6, landing: false } },
  },
  {
    path: 'reports',
    name: 'reports',
    component: () => import('./views/ReportsView.vue'),
    meta: { roles: GATES.reports, menu: { label: 'reports.menu', icon: Document, order: 14.7, landing: false } },
  },
]
