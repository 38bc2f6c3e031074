"""Ratings: which contact a rating is of, storing it once, and the satisfaction figures.

A contact is a call (the PBX's callId) or, where there was no call, an order; or a written conversation, which
the channels domain rates through ``do_record_contact_rating`` (surveys never reads conversations: the caller
says who handled it). What a rating judges is copied onto it when it comes: the call's agent (or the order's
first-contact agent, or the conversation's agent), the order's unit, category and type. One rating per contact
and channel: a second post is the first rating, acknowledged.

The figures read ``satisfaction_daily``, counts kept on write (``models``): 满意率 = satisfied ÷ surveyed,
or (satisfied + basically satisfied) ÷ surveyed when ``count_basic``; the reply says which.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, bindparam, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from huiyin.auth.refs import directory
from huiyin.calls.service import call_facts, call_id_of, order_ids_of
from huiyin.core.actor import Actor
from huiyin.core.fastsql import Prebuilt
from huiyin.errors import Conflict, Invalid, NotFound
from huiyin.org.refs import org
from huiyin.surveys.models import CHANNELS, RESULTS, CareTask, Rating, SatisfactionDaily
from huiyin.surveys.schemas import LinkPublic
from huiyin.workorders.refs import catalog
from huiyin.workorders.service import get_visible_order, order_facts


@dataclass(frozen=True)
class Contact:
    """A rated contact and what its rating is attributed to."""

    key: str  # call:<pk> | order:<id> | conversation:<id>
    call_pk: int | None
    order_id: int | None
    agent_id: int | None
    unit_id: int | None
    category_id: int | None
    order_type: str | None
    customer_id: int | None


def check_contact(
    session: Session,
    *,
    call_id: str | None,
    order_id: int | None,
    integration_id: int | None,
    user: Actor | None,
) -> Contact:
    """The contact a rating names: a call (404 when no call has that callId, or it came through another
    integration than the one posting), else an order (404 unless the person posting may see it)."""
    if call_id is not None:
        call = call_facts(session, call_id)
        if call is None or (integration_id is not None and call.integration_id != integration_id):
            raise NotFound(f"no call with callId {call_id!r}", code="surveys.no_call", call_id=call_id)
        orders = order_ids_of(session, [call.id]).get(call.id, [])
        if order_id is not None and order_id not in orders:
            raise Invalid(
                f"order {order_id} was not registered on call {call_id!r}",
                code="surveys.order_not_of_call",
                field="order_id",
            )
        order = order_facts(session, order_id or orders[0]) if (order_id or orders) else None
        return Contact(
            f"call:{call.id}",
            call.id,
            order.id if order else None,
            call.agent_id,
            order.unit_id if order else None,
            order.category_id if order else None,
            order.type if order else None,
            call.customer_id or (order.customer_id if order else None),
        )
    if order_id is None:
        raise Invalid(
            "name the contact rated: its call (call_id) or its order (order_id)",
            code="surveys.contact_missing",
            field="call_id",
        )
    if user is not None:
        get_visible_order(session, user, order_id)
    order = order_facts(session, order_id)
    if order is None:
        raise NotFound(f"work order {order_id} does not exist", code="surveys.no_order")
    return Contact(
        f"order:{order.id}",
        None,
        order.id,
        order.owner_agent_id,
        order.unit_id,
        order.category_id,
        order.type,
        order.customer_id,
    )


_RATING_OF = Prebuilt(
    select(Rating.__table__).where(Rating.contact == bindparam("contact"), Rating.channel == bindparam("channel"))
)
_RATING_COLUMNS = tuple(c.key for c in Rating.__table__.columns if c.key != "id")
_RATE = Prebuilt(
    lambda dialect: (
        (postgresql.insert(Rating) if dialect == "postgresql" else sqlite.insert(Rating))
        .values({c: bindparam(c) for c in _RATING_COLUMNS})
        .on_conflict_do_nothing(index_elements=["contact", "channel"])
        .returning(Rating.id)
    )
)
"""A rating written once: one statement, nothing when the contact was rated through the channel already (a
retried post, a second key press, two posts at the same moment), instead of a savepoint and a flush."""


def _existing(session: Session, contact: Contact, channel: str) -> Any | None:
    """The contact's rating through ``channel`` (a record with a rating's attributes), if any."""
    found = _RATING_OF.named(session, {"contact": contact.key, "channel": channel})
    return found[0] if found else None


_COUNT = text(
    "INSERT INTO satisfaction_daily (kind, dim, day, key, satisfied, basically_satisfied, unsatisfied) "
    "VALUES (:kind, :dim, :day, :key, :satisfied, :basically_satisfied, :unsatisfied) "
    "ON CONFLICT (kind, dim, day, key) DO UPDATE SET "
    "satisfied = satisfaction_daily.satisfied + excluded.satisfied, "
    "basically_satisfied = satisfaction_daily.basically_satisfied + excluded.basically_satisfied, "
    "unsatisfied = satisfaction_daily.unsatisfied + excluded.unsatisfied"
).bindparams(bindparam("day", type_=Date))


def _counted(rating: Rating) -> list[dict[str, Any]]:
    """The daily-count rows a rating adds one to: the day's total and each dimension it has a key for."""
    keys = {
        "all": "",
        "agent": rating.agent_id,
        "unit": rating.unit_id,
        "category": rating.category_id,
        "channel": rating.channel,
    }
    ones = {r: int(rating.result == r) for r in ("satisfied", "basically_satisfied", "unsatisfied")}
    return [
        {"kind": rating.kind, "dim": dim, "day": rating.day, "key": str(key), **ones}
        for dim, key in keys.items()
        if key is not None
    ]


def do_rate(
    session: Session,
    contact: Contact,
    *,
    channel: str,
    result: str,
    score: int | None,
    comment: str | None,
    at: datetime,
    tz: str,
    kind: str = "instant",
    integration_id: int | None = None,
    recorded_by: int | None = None,
    care_hours: int = 24,
) -> tuple[Rating, bool]:
    """The contact's rating through ``channel`` and whether it is new: stored and counted once; the same
    contact and channel again (a retried post, a second key press) gives back the first, unchanged. An
    unsatisfied one opens a care task (关怀) for the callback team, due in ``care_hours``."""
    found = _existing(session, contact, channel)
    if found is not None:
        return found, False
    rating = Rating(
        contact=contact.key,
        kind=kind,
        channel=channel,
        result=result,
        score=score,
        comment=comment,
        at=at,
        day=at.astimezone(ZoneInfo(tz)).date(),
        call_pk=contact.call_pk,
        order_id=contact.order_id,
        agent_id=contact.agent_id,
        unit_id=contact.unit_id,
        category_id=contact.category_id,
        order_type=contact.order_type,
        customer_id=contact.customer_id,
        integration_id=integration_id,
        recorded_by=recorded_by,
    )
    new_id = _RATE.scalar(session, {c: getattr(rating, c) for c in _RATING_COLUMNS})
    if new_id is None:  # the same rating, posted at the same moment through another connection
        found = _existing(session, contact, channel)
        if found is None:
            raise Conflict("the rating could not be stored; post it again", code="surveys.rating_not_stored")
        return found, False
    rating.id = new_id  # written: the object is only its values now (not added to the session)
    session.connection().execute(_COUNT, _counted(rating))  # Core: the ORM's execution layer adds nothing here
    if result == "unsatisfied":
        session.add(
            CareTask(
                rating_id=rating.id,
                order_id=rating.order_id,
                call_pk=rating.call_pk,
                customer_id=rating.customer_id,
                agent_id=rating.agent_id,
                unit_id=rating.unit_id,
                created_at=at,
                due_at=at + timedelta(hours=care_hours),
                state="open",
            )
        )
        session.flush()
    return rating, True


def do_record_contact_rating(
    session: Session,
    *,
    channel: str,
    contact_kind: str,
    contact_id: int,
    agent_id: int | None,
    customer_id: int | None,
    result: str,
    at: datetime,
    tz: str,
    care_hours: int = 24,
    score: int | None = None,
    comment: str | None = None,
) -> tuple[Rating, bool]:
    """The rating of a contact another domain owns and surveys does not read (``conversation``: a written
    conversation, rated in its own channel), and whether it is new. The caller says who handled it: the rating
    is counted under its channel and that agent (no unit, category or order: it judges the conversation, not an
    order registered in it). As ``do_rate``: stored and counted once, the first answer stands (a second one gives
    back the first, unchanged), and an unsatisfied one opens a care task (关怀)."""
    if contact_kind != "conversation":
        raise Invalid(
            "calls and orders are rated through do_rate", code="surveys.not_a_conversation", field="contact_kind"
        )
    if channel not in CHANNELS:
        raise Invalid(f"channel: one of {', '.join(CHANNELS)}", code="surveys.unknown_channel", field="channel")
    if result not in RESULTS:
        raise Invalid(f"result: one of {', '.join(RESULTS)}", code="surveys.unknown_result", field="result")
    contact = Contact(f"{contact_kind}:{contact_id}", None, None, agent_id, None, None, None, customer_id)
    return do_rate(
        session,
        contact,
        channel=channel,
        result=result,
        score=score,
        comment=comment,
        at=at,
        tz=tz,
        care_hours=care_hours,
    )


def contact_results(session: Session, contact_kind: str, ids: Sequence[int]) -> dict[int, str]:
    """The result each of these contacts was rated (``conversation`` ids: each is rated through one channel,
    its own), by the unique key's leading column."""
    out: dict[int, str] = {}
    keys = [f"{contact_kind}:{i}" for i in dict.fromkeys(ids)]
    for start in range(0, len(keys), 500):
        stmt = select(Rating.contact, Rating.result).where(Rating.contact.in_(keys[start : start + 500]))
        for contact, result in session.execute(stmt):
            out[int(contact.partition(":")[2])] = result
    return out


def contact_of_key(session: Session, key: str) -> Contact:
    """The contact a key names (``order:<id>``, ``call:<pk>``), as ``check_contact`` attributes it (a
    conversation is not one: its domain attributes it)."""
    kind, _, ident = key.partition(":")
    if kind == "order":
        return check_contact(session, call_id=None, order_id=int(ident), integration_id=None, user=None)
    if kind != "call":
        raise NotFound(f"no rated call or order {key!r}", code="surveys.no_contact")
    call_id = call_id_of(session, int(ident))
    if call_id is None:
        raise NotFound("no such call", code="surveys.no_contact")
    return check_contact(session, call_id=call_id, order_id=None, integration_id=None, user=None)


def link_view(session: Session, key: str, expires_at: datetime) -> LinkPublic:
    """What a rating link's page shows: the order's number, category and type, and its rating by link."""
    contact = contact_of_key(session, key)
    number = closed_at = None
    if contact.order_id is not None:
        shown = order_facts(session, contact.order_id)
        number, closed_at = (shown.number, shown.closed_at) if shown else (None, None)
    cat = catalog(session).by_id.get(contact.category_id) if contact.category_id else None
    given = _existing(session, contact, "web")
    return LinkPublic(
        order_number=number,
        category_name=cat.name if cat else None,
        order_type=contact.order_type,
        closed_at=closed_at,
        expires_at=expires_at,
        rated=given is not None,
        result=given.result if given else None,
    )


def ratings_of_order(session: Session, order_id: int, *, limit: int) -> list[Rating]:
    """The ratings of an order and of the calls it was registered on, newest first."""
    stmt = select(Rating).where(Rating.order_id == order_id).order_by(Rating.at.desc(), Rating.id.desc())
    return list(session.scalars(stmt.limit(limit)))


# ---------------------------------------------------------------- care tasks (关怀)

CARE_OUTCOMES = ("reassured", "unreachable", "escalated")


def care_tasks(
    session: Session, *, state: str | None, order_id: int | None, limit: int
) -> list[tuple[CareTask, Rating]]:
    """Care tasks with their ratings: the open ones soonest due first, else the newest first."""
    stmt = select(CareTask, Rating).join(Rating, Rating.id == CareTask.rating_id)
    if state is not None:
        stmt = stmt.where(CareTask.state == state)
    if order_id is not None:
        stmt = stmt.where(CareTask.order_id == order_id)
    order = (CareTask.due_at, CareTask.id) if state == "open" else (CareTask.id.desc(),)
    return [(t, r) for t, r in session.execute(stmt.order_by(*order).limit(limit))]


def get_care_task(session: Session, task_id: int, *, lock: bool = False) -> CareTask:
    stmt = select(CareTask).where(CareTask.id == task_id)
    task = session.scalar(stmt.with_for_update() if lock else stmt)
    if task is None:
        raise NotFound(f"care task {task_id} does not exist", code="surveys.no_care_task")
    return task


def do_finish_care(session: Session, task: CareTask, *, outcome: str, note: str, by: int, at: datetime) -> CareTask:
    """Closes a care task with what was done; a done task is left as it was (409)."""
    if task.state == "done":
        raise Conflict(f"care task {task.id} is done already", code="surveys.care_done_already")
    task.state, task.outcome, task.note, task.done_at, task.done_by = "done", outcome, note, at, by
    session.flush()
    return task


# ---------------------------------------------------------------- figures


@dataclass(frozen=True)
class Counts:
    key: str
    satisfied: int
    basically_satisfied: int
    unsatisfied: int

    @property
    def surveyed(self) -> int:
        return self.satisfied + self.basically_satisfied + self.unsatisfied

    def rate(self, count_basic: bool) -> float | None:
        if not self.surveyed:
            return None
        good = self.satisfied + (self.basically_satisfied if count_basic else 0)
        return round(good / self.surveyed, 4)


_SUMS = (
    SatisfactionDaily.satisfied,
    SatisfactionDaily.basically_satisfied,
    SatisfactionDaily.unsatisfied,
)


def satisfaction(session: Session, *, kind: str, group_by: str, start: date, end: date) -> tuple[list[Counts], Counts]:
    """Each group's counts over the days ``start``..``end`` (inclusive), and the period's total, from the
    daily counts: one range of the table's key per figure."""
    d = SatisfactionDaily
    period = (d.kind == kind, d.day >= start, d.day <= end)
    sums = [func.coalesce(func.sum(c), 0) for c in _SUMS]
    if group_by == "day":
        by_day = select(d.day, *sums).where(d.dim == "all", *period).group_by(d.day).order_by(d.day)
        groups = [Counts(str(r[0]), int(r[1]), int(r[2]), int(r[3])) for r in session.execute(by_day)]
    else:
        by_key = select(d.key, *sums).where(d.dim == group_by, *period).group_by(d.key)
        groups = [Counts(str(r[0]), int(r[1]), int(r[2]), int(r[3])) for r in session.execute(by_key)]
        groups.sort(key=lambda c: (-c.surveyed, c.key))
    t = session.execute(select(*sums).where(d.dim == "all", *period)).one()
    return groups, Counts("", int(t[0]), int(t[1]), int(t[2]))


def names_of(session: Session, group_by: str, keys: Sequence[str]) -> dict[str, str]:
    """The people's, units' and categories' names for their ids (reference data: no query)."""
    ids = {int(k) for k in keys if k.isdigit()}
    if group_by == "agent":
        people = directory(session).users
        return {str(i): people[i].full_name or people[i].username for i in ids if i in people}
    if group_by == "unit":
        units = org(session).units
        return {str(i): units[i].name for i in ids if i in units}
    if group_by == "category":
        cats = catalog(session).by_id
        return {str(i): cats[i].name for i in ids if i in cats}
    return {}


REBUILD_SQL = [
    "DELETE FROM satisfaction_daily",
    *(
        "INSERT INTO satisfaction_daily (kind, dim, day, key, satisfied, basically_satisfied, unsatisfied) "
        f"SELECT kind, '{dim}', day, {key}, "
        "sum(CASE WHEN result = 'satisfied' THEN 1 ELSE 0 END), "
        "sum(CASE WHEN result = 'basically_satisfied' THEN 1 ELSE 0 END), "
        "sum(CASE WHEN result = 'unsatisfied' THEN 1 ELSE 0 END) "
        f"FROM ratings {where} GROUP BY kind, day{group}"
        for dim, key, where, group in (
            ("all", "''", "", ""),
            ("agent", "CAST(agent_id AS VARCHAR(32))", "WHERE agent_id IS NOT NULL", ", agent_id"),
            ("unit", "CAST(unit_id AS VARCHAR(32))", "WHERE unit_id IS NOT NULL", ", unit_id"),
            ("category", "CAST(category_id AS VARCHAR(32))", "WHERE category_id IS NOT NULL", ", category_id"),
            ("channel", "channel", "", ", channel"),
        )
    ),
]


"""The daily counts made from the ratings (``do_rebuild_daily``; ``bench/generate.py`` after its bulk load)."""


def do_rebuild_daily(session: Session) -> int:
    """The daily counts made again from the ratings (after a bulk load, or to check them): the rows made."""
    for sql in REBUILD_SQL:
        session.execute(text(sql))
    return int(session.scalar(select(func.count()).select_from(SatisfactionDaily)) or 0)


def rated_calls(session: Session, start: date, end: date, result: str = "unsatisfied") -> list[int]:
    """The calls rated ``result`` on the days ``start``..``end`` (inclusive): QA samples every unsatisfied one."""
    stmt = select(Rating.call_pk).where(
        Rating.day >= start, Rating.day <= end, Rating.result == result, Rating.call_pk.is_not(None)
    )
    return sorted({pk for pk in session.scalars(stmt) if pk is not None})


def call_ratings(session: Session, call_pks: Sequence[int]) -> dict[int, Rating]:
    """The instant rating of each call that has one."""
    if not call_pks:
        return {}
    stmt = select(Rating).where(Rating.call_pk.in_(list(call_pks)), Rating.kind == "instant")
    return {int(r.call_pk): r for r in session.scalars(stmt) if r.call_pk is not None}


def rating_of(session: Session, contact: Contact, channel: str) -> Any | None:
    """The contact's rating through ``channel``, if it was rated (a record with a rating's attributes)."""
    return _existing(session, contact, channel)
