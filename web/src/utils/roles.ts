// Who may open which page and use which tool: the one place the web app names roles in groups. Role names are
// the OpenAPI `Role` enum, so a role the server drops or renames fails the type-check here. The server checks
// every call again; these lists only decide what the menu and the pages show.
import type { Role } from './enums'

export type { Role }

/** 当值经理, 现场管理, 业务主管, 中心领导: the managers of the centre (the escalation ladder's rungs too). */
export const MANAGERS = ['duty_manager', 'floor_manager', 'supervisor', 'director'] as const satisfies readonly Role[]

/** Everyone of the centre who works with its calls (the unit handlers and the admin do not). */
const CALL_CENTRE = ['agent', 'dispatcher', 'qa_inspector', ...MANAGERS] as const satisfies readonly Role[]

/**
 * Route names and tools → the roles that may open or use them. A page not named here is open to everyone
 * signed in (the order list and an order, the notification centre).
 */
export const GATES = {
  // pages
  overview: [...MANAGERS, 'qa_inspector'],
  /** 满意度分析 (the server's readers of the figures: managers, QA and the admin) */
  satisfaction: [...MANAGERS, 'qa_inspector', 'admin'],
  /** 话务报表: the call KPIs (GET /kpis/calls: managers, QA and the admin) */
  callKpis: [...MANAGERS, 'qa_inspector', 'admin'],
  /** 大屏: the floor's wallboard (GET /kpis/wallboard and its socket topic: the KPI readers) */
  wallboard: [...MANAGERS, 'qa_inspector', 'admin'],
  /** 预警: early warnings (GET /warnings: the KPI readers) */
  warnings: [...MANAGERS, 'qa_inspector', 'admin'],
  /** 单位考核排名 (GET /league: the KPI readers) */
  league: [...MANAGERS, 'qa_inspector', 'admin'],
  /** 月度考评: every agent's scorecard of a month (GET /scorecards: the KPI readers) */
  scorecards: [...MANAGERS, 'qa_inspector', 'admin'],
  /** 我的考评: an agent's own published scorecards (GET /scorecards/me) */
  myScorecard: ['agent'],
  /** 工单报表: the order KPIs (GET /kpis/orders: the KPI readers) */
  orderKpis: [...MANAGERS, 'qa_inspector', 'admin'],
  /** 分析看板: when the work comes and what it is about (GET /kpis/heatmap, /kpis/pareto: the KPI readers) */
  analysis: [...MANAGERS, 'qa_inspector', 'admin'],
  /** 服务质量报告: the reports, their files and one's own subscriptions (GET /reports: the KPI readers) */
  reports: [...MANAGERS, 'qa_inspector', 'admin'],
  /** 延时调查: results, handler ratings, questionnaires, sampling rules (the server's readers) */
  delayedSurveys: [...MANAGERS, 'qa_inspector', 'admin'],
  /** 请假/代班 (AB角): absences (the server's absence users; a unit handler sees and marks their own) */
  absences: [...MANAGERS, 'admin', 'unit_handler'],
  /** 质检任务: the month's QA samples (GET /quality/samples: QA and the managers) */
  qaSamples: [...MANAGERS, 'qa_inspector'],
  /** 质检工作台: one call's recording, flags, transcript and form (GET /quality/contacts/{id}: QA and the managers) */
  qaWorkbench: [...MANAGERS, 'qa_inspector'],
  /** 质检校准: blind calibrations and their spread (GET /quality/calibrations: the QA leads) */
  qaCalibrations: ['qa_inspector', 'supervisor', 'director'],
  /** 我的质检: an agent's own evaluations and appeals (GET /quality/evaluations: the agent's own) */
  myQuality: ['agent'],
  /** 质检记录: every evaluation of a month (GET /quality/evaluations: QA and the managers) */
  qaEvaluations: ['qa_inspector', ...MANAGERS],
  /** 申诉处理: deciding the agents' appeals (POST /quality/appeals/{id}/decide: the QA leads) */
  qaAppeals: ['supervisor', 'director', 'qa_inspector'],
  /** 质检结果: the month per agent (GET /quality/results: QA and the managers; an agent reads their own on 我的质检) */
  qaResults: ['qa_inspector', ...MANAGERS],
  /** 质检规则: thresholds, phrase lists, the QA forms (GET /quality/rules: QA, the managers, the admin) */
  qaRules: ['qa_inspector', ...MANAGERS, 'admin'],
  workbench: ['agent', ...MANAGERS],
  /** 在线客服: the written channels' inbox (the server's HANDLERS answer conversations; managers read any) */
  chat: ['agent', ...MANAGERS],
  /** 停供事件: outages, their detail and 故障研判 (GET /outages: the centre; the writers change them, GATES.editOutages) */
  outages: ['dispatcher', ...MANAGERS, 'agent'],
  /** 主动服务: the signed-in agent's proactive-notice calls of outages (GET /outage-calls/mine) */
  outageCalls: ['agent', ...MANAGERS],
  /** 一对多公告: one SMS to areas, a tag or an outage (POST /announcements: the outages' writers) */
  announcements: ['dispatcher', ...MANAGERS],
  dispatch: ['dispatcher', ...MANAGERS],
  inbox: ['unit_handler'],
  /** 专家求助: a field worker's questions to the expert seats and their answers (POST /work-orders type support:
   * the one order a unit handler registers; GET /work-orders?owner_agent_id=: everyone's own) */
  expertHelp: ['unit_handler'],
  callbacks: ['agent', ...MANAGERS],
  /** 关怀回访: the follow-ups of unsatisfied ratings (the server's care-task readers) */
  care: ['agent', ...MANAGERS],
  /** 投诉台 (corrective actions) and 奖惩台账: the server's desk and ledger readers */
  complaintDesk: [...MANAGERS, 'unit_handler', 'qa_inspector', 'admin'],
  ledger: [...MANAGERS, 'unit_handler', 'qa_inspector', 'admin'],
  calls: CALL_CENTRE,
  /** 知识库: search, the articles and an outage as an article (GET /kb/…: the centre's roles and the admin) */
  knowledge: [...CALL_CENTRE, 'admin'],
  /** 智能客服: the bot's settings, 试一试, its figures and unanswered questions (the managers, QA, the admin) */
  bot: [...MANAGERS, 'qa_inspector', 'admin'],
  agentBoard: MANAGERS,
  ivrRules: [...MANAGERS, 'admin'],
  slaAdmin: ['supervisor', 'director', 'admin'],
  board: ['agent', 'dispatcher', ...MANAGERS, 'qa_inspector', 'unit_handler'],
  users: ['admin'],
  units: ['admin'],
  areas: ['admin'],
  categories: ['admin', 'supervisor'],
  dispatchRules: ['admin', 'supervisor'],
  cti: ['admin'],
  // tools inside a page
  /** 时限标准, 工作日历, 升级阶梯 and IVR rules: create, edit, delete (the others read). */
  editRules: ['supervisor', 'admin'],
  /** an order's 通话记录 card */
  orderCalls: CALL_CENTRE,
  /** an order's 来源会话 card (GET /conversations?order_id=: the centre's roles and the admin) */
  orderConversations: [...CALL_CENTRE, 'admin'],
  /** an order's 客户评价 (GET /ratings: the centre's roles) */
  orderRatings: CALL_CENTRE,
  /** an order's 延时调查 card (GET /work-orders/{id}/survey) */
  orderSurvey: [...MANAGERS, 'qa_inspector', 'admin', 'unit_handler'],
  /** 延时调查: a new questionnaire version, the sampling rules */
  editSurveys: ['supervisor', 'director', 'admin'],
  /** 请假/代班: marking anyone absent (a unit handler marks only themselves) */
  keepAbsences: [...MANAGERS, 'admin'],
  /** 定责: the first verdict on a complaint (the handling unit or a manager) */
  firstVerdict: ['unit_handler', ...MANAGERS],
  /** 复核定责: changing a verdict given (with a reason) */
  reviewVerdict: ['supervisor', 'director'],
  /** 整改完成: a corrective action reported done (the unit's handler or a manager) */
  actionDone: ['unit_handler', ...MANAGERS],
  /** 表扬核实: the staff a praise order is for (the unit's handler or a manager) */
  commend: ['unit_handler', ...MANAGERS],
  /** the 投诉台's analysis chart (GET /complaints/analysis) */
  complaintAnalysis: [...MANAGERS, 'qa_inspector', 'admin'],
  /** 预警: acknowledging a warning with its outcome */
  ackWarnings: [...MANAGERS, 'admin'],
  /** 单位考核排名: editing the weights */
  editLeagueWeights: ['supervisor', 'director', 'admin'],
  /** 月度考评: computing a month and reviewing it (POST /scorecards/compute, /review) */
  computeScorecards: [...MANAGERS, 'admin'],
  /** 月度考评: publishing a reviewed month, editing the template (POST /publish, PUT /scorecards/template) */
  publishScorecards: ['supervisor', 'director', 'admin'],
  editScorecardTemplate: ['supervisor', 'director', 'admin'],
  /** 奖惩台账: editing the title rules */
  editTitleRules: ['supervisor', 'director', 'admin'],
  /** 质检: drawing samples now, the sampling plan, every inspector's samples, a new calibration (the QA leads) */
  qaLead: ['qa_inspector', 'supervisor', 'director'],
  /** 质检工作台: scoring a call (POST /quality/evaluations: inspectors and supervisors) */
  qaScore: ['qa_inspector', 'supervisor'],
  /** 质检规则: editing thresholds and phrases (PUT /quality/rules/thresholds, POST / PATCH /quality/phrases) */
  editQaRules: ['qa_inspector', 'supervisor', 'director', 'admin'],
  /** 停供事件: creating and changing outages, 故障研判 (the server's WRITERS: dispatchers and managers) */
  editOutages: ['dispatcher', ...MANAGERS],
  /** 知识库: writing drafts, submitting them, attachments, categories, 同义词 (the server's EDITORS) */
  editKnowledge: ['qa_inspector', ...MANAGERS, 'admin'],
  /** 知识库: 审核通过 / 退回, 下线 / 恢复 (the server's REVIEWERS; never the version's author: 四眼原则) */
  reviewKnowledge: [...MANAGERS, 'admin'],
  /** 智能客服: saving the bot's settings (PUT /bot/settings: the managers and the admin; QA reads them) */
  editBot: [...MANAGERS, 'admin'],
  /** 回访: the "all the team's" switch */
  allCallbacks: MANAGERS,
  /** the order list's built-in "my open orders" filter: those who register orders */
  ownOrders: ['agent', ...MANAGERS],
} as const satisfies Record<string, readonly Role[]>

export type Gate = keyof typeof GATES

/** Whether any of `roles` passes the gate (no gate: everyone does). */
export function passes(gate: readonly Role[] | undefined, roles: ReadonlySet<string>): boolean {
  return !gate || gate.some((r) => roles.has(r))
}
