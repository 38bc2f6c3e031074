"""Sign-in for people and systems, and what each credential may do."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from huiyin.auth.service import do_create_user
from huiyin.clock import clock
from huiyin.db import Database
from tests.personas import Api, World


def make_user(db: Database, username: str = "zhang", roles: tuple[str, ...] = ("agent",)) -> None:
    with db.session() as s:
        do_create_user(s, username, "correct-horse", list(roles))


def test_an_integrator_trades_a_password_for_a_bearer_token(db: Database, client: TestClient) -> None:
    make_user(db)
    r = client.post("/api/v1/auth/token", json={"username": "zhang", "password": "correct-horse"})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and len(body["access_token"]) > 30
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"}).json()
    assert me["username"] == "zhang" and me["roles"] == ["agent"] and me["unit_id"] is None


def test_a_wrong_password_is_401_and_says_nothing_about_which_part_was_wrong(db: Database, client: TestClient) -> None:
    make_user(db)
    bad_pw = client.post("/api/v1/auth/token", json={"username": "zhang", "password": "nope"})
    no_user = client.post("/api/v1/auth/token", json={"username": "li", "password": "nope"})
    assert bad_pw.status_code == no_user.status_code == 401
    assert bad_pw.json()["detail"] == no_user.json()["detail"]


def test_an_access_token_expires(db: Database, client: TestClient) -> None:
    make_user(db)
    tok = client.post("/api/v1/auth/token", json={"username": "zhang", "password": "correct-horse"}).json()
    clock.set(clock.now() + timedelta(hours=13))
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {tok['access_token']}"})
    assert r.status_code == 401


def test_the_web_session_needs_the_csrf_header_for_changes(db: Database, client: TestClient, world: World) -> None:
    make_user(db)
    r = client.post("/api/v1/auth/login", json={"username": "zhang", "password": "correct-horse"})
    assert r.status_code == 200
    csrf = r.json()["csrf_token"]
    assert client.cookies.get("huiyin_csrf") == csrf
    assert client.get("/api/v1/me").json()["username"] == "zhang"
    body = {
        "type": "inquiry",
        "category": "IQ-BILL",
        "description": "查气费",
        "channel": "phone",
        "contact_phone": "13800138000",
    }
    refused = client.post("/api/v1/work-orders", json=body)
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    wrong = client.post("/api/v1/work-orders", json=body, headers={"X-CSRF-Token": "forged"})
    assert wrong.status_code == 403
    ok = client.post("/api/v1/work-orders", json=body, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201
    out = client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204
    client.cookies.clear()
    assert client.get("/api/v1/me").status_code == 401


def test_an_admin_issues_and_revokes_a_long_lived_api_token(world: World, admin: Api, agent: Api) -> None:
    issued = admin.ok("post", "/api-tokens", {"user_id": agent.id, "name": "PBX 集成"}, 201)
    headers = {"Authorization": f"Bearer {issued['token']}"}
    clock.set(clock.now() + timedelta(days=400))
    assert world.client.get("/api/v1/me", headers=headers).json()["username"] == "agent"
    clock.reset()
    assert "token" not in admin.ok("get", "/api-tokens")[0]
    assert admin.delete(f"/api-tokens/{issued['id']}").status_code == 204
    assert world.client.get("/api/v1/me", headers=headers).status_code == 401


def test_only_admins_manage_users_and_tokens(agent: Api, manager: Api) -> None:
    for api in (agent, manager):
        assert api.get("/users").status_code == 403
        assert api.post("/api-tokens", json={"user_id": 1, "name": "x"}).status_code == 403


def test_a_deactivated_user_is_signed_out_at_once(world: World, admin: Api, agent: Api) -> None:
    assert agent.get("/me").status_code == 200
    admin.ok("patch", f"/users/{agent.id}", {"is_active": False})
    assert agent.get("/me").status_code == 401
