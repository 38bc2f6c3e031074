"""Order types, grades, channels and the seeded category tree (gas and electricity).

This is seed data: categories live in the database and admins edit them; types, grades and channels are
fixed vocabularies of the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class OrderType(StrEnum):
    inquiry = "inquiry"
    service_request = "service_request"
    repair = "repair"
    emergency = "emergency"
    complaint = "complaint"
    suggestion = "suggestion"
    praise = "praise"
    callback = "callback"
    care = "care"
    support = "support"  # 专家求助: field staff ask the centre's expert seats for help on site


TYPE_NAMES_ZH = {
    OrderType.inquiry: "咨询查询",
    OrderType.service_request: "业务受理",
    OrderType.repair: "报修",
    OrderType.emergency: "事故报警",
    OrderType.complaint: "投诉",
    OrderType.suggestion: "建议",
    OrderType.praise: "表扬",
    OrderType.callback: "回访",
    OrderType.care: "关怀",
    OrderType.support: "专家求助",
}

ON_THE_SPOT_TYPES = frozenset({OrderType.inquiry, OrderType.suggestion, OrderType.praise})
"""Types an agent may answer and close at registration."""


class Grade(StrEnum):
    normal = "normal"  # 一般
    important = "important"  # 重要
    urgent = "urgent"  # 紧急


GRADE_ORDER = [Grade.normal, Grade.important, Grade.urgent]


def raise_grade(grade: str) -> Grade:
    i = GRADE_ORDER.index(Grade(grade))
    return GRADE_ORDER[min(i + 1, len(GRADE_ORDER) - 1)]


class ComplaintSource(StrEnum):
    """Where a complaint came from (投诉来源): the complaints domain grades it by this (a regulator's or the
    media's counts for more)."""

    hotline = "hotline"  # 热线
    wechat_web = "wechat_web"  # 微信、网站
    gov_12345 = "gov_12345"  # 12345 政务服务热线
    regulator = "regulator"  # 监管部门
    media = "media"  # 媒体
    upstream = "upstream"  # 上级转办（95598 式）


class Channel(StrEnum):
    phone = "phone"
    wechat = "wechat"
    web = "web"
    email = "email"
    sms = "sms"
    walk_in = "walk_in"


class CallbackResult(StrEnum):
    satisfied = "satisfied"
    basically_satisfied = "basically_satisfied"
    unsatisfied = "unsatisfied"
    unreachable = "unreachable"


GAS_LEAK_SCRIPT = (
    "请您立即：1. 打开门窗通风；2. 不要开关任何电器、不要使用明火、不要在室内拨打电话；"
    "3. 关闭燃气表前阀门；4. 带领家人离开建筑物，到室外安全地点等候抢修人员；"
    "5. 抢修人员已出发，请保持电话畅通。"
)
FIRE_SCRIPT = (
    "请您立即：1. 如能安全操作，关闭燃气总阀；2. 立即撤离到室外安全地带，不要乘坐电梯；"
    "3. 同时拨打119报警；4. 不要返回室内取物；5. 抢修人员已出发，请保持电话畅通。"
)
POISON_SCRIPT = (
    "请您立即：1. 打开门窗通风，迅速将中毒人员移到空气新鲜处；2. 不要开关电器、不要使用明火；"
    "3. 中毒人员有不适请立即拨打120；4. 关闭燃气阀门，离开室内等候抢修人员。"
)
ELEC_SCRIPT = (
    "请您立即：1. 远离断落的电线和倒杆至少8米，不要触碰；2. 如有人触电，先切断电源或用干燥木棍挑开电线，"
    "不要直接用手拉；3. 伤者请立即拨打120；4. 提醒周围行人绕行，抢修人员已出发，请保持电话畅通。"
)


@dataclass(frozen=True)
class CategorySeed:
    code: str
    name: str
    name_en: str
    type: OrderType
    parent: str | None = None
    default_grade: Grade = Grade.normal
    safety_script: str | None = None


T = OrderType
G = Grade
CATEGORIES: tuple[CategorySeed, ...] = (
    # 事故报警
    CategorySeed("EM-GAS", "燃气事故", "Gas emergency", T.emergency, None, G.urgent),
    CategorySeed(
        "EM-GAS-LEAK", "燃气泄漏/闻到异味", "Gas leak / smell of gas", T.emergency, "EM-GAS", G.urgent, GAS_LEAK_SCRIPT
    ),
    CategorySeed("EM-GAS-FIRE", "燃气着火/爆炸", "Gas fire / explosion", T.emergency, "EM-GAS", G.urgent, FIRE_SCRIPT),
    CategorySeed(
        "EM-GAS-POISON", "一氧化碳中毒", "Carbon monoxide poisoning", T.emergency, "EM-GAS", G.urgent, POISON_SCRIPT
    ),
    CategorySeed("EM-ELEC", "电力事故", "Electrical emergency", T.emergency, None, G.urgent),
    CategorySeed("EM-ELEC-SHOCK", "触电事故", "Electric shock", T.emergency, "EM-ELEC", G.urgent, ELEC_SCRIPT),
    CategorySeed(
        "EM-ELEC-WIRE", "电线断落/杆塔倾倒", "Fallen line / pole", T.emergency, "EM-ELEC", G.urgent, ELEC_SCRIPT
    ),
    # 报修
    CategorySeed("RP-GAS", "燃气报修", "Gas repair", T.repair),
    CategorySeed("RP-GAS-NOGAS", "无气/气压低", "No gas / low pressure", T.repair, "RP-GAS", G.important),
    CategorySeed("RP-GAS-METER", "燃气表具故障", "Gas meter fault", T.repair, "RP-GAS"),
    CategorySeed("RP-GAS-APPLIANCE", "灶具/热水器故障", "Cooker / water heater fault", T.repair, "RP-GAS"),
    CategorySeed("RP-GAS-PIPE", "户内管道问题", "Indoor piping problem", T.repair, "RP-GAS"),
    CategorySeed("RP-ELEC", "电力报修", "Power repair", T.repair),
    CategorySeed("RP-ELEC-OUTAGE", "停电报修", "Power outage", T.repair, "RP-ELEC", G.important),
    CategorySeed("RP-ELEC-VOLT", "电压异常", "Abnormal voltage", T.repair, "RP-ELEC"),
    CategorySeed("RP-ELEC-METER", "电表故障", "Electricity meter fault", T.repair, "RP-ELEC"),
    CategorySeed("RP-WATER", "供水报修", "Water repair", T.repair),
    CategorySeed("RP-WATER-NOWATER", "停水/水压低", "No water / low pressure", T.repair, "RP-WATER", G.important),
    # 业务受理
    CategorySeed("SR-GAS", "燃气业务", "Gas services", T.service_request),
    CategorySeed("SR-GAS-OPEN", "开户/通气预约", "New account / gas turn-on", T.service_request, "SR-GAS"),
    CategorySeed("SR-GAS-TRANSFER", "燃气过户", "Gas account transfer", T.service_request, "SR-GAS"),
    CategorySeed("SR-GAS-INSPECT", "安检预约", "Safety inspection booking", T.service_request, "SR-GAS"),
    CategorySeed("SR-GAS-MOVE", "表具迁移/改管", "Meter relocation / re-piping", T.service_request, "SR-GAS"),
    CategorySeed("SR-READING", "抄表异议", "Meter reading dispute", T.service_request, "SR-GAS"),
    CategorySeed("SR-ELEC", "用电业务", "Electricity services", T.service_request),
    CategorySeed(
        "SR-ELEC-RECONNECT", "欠费复电", "Reconnection after payment", T.service_request, "SR-ELEC", G.important
    ),
    CategorySeed("SR-ELEC-NEW", "新装/增容", "New connection / capacity increase", T.service_request, "SR-ELEC"),
    CategorySeed("SR-ELEC-TRANSFER", "用电过户", "Electricity account transfer", T.service_request, "SR-ELEC"),
    # 咨询查询
    CategorySeed("IQ-BILL", "气费/电费查询", "Bill inquiry", T.inquiry),
    CategorySeed("IQ-OUTAGE", "停气/停电咨询", "Outage inquiry", T.inquiry),
    CategorySeed("IQ-POLICY", "业务政策咨询", "Policy inquiry", T.inquiry),
    CategorySeed("IQ-PAYMENT", "缴费方式咨询", "Payment methods", T.inquiry),
    # 投诉
    CategorySeed("CP-ATTITUDE", "服务态度", "Staff attitude", T.complaint, None, G.important),
    CategorySeed("CP-TIMELINESS", "处理不及时", "Slow handling", T.complaint, None, G.important),
    CategorySeed("CP-BILLING", "收费争议", "Billing dispute", T.complaint),
    CategorySeed("CP-QUALITY", "供气/供电质量", "Supply quality", T.complaint),
    CategorySeed("CP-CONSTRUCTION", "施工扰民", "Construction nuisance", T.complaint),
    # 建议 / 表扬 / 回访 / 关怀
    CategorySeed("SG-SERVICE", "服务建议", "Service suggestion", T.suggestion),
    CategorySeed("PR-STAFF", "表扬员工", "Praise for staff", T.praise),
    CategorySeed("CB-FOLLOWUP", "回访", "Follow-up callback", T.callback),
    CategorySeed("CA-ELDERLY", "老人关怀", "Care for the elderly", T.care),
    CategorySeed("CA-SAFETY", "安全用气提醒", "Gas safety reminder", T.care),
    # 专家座席: the field's questions to the centre's experts (a unit handler registers them)
    CategorySeed("SP-FIELD", "现场求助", "Help on site", T.support, None, G.important),
    CategorySeed("SP-FIELD-TECH", "技术疑难", "Technical question", T.support, "SP-FIELD", G.important),
    CategorySeed("SP-FIELD-POLICY", "政策与业务口径", "Policy and business rules", T.support, "SP-FIELD", G.important),
    CategorySeed("SP-FIELD-ACCOUNT", "账务与档案核查", "Account and records check", T.support, "SP-FIELD", G.important),
)
