"""bench/sla_data.py at tiny volume on PostgreSQL (skipped without a server): the open orders, their history
and deadlines are what the service would have left, the database grows by adding orders, and armed
deadlines fire exactly as the benchmark expects when the real worker ticks."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import select, text

from bench import sla_data
from huiyin.auth.models import User, UserRole
from huiyin.clock import clock
from huiyin.db import Database
from huiyin.settings import Settings
from huiyin.sla.ladder import next_fire_at, step_delays
from huiyin.sla.models import OrderDeadline
from huiyin.wiring import open_database
from huiyin.workorders.models import WorkOrder, WorkOrderEvent
from tests.conftest import PG_ADMIN_URL, _pg_available

NOW = datetime.now(UTC)
FIRST, SECOND = 300, 200


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    if not _pg_available():
        pytest.skip("PostgreSQL not reachable: bench/sla_data.py is PostgreSQL only")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/huiyin_test_sladata_{uuid.uuid4().hex[:8]}"
    sla_data.create_database(url)
    try:
        opts = sla_data.SlaDataOptions(url=url, quiet=True, chunk=250)
        sla_data.prepare(opts)
        first = sla_data.add_orders(opts, FIRST, now=NOW)
        second = sla_data.add_orders(opts, SECOND, now=NOW)
        assert (first.first_id, first.last_id, second.first_id, second.last_id) == (1, FIRST, FIRST + 1, FIRST + SECOND)
        yield url
    finally:
        sla_data.drop_database(url)


@pytest.fixture
def db(url: str) -> Iterator[Database]:
    database = open_database(Settings(database_url=url))
    yield database
    database.dispose()


def test_users_and_open_orders(db: Database) -> None:
    with db.session(write=False) as s:
        orders = s.scalars(select(WorkOrder)).all()
        roles = Counter(s.scalars(select(UserRole.role)))
        handlers = Counter(s.scalars(select(User.unit_id).join(UserRole).where(UserRole.role == "unit_handler")))
        managers_without_email = s.scalar(
            text(
                "SELECT count(*) FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.role IN "
                "('duty_manager', 'floor_manager', 'supervisor', 'director') AND u.email IS NULL"
            )
        )
    assert len(orders) == FIRST + SECOND
    assert {o.state for o in orders} == {"dispatched", "accepted", "in_progress"}
    assert all(o.unit_id is not None and o.sla_policy_version_id is not None for o in orders)
    assert all((o.handler_id is None) == (o.state == "dispatched") for o in orders)
    assert all(o.handler_id is None or o.unit_id in handlers for o in orders)
    assert len({o.number for o in orders}) == len(orders)
    assert min(handlers.values()) == 2  # every station
    assert roles["duty_manager"] == 3 and roles["floor_manager"] == roles["supervisor"] == roles["director"] == 1
    assert managers_without_email == 0


def test_deadlines_are_what_the_service_and_the_worker_leave(db: Database) -> None:
    with db.session(write=False) as s:
        delays = step_delays(s)
        rows = s.scalars(select(OrderDeadline)).all()
        orders = {o.id: o for o in s.scalars(select(WorkOrder))}
    steps = Counter(r.step for r in rows)
    assert steps[0] and steps[1] and steps[5]
    unmet_due: dict[int, list[datetime]] = defaultdict(list)
    for r in rows:
        assert r.warn_at < r.due_at and r.started_at < r.due_at
        order = orders[r.order_id]
        if r.met_at is not None:
            assert r.next_fire_at is None and r.stage in ("accept", "arrive")
            assert order.state != "dispatched"
            continue
        unmet_due[r.order_id].append(r.due_at)
        assert r.started_at <= NOW
        if r.step == 5:  # past the top of the ladder: nothing left to fire
            assert r.next_fire_at is None and r.due_at + timedelta(minutes=delays[4]) <= NOW
            assert order.escalation_level == 4 and order.supervision_mark == "supervise"
            continue
        assert r.next_fire_at == next_fire_at(r, delays)  # exactly the ladder's next milestone
        assert r.next_fire_at >= NOW + timedelta(minutes=59)  # nothing due right after the load
        if r.step == 0:
            assert r.warn_at > NOW
        else:
            assert r.warn_at <= NOW < r.due_at
    for oid, due in unmet_due.items():
        assert orders[oid].next_deadline_at == min(due)


def test_every_order_has_its_history_and_its_dispatch_popups(db: Database) -> None:
    from huiyin.notify.models import Notification, OutboxMessage

    with db.session(write=False) as s:
        events = s.scalars(select(WorkOrderEvent).order_by(WorkOrderEvent.order_id, WorkOrderEvent.id)).all()
        orders = {o.id: o for o in s.scalars(select(WorkOrder))}
        notes = s.scalars(select(Notification)).all()
        outbox = s.scalars(select(OutboxMessage)).all()
    chain: dict[int, list[WorkOrderEvent]] = defaultdict(list)
    for e in events:
        chain[e.order_id].append(e)
    assert set(chain) == set(orders)
    for oid, evs in chain.items():
        assert evs[0].action == "register" and evs[1].action == "dispatch"
        for a, b in pairwise(evs):
            assert b.from_state == a.to_state and b.at >= a.at
        assert evs[-1].to_state == orders[oid].state
    dispatch_ids = {e.id for e in events if e.action == "dispatch"}
    assert all(n.kind == "dispatch" and int(n.group_key.split(":")[1]) in dispatch_ids for n in notes)
    assert all((n.acked_at is None) == (orders[n.order_id or 0].state == "dispatched") for n in notes)
    assert len(outbox) == len(notes) and {(o.channel, o.status) for o in outbox} == {("app", "delivered")}


def test_armed_deadlines_fire_as_the_bench_expects_and_park_out_of_the_way(url: str, db: Database) -> None:
    from huiyin.worker import Worker

    conn = sla_data.connect(url)
    start = NOW + timedelta(minutes=30)  # before anything of the load comes due (an hour on)
    armed = sla_data.arm(conn, 40, start, 10.0, seed=7, not_before=NOW + timedelta(minutes=59))
    assert len({a.order_id for a in armed}) == 40
    assert [a.at for a in armed] == sorted(a.at for a in armed) and armed[-1].at - armed[0].at == timedelta(seconds=3.9)
    assert {a.step for a in armed} >= {0, 1}
    settings = Settings(database_url=url)
    worker = Worker(db, settings)
    try:
        clock.set(start - timedelta(seconds=1))
        assert worker.tick().fired == 0
        clock.set(start + timedelta(seconds=5))
        assert worker.tick().fired == 40
    finally:
        clock.reset()
    with db.session(write=False) as s:
        fired = s.execute(
            select(WorkOrderEvent.order_id, WorkOrderEvent.action, WorkOrderEvent.data).where(
                WorkOrderEvent.action.in_(["warn", "escalate"])
            )
        ).all()
    got = {(oid, data["stage"]): (action, data.get("level")) for oid, action, data in fired}
    for a in armed:
        assert got[(a.order_id, a.stage)] == (("warn", None) if a.step == 0 else ("escalate", a.step))
    climbing = [a for a in armed if a.step < 4]  # level 4 is the top: nothing left to fire, nothing to park
    assert sla_data.park(conn, [a.deadline_id for a in armed]) == len(climbing)
    with db.session(write=False) as s:
        soonest = s.scalar(
            select(OrderDeadline.next_fire_at)
            .where(OrderDeadline.id.in_([a.deadline_id for a in climbing]))
            .order_by(OrderDeadline.next_fire_at)
            .limit(1)
        )
    assert soonest is not None and soonest > start + timedelta(days=29)
    conn.close()
