"""Seed data for time limits: the working-day calendar with China's 2026 public holidays, and the default
policies from the service standards (docs/sla.md → "Seed policies"; every figure's source is in the
policy's description). Data, not logic: admins edit all of it through the API.

The 2026 holiday arrangement follows the State Council's notice as we know it (published late 2025);
check it against the official notice before relying on it, and load later years with
``PUT /api/v1/sla/calendars/{id}/days``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WORKDAY_CALENDAR_CODE = "CN-WORKDAY"
WORKDAY_CALENDAR_NAME = "工作日（法定节假日及调休）"
WORK_HOURS = [["08:30", "12:00"], ["13:30", "17:30"]]
WORKING_DAY_MINUTES = 450  # 3.5 h + 4 h: one working day on the calendar above

# (date, is_working, note): holidays that fall on weekdays or weekends, and the make-up working days (调休).
CN_2026: tuple[tuple[str, bool, str], ...] = (
    ("2026-01-01", False, "元旦"),
    ("2026-01-02", False, "元旦"),
    ("2026-01-03", False, "元旦"),
    ("2026-01-04", True, "元旦调休上班"),
    ("2026-02-14", True, "春节调休上班"),
    *((f"2026-02-{d:02d}", False, "春节") for d in range(15, 24)),
    ("2026-02-28", True, "春节调休上班"),
    ("2026-04-04", False, "清明节"),
    ("2026-04-05", False, "清明节"),
    ("2026-04-06", False, "清明节"),
    *((f"2026-05-{d:02d}", False, "劳动节") for d in range(1, 6)),
    ("2026-05-09", True, "劳动节调休上班"),
    ("2026-06-19", False, "端午节"),
    ("2026-06-20", False, "端午节"),
    ("2026-06-21", False, "端午节"),
    ("2026-09-20", True, "国庆节调休上班"),
    ("2026-09-25", False, "中秋节"),
    ("2026-09-26", False, "中秋节"),
    ("2026-09-27", False, "中秋节"),
    *((f"2026-10-{d:02d}", False, "国庆节") for d in range(1, 8)),
    ("2026-10-10", True, "国庆节调休上班"),
)


@dataclass(frozen=True)
class PolicySeed:
    key: str  # sla_policies.seed_key: seeding is idempotent, and an edited seed is never overwritten
    name: str
    description: str
    match: dict[str, str] = field(default_factory=dict)
    limits: dict[str, int] = field(default_factory=dict)
    working_days: bool = False  # True: the working-day calendar; False: 24x7
    pausable: bool = True
    priority: int = 100
    is_active: bool = True


H = 60
WD = WORKING_DAY_MINUTES
SGCC = "国家电网十项服务承诺（2019）"
GAS = "城镇燃气企业服务承诺（GB/T 28885 配套）"

POLICIES: tuple[PolicySeed, ...] = (
    PolicySeed(
        "default",
        "默认时限",
        "[D] 兜底策略：接单60分钟，办结72小时，回访48小时（无标准条款时的缺省值）",
        {},
        {"accept": 60, "resolve": 72 * H, "callback": 48 * H},
        priority=1000,
    ),
    # Electricity repair: crew on site urban 45 min / rural 90 / remote 2 h; restored 3 h (urban) / 4 h after arrival.
    PolicySeed(
        "elec-repair",
        "电力报修（城区，缺省）",
        f"[S] {SGCC}：抢修到达现场城区45分钟；恢复供电城区3小时（到达后）。未标注区域类型时按城区。"
        "接单10分钟、回访24小时[D]",
        {"type": "repair", "category": "RP-ELEC"},
        {"accept": 10, "arrive": 45, "resolve": 45 + 3 * H, "callback": 24 * H},
    ),
    PolicySeed(
        "elec-repair-rural",
        "电力报修（农村）",
        f"[S] {SGCC}：抢修到达现场农村90分钟；恢复供电农村4小时（到达后）。接单10分钟、回访24小时[D]",
        {"type": "repair", "category": "RP-ELEC", "area_type": "rural"},
        {"accept": 10, "arrive": 90, "resolve": 90 + 4 * H, "callback": 24 * H},
    ),
    PolicySeed(
        "elec-repair-remote",
        "电力报修（特殊边远地区）",
        f"[S] {SGCC}：抢修到达现场特殊边远地区2小时；恢复供电按农村4小时[D]。接单10分钟、回访24小时[D]",
        {"type": "repair", "category": "RP-ELEC", "area_type": "remote"},
        {"accept": 10, "arrive": 120, "resolve": 120 + 4 * H, "callback": 24 * H},
    ),
    PolicySeed(
        "elec-emergency",
        "电力事故（城区，缺省）",
        f"[S] {SGCC}：抢修到达现场城区45分钟（事故按报修到达时限）。接单5分钟[D]。不因挂起暂停",
        {"type": "emergency", "category": "EM-ELEC"},
        {"accept": 5, "arrive": 45, "callback": 24 * H},
        pausable=False,
    ),
    PolicySeed(
        "elec-emergency-rural",
        "电力事故（农村）",
        f"[S] {SGCC}：抢修到达现场农村90分钟。接单5分钟[D]。不因挂起暂停",
        {"type": "emergency", "category": "EM-ELEC", "area_type": "rural"},
        {"accept": 5, "arrive": 90, "callback": 24 * H},
        pausable=False,
    ),
    PolicySeed(
        "elec-emergency-remote",
        "电力事故（特殊边远地区）",
        f"[S] {SGCC}：抢修到达现场特殊边远地区2小时。接单5分钟[D]。不因挂起暂停",
        {"type": "emergency", "category": "EM-ELEC", "area_type": "remote"},
        {"accept": 5, "arrive": 120, "callback": 24 * H},
        pausable=False,
    ),
    PolicySeed(
        "gas-repair",
        "燃气报修（城区，缺省）",
        f"[S] {GAS}：报修到达现场城区30分钟。未标注区域类型时按城区。接单10分钟、修复24小时、回访24小时[D]",
        {"type": "repair", "category": "RP-GAS"},
        {"accept": 10, "arrive": 30, "resolve": 24 * H, "callback": 24 * H},
    ),
    PolicySeed(
        "gas-repair-rural",
        "燃气报修（城区以外：农村）",
        f"[S] {GAS}：报修到达现场城区以外1小时。接单10分钟、修复24小时、回访24小时[D]",
        {"type": "repair", "category": "RP-GAS", "area_type": "rural"},
        {"accept": 10, "arrive": 60, "resolve": 24 * H, "callback": 24 * H},
    ),
    PolicySeed(
        "gas-repair-remote",
        "燃气报修（城区以外：边远）",
        f"[S] {GAS}：报修到达现场城区以外1小时。接单10分钟、修复24小时、回访24小时[D]",
        {"type": "repair", "category": "RP-GAS", "area_type": "remote"},
        {"accept": 10, "arrive": 60, "resolve": 24 * H, "callback": 24 * H},
    ),
    PolicySeed(
        "gas-leak",
        "燃气泄漏/事故（城区，缺省）",
        f"[S]/[D] {GAS}：燃气泄漏到达现场城区20–30分钟，取30分钟；未标注区域类型时按城区（较严）。"
        "接单5分钟[D]。不因挂起暂停",
        {"type": "emergency", "category": "EM-GAS"},
        {"accept": 5, "arrive": 30, "callback": 24 * H},
        pausable=False,
    ),
    PolicySeed(
        "gas-leak-rural",
        "燃气泄漏/事故（农村）",
        f"[S]/[D] {GAS}：燃气泄漏到达现场其他地区40–60分钟，取60分钟。接单5分钟[D]。不因挂起暂停",
        {"type": "emergency", "category": "EM-GAS", "area_type": "rural"},
        {"accept": 5, "arrive": 60, "callback": 24 * H},
        pausable=False,
    ),
    PolicySeed(
        "gas-leak-remote",
        "燃气泄漏/事故（边远）",
        f"[S]/[D] {GAS}：燃气泄漏到达现场其他地区40–60分钟，取60分钟。接单5分钟[D]。不因挂起暂停",
        {"type": "emergency", "category": "EM-GAS", "area_type": "remote"},
        {"accept": 5, "arrive": 60, "callback": 24 * H},
        pausable=False,
    ),
    PolicySeed(
        "complaint",
        "投诉（燃气标准，缺省）",
        "[S] 燃气：投诉1个工作日内联系客户（24小时），3个工作日内答复结果。投诉分类不分电/气，"
        "缺省取较严的燃气标准；回访1个工作日[D]。按工作日日历计时",
        {"type": "complaint"},
        {"accept": WD, "reply": 3 * WD, "callback": WD},
        working_days=True,
    ),
    PolicySeed(
        "complaint-elec",
        "投诉（电力标准，未启用）",
        "[S] 电力（95598）：投诉24小时（1个工作日）内联系客户，4个工作日内答复（省级规定，国家2011为7个工作日）。"
        "投诉分类不分电/气，故未启用：纯供电中心启用本策略并停用燃气投诉策略即可",
        {"type": "complaint"},
        {"accept": WD, "reply": 4 * WD, "callback": WD},
        working_days=True,
        is_active=False,
    ),
    PolicySeed(
        "expert-support",
        "专家求助（专家座席）",
        "[D] 现场人员向专家座席求助：5分钟内响应（接单），30分钟内答复（办结）；答复即归档，无回访。全天候计时",
        {"type": "support"},
        {"accept": 5, "resolve": 30},
        pausable=False,
    ),
    PolicySeed(
        "service-request",
        "业务受理（一般）",
        "[S] 燃气：一般业务1–3个工作日办结，取3个工作日；回访1个工作日[D]。按工作日日历计时",
        {"type": "service_request"},
        {"accept": WD, "resolve": 3 * WD, "callback": WD},
        working_days=True,
    ),
)
