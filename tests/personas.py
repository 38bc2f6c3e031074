"""Personas and factories: a small city with two stations, and one user for each part they play.

``world`` builds: company → branch → station A and station B; area A (urban, owned by A) and area B
(rural, owned by B); a dispatch rule sending every repair and emergency to the area's owner; two
customers. Personas: ``agent``, ``agent2``, ``dispatcher``, ``unit_worker`` (station A),
``unit_worker_b`` (station B), ``manager`` (duty manager), ``admin``, ``outsider`` (QA inspector: signed in
but no part in the loop). Each is an ``Api`` client that sends its own bearer token.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from huiyin.app import create_app
from huiyin.auth.service import do_create_user, do_issue_token
from huiyin.customers.service import do_create_customer
from huiyin.db import Database
from huiyin.org.models import Area, Unit
from huiyin.org.service import do_create_area, do_create_unit
from huiyin.settings import Settings
from huiyin.workorders.models import Category, DispatchRule

_seq = itertools.count(1)


class Api:
    """A persona's HTTP client: ``api.post("/work-orders", json=...)`` against /api/v1."""

    def __init__(self, client: TestClient, token: str, user_id: int, username: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}
        self.id = user_id
        self.username = username

    def get(self, path: str, **kw: Any) -> Response:
        return self.client.get(f"/api/v1{path}", headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Response:
        return self.client.post(f"/api/v1{path}", json=json, headers=self.headers, **kw)

    def patch(self, path: str, json: Any = None) -> Response:
        return self.client.patch(f"/api/v1{path}", json=json, headers=self.headers)

    def put(self, path: str, json: Any = None) -> Response:
        return self.client.put(f"/api/v1{path}", json=json, headers=self.headers)

    def delete(self, path: str) -> Response:
        return self.client.delete(f"/api/v1{path}", headers=self.headers)

    def ok(self, method: str, path: str, json: Any = None, status: int = 200) -> Any:
        r = getattr(self, method)(path, json=json) if method != "get" else self.get(path)
        assert r.status_code == status, r.text
        return r.json() if r.content else None

    # the closed loop in one word each
    def register(self, status: int = 201, **fields: Any) -> Any:
        body = {
            "type": "repair",
            "category": "RP-GAS-NOGAS",
            "description": "家里燃气灶点不着火，没有气",
            "channel": "phone",
            "contact_phone": "13800138000",
            **fields,
        }
        return self.ok("post", "/work-orders", body, status)

    def act(self, order_id: int, action: str, body: Any = None, status: int = 200) -> Any:
        return self.ok("post", f"/work-orders/{order_id}/{action}", body if body is not None else {}, status)


@dataclass
class World:
    db: Database
    client: TestClient
    company: Unit
    branch: Unit
    station_a: Unit
    station_b: Unit
    area_a: Area
    area_b: Area
    customer_id: int
    customer_b_id: int
    personas: dict[str, Api] = field(default_factory=dict)

    def persona(self, username: str, *roles: str, unit: Unit | None = None) -> Api:
        with self.db.session() as s:
            user = do_create_user(s, username, "secret-pw", list(roles), unit=unit, cheap_hash=True)
            issued = do_issue_token(s, user, "api", hours=None, name="test")
        api = Api(self.client, issued.secret, user.id, username)
        self.personas[username] = api
        return api


def _build_world(db: Database, client: TestClient) -> World:
    with db.session() as s:
        company = do_create_unit(s, "CO", "渝州能源集团", "company", None)
        branch = do_create_unit(s, "BR-YB", "渝北分公司", "branch", company.id)
        a = do_create_unit(s, "ST-LX", "龙溪供气所", "station", branch.id)
        b = do_create_unit(s, "ST-CS", "长寿供电所", "station", branch.id)
        area_a = do_create_area(s, "A-LX", "渝北区龙溪街道网格", "urban", a.id, "渝北区")
        area_b = do_create_area(s, "A-CS", "长寿区葛兰镇台区", "rural", b.id, "长寿区")
        from sqlalchemy import select

        repair = s.scalars(select(Category.id).where(Category.code.in_(["RP-GAS", "RP-ELEC"]))).all()
        for cat_id in repair:
            s.add(DispatchRule(category_id=cat_id, note="报修派往网格所属单位"))
        c1 = do_create_customer(
            s,
            account_no="3100000001",
            name="王建国",
            phones=["13912345678", "02367891234"],
            address="重庆市渝北区龙溪街道金山路18号金港国际3栋2单元1502",
            area_id=area_a.id,
            meter_no="100000000001",
            tags=["elderly", "sensitive"],
        )
        c2 = do_create_customer(
            s,
            account_no="3100000002",
            name="李秀英",
            phones=["13698765432"],
            address="重庆市长寿区葛兰镇双龙村3组45号",
            area_id=area_b.id,
            meter_no="100000000002",
        )
        s.flush()
    return World(db, client, company, branch, a, b, area_a, area_b, c1.id, c2.id)


@pytest.fixture
def app(settings: Settings, db: Database) -> FastAPI:
    return create_app(settings, db=db)  # one Database per test, as one per process in production


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def world(db: Database, client: TestClient) -> World:
    w = _build_world(db, client)
    w.persona("agent", "agent")
    w.persona("agent2", "agent")
    w.persona("dispatcher", "dispatcher")
    w.persona("unit_worker", "unit_handler", unit=w.station_a)
    w.persona("unit_worker_b", "unit_handler", unit=w.station_b)
    w.persona("manager", "duty_manager")
    w.persona("admin", "admin")
    w.persona("outsider", "qa_inspector")
    return w


@pytest.fixture
def agent(world: World) -> Api:
    return world.personas["agent"]


@pytest.fixture
def agent2(world: World) -> Api:
    return world.personas["agent2"]


@pytest.fixture
def dispatcher(world: World) -> Api:
    return world.personas["dispatcher"]


@pytest.fixture
def unit_worker(world: World) -> Api:
    return world.personas["unit_worker"]


@pytest.fixture
def unit_worker_b(world: World) -> Api:
    return world.personas["unit_worker_b"]


@pytest.fixture
def manager(world: World) -> Api:
    return world.personas["manager"]


@pytest.fixture
def admin(world: World) -> Api:
    return world.personas["admin"]


@pytest.fixture
def outsider(world: World) -> Api:
    return world.personas["outsider"]
