"""Random event streams never make the kept rollups differ from the raw facts (issue 16: "rollups rebuilt from
raw facts equal the incrementally kept ones, property test with random event streams, both databases").

Calls: random calls (answered or given up, by either agent, to a random queue, dated up to three hours back),
their CTI events delivered in a random order with the clock moving between them, agents changing state, and
the worker refreshing at random points. After every refresh the call and agent-state rollups equal ones made
afresh (``differences``), and at random points the figures the API gives equal the figures after a rebuild at
the same moment: a read is exact whenever the worker last ran.

Orders: random actions at random times across midnight, the worker refreshing at random points; the daily
order rollup equals the orders, and the API's figures equal a rebuild's.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huiyin.clock import clock, now
from huiyin.performance import orders, rollups, states
from tests.api.test_cti import CALLER, integration, pbx  # noqa: F401 (fixtures)
from tests.pbx import Pbx
from tests.personas import Api, World

TZ = "Asia/Shanghai"
MARGIN = timedelta(minutes=2)
AGENTS = (("张敏", "8001"), ("刘洋", "8002"))
QUEUES = ("gas", "power", None)
STATES = ("signed_in", "ready", "not_ready", "ready", "signed_out")

call = st.tuples(
    st.sampled_from([0, 1, None]),  # who answers (None: given up)
    st.integers(-180 * 60, 10 * 60),  # offered this many seconds from now
    st.integers(1, 90),  # ring
    st.integers(5, 900),  # talk
    st.sampled_from(QUEUES),
)
SETTINGS = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def _events(calls: list[Any]) -> list[dict[str, Any]]:
    out = []
    for who, offset, ring, talk, queue in calls:
        call_id, t0 = Pbx.new_id("prop"), now() + timedelta(seconds=offset)
        users = [AGENTS[who][0]] if who is not None else [a for a, _ in AGENTS]
        side = {"from_": CALLER, "to": "95598", "direction": "in", "call_id": call_id}
        at = lambda s: (t0 + timedelta(seconds=s)).isoformat()  # noqa: E731, B023
        out.append({"event": "newCall", "user": users, "queue": queue, "at": at(0), **side})
        if who is None:
            out.append({"event": "hangup", "cause": "cancel", "at": at(ring), **side})
        else:
            out.append({"event": "answer", "answeringNumber": AGENTS[who][1], "at": at(ring), **side})
            out.append({"event": "hangup", "cause": "normalClearing", "at": at(ring + talk), **side})
    return out


def _same(a: Any, b: Any) -> bool:
    """Equal, but an occupancy may differ in its last place (0.0001): its seconds are floats, summed per slot
    in the rollups and per interval from the raw rows, and a ratio on a rounding boundary can tip either way."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return False
        return all(
            (abs(a[k] - b[k]) <= 0.00011 if k == "occupancy" and None not in (a[k], b[k]) else _same(a[k], b[k]))
            for k in a
        )
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _kpis(manager: Api) -> list[Any]:
    today = now().astimezone(rollups.ZoneInfo(TZ)).date()
    period = {"from": str(today - timedelta(days=2)), "to": str(today)}
    out = []
    for group_by in ("none", "interval", "agent", "queue"):
        r = manager.get("/kpis/calls", params={**period, "group_by": group_by})
        assert r.status_code == 200, r.text
        out.append(r.json())
    return out


@SETTINGS
@given(calls=st.lists(call, min_size=1, max_size=6), data=st.data())
def test_random_call_streams_keep_the_call_and_state_rollups_equal_to_the_raw_facts(
    pbx: Pbx,  # noqa: F811
    agent: Api,
    agent2: Api,
    manager: Api,
    world: World,
    calls: list[Any],
    data: Any,
) -> None:
    events = data.draw(st.permutations(_events(calls)))
    people = (agent, agent2)
    for ev in events:
        if data.draw(st.integers(0, 4)) == 0:  # an agent changes state between the PBX's events
            who, state = data.draw(st.sampled_from(people)), data.draw(st.sampled_from(STATES))
            r = who.put("/agents/me/state", json={"state": state})
            assert r.status_code < 500, r.text
        r = pbx.send(**ev)
        assert r.status_code < 500, r.text
        clock.advance(timedelta(seconds=data.draw(st.integers(0, 900))))
        if data.draw(st.booleans()):
            with world.db.session() as s:
                rollups.do_refresh(s, now(), MARGIN, TZ)
                states.do_refresh(s, now(), MARGIN, TZ)
            with world.db.session(write=False) as s:
                assert rollups.differences(s, TZ) == []
                assert states.differences(s, TZ) == []
        if data.draw(st.integers(0, 3)) == 0:  # the figures now, whenever the worker last ran …
            read = _kpis(manager)
            with world.db.session() as s:  # … are those of rollups made afresh at this moment
                rollups.do_rebuild(s, now(), TZ)
                states.do_rebuild(s, now(), TZ)
            assert _same(_kpis(manager), read)


ACTIONS = ("register", "accept", "resolve", "satisfied", "unsatisfied", "urge", "reopen")


@SETTINGS
@given(steps=st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 4), st.integers(0, 600), st.booleans())))
def test_random_order_streams_keep_the_daily_order_rollup_equal_to_the_orders(
    world: World, agent: Api, unit_worker: Api, manager: Api, steps: list[Any]
) -> None:
    ids: list[int] = []
    for action, pick, minutes, refresh in steps:
        if action == "register" or not ids:
            ids.append(agent.register(customer_id=world.customer_id)["id"])
        else:
            order = ids[pick % len(ids)]
            who, name, body = {
                "accept": (unit_worker, "accept", {}),
                "resolve": (unit_worker, "resolve", {"result": "已处理"}),
                "satisfied": (agent, "callback", {"result": "satisfied"}),
                "unsatisfied": (agent, "callback", {"result": "unsatisfied", "note": "仍未解决"}),
                "urge": (agent, "urge", {"note": "客户催促"}),
                "reopen": (agent, "reopen", {"reason": "客户再次来电"}),
            }[action]
            r = who.post(f"/work-orders/{order}/{name}", json=body)
            assert r.status_code in (200, 409), r.text  # 409: not allowed in the order's state
        clock.advance(timedelta(minutes=minutes))  # up to 10 h: the stream crosses midnights
        if refresh:
            with world.db.session() as s:
                orders.do_refresh(s, now(), MARGIN, TZ)
            with world.db.session(write=False) as s:
                assert orders.differences(s, TZ) == []
    today = now().astimezone(rollups.ZoneInfo(TZ)).date()
    period = {"from": str(today - timedelta(days=3)), "to": str(today)}
    read = [manager.get("/kpis/orders", params={**period, "group_by": g}).json() for g in ("none", "day", "unit")]
    with world.db.session() as s:
        orders.do_rebuild(s, now(), TZ)
    assert [
        manager.get("/kpis/orders", params={**period, "group_by": g}).json() for g in ("none", "day", "unit")
    ] == read
