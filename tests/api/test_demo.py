"""``huiyin demo`` builds a city whose orders went round the real loop."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from huiyin.db import Database
from huiyin.demo.build import DEMO_ROLES, build_demo, database_is_empty
from huiyin.workorders.models import WorkOrder, WorkOrderEvent


def test_the_demo_has_every_role_customers_and_orders_in_many_states(db: Database, client: TestClient) -> None:
    assert database_is_empty(db)
    build_demo(db, customers=300, orders=300)
    assert not database_is_empty(db)
    with db.session(write=False) as s:
        states = dict(s.execute(select(WorkOrder.state, func.count()).group_by(WorkOrder.state)).all())
        assert sum(states.values()) == 300
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
