"""``huiyin demo`` builds a city whose orders went round the real loop."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from huiyin.db import Database
from huiyin.demo.build import DEMO_CTI_TOKEN, DEMO_ROLES, build_demo, database_is_empty
from huiyin.workorders.models import WorkOrder, WorkOrderEvent


def test_the_demo_has_every_role_customers_and_orders_in_many_states(db: Database, client: TestClient) -> None:
    assert database_is_empty(db)
    build_demo(db, customers=300, orders=300)
    assert not database_is_empty(db)
    with db.session(write=False) as s:
        states = dict(s.execute(select(WorkOrder.state, func.count()).group_by(WorkOrder.state)).all())
        # the city's 300, then the outages' masters and reports and the expert seats' questions (issue 18)
        assert sum(states.values()) > 300 and states["merged"] > 0
        assert states["closed"] > 150 and len(states) >= 4
        assert s.scalar(select(func.count()).select_from(WorkOrderEvent)) > 1000
        oldest = s.scalar(select(func.min(WorkOrder.created_at)))
        newest = s.scalar(select(func.max(WorkOrder.created_at)))
        assert oldest is not None and newest is not None and (newest - oldest).days >= 60
    for role in DEMO_ROLES:
        r = client.post("/api/v1/auth/token", json={"username": role, "password": "demo"})
        assert r.status_code == 200, role
    token = client.post("/api/v1/auth/token", json={"username": "agent", "password": "demo"}).json()["access_token"]
    found = client.get("/api/v1/customers", params={"q": "重庆市"}, headers={"Authorization": f"Bearer {token}"})
    assert found.json()["total"] == 20
    # the phone side: each phone order came in on an answered call linked to it, and the demo PBX can post
    auth = {"Authorization": f"Bearer {token}"}
    calls = client.get("/api/v1/calls", params={"page_size": 200}, headers=auth).json()
    with db.session(write=False) as s:
        phone_orders = s.scalar(select(func.count()).select_from(WorkOrder).where(WorkOrder.channel == "phone"))
    answered = [c for c in calls["items"] if not c["abandoned"]]
    assert phone_orders and calls["total"] >= phone_orders and all(len(c["work_order_ids"]) == 1 for c in answered)
    assert all(c["talk_seconds"] and c["wait_seconds"] is not None for c in answered)
    event = {"event": "newCall", "callId": "demo-check", "from": "13800000000", "to": "95598", "direction": "in"}
    assert client.post(f"/api/v1/cti/{DEMO_CTI_TOKEN}", json=event).json() == {}
    # the admin's audits have a week in them: sign-ins (a few failures, one lock-out) and numbers read whole
    admin_token = client.post("/api/v1/auth/token", json={"username": "admin", "password": "demo"}).json()
    admin = {"Authorization": f"Bearer {admin_token['access_token']}"}
    sign_ins = client.get("/api/v1/auth/sign-ins", params={"limit": 500}, headers=admin).json()["items"]
    outcomes = {r["outcome"] for r in sign_ins}
    assert {"success", "failure", "locked"} <= outcomes
    reveals = client.get("/api/v1/phone-reveals", params={"limit": 500}, headers=admin).json()["items"]
    assert reveals and {r["subject"] for r in reveals} <= {"order", "customer"}
    assert all("****" in n for r in reveals for n in r["numbers"].split(","))
    # what customers said: IVR key presses after calls, SMS replies after closed orders, mostly satisfied
    manager_token = client.post("/api/v1/auth/token", json={"username": "duty_manager", "password": "demo"}).json()
    manager = {"Authorization": f"Bearer {manager_token['access_token']}"}
    figures = client.get(
        "/api/v1/satisfaction", params={"from": "2020-01-01", "group_by": "channel"}, headers=manager
    ).json()
    channels = {r["key"]: r["surveyed"] for r in figures["items"]}
    assert channels.get("ivr", 0) > 0 and channels.get("sms", 0) > 0
    assert 0.8 < figures["total"]["rate"] < 0.97
    # complaints: a few a month per ten thousand customers, each closed one with its verdict
    with db.session(write=False) as s:
        from huiyin.complaints.models import Complaint

        complaints = s.scalar(select(func.count()).select_from(WorkOrder).where(WorkOrder.type == "complaint"))
        closed_unjudged = s.scalar(
            select(func.count())
            .select_from(WorkOrder)
            .join(Complaint, Complaint.order_id == WorkOrder.id)
            .where(WorkOrder.state == "closed", Complaint.validity.is_(None))
        )
    assert complaints is not None and complaints < 300 * 0.03  # of 300 orders (0.5 % expected)
    assert closed_unjudged == 0
    # scorecards and reports: last month's published (an agent reads their own), this month's a draft, the
    # last daily, weekly and monthly reports made with their files; the rollups built and equal to the facts
    from datetime import timedelta

    from huiyin.clock import clock
    from huiyin.performance import orders, rollups, states
    from huiyin.settings import get_settings

    made = client.get("/api/v1/reports", headers=manager).json()
    assert sorted(r["kind"] for r in made) == ["daily", "monthly", "weekly"]
    pdf = client.get(f"/api/v1/reports/{made[0]['id']}/pdf", headers=manager)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    mine = client.get(f"/api/v1/scorecards/agents/{_me(client, auth)}/history", headers=auth).json()
    assert [m["state"] for m in mine][:1] == ["published"]
    # quality: recordings analysed for real, last month's samples scored, appeals, and the QA score in the
    # published scorecard
    qa = _auth(client, "qa_inspector")
    flagged = [
        client.get(f"/api/v1/calls/{s['call_id']}/analysis", headers=qa).json()
        for s in client.get("/api/v1/quality/samples?reason=flagged&limit=1000", headers=qa).json()
        if s["reason"] == "flagged"
    ]
    assert flagged and all(a["state"] == "done" and a["flags"] for a in flagged)
    scored = client.get("/api/v1/quality/evaluations?limit=500", headers=qa).json()
    assert len(scored) > 20 and 85 < sum(e["score"] for e in scored) / len(scored) < 100
    assert any(e["appeals"] for e in scored)
    published = client.get(f"/api/v1/scorecards/agents/{_me(client, auth)}/history", headers=auth).json()[0]
    full = client.get("/api/v1/scorecards", params={"month": published["month"]}, headers=manager).json()
    assert any(i["code"] == "qa_score" and i["raw"] for line in full["items"] for i in line["items"])
    tz = get_settings().timezone
    with db.session() as s:  # (the call the PBX posted above is taken in)
        rollups.do_refresh(s, clock.now(), timedelta(minutes=2), tz)
    with db.session(write=False) as s:
        assert rollups.differences(s, tz) == [] and states.differences(s, tz) == [] and orders.differences(s, tz) == []


def _auth(client: TestClient, username: str) -> dict[str, str]:
    token = client.post("/api/v1/auth/token", json={"username": username, "password": "demo"}).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _me(client: TestClient, auth: dict[str, str]) -> int:
    return int(client.get("/api/v1/me", headers=auth).json()["id"])
