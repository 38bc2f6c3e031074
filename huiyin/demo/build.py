"""``huiyin demo``: a believable city and a few thousand orders that went round the real loop.

Orders are not inserted as rows: each one is registered, dispatched, accepted, resolved, called back
and closed through the same ``do_*`` service functions the API uses, with the clock moved back in time,
so the demo's timelines obey every rule the product enforces.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from huiyin.auth.models import User
from huiyin.auth.service import do_create_user, hash_password
from huiyin.clock import clock
from huiyin.customers.models import Customer, CustomerPhone, CustomerTag
from huiyin.db import Database
from huiyin.demo import city
from huiyin.demo.channels import build_channels
from huiyin.demo.incidents import raise_warnings
from huiyin.demo.knowledge import build_knowledge
from huiyin.demo.outages import build_outages
from huiyin.demo.performance import build_performance
from huiyin.demo.quality import build_quality
from huiyin.demo.records import DEMO_CTI_TOKEN, build_agent_states, build_audits, build_calls, build_ratings
from huiyin.org import refs as org_refs
from huiyin.org.models import Area, Unit
from huiyin.org.service import do_create_area, do_create_unit
from huiyin.seed import ensure_reference_data
from huiyin.settings import get_settings
from huiyin.workorders import service as wo
from huiyin.workorders.catalog import CallbackResult, OrderType
from huiyin.workorders.models import Category, DispatchRule, WorkOrder

__all__ = ["DEMO_CTI_TOKEN", "DEMO_PASSWORD", "DEMO_ROLES", "build_demo", "database_is_empty"]

DEMO_PASSWORD = "demo"
DEMO_ROLES = [
    "agent",
    "dispatcher",
    "unit_handler",
    "duty_manager",
    "floor_manager",
    "supervisor",
    "director",
    "qa_inspector",
    "admin",
]
AUTO_DISPATCHED = ["EM-GAS", "EM-ELEC", "RP-GAS", "RP-ELEC", "SR-GAS", "SR-ELEC"]
# share of orders by category code (complaints, inquiries and the rest as a utility hotline sees them)
MIX = {
    "RP-GAS-NOGAS": 9,
    "RP-GAS-METER": 6,
    "RP-GAS-APPLIANCE": 5,
    "RP-GAS-PIPE": 3,
    "RP-ELEC-OUTAGE": 9,
    "RP-ELEC-VOLT": 3,
    "RP-ELEC-METER": 3,
    "EM-GAS-LEAK": 3,
    "EM-GAS-FIRE": 0.2,
    "EM-GAS-POISON": 0.2,
    "EM-ELEC-SHOCK": 0.2,
    "EM-ELEC-WIRE": 0.8,
    "SR-GAS-OPEN": 4,
    "SR-GAS-TRANSFER": 3,
    "SR-GAS-INSPECT": 4,
    "SR-GAS-MOVE": 2,
    "SR-READING": 3,
    "SR-ELEC-RECONNECT": 3,
    "SR-ELEC-NEW": 1,
    "SR-ELEC-TRANSFER": 2,
    "IQ-BILL": 10,
    "IQ-OUTAGE": 5,
    "IQ-POLICY": 3,
    "IQ-PAYMENT": 4,
    # complaints: a few a month per ten thousand customers (about 0.5 % of the orders)
    "CP-ATTITUDE": 0.15,
    "CP-TIMELINESS": 0.15,
    "CP-BILLING": 0.12,
    "CP-QUALITY": 0.08,
    "CP-CONSTRUCTION": 0.05,
    "SG-SERVICE": 1,
    "PR-STAFF": 1,
    "CA-ELDERLY": 0.5,
    "CA-SAFETY": 0.5,
}
CHANNELS = (["phone"] * 14) + ["wechat"] * 4 + ["web", "sms", "email", "walk_in"]


def database_is_empty(db: Database) -> bool:
    with db.session(write=False) as s:
        return (s.scalar(select(func.count()).select_from(User)) or 0) == 0


@dataclass
class Cast:
    agents: list[User]
    dispatcher: User
    manager: User
    handlers: dict[int, User]  # station unit id → its handler
    staff: dict[int, list[int]] = field(default_factory=dict)  # station unit id → its field staff's ids


def _build_org(s: Session) -> tuple[dict[str, Unit], list[Area]]:
    units: dict[str, Unit] = {}
    for spec in city.units():
        parent = units[spec.parent_code].id if spec.parent_code else None
        units[spec.code] = do_create_unit(s, spec.code, spec.name, spec.kind, parent)
    areas = [do_create_area(s, a.code, a.name, a.area_type, units[a.unit_code].id, a.district) for a in city.areas()]
    cats = {c.code: c.id for c in s.scalars(select(Category))}
    for code in AUTO_DISPATCHED:
        s.add(DispatchRule(category_id=cats[code], note="按网格派往所属单位"))
    return units, areas


def _build_people(s: Session, units: dict[str, Unit], areas: list[Area]) -> Cast:
    home = units[city.areas()[0].unit_code]
    hashed = hash_password(DEMO_PASSWORD)
    users = {}
    for i, role in enumerate(DEMO_ROLES):
        unit = home if role == "unit_handler" else None
        users[role] = do_create_user(
            s,
            role,
            DEMO_PASSWORD,
            [role],
            unit=unit,
            full_name=role,
            password_hash=hashed,
            phone=f"1390000{i:04d}",  # SMS and calls land on the fake gateway (docs/notifications.md)
            email=f"{role}@demo.huiyin.example",
        )
    names = random.Random(7)
    agents = [users["agent"]]
    for i in range(1, 13):
        agents.append(User(username=f"agent{i:02d}", full_name=city.staff_name(names), password_hash=hashed))
    handlers = {home.id: users["unit_handler"]}
    for unit in units.values():
        if unit.kind == "station" and unit.id not in handlers:
            handlers[unit.id] = User(
                username=f"h-{unit.code.lower()}",
                full_name=city.staff_name(names),
                password_hash=hashed,
                unit_id=unit.id,
                phone=f"1391000{unit.id:04d}",
            )
    s.add_all(agents[1:] + list(handlers.values()))
    s.flush()
    from huiyin.auth.models import UserRole

    s.add_all(UserRole(user_id=a.id, role="agent") for a in agents[1:])
    s.add_all(UserRole(user_id=h.id, role="unit_handler") for h in handlers.values() if h is not users["unit_handler"])
    # AB角: neighbouring stations' handlers back each other up; the demo handler's partner is on leave this
    # week, so the demo handler gets that station's dispatches too (docs/web.md)
    pairs = list(handlers.values())
    for a, b in zip(pairs[0::2], pairs[1::2], strict=False):
        a.backup_id, b.backup_id = b.id, a.id
    if len(pairs) > 1:
        from huiyin.auth.models import Absence

        start = clock.now() - timedelta(days=2)
        s.add(
            Absence(
                user_id=pairs[1].id,
                starts_at=start,
                ends_at=start + timedelta(days=7),
                reason="leave",
                note="年休假",
                created_by=users["duty_manager"].id,
                created_at=start,
            )
        )
    from huiyin.org.models import Staff

    staff: dict[int, list[int]] = {}
    for unit_id in handlers:
        people = [
            Staff(unit_id=unit_id, name=city.staff_name(names), post=post, is_active=True)
            for post in ("head", "meter_reader", "inspector", "repairer", "repairer")
        ]
        h = handlers[unit_id]  # the station's handler is staff too: the delayed survey rates them
        name = h.full_name if h.full_name and h.full_name != h.username else city.staff_name(names)
        s.add(Staff(unit_id=unit_id, name=name, post="handler", user_id=h.id, is_active=True))
        s.add_all(people)
        s.flush()
        staff[unit_id] = [p.id for p in people[1:]]
    return Cast(agents, users["dispatcher"], users["duty_manager"], handlers, staff)


def _build_customers(s: Session, rng: random.Random, n: int, areas: list[Area]) -> None:
    """Bulk insert (executemany) with ids assigned here, so phones and tags need no round trip."""
    area_ids = {a.code: a.id for a in areas}
    next_id = (s.scalar(select(func.max(Customer.id))) or 0) + 1
    at = clock.now()
    rows: list[dict[str, object]] = []
    phones: list[dict[str, object]] = []
    tags: list[dict[str, object]] = []
    for i, spec in enumerate(city.customers(rng, n, city.areas())):
        cid = next_id + i
        rows.append(
            {
                "id": cid,
                "account_no": spec.account_no,
                "name": spec.name,
                "address": spec.address,
                "area_id": area_ids[spec.area_code],
                "meter_no": spec.meter_no,
                "created_at": at,
                "updated_at": at,
            }
        )
        phones.extend({"customer_id": cid, "phone": p} for p in spec.phones)
        tags.extend({"customer_id": cid, "tag": t} for t in spec.tags)
    for table, data in ((Customer, rows), (CustomerPhone, phones), (CustomerTag, tags)):
        for start in range(0, len(data), 5000):
            s.execute(insert(table), data[start : start + 5000])


LATE_SHARE = 0.04
"""How often a step of the loop comes later than its time limit allows: a real centre meets ~95 % of them."""


def _target_stage(rng: random.Random, age: timedelta) -> int:
    """How far round the loop an order is taken: 0 registered … 5 closed. Nearly all go the whole way, and
    "now" cuts the walk of the recent ones, so most open orders are recent and within their limits; a
    handful got stuck on the way (the ones the ladder has since taken to the top)."""
    if age > timedelta(days=3):
        return 5 if rng.random() < 0.999 else rng.choice([1, 2, 3, 4])
    return 5 if rng.random() < 0.985 else rng.choice([1, 2, 3, 4])


def _on_site(order: WorkOrder, cast: Cast) -> list[int]:
    """Who went on site, as the handler names them at the resolve: one or two repairers for a repair or an
    emergency, the meter reader for a service request, nobody for the rest (answered by phone). Drawn from
    the order's own generator, so that the city's other draws stay as they were."""
    people = cast.staff.get(order.unit_id or 0, [])
    if len(people) < 4:
        return []
    pick = random.Random(order.id)
    if order.type in ("repair", "emergency"):
        return pick.sample(people[2:4], k=pick.choice((1, 1, 2)))
    if order.type == "service_request":
        return [people[0]]
    return []


def _walk(s: Session, rng: random.Random, order: WorkOrder, stage: int, cast: Cast, limit: int) -> None:
    """Moves one order round the loop, one service call per step, the clock moving forward."""

    def later(lo: int, hi: int) -> bool:
        nxt = clock.now() + timedelta(minutes=rng.randint(lo, hi))
        if nxt.timestamp() >= limit:
            return False
        clock.set(nxt)
        return True

    def step(lo: int, hi: int, late_lo: int, late_hi: int) -> bool:
        """The next step, in time (minutes after the last) or, now and then, late."""
        return later(late_lo, late_hi) if rng.random() < LATE_SHARE else later(lo, hi)

    if order.state == "registered" and stage >= 1 and step(2, 6, 8, 40):
        unit_id = rng.choice(list(cast.handlers))
        wo.do_dispatch(s, order, org_refs.org(s).units[unit_id], cast.dispatcher)
    if order.unit_id is None or order.state == "closed":
        return
    handler = cast.handlers.get(order.unit_id) or cast.dispatcher
    for _round in range(2):
        if stage < 2 or not step(1, 8, 12, 45):  # accept: 5-10 minutes from dispatch
            return
        wo.do_accept(s, order, handler)
        if stage < 3 or not step(5, 20, 40, 150):  # on site: 30-120 minutes from dispatch
            return
        wo.do_start(s, order, handler)
        if rng.random() < 0.06 and later(30, 600):
            wo.do_suspend(
                s, order, handler, rng.choice(["客户不在家，已约定上门时间", "等待配件到货", "需协调物业开门"])
            )
            if not later(60, 1440):
                return
            wo.do_resume(s, order, handler)
        if stage < 4 or not step(20, 100, 240, 1800):  # resolved: 3-72 hours from registration
            return
        wo.do_resolve(
            s,
            order,
            handler,
            rng.choice(
                [
                    "已上门处理，恢复正常",
                    "更换故障部件，试用正常",
                    "已向客户解释并处理完毕",
                    "已核实并办理完成",
                    "已调整并复测合格",
                ]
            ),
            on_site=_on_site(order, cast),
        )
        if order.type == "complaint" and _unjudged(s, order):
            if not later(60, 600):  # the verdict: within hours of the unit's answer
                return
            _judge(s, rng, order, cast)
        if stage < 5:
            return
        if not step(60, 1200, 1500, 2500):  # called back: within 24 hours
            return
        agent = s.get_one(User, order.owner_agent_id)
        # a reopened order's second callback is not unsatisfied again (two rounds are all the walk takes)
        result = rng.choices(list(CallbackResult), [80, 10, 6, 4] if _round == 0 else [85, 10, 0, 5])[0]
        if result is CallbackResult.unreachable:
            for _ in range(3):
                wo.do_callback(s, order, agent, result, "", max_unreachable=3)
                if order.state == "closed" or not later(120, 600):
                    return
            return
        wo.do_callback(
            s,
            order,
            agent,
            result,
            "客户表示认可" if result != "unsatisfied" else "客户反映问题仍未解决",
            max_unreachable=3,
        )
        if order.state == "closed":
            return


STAGE_OF = {
    "CP-ATTITUDE": ("repair", "hotline"),
    "CP-TIMELINESS": ("repair", "business"),
    "CP-BILLING": ("billing", "meter_reading"),
    "CP-QUALITY": ("other", "repair"),
    "CP-CONSTRUCTION": ("construction",),
}


def _unjudged(s: Session, order: WorkOrder) -> bool:
    from huiyin.complaints.service import get_complaint

    return get_complaint(s, order.id).validity is None


def _judge(s: Session, rng: random.Random, order: WorkOrder, cast: Cast) -> None:
    """The duty manager's verdict on a resolved complaint (about two in three valid), before the callback
    may close it."""
    from huiyin.complaints import service as complaints
    from huiyin.workorders.refs import catalog

    code = catalog(s).by_id[order.category_id].code
    code = code if code in STAGE_OF else "CP-QUALITY"
    valid = rng.random() < 0.65
    unit_id = order.unit_id
    data = {
        "validity": "valid" if valid else "invalid",
        "reason": None if valid else rng.choice(["经核实，收费准确，已向客户解释", "经调取录音，服务规范"]),
        "stage": rng.choice(STAGE_OF[code]),
        "responsible_unit_id": unit_id if valid else None,
        "responsible_staff_ids": [rng.choice(cast.staff[unit_id])] if valid and unit_id in cast.staff else [],
        "root_cause": rng.choice(["attitude", "timeliness", "communication", "process"]) if valid else "customer",
        "action": "班组通报并开展服务规范培训" if valid else None,
        "action_due": clock.now() + timedelta(days=14) if valid else None,
    }
    complaint = complaints.get_complaint(s, order.id)
    verdict = complaints.check_verdict(s, cast.manager, complaint, data, clock.now())
    complaints.do_verdict(s, cast.manager, order, complaint, verdict, clock.now(), get_settings().complaints)


def _build_orders(s: Session, rng: random.Random, n: int, cast: Cast, customer_count: int) -> None:
    settings = get_settings()
    real_now = clock.now()
    limit = int(real_now.timestamp())
    cats = {c.code: c for c in s.scalars(select(Category))}
    codes = list(MIX)
    # 90 days of history, and a busy morning today (its orders are still on their way round the loop)
    today = max(n // 200, 8)
    ages = [rng.randint(600, 90 * 86400) for _ in range(n - today)] + [rng.randint(60, 2 * 3600) for _ in range(today)]
    starts = sorted(real_now - timedelta(seconds=age) for age in ages)
    first_customer = s.scalar(select(func.min(Customer.id))) or 1
    area_ids = list(s.scalars(select(Area.id)))
    try:
        for i, at in enumerate(starts):
            clock.set(at)
            code = rng.choices(codes, [MIX[c] for c in codes])[0]
            cat = cats[code]
            customer = s.get(Customer, first_customer + rng.randrange(customer_count)) if rng.random() < 0.9 else None
            on_spot = cat.type == OrderType.inquiry and rng.random() < 0.7
            data = {
                "type": cat.type,
                "category": code,
                "description": city.order_description(rng, code),
                "channel": rng.choice(CHANNELS),
                "contact_phone": customer.phones[0] if customer else city.mobile_phone(rng),
                "customer_id": customer.id if customer else None,
                "area_id": None if customer else rng.choice(area_ids),
                "close_on_spot": on_spot,
                "result": "已当场向客户解答" if on_spot else None,
            }
            agent = rng.choice(cast.agents)
            plan = wo.check_register(s, agent, data)
            order = wo.do_register(s, agent, plan, number_prefix=settings.order_number_prefix, tz=settings.timezone)
            _walk(s, rng, order, _target_stage(rng, real_now - at), cast, limit)
            if i % 500 == 499:
                s.flush()
    finally:
        clock.reset()


BURSTS = 16  # orders in the two bursts, of the demo's orders


def _build_bursts(s: Session, rng: random.Random, cast: Cast) -> int:
    """Two bursts of 无气 reports from one area, as a fault on a gas main makes them: nine between 10:02 and
    10:12 three days ago (long since mended), seven in the half hour before now (being worked). The early
    warning catches both (``incidents.raise_warnings``)."""
    settings = get_settings()
    real_now = clock.now()
    limit = int(real_now.timestamp())
    by_area: dict[int, list[Customer]] = {}
    for c in s.scalars(select(Customer).where(Customer.area_id.is_not(None)).order_by(Customer.id).limit(3000)):
        by_area.setdefault(c.area_id or 0, []).append(c)
    areas = sorted(by_area, key=lambda a: -len(by_area[a]))[:2]
    if len(areas) < 2:
        raise ValueError("the demo city needs customers in two areas at least")
    local = real_now.astimezone(ZoneInfo(settings.timezone))
    past = local.replace(hour=10, minute=2, second=0, microsecond=0) - timedelta(days=3)
    plans = [(areas[0], past, 9, 5), (areas[1], real_now - timedelta(minutes=35), BURSTS - 9, 2)]
    n = 0
    try:
        for area_id, start, count, stage in plans:
            for k in range(count):
                clock.set(start + timedelta(minutes=k * 1.2))
                customer = by_area[area_id][k % len(by_area[area_id])]
                data = {
                    "type": "repair",
                    "category": "RP-GAS-NOGAS",
                    "description": "家里突然没气了，邻居家也没有",
                    "channel": rng.choice(("phone", "phone", "wechat")),
                    "contact_phone": customer.phones[0],
                    "customer_id": customer.id,
                }
                agent = rng.choice(cast.agents)
                order = wo.do_register(
                    s,
                    agent,
                    wo.check_register(s, agent, data),
                    number_prefix=settings.order_number_prefix,
                    tz=settings.timezone,
                )
                _walk(s, rng, order, stage, cast, limit)
                n += 1
    finally:
        clock.reset()
    return n


def _finish_actions(s: Session, rng: random.Random, cast: Cast) -> int:
    """Most corrective actions are reported done in good time (1–12 days after the verdict; one in twenty a
    few days late); the ones not yet due stay open on the complaint desk."""
    from huiyin.complaints import service as complaints
    from huiyin.complaints.models import Complaint

    real_now = clock.now()
    done = 0
    rows = s.scalars(select(Complaint).where(Complaint.action_due.is_not(None)).order_by(Complaint.verdict_at))
    try:
        for c in list(rows):
            assert c.verdict_at is not None and c.action_due is not None
            if rng.random() < 0.95:
                at = c.verdict_at + timedelta(hours=rng.randint(24, 12 * 24))
            else:
                at = c.action_due + timedelta(hours=rng.randint(6, 96))
            if at >= real_now - timedelta(hours=1):
                continue
            clock.set(at)
            order = s.get(WorkOrder, c.order_id)
            who = cast.handlers.get(c.responsible_unit_id or 0, cast.manager)
            result = rng.choice(
                ["已组织班组服务规范培训并通报", "已对责任人谈话提醒并纳入月度考核", "已修订作业流程并复核执行"]
            )
            complaints.do_action_done(s, who, order, c, result, at)
            done += 1
    finally:
        clock.reset()
    return done


def _commend(s: Session, rng: random.Random, cast: Cast) -> int:
    """The praise orders' staff: each praise names someone of a station, who earns the praise's points."""
    from huiyin.complaints import ledger

    settings = get_settings()
    stations = sorted(cast.staff)
    praises = list(s.scalars(select(WorkOrder).where(WorkOrder.type == OrderType.praise).order_by(WorkOrder.id)))
    n = 0
    for order in praises:
        person = rng.choice(cast.staff[rng.choice(stations)])
        ledger.do_commend(
            s,
            order,
            [person],
            settings.complaints,
            by=cast.manager.id,
            at=order.created_at + timedelta(hours=2),
            tz=settings.timezone,
            note=f"表扬 {order.number}",
        )
        n += 1
    return n


def _award_surveys(s: Session) -> int:
    """The ledger's rewards for the surveys answered with top scores, as the worker gives them."""
    from huiyin.complaints import ledger

    settings = get_settings()
    at = clock.now()
    return len(ledger.do_award_surveys(s, at - timedelta(days=120), at, settings.complaints, settings.timezone))


def _settle_history(s: Session) -> None:
    """The worker catches up on the demo's past (open orders climb the ladder as far as their age says),
    and everything told before today counts as seen: acknowledged, with no SMS or call left to send."""
    from sqlalchemy import update

    from huiyin.notify.models import Notification, OutboxMessage
    from huiyin.sla.jobs import fire_due

    at = clock.now()
    settings = get_settings()
    while fire_due(s, at, limit=2000, settings=settings.notify, tz=settings.timezone) > 0:
        pass
    s.execute(update(Notification).where(Notification.acked_at.is_(None)).values(read_at=at, acked_at=at))
    s.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "pending")
        .values(status="skipped", last_error="demo history", delivered_at=at)
    )


def build_demo(db: Database, *, customers: int = 10_000, orders: int = 3_000, seed: int = 20261122) -> str:
    rng = random.Random(seed)
    with db.session() as s:
        ensure_reference_data(s)
        units, areas = _build_org(s)
        cast = _build_people(s, units, areas)
        _build_customers(s, rng, customers, areas)
        _build_orders(s, rng, orders - BURSTS, cast, customers)
        _build_bursts(s, random.Random(seed + 16), cast)
        _finish_actions(s, rng, cast)
        _commend(s, rng, cast)
        outages = build_outages(  # before the calls are made for the phone orders: its reports came by phone
            s,
            random.Random(seed + 19),
            cast.agents,
            cast.dispatcher,
            cast.manager,
            list(cast.handlers.values()),
            cast.agents[0].password_hash,
            get_settings(),
        )
        _settle_history(s)
        qa = s.scalars(select(User).where(User.username == "qa_inspector")).one()
        supervisor = s.scalars(select(User).where(User.username == "supervisor")).one()
        knowledge = build_knowledge(s, qa, supervisor)
        chats = build_channels(s, random.Random(seed + 20), cast.agents)
        calls = build_calls(s, rng)
        build_agent_states(s, random.Random(seed + 17), cast)
        ratings = build_ratings(s, rng, units)
        _award_surveys(s)
        build_audits(s, rng, cast)
        warnings = raise_warnings(s, cast.manager, clock.now())
        quality = build_quality(s, random.Random(seed + 18), clock.now(), get_settings())
        performance = build_performance(s, cast.manager, clock.now(), get_settings())
        counts = dict(s.execute(select(WorkOrder.state, func.count()).group_by(WorkOrder.state)).all())
    return (
        f"demo city built: {len(units)} units, {len(areas)} areas, {customers} customers, {orders} orders "
        f"{counts}, {calls} calls, {ratings} ratings, {warnings} early warnings, {quality}, {performance}, "
        f"{outages}, {knowledge}, {chats}"
    )
