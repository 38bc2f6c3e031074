"""What the demo city's centre left behind besides its orders: the phone's calls and their recordings'
records, the delayed surveys answered, the instant ratings, and the sign-in audit (``huiyin demo``;
``build.build_demo`` calls these after the orders went round the loop)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from huiyin.auth.models import SignInAudit, User
from huiyin.clock import clock
from huiyin.core.phones import mask_phone
from huiyin.customers.models import CustomerPhone, PhoneReveal
from huiyin.org.models import Unit
from huiyin.settings import get_settings
from huiyin.workorders.models import WorkOrder

if TYPE_CHECKING:
    from huiyin.demo.build import Cast


DEMO_CTI_TOKEN = "demo-pbx-token"
"""The demo's CTI integration token, so a newcomer can post call events at once (docs/cti.md). Only the demo
has a known token; ``huiyin cti create`` makes random ones."""


def build_calls(s: Session, rng: random.Random) -> int:
    """The phone side of the demo's history: an integration, each phone order's call (answered by the agent
    who registered it, linked), and the calls that were given up in the queue or answered on the spot."""
    from huiyin.calls.models import Call, CallOrder
    from huiyin.calls.service import do_create_integration
    from huiyin.core.tokens import token_hash

    integration, _ = do_create_integration(s, "演示 PBX", None)
    integration.token_hash = token_hash(DEMO_CTI_TOKEN)
    integration.token_hint = DEMO_CTI_TOKEN[:6]
    integration.default_caller_id = "02363000000"
    s.flush()
    short_abandon = get_settings().cti.short_abandon_seconds
    orders = s.execute(
        select(
            WorkOrder.id, WorkOrder.created_at, WorkOrder.contact_phone, WorkOrder.customer_id, WorkOrder.owner_agent_id
        )
        .where(WorkOrder.channel == "phone")
        .order_by(WorkOrder.id)
    ).all()
    rows: list[dict[str, object]] = []
    links: list[tuple[int, int]] = []
    for order_id, created, phone, customer_id, agent_id in orders:
        # queue waits as a staffed centre has them: mostly a few seconds, one in ten past 20 s (SL ≈ 85 %)
        wait = min(180, int(rng.expovariate(1 / 8.5)))
        talk, hold = rng.randint(60, 420), rng.choice([0, 0, 0, 15, 40])
        ended = created - timedelta(seconds=rng.randint(5, 30))
        answered = ended - timedelta(seconds=talk + hold)
        offered = answered - timedelta(seconds=wait)
        rows.append(
            dict(
                call_id=f"demo-{order_id}",
                integration_id=integration.id,
                direction="in",
                from_number=phone,
                to_number="95598",
                queue=rng.choice(["燃气", "电力", "供水", "综合"]),
                state="ended",
                agent_id=agent_id,
                offered_to=[agent_id],
                customer_id=customer_id,
                offered_at=offered,
                answered_at=answered,
                ended_at=ended,
                acw_ended_at=created,
                wait_seconds=wait,
                talk_seconds=talk,
                hold_seconds=hold,
                acw_seconds=round((created - ended).total_seconds()),
                cause="normalClearing",
                abandoned=False,
                short_abandon=False,
                blocked=False,
                ivr_path=rng.choice(["1", "1-2", "2", "2-1", "3"]),
            )
        )
        links.append((len(rows) - 1, order_id))  # the answered call's row
        if rng.random() < 0.05:  # the same customer gave up once before getting through
            waited = rng.choice([2, 4, 25, 60, 95])
            before = offered - timedelta(minutes=rng.randint(3, 40))
            rows.append(
                dict(
                    call_id=f"demo-{order_id}-a",
                    integration_id=integration.id,
                    direction="in",
                    from_number=phone,
                    to_number="95598",
                    queue="综合",
                    state="ended",
                    offered_to=[],
                    customer_id=customer_id,
                    offered_at=before,
                    ended_at=before + timedelta(seconds=waited),
                    wait_seconds=waited,
                    hold_seconds=0,
                    cause="cancel",
                    abandoned=True,
                    short_abandon=waited < short_abandon,
                    blocked=False,
                    ivr_path="1",
                )
            )
    if rows:
        ids = list(s.scalars(insert(Call).returning(Call.id, sort_by_parameter_order=True), rows))
        s.execute(
            insert(CallOrder),
            [{"call_pk": ids[n], "order_id": oid, "linked_at": rows[n]["ended_at"]} for n, oid in links],
        )
    return len(rows)


def _answer_surveys(s: Session, rng: random.Random, verdict: Callable[[int | None], str]) -> int:
    """The delayed surveys drawn at the closes: those due are sent on their day (their SMS counted as gone),
    about 45 % answered within two days, the rest reminded once and closed after a week."""
    from huiyin.surveys.delayed import do_answer
    from huiyin.surveys.models import Survey

    settings = get_settings()
    real_now = clock.now()
    answered = 0
    comments = ["师傅很专业，讲解也耐心", "希望以后能更快上门", "", "", "服务不错", "电话一直打不通，等了很久"]
    try:
        for survey in s.scalars(select(Survey).where(Survey.due_at <= real_now).order_by(Survey.due_at)).all():
            survey.state, survey.sent_at = "sent", survey.due_at
            at = survey.due_at + timedelta(minutes=rng.randint(10, 2 * 24 * 60))
            if rng.random() < 0.45 and at < real_now:
                clock.set(at)
                overall = verdict(survey.unit_id)
                good = overall != "unsatisfied"
                answers: dict[str, object] = {
                    "overall": overall,
                    "timeliness": rng.choice([4, 5, 5]) if good else rng.choice([1, 2, 3]),
                    "attitude": rng.choice([4, 5, 5, 5]) if good else rng.choice([2, 3, 4]),
                    "solved": good or rng.random() < 0.3,
                    "comment": rng.choice(comments),
                }
                do_answer(s, survey, answers, at=at, tz=settings.timezone, care_hours=settings.surveys.care_hours)
                answered += 1
                continue
            if survey.due_at <= real_now - timedelta(days=settings.surveys.survey_reminder_days):
                survey.reminded_at = survey.due_at + timedelta(days=settings.surveys.survey_reminder_days)
            if survey.due_at <= real_now - timedelta(days=settings.surveys.survey_expire_days):
                survey.state = "expired"
    finally:
        clock.reset()
    s.flush()
    return answered


def build_agent_states(s: Session, rng: random.Random, cast: Cast) -> int:
    """The agents' states around their calls, as the phone system left them: on a call from answer to
    hang-up, after-call work to its end, ready in the gaps of under half an hour between one agent's calls;
    and the floor now: most agents signed in and ready, one at a meal. Occupancy and the wallboard read them."""
    from huiyin.calls.models import AgentState, Call

    calls = s.execute(
        select(Call.agent_id, Call.answered_at, Call.ended_at, Call.acw_ended_at, Call.id)
        .where(Call.agent_id.is_not(None), Call.answered_at.is_not(None))
        .order_by(Call.agent_id, Call.answered_at)
    ).all()
    at = clock.now()
    rows: list[dict[str, object]] = []
    free: dict[int, datetime] = {}  # agent → when they were last free
    for agent_id, answered, ended, acw_end, call_pk in calls:
        if agent_id is None or answered is None or ended is None:
            continue
        last = free.get(agent_id)
        if last is not None and answered < last:
            continue  # overlapping another of the agent's calls in the generated history: left out
        if last is not None and answered - last < timedelta(minutes=30):
            rows.append(dict(user_id=agent_id, state="ready", started_at=last, ended_at=answered, source="workbench"))
        on_call = dict(user_id=agent_id, state="on_call", started_at=answered, ended_at=ended, call_pk=call_pk)
        rows.append({**on_call, "source": "cti"})
        if acw_end is not None and acw_end > ended:
            acw = dict(user_id=agent_id, state="acw", started_at=ended, ended_at=acw_end, call_pk=call_pk)
            rows.append({**acw, "source": "cti"})
        free[agent_id] = acw_end or ended
    for n, agent in enumerate(cast.agents):
        since = at - timedelta(minutes=rng.randint(5, 90))
        state, reason = ("not_ready", "meal") if n == 1 else ("ready", None)
        rows.append(
            dict(user_id=agent.id, state=state, reason=reason, started_at=since, ended_at=None, source="workbench")
        )
    for r in rows:
        r["written_at"] = r["ended_at"] or r["started_at"]
    if rows:
        s.execute(insert(AgentState), rows)
    return len(rows)


def build_ratings(s: Session, rng: random.Random, units: dict[str, Unit]) -> int:
    """What customers said: after about half the phone calls the caller pressed a key in the IVR, and about
    two in five of those asked by SMS after their order was closed replied (1, 2 or 3, now and then a
    "谢谢" that rates nothing). Mostly satisfied; two stations noticeably less so. Through the services the
    API uses, so the daily counts are kept as in production."""
    from huiyin.calls.models import Call
    from huiyin.surveys.invitations import do_receive_reply
    from huiyin.surveys.models import Rating, RatingInvitation
    from huiyin.surveys.service import check_contact, do_rate

    settings = get_settings()
    stations = sorted(u.id for u in units.values() if u.kind == "station")
    worse = set(rng.sample(stations, min(2, len(stations))))

    def verdict(unit_id: int | None) -> str:
        bad, basic = (0.11, 0.12) if unit_id in worse else (0.03, 0.07)
        r = rng.random()
        return "unsatisfied" if r < bad else "basically_satisfied" if r < bad + basic else "satisfied"

    made = 0
    answered = s.execute(
        select(Call.call_id, Call.ended_at, Call.integration_id).where(Call.abandoned.is_(False)).order_by(Call.id)
    ).all()
    for call_id, ended, integration_id in answered:
        if ended is None or rng.random() >= 0.55:
            continue
        contact = check_contact(s, call_id=call_id, order_id=None, integration_id=None, user=None)
        do_rate(
            s,
            contact,
            channel="ivr",
            result=verdict(contact.unit_id),
            score=None,
            comment=None,
            at=ended + timedelta(seconds=rng.randint(8, 30)),
            tz=settings.timezone,
            integration_id=integration_id,
        )
        made += 1
    rated_orders = set(s.scalars(select(Rating.order_id).where(Rating.order_id.is_not(None))))
    digits = {"satisfied": "1", "basically_satisfied": "2", "unsatisfied": "3"}
    for inv in s.scalars(select(RatingInvitation).order_by(RatingInvitation.id)).all():
        if inv.order_id in rated_orders or rng.random() >= 0.42:
            continue
        at = min(clock.now(), inv.sent_at + timedelta(minutes=rng.randint(1, 600)))
        unit_id = s.scalar(select(WorkOrder.unit_id).where(WorkOrder.id == inv.order_id))
        text = "谢谢" if rng.random() < 0.03 else digits[verdict(unit_id)]
        got = do_receive_reply(
            s,
            gateway_id=f"demo-up-{inv.id}",
            phone=inv.phone,
            text=text,
            at=at,
            settings=settings.surveys,
            tz=settings.timezone,
        )
        made += got.outcome == "rated"
    made += _answer_surveys(s, rng, verdict)
    # the callback team followed up every unsatisfied customer within the day, but the last day's
    from huiyin.surveys.models import CareTask
    from huiyin.surveys.service import do_finish_care

    team = s.scalars(select(User.id).where(User.username.like("agent%")).order_by(User.id)).all()
    notes = {
        "reassured": ["已致电客户致歉并解释处理情况，客户表示理解", "回访说明原因，客户接受"],
        "unreachable": ["两次致电无人接听，已发短信说明"],
        "escalated": ["客户仍不满意，已转投诉处理"],
    }
    for task in s.scalars(select(CareTask).order_by(CareTask.id)).all():
        if task.created_at > clock.now() - timedelta(hours=20):
            continue
        outcome = rng.choices(list(notes), weights=[80, 15, 5])[0]
        at = task.created_at + timedelta(minutes=rng.randint(30, 18 * 60))
        do_finish_care(s, task, outcome=outcome, note=rng.choice(notes[outcome]), by=rng.choice(team), at=at)
    return made


def build_audits(s: Session, rng: random.Random, cast: Cast) -> int:
    """A week of sign-ins (each person about twice a day, a few mistyped passwords, one lock-out) and of
    numbers read whole (handlers calling the customers of their orders, agents checking a caller), so that
    用户与角色's 登录记录 and 号码查看记录 show what a centre's look like."""
    at = clock.now()
    people = [*cast.agents, cast.dispatcher, cast.manager, *cast.handlers.values()]
    signins: list[dict[str, object]] = []
    for user in people:
        for day in range(7):
            for _ in range(rng.choice((1, 2, 2, 3))):
                when = at - timedelta(days=day, hours=rng.uniform(0, 14))
                if rng.random() < 0.08:  # a mistyped password first
                    signins.append(_signin(user, when - timedelta(seconds=20), "failure", rng))
                signins.append(_signin(user, when, "success", rng))
    locked = cast.agents[3]
    when = at - timedelta(days=2, hours=3)
    signins += [_signin(locked, when + timedelta(seconds=9 * i), "failure", rng) for i in range(5)]
    signins.append(_signin(locked, when + timedelta(seconds=50), "locked", rng))
    s.execute(insert(SignInAudit), sorted(signins, key=lambda r: str(r["at"])))

    recent = s.execute(
        select(WorkOrder.id, WorkOrder.unit_id, WorkOrder.customer_id, WorkOrder.contact_phone, WorkOrder.created_at)
        .where(WorkOrder.created_at > at - timedelta(days=7), WorkOrder.unit_id.is_not(None))
        .order_by(WorkOrder.id)
    ).all()
    reveals: list[dict[str, object]] = []
    for order_id, unit_id, customer_id, phone, created in rng.sample(recent, min(60, len(recent))):
        handler = cast.handlers.get(unit_id) if unit_id is not None else None
        user = handler if handler is not None and rng.random() < 0.7 else rng.choice(cast.agents)
        when = min(at, created + timedelta(minutes=rng.randint(10, 600)))
        reveals.append(
            {
                "at": when,
                "user_id": user.id,
                "subject": "order",
                "subject_id": order_id,
                "customer_id": customer_id,
                "numbers": mask_phone(phone),
            }
        )
    for _, _, customer_id, _, created in rng.sample(recent, min(15, len(recent))):
        if customer_id is not None:
            phones = s.scalars(select(CustomerPhone.phone).where(CustomerPhone.customer_id == customer_id))
            reveals.append(
                {
                    "at": created,
                    "user_id": rng.choice(cast.agents).id,
                    "subject": "customer",
                    "subject_id": customer_id,
                    "customer_id": customer_id,
                    "numbers": ",".join(mask_phone(p) for p in phones),
                }
            )
    if reveals:
        s.execute(insert(PhoneReveal), sorted(reveals, key=lambda r: str(r["at"])))
    return len(reveals)


def _signin(user: User, when: object, outcome: str, rng: random.Random) -> dict[str, object]:
    return {
        "at": when,
        "username": user.username,
        "user_id": user.id,
        "outcome": outcome,
        "kind": "session",
        "address": f"10.23.{rng.randint(1, 8)}.{rng.randint(10, 250)}",
        "actor_id": None,
    }
