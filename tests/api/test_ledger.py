"""The accountability ledger (issue 15): a valid complaint takes points from the people responsible and the
unit's head, a praise gives points, a changed verdict writes reversing entries (never edits), and the
monthly titles follow the editable rules. And the corrective action a verdict names, tracked like a
deadline: warned, escalated after the complaint is closed, met when reported done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from huiyin.clock import clock
from huiyin.complaints.models import LedgerEntry
from huiyin.settings import Settings
from huiyin.worker import Worker
from tests.api.test_complaints import complaint, staff, valid_verdict
from tests.personas import Api, World


@pytest.fixture(autouse=True)
def _office_hours() -> None:
    """A fixed morning (10:00 in Shanghai, mid-month): the day and month the figures count in are the same
    in UTC and in the centre's time zone, whenever the suite runs."""
    clock.set(datetime(2026, 11, 10, 2, 0, tzinfo=UTC))


def month() -> str:
    return clock.now().strftime("%Y-%m")  # the clock in tests stays clear of a month's edge in Shanghai


def entries(api: Api, **params: Any) -> list[tuple[int, str, int, int | None]]:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    items = api.ok("get", f"/ledger?{query}")["items"]
    return sorted((i["person_id"], i["kind"], i["points"], i["reverses"] is not None) for i in items)  # type: ignore[misc]


@pytest.fixture
def people(admin: Api, world: World) -> dict[str, int]:
    return {
        "repairer": staff(admin, world.station_a.id, "李师傅", "repairer"),
        "reader": staff(admin, world.station_a.id, "陈抄表", "meter_reader"),
        "head": staff(admin, world.station_a.id, "王站长", "head"),
        "other": staff(admin, world.station_b.id, "赵电工", "repairer"),
    }


def test_a_valid_complaint_takes_points_from_the_responsible_and_the_unit_head(
    agent: Api, unit_worker: Api, manager: Api, people: dict[str, int], world: World
) -> None:
    oid = complaint(agent, world)["id"]  # 王建国 is sensitive: 较大 (major)
    unit_worker.ok("post", f"/work-orders/{oid}/verdict", valid_verdict(world, [people["repairer"]]))
    items = manager.ok("get", f"/ledger?month={month()}")["items"]
    assert sorted((i["person_id"], i["kind"], i["points"], i["order_id"]) for i in items) == sorted(
        [(people["repairer"], "complaint", -5, oid), (people["head"], "joint", -2, oid)]
    )
    assert {i["person_name"] for i in items} == {"李师傅", "王站长"} and all(i["at"] for i in items)
    mine = manager.ok("get", f"/ledger?person_id={people['repairer']}&month={month()}")
    assert mine["total_points"] == -5 and len(mine["items"]) == 1


def test_a_head_who_is_responsible_is_penalised_once_as_responsible(
    agent: Api, unit_worker: Api, manager: Api, people: dict[str, int], world: World
) -> None:
    oid = complaint(agent, world)["id"]
    unit_worker.ok("post", f"/work-orders/{oid}/verdict", valid_verdict(world, [people["head"]]))
    assert entries(manager, month=month()) == [(people["head"], "complaint", -5, False)]


def test_a_reversed_verdict_writes_reversing_entries_and_keeps_the_old_ones(
    agent: Api, unit_worker: Api, manager: Api, people: dict[str, int], world: World
) -> None:
    oid = complaint(agent, world)["id"]
    unit_worker.ok("post", f"/work-orders/{oid}/verdict", valid_verdict(world, [people["repairer"]]))
    supervisor = world.persona("zhuguan", "supervisor")
    same = valid_verdict(world, [people["repairer"]], root_cause="communication", review_reason="原因归类更正")
    supervisor.ok("post", f"/work-orders/{oid}/verdict", same)
    assert len(entries(manager, month=month())) == 2  # the same people, the same points: nothing written

    moved = valid_verdict(world, [people["reader"]], review_reason="核实为抄表员责任")
    supervisor.ok("post", f"/work-orders/{oid}/verdict", moved)
    assert entries(manager, month=month()) == sorted(
        [
            (people["repairer"], "complaint", -5, False),
            (people["repairer"], "complaint", 5, True),  # reversed
            (people["head"], "joint", -2, False),  # still called for: left alone
            (people["reader"], "complaint", -5, False),
        ]
    )
    invalid = {"validity": "invalid", "reason": "录音证实规范", "stage": "repair", "root_cause": "customer"}
    supervisor.ok("post", f"/work-orders/{oid}/verdict", {**invalid, "review_reason": "复核录音"})
    ledger = manager.ok("get", f"/ledger?month={month()}")
    assert ledger["total_points"] == 0 and len(ledger["items"]) == 6
    standing = {s["person_id"]: s["total"] for s in manager.ok("get", f"/ledger/standings?month={month()}")["items"]}
    assert standing == {people["repairer"]: 0, people["head"]: 0, people["reader"]: 0}

    with world.db.session() as s:  # append-only
        entry = s.scalars(select(LedgerEntry)).first()
        assert entry is not None
        entry.points = 0
        with pytest.raises(RuntimeError, match="append-only"):
            s.flush()
        s.rollback()


def test_a_praise_gives_points_to_the_staff_it_names(
    agent: Api, unit_worker: Api, manager: Api, people: dict[str, int], world: World
) -> None:
    praise = agent.register(
        type="praise", category="PR-STAFF", description="李师傅上门维修态度好", customer_id=world.customer_id
    )
    pid = praise["id"]
    assert agent.post(f"/work-orders/{pid}/commendation", json={"staff_ids": [people["repairer"]]}).status_code == 403
    done = manager.ok("post", f"/work-orders/{pid}/commendation", {"staff_ids": [people["repairer"]]})
    assert (done["staff_ids"], done["entries_written"]) == ([people["repairer"]], 1)
    again = manager.ok("post", f"/work-orders/{pid}/commendation", {"staff_ids": [people["repairer"]]})
    assert again["entries_written"] == 0  # a repeated post is acknowledged, not counted twice
    other = manager.ok("post", f"/work-orders/{pid}/commendation", {"staff_ids": [people["reader"]]})
    assert (other["staff_ids"], other["entries_written"]) == ([people["reader"]], 2)
    assert entries(manager, month=month()) == sorted(
        [
            (people["repairer"], "praise", 2, False),
            (people["repairer"], "praise", -2, True),
            (people["reader"], "praise", 2, False),
        ]
    )
    oid = complaint(agent, world)["id"]
    assert manager.post(f"/work-orders/{oid}/commendation", json={"staff_ids": [people["reader"]]}).status_code == 409
    assert manager.post(f"/work-orders/{pid}/commendation", json={"staff_ids": [99999]}).status_code == 422
    assert manager.post(f"/work-orders/{pid}/commendation", json={"staff_ids": []}).status_code == 422


def test_the_monthly_titles_follow_the_ledger_and_the_editable_rules(
    agent: Api, unit_worker: Api, manager: Api, admin: Api, people: dict[str, int], world: World
) -> None:
    oid = complaint(agent, world)["id"]
    unit_worker.ok("post", f"/work-orders/{oid}/verdict", valid_verdict(world, [people["repairer"]]))
    pid = agent.register(type="praise", category="PR-STAFF", description="表扬赵电工", customer_id=world.customer_id)[
        "id"
    ]
    manager.ok("post", f"/work-orders/{pid}/commendation", {"staff_ids": [people["other"], people["reader"]]})

    def titles() -> dict[str, list[str]]:
        found = manager.ok("get", f"/ledger/titles?month={month()}")["titles"]
        return {t["code"]: sorted(p["name"] for p in t["people"]) for t in found}

    got = titles()
    # heads are not field staff: the default rules are for meter readers, inspectors, repairers, handlers
    assert got["zero_complaint_star"] == ["赵电工", "陈抄表"]
    assert got["monthly_expert"] == ["赵电工", "陈抄表"]
    assert got["quality_staff"] == ["赵电工", "陈抄表"]

    assert agent.patch("/ledger/title-rules/monthly_expert", {"top_n": 1}).status_code == 403
    assert admin.patch("/ledger/title-rules/monthly_expert", {"kind": "luck"}).status_code == 422
    assert admin.patch("/ledger/title-rules/monthly_expert", {"top_n": 0}).status_code == 422
    assert admin.patch("/ledger/title-rules/nobody", {"top_n": 1}).status_code == 404
    admin.ok("patch", "/ledger/title-rules/quality_staff", {"min_points": 3})
    admin.ok("patch", "/ledger/title-rules/zero_complaint_star", {"posts": []})  # every post, heads too
    admin.ok("patch", "/ledger/title-rules/monthly_expert", {"is_active": False})
    got = titles()
    assert got["quality_staff"] == [] and "monthly_expert" not in got
    assert got["zero_complaint_star"] == ["王站长", "赵电工", "陈抄表"]  # a joint penalty is no complaint of his own
    rules = {r["code"]: r for r in manager.ok("get", "/ledger/title-rules")["items"]}
    assert rules["quality_staff"]["min_points"] == 3 and rules["monthly_expert"]["is_active"] is False


def test_the_standings_export_opens_with_the_api_figures(
    agent: Api, unit_worker: Api, manager: Api, people: dict[str, int], world: World
) -> None:
    oid = complaint(agent, world)["id"]
    unit_worker.ok("post", f"/work-orders/{oid}/verdict", valid_verdict(world, [people["repairer"]]))
    api = manager.ok("get", f"/ledger/standings?month={month()}")["items"]
    assert [(s["name"], s["complaint"], s["joint"], s["total"]) for s in api] == [
        ("李师傅", -5, 0, -5),
        ("王站长", 0, -2, -2),
    ]
    r = manager.get(f"/ledger/standings/export?month={month()}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(r.content)).active
    assert sheet is not None
    rows = [row for row in sheet.iter_rows(values_only=True) if row and row[0] in ("李师傅", "王站长", "合计")]
    assert rows == [
        ("李师傅", "维修工", world.station_a.name, -5, 0, 0, 0, -5),
        ("王站长", "负责人", world.station_a.name, 0, -2, 0, 0, -2),
        ("合计", None, None, -5, -2, 0, 0, -7),
    ]


def test_the_ledger_is_read_by_managers_and_a_unit_only_sees_its_own(
    agent: Api, unit_worker: Api, unit_worker_b: Api, manager: Api, people: dict[str, int], world: World
) -> None:
    oid = complaint(agent, world)["id"]
    unit_worker.ok("post", f"/work-orders/{oid}/verdict", valid_verdict(world, [people["repairer"]]))
    assert agent.get("/ledger").status_code == 403
    assert len(unit_worker.ok("get", "/ledger")["items"]) == 2
    assert unit_worker_b.ok("get", "/ledger")["items"] == []
    assert manager.get("/ledger?month=2026-13").status_code == 422
    assert manager.get("/ledger?month=june").status_code == 422


# ---------------------------------------------------------------- corrective actions


@pytest.fixture
def worker(world: World, settings: Settings) -> Worker:
    return Worker(world.db, settings)


def test_a_corrective_action_is_tracked_like_a_deadline_past_the_close(
    agent: Api, unit_worker: Api, manager: Api, people: dict[str, int], world: World, worker: Worker
) -> None:
    supervisor = world.persona("zhuguan2", "supervisor")
    oid = complaint(agent, world)["id"]
    unit_worker.act(oid, "accept")
    unit_worker.act(oid, "resolve", {"result": "已道歉"})
    due = clock.now() + timedelta(days=7)
    judged = unit_worker.ok(
        "post", f"/work-orders/{oid}/verdict", valid_verdict(world, [people["repairer"]], action_due=due.isoformat())
    )
    assert judged["complaint"]["action_owner_id"] == people["head"]  # by default the unit's head
    (action,) = [d for d in judged["deadlines"] if d["stage"] == "action"]
    assert action["met_at"] is None and action["due_at"].startswith(due.isoformat()[:16])
    agent.act(oid, "callback", {"result": "satisfied"})  # the complaint closes; the action runs on

    desk = manager.ok("get", "/complaints/actions")["items"]
    assert [(a["order_id"], a["owner_name"], a["overdue"]) for a in desk] == [(oid, "王站长", False)]
    assert manager.ok("get", "/complaints/actions?state=overdue")["items"] == []

    clock.advance(timedelta(days=6, hours=1))  # within a day of its due: warned
    worker.tick()
    warns = [e for e in agent.ok("get", f"/work-orders/{oid}")["events"] if e["action"] == "warn"]
    assert [e["data"]["stage"] for e in warns] == ["action"]
    clock.advance(timedelta(days=1))  # past due: level 1 of the ladder, on a closed order
    worker.tick()
    order = agent.ok("get", f"/work-orders/{oid}")
    assert order["state"] == "closed" and any(e["action"] == "escalate" for e in order["events"])
    assert [a["order_id"] for a in manager.ok("get", "/complaints/actions?state=overdue")["items"]] == [oid]

    assert agent.post(f"/work-orders/{oid}/action-done", json={"result": "已培训"}).status_code == 403
    assert unit_worker.post(f"/work-orders/{oid}/action-done", json={"result": ""}).status_code == 422
    done = unit_worker.ok("post", f"/work-orders/{oid}/action-done", {"result": "已组织全站服务礼仪培训"})
    assert done["complaint"]["action_result"] == "已组织全站服务礼仪培训" and done["complaint"]["action_done_at"]
    assert done["events"][-1]["action"] == "action_done" and done["events"][-1]["data"] == {"late": True}
    (action,) = [d for d in done["deadlines"] if d["stage"] == "action"]
    assert action["met_at"] is not None and action["breached"] is True
    assert unit_worker.post(f"/work-orders/{oid}/action-done", json={"result": "again"}).status_code == 409
    assert manager.ok("get", "/complaints/actions")["items"] == []
    assert [a["order_id"] for a in manager.ok("get", "/complaints/actions?state=done")["items"]] == [oid]
    r = manager.get("/complaints/actions/export?state=done")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(r.content)).active
    assert sheet is not None
    (row,) = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == done["number"]]
    assert (row[1], row[2], row[4], row[8]) == ("较大", "对维修工进行服务礼仪培训", "王站长", "已组织全站服务礼仪培训")
    assert (
        supervisor.ok("get", "/complaints/actions?state=done")["items"][0]["action_result"] == "已组织全站服务礼仪培训"
    )


def test_a_review_moves_or_ends_the_corrective_action(
    agent: Api, unit_worker: Api, people: dict[str, int], world: World
) -> None:
    oid = complaint(agent, world)["id"]
    unit_worker.ok("post", f"/work-orders/{oid}/verdict", valid_verdict(world, [people["repairer"]]))
    supervisor = world.persona("zhuguan3", "supervisor")
    later = clock.now() + timedelta(days=20)
    moved = supervisor.ok(
        "post",
        f"/work-orders/{oid}/verdict",
        valid_verdict(
            world,
            [people["repairer"]],
            action_due=later.isoformat(),
            action_owner_id=people["reader"],
            review_reason="延期整改",
        ),
    )
    actions = [d for d in moved["deadlines"] if d["stage"] == "action"]
    assert len(actions) == 1 and actions[0]["due_at"].startswith(later.isoformat()[:16])
    assert moved["complaint"]["action_owner_id"] == people["reader"]
    invalid = {"validity": "invalid", "reason": "录音证实规范", "stage": "repair", "root_cause": "customer"}
    ended = supervisor.ok("post", f"/work-orders/{oid}/verdict", {**invalid, "review_reason": "复核"})
    assert [d["met_at"] is not None for d in ended["deadlines"] if d["stage"] == "action"] == [True]


def test_a_bad_corrective_action_is_refused(agent: Api, unit_worker: Api, people: dict[str, int], world: World) -> None:
    oid = complaint(agent, world)["id"]
    url = f"/work-orders/{oid}/verdict"
    no_due = valid_verdict(world, [people["repairer"]], action_due=None)
    assert unit_worker.post(url, json=no_due).status_code == 422
    no_action = valid_verdict(world, [people["repairer"]], action=None)
    assert unit_worker.post(url, json=no_action).status_code == 422
    stranger = valid_verdict(world, [people["repairer"]], action_owner_id=people["other"])
    assert unit_worker.post(url, json=stranger).status_code == 422
    assert agent.ok("get", f"/work-orders/{oid}")["complaint"]["verdict_version"] == 0
    invalid = {"validity": "invalid", "reason": "不属实", "stage": "repair", "root_cause": "customer"}
    unit_worker.ok("post", url, invalid)
    assert unit_worker.post(f"/work-orders/{oid}/action-done", json={"result": "x"}).status_code == 409


def test_the_titles_export_opens_with_the_api_holders(
    agent: Api, unit_worker: Api, manager: Api, admin: Api, people: dict[str, int], world: World
) -> None:
    pid = agent.register(type="praise", category="PR-STAFF", description="表扬赵电工", customer_id=world.customer_id)[
        "id"
    ]
    manager.ok("post", f"/work-orders/{pid}/commendation", {"staff_ids": [people["other"]]})
    admin.ok("patch", "/ledger/title-rules/quality_staff", {"min_points": 3})  # nobody holds it: one row says so
    api = manager.ok("get", f"/ledger/titles?month={month()}")["titles"]
    expected = [(t["name"], p["name"], p["points"]) for t in api for p in t["people"]]
    expected += [(t["name"], "（无）", None) for t in api if not t["people"]]
    r = manager.get(f"/ledger/titles/export?month={month()}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(r.content)).active
    assert sheet is not None
    names = {t["name"] for t in api}
    rows = [(row[0], row[1], row[4]) for row in sheet.iter_rows(values_only=True) if row and row[0] in names]
    assert sorted(rows, key=str) == sorted(expected, key=str) and ("优质服务员工", "（无）", None) in rows
    assert ("月度服务能手", "赵电工", 2) in rows
    assert unit_worker.get(f"/ledger/titles/export?month={month()}").status_code == 200
    assert agent.get("/ledger/titles/export").status_code == 403
    assert manager.get("/ledger/titles/export?month=2026-13").status_code == 422
