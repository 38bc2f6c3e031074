"""The demo city's outages and expert seats (issue 18): a gas outage three days ago, restored, its reports
resolved with it; a gas main cut this afternoon, active, the flood of 无气 reports merged into its master order,
two near matches waiting for the dispatcher, its notice sent and the call list half worked, its ETA moved once;
tomorrow's planned power outage, announced two days ahead; a suspected outage the dispatcher has not judged
yet (十起停电报修 in a quarter of an hour); a winter-safety announcement to the elderly; and the expert seats
with a week of field questions, answered within minutes, one still open."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiyin.auth.models import User, UserRole
from huiyin.clock import clock
from huiyin.customers.models import Customer
from huiyin.org.models import Area, Unit
from huiyin.outages import jobs, notice, service
from huiyin.outages.models import NoticeCall, OutageSuggestion
from huiyin.settings import Settings
from huiyin.workorders import service as wo
from huiyin.workorders.catalog import CallbackResult
from huiyin.workorders.models import Category, DispatchRule, WorkOrder

EXPERT_QUESTIONS = (
    (
        "SP-FIELD-TECH",
        "客户家壁挂炉点火后熄火，表后压力1.9kPa，是否需要更换户内调压器？",
        "压力偏低，先查表前阀是否全开，仍低于2.0kPa则更换调压器。",
    ),
    (
        "SP-FIELD-POLICY",
        "客户要求过户同时变更用气性质（居民改商业），现场能否一并受理？",
        "可以一并受理，需营业执照复印件，用气性质变更按商业气价自次月起执行。",
    ),
    (
        "SP-FIELD-ACCOUNT",
        "客户称上月已缴费但系统仍显示欠费，现场如何核实？",
        "已核实：银行代扣延迟入账，今日16时前到账，可告知客户无需重复缴费。",
    ),
    (
        "SP-FIELD-TECH",
        "台区低压线路末端电压只有195V，客户空调无法启动，是否需要调整分接头？",
        "先测量配变出口电压，若高于235V不宜再调，安排负荷切改，已转运检。",
    ),
    (
        "SP-FIELD-POLICY",
        "老旧小区加装电梯申请临时用电，审批流程是什么？",
        "按临时用电受理，提供业主委员会同意书和施工方案，3个工作日内答复。",
    ),
    (
        "SP-FIELD-TECH",
        "燃气表显示“阀门关闭”但客户已插卡充值，现场如何处理？",
        "表内电池欠压所致，更换电池后重新插卡即可开阀。",
    ),
)


def _local(now: datetime, tz: str, days: int, hour: int) -> datetime:
    day = now.astimezone(ZoneInfo(tz)) + timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def _customers(s: Session, area_id: int, n: int) -> list[Customer]:
    return list(s.scalars(select(Customer).where(Customer.area_id == area_id).order_by(Customer.id).limit(n)))


def _report(s: Session, agent: User, customer: Customer, code: str, text: str, settings: Settings) -> WorkOrder:
    plan = wo.check_register(
        s,
        agent,
        {
            "type": "repair",
            "category": code,
            "description": text,
            "channel": "phone",
            "contact_phone": customer.phones[0],
            "customer_id": customer.id,
        },
    )
    return wo.do_register(s, agent, plan, number_prefix=settings.order_number_prefix, tz=settings.timezone)


def _run_rounds(s: Session, settings: Settings) -> None:
    while jobs.do_round_step(s, settings, clock.now()):
        pass
    while jobs.do_announcement_step(s, settings, clock.now()):
        pass


def _outage(s: Session, who: User, settings: Settings, **data: Any) -> Any:
    return service.do_create(s, who, service.check_create(s, who, data), settings)


def _experts(
    s: Session, rng: random.Random, handlers: Sequence[User], company_id: int | None, hashed: str, settings: Settings
) -> int:
    unit = Unit(code="EXPERT", name="专家座席组", kind="station", parent_id=company_id)
    s.add(unit)
    s.flush()
    experts = [
        User(username=f"expert{i:02d}", full_name=name, password_hash=hashed, unit_id=unit.id)
        for i, name in ((1, "周工（燃气专家）"), (2, "吴工（电力专家）"))
    ]
    s.add_all(experts)
    s.flush()
    s.add_all(UserRole(user_id=u.id, role="unit_handler") for u in experts)
    root = s.scalar(select(Category.id).where(Category.code == "SP-FIELD"))
    s.add(DispatchRule(category_id=root, unit_id=unit.id, note="现场求助派往专家座席"))
    s.flush()
    now = clock.now()
    made = 0
    try:
        for i, (code, question, answer) in enumerate(EXPERT_QUESTIONS):
            asker = handlers[i % len(handlers)]
            at = now - timedelta(days=6 - i, hours=rng.randint(1, 6))
            clock.set(at)
            plan = wo.check_register(
                s,
                asker,
                {
                    "type": "support",
                    "category": code,
                    "description": question,
                    "channel": "phone",
                    "contact_phone": asker.phone or "13910000000",
                },
            )
            order = wo.do_register(s, asker, plan, number_prefix=settings.order_number_prefix, tz=settings.timezone)
            expert = experts[i % 2]
            clock.set(at + timedelta(minutes=rng.randint(1, 4)))
            wo.do_accept(s, order, expert)
            clock.set(at + timedelta(minutes=rng.randint(8, 26)))
            wo.do_resolve(s, order, expert, answer)
            made += 1
        clock.set(now - timedelta(minutes=3))
        plan = wo.check_register(
            s,
            handlers[0],
            {
                "type": "support",
                "category": "SP-FIELD-TECH",
                "description": "新装燃气表通气后不走字，管道已吹扫，表前压力正常，是否表具故障？",
                "channel": "phone",
                "contact_phone": handlers[0].phone or "13910000000",
            },
        )
        wo.do_register(s, handlers[0], plan, number_prefix=settings.order_number_prefix, tz=settings.timezone)
        made += 1
    finally:
        clock.reset()
    return made


def build_outages(
    s: Session,
    rng: random.Random,
    agents: Sequence[User],
    dispatcher: User,
    manager: User,
    handlers: Sequence[User],
    hashed: str,
    settings: Settings,
) -> str:
    """Everything above, through the real services, the clock moved as it goes."""
    tz = settings.timezone
    now = clock.now()
    by_size = [
        a
        for a, _ in s.execute(
            select(Area.id, func.count(Customer.id))
            .join(Customer, Customer.area_id == Area.id)
            .group_by(Area.id)
            .order_by(func.count(Customer.id).desc(), Area.id)
        )
    ]
    areas = {a.id: a for a in s.scalars(select(Area))}
    past, active, planned, suspect = by_size[3], by_size[0], by_size[1:3], by_size[5]
    try:
        # 1. three days ago: a regulator failed, twelve reports merged, restored after three hours
        start = now - timedelta(days=3, hours=2)
        clock.set(start)
        o1 = _outage(
            s,
            dispatcher,
            settings,
            kind="unplanned",
            utility="gas",
            area_ids=[past],
            cause="区域调压站调压器故障",
            starts_at=start,
            eta=start + timedelta(hours=4),
            unit_id=areas[past].unit_id,
        )
        for i, c in enumerate(_customers(s, past, 12)):
            clock.set(start + timedelta(minutes=4 + i * 3))
            _report(s, rng.choice(agents), c, "RP-GAS-NOGAS", "家里突然没气了，灶具打不着火", settings)
        clock.set(start + timedelta(hours=3, minutes=10))
        service.do_restore(s, dispatcher, o1, "更换调压器皮膜，调压站恢复正常供气，已逐户确认", None, settings)
        _run_rounds(s, settings)
        clock.set(start + timedelta(hours=20))
        for order in s.scalars(select(WorkOrder).where(WorkOrder.merged_into == o1.master_order_id)):
            if order.state == "resolved":  # the sampled ones keep their callback: done the next morning
                wo.do_callback(s, order, rng.choice(agents), CallbackResult.satisfied, "已恢复正常", max_unreachable=3)
        service.do_close(s, dispatcher, o1, "事件处理完毕")

        # 2. this afternoon: a main cut by a contractor's digger, the flood of reports merged
        start = now - timedelta(minutes=55)
        clock.set(start)
        o2 = _outage(
            s,
            dispatcher,
            settings,
            kind="unplanned",
            utility="gas",
            area_ids=[active],
            cause="中压主管被第三方施工挖断",
            scope="金山路、龙溪路沿线小区",
            starts_at=start,
            eta=start + timedelta(hours=3),
            unit_id=areas[active].unit_id,
        )
        people = _customers(s, active, 40)
        for i, c in enumerate(people[:34]):
            clock.set(start + timedelta(minutes=2 + i * 1.4))
            _report(
                s,
                rng.choice(agents),
                c,
                "RP-GAS-NOGAS",
                rng.choice(("家里没气了", "燃气灶打不着火，是不是停气了", "热水器不出热水，灶也没气")),
                settings,
            )
        for c in people[34:36]:  # near matches: other gas repairs in the area, for the dispatcher to judge
            clock.set(clock.now() + timedelta(minutes=1))
            _report(s, rng.choice(agents), c, "RP-GAS-METER", "燃气表不走字了，不知道是不是表坏了", settings)
        _run_rounds(s, settings)
        clock.set(now - timedelta(minutes=20))
        service.do_update(
            s, dispatcher, o2, {"eta": start + timedelta(hours=3, minutes=40), "note": "抢修难度大，推迟"}, settings
        )
        _run_rounds(s, settings)
        calls = list(s.scalars(select(NoticeCall).where(NoticeCall.outage_id == o2.id).order_by(NoticeCall.id)))
        for i, call in enumerate(calls[: len(calls) * 2 // 3]):
            clock.set(now - timedelta(minutes=18 - i % 15))
            result = "reached" if i % 5 else "no_answer"
            agent = next((a for a in agents if a.id == call.agent_id), manager)
            notice.do_record_call(s, agent if call.agent_id else manager, call.id, result, "已告知停气及预计恢复时间")

        # 3. tomorrow 09:00–17:00: a planned power outage for line maintenance, announced two days ahead
        clock.set(now - timedelta(days=2))
        _outage(
            s,
            dispatcher,
            settings,
            kind="planned",
            utility="electricity",
            area_ids=planned,
            cause="10kV线路检修及更换老旧开关",
            starts_at=_local(now, tz, 1, 9),
            eta=_local(now, tz, 1, 17),
            unit_id=areas[planned[0]].unit_id,
        )
        _run_rounds(s, settings)

        # 4. a quarter of an hour ago: ten 停电 reports from one area, no known outage: a suggestion
        for i, c in enumerate(_customers(s, suspect, settings.outages.fault_reports)):
            clock.set(now - timedelta(minutes=14) + timedelta(minutes=i * 1.2))
            _report(s, rng.choice(agents), c, "RP-ELEC-OUTAGE", "家里突然停电了，邻居家也没电", settings)

        # the bursts of the city's history (a regulator three days ago, a smaller fault this morning) raised
        # suggestions at the time: the dispatcher judged them then (handled order by order, no outage object)
        for old in s.scalars(select(OutageSuggestion).where(OutageSuggestion.state == "open")):
            if old.created_at < now - timedelta(hours=1):
                clock.set(old.created_at + timedelta(minutes=12))
                service.do_dismiss(s, dispatcher, old)

        # 5. a winter-safety notice to the elderly
        clock.set(now - timedelta(days=1))
        notice.do_announce(
            s,
            manager,
            {"tag": "elderly"},
            "【回音】冬季用气提醒：请保持厨房通风，使用燃气时不离人，发现异味请立即关阀开窗并拨打热线。回TD退订",
        )
        _run_rounds(s, settings)
    finally:
        clock.reset()
    company = s.scalar(select(Unit.id).where(Unit.parent_id.is_(None)).order_by(Unit.id).limit(1))
    experts = _experts(s, rng, handlers, company, hashed, settings)
    merged = s.scalar(select(func.count()).select_from(WorkOrder).where(WorkOrder.merged_into.is_not(None))) or 0
    return f"4 outages ({merged} reports merged), {experts} expert-seat questions"
