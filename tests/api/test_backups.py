"""AB角 (issue 15): every unit handler post has a named backup; while the handler is marked away, the unit's
dispatches and notifications go to the backup, who sees and works the unit's orders, and the timeline
says who stood in for whom. When the handler is back, everything returns to them."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from huiyin.clock import clock
from tests.personas import Api, World


def dispatches(api: Api) -> list[int]:
    items = api.ok("get", "/notifications")["items"]
    return [n["order_id"] for n in items if n["kind"] == "dispatch"]


def away(api: Api, user_id: int, days: float = 3, **fields: Any) -> dict[str, Any]:
    start = clock.now() - timedelta(minutes=1)
    body = {
        "user_id": user_id,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(days=days)).isoformat(),
        "reason": "leave",
        **fields,
    }
    return api.ok("post", "/absences", body, 201)  # type: ignore[no-any-return]


def test_while_a_is_away_dispatches_go_to_b_who_works_the_order_and_the_timeline_says_so(
    admin: Api, manager: Api, agent: Api, unit_worker: Api, unit_worker_b: Api, world: World
) -> None:
    assert (
        admin.ok("patch", f"/users/{unit_worker.id}", {"backup_id": unit_worker_b.id})["backup_id"] == unit_worker_b.id
    )
    absence = away(manager, unit_worker.id, note="年休假")
    assert (absence["current"], absence["backup_id"], absence["reason"]) == (True, unit_worker_b.id, "leave")
    assert (absence["name"], absence["backup_name"]) == ("unit_worker", "unit_worker_b")
    handlers = {h["id"]: h for h in manager.ok("get", "/unit-handlers")["items"]}  # whom a manager may mark
    assert (handlers[unit_worker.id]["backup_id"], handlers[unit_worker.id]["away"]) == (unit_worker_b.id, True)
    assert handlers[unit_worker_b.id]["away"] is False

    order = agent.register(customer_id=world.customer_id)  # a gas repair in 龙溪: dispatched to station A
    assert order["unit_id"] == world.station_a.id
    dispatch = next(e for e in order["events"] if e["action"] == "dispatch")
    assert dispatch["data"]["stand_ins"] == [
        {
            "absent_id": unit_worker.id,
            "absent": "unit_worker",
            "reason": "leave",
            "backup_id": unit_worker_b.id,
            "backup": "unit_worker_b",
        }
    ]
    assert dispatches(unit_worker_b) == [order["id"]] and dispatches(unit_worker) == []
    unit_worker_b.act(order["id"], "accept")  # B sees and works A's unit's order
    assert order["id"] in [o["id"] for o in unit_worker_b.ok("get", "/work-orders")["items"]]

    manager.ok("post", f"/absences/{absence['id']}/end")  # A is back early
    again = agent.register(customer_id=world.customer_id)
    assert "stand_ins" not in next(e for e in again["events"] if e["action"] == "dispatch")["data"]
    assert dispatches(unit_worker) == [again["id"]]
    assert unit_worker_b.get(f"/work-orders/{again['id']}").status_code == 404  # no longer B's to see
    assert manager.ok("get", "/absences")["items"] == []


def test_an_absence_holds_only_for_its_time(
    admin: Api, manager: Api, agent: Api, unit_worker: Api, unit_worker_b: Api, world: World
) -> None:
    admin.ok("patch", f"/users/{unit_worker.id}", {"backup_id": unit_worker_b.id})
    start = clock.now() + timedelta(days=1)  # a training course tomorrow, for a day
    body = {
        "user_id": unit_worker.id,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(days=1)).isoformat(),
        "reason": "training",
    }
    planned = unit_worker.ok("post", "/absences", body, 201)  # a handler marks their own absence
    assert planned["current"] is False
    first = agent.register(customer_id=world.customer_id)
    assert dispatches(unit_worker) == [first["id"]]
    clock.advance(timedelta(days=1, hours=2))
    during = agent.register(customer_id=world.customer_id)
    assert dispatches(unit_worker_b) == [during["id"]]
    assert [a["id"] for a in unit_worker_b.ok("get", "/absences")["items"]] == [planned["id"]]  # whom B backs up
    r = manager.get("/absences/export")  # the same list, for Excel and WPS
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(r.content)).active
    assert sheet is not None
    shown = manager.ok("get", "/absences")["items"][0]
    rows = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == shown["name"]]
    assert [(row[3], row[4], row[5]) for row in rows] == [("培训", shown["backup_name"], "请假中")]
    assert rows[0][1] == start.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    assert agent.get("/absences/export").status_code == 403
    clock.advance(timedelta(days=1))
    after = agent.register(customer_id=world.customer_id)
    assert dispatches(unit_worker)[0] == after["id"] and after["id"] not in dispatches(unit_worker_b)


def test_with_the_backup_away_too_the_unit_is_told_all_the_same(
    admin: Api, manager: Api, agent: Api, unit_worker: Api, unit_worker_b: Api, world: World
) -> None:
    admin.ok("patch", f"/users/{unit_worker.id}", {"backup_id": unit_worker_b.id})
    away(manager, unit_worker.id)
    away(manager, unit_worker_b.id)
    order = agent.register(customer_id=world.customer_id)
    dispatch = next(e for e in order["events"] if e["action"] == "dispatch")
    assert dispatch["data"]["stand_ins"][0]["backup_id"] is None
    assert dispatches(unit_worker) == [order["id"]]  # nobody left: never told to no one


def test_bad_backups_and_absences_are_refused_and_change_nothing(
    admin: Api, manager: Api, agent: Api, unit_worker: Api, unit_worker_b: Api, world: World
) -> None:
    assert admin.patch(f"/users/{unit_worker.id}", {"backup_id": unit_worker.id}).status_code == 422
    assert admin.patch(f"/users/{unit_worker.id}", {"backup_id": agent.id}).status_code == 422  # not a handler
    assert admin.patch(f"/users/{unit_worker.id}", {"backup_id": 99999}).status_code == 422
    assert manager.patch(f"/users/{unit_worker.id}", {"backup_id": unit_worker_b.id}).status_code == 403
    now = clock.now()
    body = {
        "user_id": unit_worker.id,
        "starts_at": now.isoformat(),
        "ends_at": (now - timedelta(hours=1)).isoformat(),
        "reason": "leave",
    }
    assert manager.post("/absences", json=body).status_code == 422  # ends before it starts
    assert (
        manager.post(
            "/absences", json={**body, "ends_at": now.isoformat(), "starts_at": (now - timedelta(days=2)).isoformat()}
        ).status_code
        == 422
    )  # over already
    assert manager.post("/absences", json={**body, "reason": "nap"}).status_code == 422
    assert (
        unit_worker_b.post("/absences", json={**body, "ends_at": (now + timedelta(days=1)).isoformat()}).status_code
        == 403
    )
    assert agent.post("/absences", json=body).status_code == 403
    first = away(manager, unit_worker.id)
    overlap = {**body, "ends_at": (now + timedelta(days=1)).isoformat()}
    assert manager.post("/absences", json=overlap).status_code == 409
    assert unit_worker_b.post(f"/absences/{first['id']}/end").status_code == 403
    manager.ok("post", f"/absences/{first['id']}/end")
    assert manager.post(f"/absences/{first['id']}/end").status_code == 409
    assert manager.post("/absences/99999/end").status_code == 404
    assert admin.ok("get", "/users?role=unit_handler")["items"][0]["backup_id"] is None


def test_an_absence_ended_early_can_be_registered_again_from_the_same_minute(
    admin: Api, manager: Api, unit_worker: Api, unit_worker_b: Api
) -> None:
    admin.ok("patch", f"/users/{unit_worker.id}", {"backup_id": unit_worker_b.id})
    first = away(manager, unit_worker.id)  # from a minute ago
    clock.advance(timedelta(seconds=20))
    ended = manager.ok("post", f"/absences/{first['id']}/end")  # back early … and off again at once
    clock.advance(timedelta(seconds=10))
    again = away(manager, unit_worker.id, reason="training")  # the form's minute: before the first one's end
    assert again["starts_at"] == ended["ends_at"] and again["current"] is True  # starts where the first ended
    # while an absence holds, another overlapping it is still refused, and nothing is stored
    start = clock.now() + timedelta(hours=1)
    body = {"user_id": unit_worker.id, "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(), "reason": "leave"}
    assert manager.post("/absences", body).status_code == 409
    assert [a["id"] for a in manager.ok("get", "/absences")["items"]] == [again["id"]]
