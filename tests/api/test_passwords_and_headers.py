"""Passwords and cookies, frames and origins (issue 14, defect 5): a chosen password is long, not common and
not the username; the session cookie is Secure over HTTPS; the web app forbids framing and other origins'
scripts; only the app's own pages may open the notification socket."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from huiyin.auth.service import do_create_user
from huiyin.db import Database
from huiyin.settings import Settings
from tests.personas import Api, World


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("short-pw", "at least 12 characters"),
        ("password1234", "most common"),
        ("Qwerty123456", "most common"),
        ("xiaoli-is-on-duty", "must not contain the username"),
        ("zzzzzzzzzzzzzz", "one character repeated"),
    ],
)
def test_a_weak_password_is_refused_when_a_user_is_made_or_reset(
    admin: Api, agent: Api, password: str, says: str
) -> None:
    body = {"username": "xiaoli", "password": password, "roles": ["agent"]}
    r = admin.post("/users", json=body)
    assert r.status_code == 422 and says in r.json()["detail"], r.text
    r = admin.patch(f"/users/{agent.id}", {"password": password.replace("xiaoli", "agent")})
    assert r.status_code == 422, r.text


def test_a_passphrase_is_accepted_and_signs_in(admin: Api, client: TestClient, world: World) -> None:
    admin.ok("post", "/users", {"username": "xiaoli", "password": "我家的煤气表在北边阳台上", "roles": ["agent"]}, 201)
    r = client.post("/api/v1/auth/token", json={"username": "xiaoli", "password": "我家的煤气表在北边阳台上"})
    assert r.status_code == 200, r.text


def test_the_minimum_length_is_the_admins_setting(admin: Api, settings: Settings) -> None:
    settings.auth.password_min_length = 16
    r = admin.post("/users", json={"username": "xiaoli", "password": "fourteen-chars", "roles": ["agent"]})
    assert r.status_code == 422 and "at least 16" in r.json()["detail"]


def test_the_session_cookie_is_secure_over_https(app: FastAPI, world: World, db: Database) -> None:
    with db.session() as s:
        do_create_user(s, "clerk", "a-long-password-1", ["agent"], cheap_hash=True)
    body = {"username": "clerk", "password": "a-long-password-1"}
    with TestClient(app, base_url="https://huiyin.example") as https:
        cookies = https.post("/api/v1/auth/login", json=body).headers.get_list("set-cookie")
    assert len(cookies) == 2 and all("Secure" in c for c in cookies), cookies
    with TestClient(app) as plain:  # http: Secure only if HUIYIN_AUTH__COOKIE_SECURE says so
        cookies = plain.post("/api/v1/auth/login", json=body).headers.get_list("set-cookie")
    assert not any("Secure" in c for c in cookies)
    assert all("HttpOnly" in c for c in cookies if c.startswith("huiyin_session="))


def test_the_web_app_may_not_be_framed_and_runs_only_its_own_scripts(client: TestClient, settings: Settings) -> None:
    if not (settings.web_dist / "index.html").is_file():
        pytest.skip("the web app is not built (make web)")
    for path in ("/", "/orders/42"):
        r = client.get(path)
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "object-src 'none'" in csp
        assert r.headers["x-frame-options"] == "DENY"
    asset = next((settings.web_dist / "assets").glob("*.js")).name
    assert "frame-ancestors 'none'" in client.get(f"/assets/{asset}").headers["content-security-policy"]


def test_only_the_apps_own_pages_may_open_the_socket(
    client: TestClient, agent: Api, settings: Settings, world: World
) -> None:
    token = agent.headers["Authorization"].split()[1]
    url = f"/api/v1/ws?token={token}"
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect(url, headers={"Origin": "https://evil.example"}) as ws,
    ):
        ws.receive_json()
    assert refused.value.code == 4403
    for headers in ({"Origin": "http://testserver"}, {}):  # the app's own page; an integration (no Origin)
        with client.websocket_connect(url, headers=headers) as ws:
            assert ws.receive_json()["type"] == "hello"
    settings.auth.allowed_origins = ["https://portal.example"]
    with client.websocket_connect(url, headers={"Origin": "https://portal.example"}) as ws:
        assert ws.receive_json()["type"] == "hello"
