"""Complaints (issue 15): graded at registration, linked to an earlier one of the same matter, judged by
the handling unit or a manager, reviewed only by a supervisor with the old verdict kept, and never closed
without a verdict."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from huiyin.clock import clock
from tests.personas import Api, World


@pytest.fixture(autouse=True)
def _office_hours() -> None:
    """A fixed morning (10:00 in Shanghai, mid-month): the day and month the figures count in are the same
    in UTC and in the centre's time zone, whenever the suite runs."""
    clock.set(datetime(2026, 11, 10, 2, 0, tzinfo=UTC))


def complaint(agent: Api, world: World, **fields: Any) -> dict[str, Any]:
    body = {
        "type": "complaint",
        "category": "CP-ATTITUDE",
        "description": "上门维修人员态度恶劣",
        "customer_id": world.customer_id,
        **fields,
    }
    order = agent.register(**body)
    if order["state"] == "registered":  # complaints wait for the dispatcher: to station A
        world.personas["dispatcher"].act(order["id"], "dispatch", {"unit_id": world.station_a.id})
        order = agent.ok("get", f"/work-orders/{order['id']}")
    return order  # type: ignore[no-any-return]


def staff(admin: Api, unit_id: int, name: str, post: str) -> int:
    return int(admin.ok("post", "/staff", {"unit_id": unit_id, "name": name, "post": post}, 201)["id"])


def valid_verdict(world: World, staff_ids: list[int], **fields: Any) -> dict[str, Any]:
    return {
        "validity": "valid",
        "stage": "repair",
        "responsible_unit_id": world.station_a.id,
        "responsible_staff_ids": staff_ids,
        "root_cause": "attitude",
        "action": "对维修工进行服务礼仪培训",
        "action_due": (clock.now() + timedelta(days=7)).isoformat(),
        **fields,
    }


def test_a_complaint_is_judged_before_it_closes_and_the_verdict_is_in_the_timeline(
    agent: Api, unit_worker: Api, admin: Api, world: World
) -> None:
    repairer = staff(admin, world.station_a.id, "李师傅", "repairer")
    head = staff(admin, world.station_a.id, "王站长", "head")
    order = complaint(agent, world)
    c = order["complaint"]
    assert (c["source"], c["grade"], c["validity"], c["repeat_of"]) == ("hotline", "major", None, None)  # sensitive
    oid = order["id"]
    unit_worker.act(oid, "accept")
    unit_worker.act(oid, "resolve", {"result": "已向客户道歉并说明"})
    refused = agent.post(f"/work-orders/{oid}/callback", json={"result": "satisfied"})
    assert refused.status_code == 409 and "verdict" in refused.json()["detail"]
    assert agent.ok("get", f"/work-orders/{oid}")["state"] == "resolved"  # nothing of the close was written

    judged = unit_worker.ok("post", f"/work-orders/{oid}/verdict", valid_verdict(world, [repairer]))
    c = judged["complaint"]
    assert (c["validity"], c["stage"], c["root_cause"], c["verdict_version"]) == ("valid", "repair", "attitude", 1)
    assert (c["responsible_unit_id"], c["responsible_staff_ids"], c["joint_head_id"]) == (
        world.station_a.id,
        [repairer],
        head,
    )
    assert judged["events"][-1]["action"] == "verdict" and judged["events"][-1]["data"]["validity"] == "valid"
    closed = agent.act(oid, "callback", {"result": "satisfied"})
    assert closed["state"] == "closed"


def test_a_verdict_is_changed_only_by_a_supervisor_with_a_reason_and_the_old_one_is_kept(
    agent: Api, unit_worker: Api, admin: Api, manager: Api, world: World
) -> None:
    repairer = staff(admin, world.station_a.id, "李师傅", "repairer")
    oid = complaint(agent, world)["id"]
    unit_worker.ok("post", f"/work-orders/{oid}/verdict", valid_verdict(world, [repairer]))
    change = {"validity": "invalid", "reason": "录音证实服务规范", "stage": "repair", "root_cause": "customer"}
    assert unit_worker.post(f"/work-orders/{oid}/verdict", json=change).status_code == 403
    assert manager.post(f"/work-orders/{oid}/verdict", json=change).status_code == 403  # a duty manager
    supervisor = world.persona("zhuguan", "supervisor")
    assert supervisor.post(f"/work-orders/{oid}/verdict", json=change).status_code == 422  # no review_reason
    reviewed = supervisor.ok("post", f"/work-orders/{oid}/verdict", {**change, "review_reason": "复核录音"})
    c = reviewed["complaint"]
    assert (c["validity"], c["responsible_staff_ids"], c["verdict_version"]) == ("invalid", [], 2)
    event = reviewed["events"][-1]
    assert event["action"] == "verdict_review" and event["data"]["previous"]["validity"] == "valid"
    history = agent.ok("get", f"/work-orders/{oid}/verdicts")["items"]
    assert [(v["version"], v["validity"], v["review_reason"]) for v in history] == [
        (1, "valid", None),
        (2, "invalid", "复核录音"),
    ]


def test_a_repeat_complaint_is_linked_graded_up_and_tags_the_customer(agent: Api, world: World) -> None:
    first = complaint(agent, world, customer_id=world.customer_b_id)
    assert first["complaint"]["grade"] == "general"
    clock.advance(timedelta(days=10))
    again = complaint(agent, world, customer_id=world.customer_b_id)
    assert again["complaint"]["repeat_of"] == first["id"] and again["complaint"]["grade"] == "major"
    customer = agent.ok("get", f"/customers/{world.customer_b_id}")
    assert "repeat_complainant" in customer["tags"]
    kept = [t for t in customer["tags"] if t != "repeat_complainant"]
    assert agent.patch(f"/customers/{world.customer_b_id}", {"tags": kept}).status_code == 403  # not by an agent
    assert "repeat_complainant" in agent.ok("get", f"/customers/{world.customer_b_id}")["tags"]
    supervisor = world.persona("zhuguan4", "supervisor")
    removed = supervisor.ok("patch", f"/customers/{world.customer_b_id}", {"tags": kept})
    assert "repeat_complainant" not in removed["tags"]
    agent.ok("patch", f"/customers/{world.customer_b_id}", {"tags": [*kept, "repeat_complainant"]})  # put back
    other = complaint(agent, world, customer_id=world.customer_b_id, category="CP-BILLING", description="多收气费")
    assert other["complaint"]["repeat_of"] is None  # another matter
    clock.advance(timedelta(days=31))
    late = complaint(agent, world, customer_id=world.customer_b_id)
    assert late["complaint"]["repeat_of"] is None  # more than 30 days after the last one


@pytest.mark.parametrize(
    ("source", "grade"), [("hotline", "major"), ("gov_12345", "major"), ("media", "serious"), ("regulator", "serious")]
)
def test_the_grade_follows_the_source_and_the_customer(agent: Api, world: World, source: str, grade: str) -> None:
    # 王建国 is tagged sensitive: one point before the source's
    assert complaint(agent, world, complaint_source=source)["complaint"]["grade"] == grade


def test_a_bad_verdict_is_refused_and_changes_nothing(
    agent: Api, unit_worker: Api, unit_worker_b: Api, admin: Api, world: World
) -> None:
    theirs = staff(admin, world.station_b.id, "赵师傅", "repairer")
    oid = complaint(agent, world)["id"]
    repair = agent.register(customer_id=world.customer_id)["id"]
    base = valid_verdict(world, [])
    refusals = [
        (agent, oid, base, 403),  # an agent does not judge
        (unit_worker_b, oid, base, 404),  # another unit's handler does not see it
        (unit_worker, repair, base, 409),  # not a complaint
        (unit_worker, oid, {**base, "root_cause": "bad_luck"}, 422),
        (unit_worker, oid, {**base, "responsible_staff_ids": [theirs]}, 422),  # not of the responsible unit
        (unit_worker, oid, {**base, "responsible_staff_ids": [999999]}, 422),
        (unit_worker, oid, {**base, "responsible_unit_id": None}, 422),
        (unit_worker, oid, {"validity": "invalid", "stage": "repair", "root_cause": "customer"}, 422),  # no reason
        (unit_worker, oid, {**base, "action_due": (clock.now() - timedelta(days=1)).isoformat()}, 422),
        (unit_worker, oid, {**base, "stage": "weather"}, 422),
    ]
    for who, order_id, body, status in refusals:
        r = who.post(f"/work-orders/{order_id}/verdict", json=body)
        assert r.status_code == status, (body, r.text)
    c = agent.ok("get", f"/work-orders/{oid}")["complaint"]
    assert c["validity"] is None and c["verdict_version"] == 0
    assert agent.ok("get", f"/work-orders/{oid}/verdicts")["items"] == []
    r = agent.post(
        "/work-orders",
        json={
            "type": "repair",
            "category": "RP-GAS-NOGAS",
            "description": "无气",
            "channel": "phone",
            "contact_phone": "13800138000",
            "complaint_source": "media",
        },
    )
    assert r.status_code == 422


def test_staff_are_kept_by_supervisors_and_read_by_everyone(admin: Api, agent: Api, world: World) -> None:
    sid = staff(admin, world.station_a.id, "陈抄表", "meter_reader")
    assert agent.post("/staff", {"unit_id": world.station_a.id, "name": "x", "post": "other"}).status_code == 403
    names = [p["name"] for p in agent.ok("get", f"/staff?unit_id={world.station_a.id}")["items"]]
    assert names == ["陈抄表"]
    admin.ok("patch", f"/staff/{sid}", {"is_active": False})
    assert agent.ok("get", f"/staff?unit_id={world.station_a.id}")["items"] == []
    assert admin.post("/staff", {"unit_id": 424242, "name": "x", "post": "other"}).status_code == 422
    causes = {c["code"] for c in agent.ok("get", "/complaints/root-causes")["items"]}
    assert {"attitude", "timeliness", "other"} <= causes


def test_the_analysis_counts_complaints_by_stage_staff_unit_and_root_cause(
    agent: Api, unit_worker: Api, admin: Api, manager: Api, world: World
) -> None:
    repairer = staff(admin, world.station_a.id, "李师傅", "repairer")
    valid = complaint(agent, world)["id"]
    invalid = complaint(agent, world, category="CP-BILLING", description="多收气费")["id"]
    complaint(agent, world, category="CP-QUALITY", description="气压低")  # no verdict yet
    unit_worker.ok("post", f"/work-orders/{valid}/verdict", valid_verdict(world, [repairer]))
    unit_worker.ok(
        "post",
        f"/work-orders/{invalid}/verdict",
        {"validity": "invalid", "reason": "计费无误", "stage": "billing", "root_cause": "customer"},
    )
    day = clock.now().date().isoformat()

    def by(what: str) -> list[tuple[str, str | None, int, int, int, int]]:
        items = manager.ok("get", f"/complaints/analysis?by={what}&from={day}&to={day}")["items"]
        return [(i["key"], i["name"], i["complaints"], i["valid"], i["invalid"], i["pending"]) for i in items]

    assert by("stage") == [("", "", 1, 0, 0, 1), ("billing", "收费", 1, 0, 1, 0), ("repair", "维修抢修", 1, 1, 0, 0)]
    assert by("staff") == [(str(repairer), "李师傅", 1, 1, 0, 0)]
    assert by("unit") == [("", None, 2, 0, 1, 1), (str(world.station_a.id), world.station_a.name, 1, 1, 0, 0)]
    assert by("root_cause")[1:] == [("attitude", "服务态度", 1, 1, 0, 0), ("customer", "客户原因", 1, 0, 1, 0)]
    assert manager.ok("get", "/complaints/analysis?from=2020-01-01&to=2020-01-31")["items"] == []
    assert manager.get(f"/complaints/analysis?by=mood&from={day}").status_code == 422
    assert agent.get("/complaints/analysis").status_code == 403

    supervisor = world.persona("zhuguan", "supervisor")  # a review moves the counts: kept equals rebuilt
    supervisor.ok(
        "post",
        f"/work-orders/{valid}/verdict",
        {
            "validity": "invalid",
            "reason": "录音证实规范",
            "stage": "repair",
            "root_cause": "customer",
            "review_reason": "复核",
        },
    )
    assert by("staff") == []  # the person named before is no longer counted
    assert by("stage")[-1] == ("repair", "维修抢修", 1, 0, 1, 0)
    from sqlalchemy import select

    from huiyin.complaints.figures import do_rebuild_daily
    from huiyin.complaints.models import ComplaintDaily

    with world.db.session() as s:

        def kept() -> list[tuple[Any, ...]]:
            rows = s.execute(select(ComplaintDaily.__table__))
            return sorted(tuple(r) for r in rows if r.complaints or r.valid or r.invalid)

        before = kept()
        do_rebuild_daily(s)
        assert kept() == before


def test_the_complaint_figures_rate_per_ten_thousand_customers_month_and_time_to_verdict(
    agent: Api, unit_worker: Api, admin: Api, manager: Api, world: World
) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    repairer = staff(admin, world.station_a.id, "李师傅", "repairer")
    first = complaint(agent, world)["id"]  # 王建国 lives in 龙溪 (station A's area)
    clock.advance(timedelta(days=3))
    again = complaint(agent, world)["id"]  # the same matter within 30 days: a repeat
    complaint(agent, world, customer_id=world.customer_b_id, category="CP-BILLING", description="多收电费")  # 长寿
    clock.advance(timedelta(hours=6))
    unit_worker.ok("post", f"/work-orders/{first}/verdict", valid_verdict(world, [repairer]))
    clock.advance(timedelta(hours=4))
    invalid = {"validity": "invalid", "reason": "不属实", "stage": "repair", "root_cause": "customer"}
    unit_worker.ok("post", f"/work-orders/{again}/verdict", invalid)
    start = (clock.now() - timedelta(days=10)).date().isoformat()
    end = clock.now().date().isoformat()
    period = f"from={start}&to={end}"

    s = manager.ok("get", f"/complaints/summary?{period}")
    assert (s["complaints"], s["valid"], s["invalid"], s["pending"], s["repeats"]) == (3, 1, 1, 1, 1)
    assert s["valid_share"] == 0.5
    assert s["hours_to_verdict"] == round(((3 * 24 + 6) + 10) / 2, 1)  # 78 h for the first, 10 h for the repeat

    rates = manager.ok("get", f"/complaints/rates?by=area&{period}")
    months = rates["months"]
    assert months == round(11 / (365.25 / 12), 2)
    by_area = {r["name"]: (r["complaints"], r["customers"], r["per_10k_month"]) for r in rates["items"]}
    assert by_area[world.area_a.name] == (2, 1, round(2 / 1 * 10_000 / (11 / (365.25 / 12)), 2))
    assert by_area[world.area_b.name][0] == 1
    units = {r["key"]: r["complaints"] for r in manager.ok("get", f"/complaints/rates?by=unit&{period}")["items"]}
    assert units == {str(world.station_a.id): 2, str(world.station_b.id): 1}

    month = clock.now().strftime("%Y-%m")
    cells = manager.ok("get", f"/complaints/by-month?by=stage&{period}")["items"]
    assert {(c["key"], c["month"], c["complaints"]) for c in cells} == {("repair", month, 2), ("", month, 1)}

    r = manager.get(f"/complaints/analysis/export?by=stage&{period}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(r.content)).active
    assert sheet is not None
    api = manager.ok("get", f"/complaints/analysis?by=stage&{period}")["items"]
    got = [row[:5] for row in sheet.iter_rows(values_only=True) if row and row[0] in ("维修抢修", "未定责")]
    assert got == [(i["name"] or "未定责", i["complaints"], i["valid"], i["invalid"], i["pending"]) for i in api]
    r = manager.get(f"/complaints/rates/export?by=unit&{period}")
    assert r.status_code == 200 and load_workbook(BytesIO(r.content)).active is not None
    assert agent.get(f"/complaints/summary?{period}").status_code == 403
    assert manager.get(f"/complaints/rates?by=stage&{period}").status_code == 422
    assert manager.get(f"/complaints/summary?from={end}&to={start}").status_code == 422

    # the customers per area are counted at most every ten minutes (a million of them take 50–100 ms)
    body = {"account_no": "3100000077", "name": "新客户", "phones": ["13611112222"], "area_id": world.area_a.id}
    agent.ok("post", "/customers", body, 201)
    counted = {r["name"]: r["customers"] for r in manager.ok("get", f"/complaints/rates?by=area&{period}")["items"]}
    assert counted[world.area_a.name] == 1
    clock.advance(timedelta(minutes=11))
    counted = {r["name"]: r["customers"] for r in manager.ok("get", f"/complaints/rates?by=area&{period}")["items"]}
    assert counted[world.area_a.name] == 2
