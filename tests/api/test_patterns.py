"""When the work comes and what it is about (issue 16's report page): the hour × weekday heatmap of calls
offered and of orders registered, and the Pareto of orders by category, worked out by hand; the same from
the rollups as from the raw rows; bad parameters refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from huiyin.clock import clock, now
from huiyin.performance import orders
from huiyin.performance.rollups import do_refresh
from tests.api.test_cti import CALLER, integration, pbx  # noqa: F401 (fixtures)
from tests.pbx import Pbx
from tests.personas import Api, World

DAY = "2026-11-24"  # a Tuesday; the CTI tests start at 09:00 on it in Chongqing
TZ = "Asia/Shanghai"
MARGIN = timedelta(minutes=2)


def get(api: Api, path: str, status: int = 200, **params: Any) -> Any:
    r = api.get(path, params={"from": DAY, "to": DAY, **params})
    assert r.status_code == status, r.text
    return r.json()


def nonzero(heat: dict[str, Any]) -> dict[tuple[int, int], tuple[int, float | None]]:
    return {(c["weekday"], c["hour"]): (c["count"], c["mean"]) for c in heat["cells"] if c["count"]}


def test_calls_offered_fall_in_their_local_hour_and_weekday_and_the_mean_divides_by_the_weekdays(
    pbx: Pbx,  # noqa: F811
    manager: Api,
    world: World,
) -> None:
    pbx.answered_call(CALLER, "agent", ring=10, talk=60)  # Tuesday 09:00
    pbx.wait(20 * 60)
    pbx.abandoned_call(CALLER, ["张敏"], after=30)  # 09:21
    pbx.wait(45 * 60)
    pbx.answered_call(CALLER, "agent2", ring=5, talk=60)  # 10:07
    clock.advance(timedelta(days=7))  # the next Tuesday, 10:08
    pbx.answered_call(CALLER, "agent", ring=5, talk=60)
    heat = get(manager, "/kpis/heatmap", to="2026-12-01")
    assert len(heat["cells"]) == 7 * 24 and heat["cells"][0] == {"weekday": 1, "hour": 0, "count": 0, "mean": 0.0}
    assert heat["days"] == [1, 2, 1, 1, 1, 1, 1] and heat["total"] == 4
    assert nonzero(heat) == {(2, 9): (2, 1.0), (2, 10): (2, 1.0)}
    one_day = get(manager, "/kpis/heatmap")
    assert one_day["days"] == [0, 1, 0, 0, 0, 0, 0]
    assert nonzero(one_day) == {(2, 9): (2, 2.0), (2, 10): (1, 1.0)}
    assert one_day["cells"][0]["mean"] is None  # no Monday in the period
    with world.db.session() as s:
        do_refresh(s, now(), MARGIN, TZ)  # now from the rollups: the same cells
    assert get(manager, "/kpis/heatmap", to="2026-12-01") == heat


def test_orders_fall_in_their_local_hour_and_the_pareto_ranks_categories_with_the_vital_few(
    world: World, agent: Api, manager: Api
) -> None:
    clock.set(datetime(2026, 11, 23, 16, 30, tzinfo=UTC))  # Tuesday 00:30 in Chongqing
    plan = [("RP-GAS-NOGAS", "repair", 5), ("RP-GAS-METER", "repair", 3), ("SR-GAS-OPEN", "service_request", 1)]
    for code, kind, n in [*plan, ("RP-ELEC-OUTAGE", "repair", 1)]:
        for _ in range(n):
            agent.register(customer_id=world.customer_id, category=code, type=kind)
    clock.set(datetime(2026, 11, 24, 15, 10, tzinfo=UTC))  # Tuesday 23:10
    agent.register(customer_id=world.customer_id)
    heat = get(manager, "/kpis/heatmap", measure="orders")
    assert nonzero(heat) == {(2, 0): (10, 10.0), (2, 23): (1, 1.0)} and heat["total"] == 11

    pareto = get(manager, "/kpis/pareto")
    got = [(i["label"], i["count"], i["share"], i["cumulative"], i["vital"]) for i in pareto["items"]]
    assert got == [
        ("无气/气压低", 6, 0.5455, 0.5455, True),
        ("燃气表具故障", 3, 0.2727, 0.8182, True),  # the one that crosses 80 %
        ("停电报修", 1, 0.0909, 0.9091, False),  # a tie: by name
        ("开户/通气预约", 1, 0.0909, 1.0, False),
    ]
    assert pareto["total"] == 11
    service = get(manager, "/kpis/pareto", type="service_request")["items"]
    assert [(i["label"], i["count"], i["cumulative"]) for i in service] == [("开户/通气预约", 1, 1.0)]
    clock.set(datetime(2026, 11, 26, 1, 0, tzinfo=UTC))
    with world.db.session() as s:
        orders.do_refresh(s, now(), MARGIN, TZ)  # the day kept: the same answer from the rollup
    assert get(manager, "/kpis/pareto") == pareto
    assert get(manager, "/kpis/heatmap", measure="orders") == heat


def test_bad_parameters_are_refused_and_an_agent_reads_neither(manager: Api, agent: Api) -> None:
    assert "measure" in str(get(manager, "/kpis/heatmap", 422, measure="tickets"))
    assert "type" in get(manager, "/kpis/pareto", 422, of="area", type="repair")["detail"]
    get(manager, "/kpis/pareto", 422, of="staff")
    get(manager, "/kpis/heatmap", 422, **{"from": "2026-11-25", "to": "2026-11-24"})
    assert get(manager, "/kpis/pareto", type="no-such-type")["items"] == []
    get(agent, "/kpis/heatmap", 403)
    get(agent, "/kpis/pareto", 403)
