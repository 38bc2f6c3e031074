"""The unit league table (单位考核排名, issue 16): two stations' month worked out by hand, the weights edited
(and refused when they do not add up), 末位, and the Excel export equal to the API."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from huiyin.clock import clock
from huiyin.settings import Settings
from tests.api.test_order_kpis import a_morning, wait
from tests.personas import Api, World

MONTH = "2026-11"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.kpis.league_bottom = 1
    return settings


def station_b_closes_one_on_time(world: World, agent: Api, unit_worker_b: Api) -> None:
    clock.set(datetime(2026, 11, 25, 1, 0, tzinfo=UTC))
    oid = agent.register(customer_id=world.customer_b_id)["id"]
    wait(3)
    unit_worker_b.act(oid, "accept")
    wait(10)
    unit_worker_b.act(oid, "start")
    wait(30)
    unit_worker_b.act(oid, "resolve", {"result": "已恢复"})
    wait(30)
    agent.act(oid, "callback", {"result": "satisfied"})


def test_the_stations_month_is_scored_against_each_other_as_worked_out_by_hand(
    world: World, agent: Api, unit_worker: Api, unit_worker_b: Api, manager: Api, admin: Api
) -> None:
    a_morning(world, agent, unit_worker)  # station A: 3 registered, 2 closed (1 on time), 1 reopened, 1 催办
    station_b_closes_one_on_time(world, agent, unit_worker_b)  # station B: 1 registered, closed on time
    table = manager.ok("get", f"/league?month={MONTH}")
    assert table["weights"] == {
        "on_time_rate": 30,
        "satisfaction": 25,
        "complaint_rate": 20,
        "reopen_rate": 15,
        "urged": 5,
        "supervised": 5,
    }
    b, a = table["items"]
    assert (b["key"], b["rank"], b["total"], b["bottom"]) == (world.station_b.id, 1, 100.0, False)
    # nobody rated either: 满意率 left out, the other 75 scaled to 100; A is worst on time, reopens and 催办,
    # level on complaints (none) and 督办 (none): (20 + 5) × 100 / 75
    assert (a["key"], a["rank"], a["total"], a["bottom"]) == (world.station_a.id, 2, round(25 * 100 / 75, 2), True)
    raw = {i["code"]: i["raw"] for i in a["items"]}
    assert raw == {
        "on_time_rate": 0.5,
        "satisfaction": None,
        "complaint_rate": 0.0,
        "reopen_rate": 0.5,
        "urged": round(100 / 3, 4),
        "supervised": 0.0,
    }
    assert [i["points"] for i in a["items"]] == [0.0, None, 26.67, 0.0, 0.0, 6.67]
    assert (a["previous_rank"], a["movement"], a["trend"]) == (None, None, [None, None, a["total"]])

    assert admin.put("/league/weights", {"weights": {"on_time_rate": 50}}).status_code == 422  # adds up to 50
    assert admin.put("/league/weights", {"weights": {"speed": 100}}).status_code == 422
    bad = {"on_time_rate": 110, "satisfaction": -10}
    assert admin.put("/league/weights", {"weights": bad}).status_code == 422
    assert manager.put("/league/weights", {"weights": {"on_time_rate": 100}}).status_code == 403
    only_on_time = {"on_time_rate": 100}
    assert admin.ok("put", "/league/weights", {"weights": only_on_time})["on_time_rate"] == 100
    b, a = manager.ok("get", f"/league?month={MONTH}")["items"]
    assert (b["total"], a["total"]) == (100.0, 0.0)


def test_the_excel_export_holds_the_same_table(world: World, agent: Api, unit_worker: Api, manager: Api) -> None:
    a_morning(world, agent, unit_worker)
    table = manager.ok("get", f"/league?month={MONTH}")
    r = manager.get(f"/league/export?month={MONTH}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(r.content)).active
    assert sheet is not None
    rows = [row for row in sheet.iter_rows(values_only=True) if row and isinstance(row[0], int)]
    assert [(row[0], row[1], row[2]) for row in rows] == [(i["rank"], i["label"], i["total"]) for i in table["items"]]


def test_a_month_with_no_orders_is_empty_and_a_bad_month_is_refused(manager: Api, agent: Api) -> None:
    assert manager.ok("get", "/league?month=2026-01")["items"] == []
    assert manager.get("/league?month=2026-13").status_code == 422
    assert manager.get("/league?month=26-1").status_code == 422
    assert agent.get(f"/league?month={MONTH}").status_code == 403
