// The values of the server's enums, in the server's order, taken from the generated OpenAPI module (never listed
// by hand): a value the server adds shows up in every form and filter that offers these, one it drops fails the
// type-check where a page names it.
import {
  agentStatusValues, areaCreateArea_typeValues, callStateValues, callbackResultValues, channelValues,
  customerCreateTagsValues, deadlinePublicStageValues, gradeValues, ivrRuleInKindValues, ladderStepChannelsValues,
  ladderStepMarkValues, notReadyReasonValues, orderStateValues, orderTypeValues,
  pathsApiV1SatisfactionGetParametersQueryGroup_byValues, pathsApiV1SatisfactionGetParametersQueryKindValues,
  ratingInChannelValues, roleValues, unitCreateKindValues,
  careDoneInOutcomeValues, complaintSourceValues, complaintViewGradeValues, ratingInResultValues,
  verdictInStageValues, verdictInValidityValues,
} from '@/api/generated/schema'
import type { Schemas } from '@/api/client'

export type Role = Schemas['Role']
export type Grade = Schemas['Grade']
export type OrderType = Schemas['OrderType']
export type Channel = Schemas['Channel']
export type CallbackResult = Schemas['CallbackResult']
export type AgentStatus = Schemas['AgentStatus']
export type NotReadyReason = Schemas['NotReadyReason']
export type CallState = Schemas['CallState']

export const ROLES = roleValues
export const GRADES = gradeValues
export const ORDER_TYPES = orderTypeValues
export const CHANNELS = channelValues
export const CALLBACK_RESULTS = callbackResultValues
export const UNIT_KINDS = unitCreateKindValues
export const AREA_TYPES = areaCreateArea_typeValues
export const CUSTOMER_TAGS = customerCreateTagsValues
/** every stage a deadline may have: the policy's five and a complaint's corrective action (整改, set by date) */
export const DEADLINE_STAGES = deadlinePublicStageValues
export type DeadlineStage = (typeof DEADLINE_STAGES)[number]
/** the time-limit stages a policy sets: 接单, 到场, 办结, 答复, 回访 */
export const STAGES = DEADLINE_STAGES.filter((s): s is Exclude<DeadlineStage, 'action'> => s !== 'action')
export type Stage = (typeof STAGES)[number]
/** urge = 催办, supervise = 督办 */
export const LADDER_MARKS = ladderStepMarkValues
/** app = 站内弹窗, sms = 短信, voice = 语音电话, email = 邮件 */
export const LADDER_CHANNELS = ladderStepChannelsValues
export const IVR_RULE_KINDS = ivrRuleInKindValues
export const AGENT_STATUSES = agentStatusValues
export const NOT_READY_REASONS = notReadyReasonValues
export const CALL_STATES = callStateValues
/** GET /satisfaction's groupings: agent, unit, category, channel, day */
export const SATISFACTION_GROUPS = pathsApiV1SatisfactionGetParametersQueryGroup_byValues
export type SatisfactionGroup = (typeof SATISFACTION_GROUPS)[number]
/** instant = 即时评价 (after a contact), delayed = 延时调查 */
export const SURVEY_KINDS = pathsApiV1SatisfactionGetParametersQueryKindValues
export type SurveyKind = (typeof SURVEY_KINDS)[number]
/** where a rating came from: ivr = 语音按键, sms = 短信, web = 网页在线, wechat = 微信, email = 邮件 (orders, calls and written conversations) */
export const RATING_CHANNELS = ratingInChannelValues
export type RatingChannel = (typeof RATING_CHANNELS)[number]

/** The work-order states (huiyin/workorders/states.py `OrderState`), in the loop's order. */
export const ORDER_STATES = orderStateValues
export type OrderState = Schemas['OrderState']
export type OpenState = Exclude<OrderState, 'closed'>
/** every state but closed */
export const OPEN_STATES = ORDER_STATES.filter((s): s is OpenState => s !== 'closed')

/** a complaint's grade: general = 一般, major = 较大, serious = 重大 */
export const COMPLAINT_GRADES = complaintViewGradeValues
export type ComplaintGrade = (typeof COMPLAINT_GRADES)[number]
/** where a complaint came from: 热线, 微信/网站, 12345, 监管部门, 媒体, 上级转办 */
export const COMPLAINT_SOURCES = complaintSourceValues
/** a verdict's disputed stage (抄表, 收费, 安全检查, 业务办理, 热线服务, 维修抢修, 工程施工, 其他) */
export const VERDICT_STAGES = verdictInStageValues
export type VerdictStage = (typeof VERDICT_STAGES)[number]
/** a verdict: valid = 有效投诉, invalid = 无效投诉 */
export const VERDICT_VALIDITIES = verdictInValidityValues
export type VerdictValidity = (typeof VERDICT_VALIDITIES)[number]
/** a rating: 满意, 基本满意, 不满意 */
export const RATING_RESULTS = ratingInResultValues
export type RatingResult = (typeof RATING_RESULTS)[number]
/** what came of a care follow-up: 安抚解释, 联系不上, 升级处理 */
export const CARE_OUTCOMES = careDoneInOutcomeValues
export type CareOutcome = (typeof CARE_OUTCOMES)[number]
