"""Sign-in resists guessing (issue 14, defect 3): failures lock an account and an address out for a while
that doubles, an admin can unlock, an unknown user costs what a real one does, argon2 runs outside the
process's write lock, and every attempt is audited for the admin."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from huiyin.auth import signin
from huiyin.auth.service import do_create_user
from huiyin.clock import clock
from huiyin.db import Database
from huiyin.settings import Settings
from tests.personas import Api, World

T0 = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


def login(client: TestClient, username: str, password: str) -> int:
    return client.post("/api/v1/auth/login", json={"username": username, "password": password}).status_code


@pytest.fixture
def clerk(world: World, db: Database) -> str:
    with db.session() as s:
        do_create_user(s, "clerk", "right-password-1", ["agent"], cheap_hash=True)
    return "clerk"


def test_five_wrong_passwords_lock_the_account_and_the_right_one_waits(
    client: TestClient, clerk: str, admin: Api
) -> None:
    clock.set(T0)
    assert [login(client, clerk, f"guess-{i}") for i in range(5)] == [401] * 5
    r = client.post("/api/v1/auth/login", json={"username": clerk, "password": "right-password-1"})
    assert r.status_code == 429, r.text
    assert r.headers["Retry-After"] == "60"
    assert "try again in 60 s" in r.json()["detail"]
    clock.set(T0 + timedelta(seconds=61))
    assert login(client, clerk, "right-password-1") == 200
    outcomes = [e["outcome"] for e in admin.ok("get", f"/auth/sign-ins?username={clerk}")["items"]]
    assert outcomes == ["success", "locked"] + ["failure"] * 5


def test_each_failure_past_the_limit_doubles_the_wait_up_to_an_hour(client: TestClient, clerk: str) -> None:
    at = T0
    clock.set(at)
    for _ in range(5):
        login(client, clerk, "wrong")
    waits = []
    for _ in range(8):
        r = client.post("/api/v1/auth/login", json={"username": clerk, "password": "wrong"})
        assert r.status_code == 429
        wait = int(r.headers["Retry-After"])
        waits.append(wait)
        at += timedelta(seconds=wait + 1)  # the guesser waits the lock out, and tries again
        clock.set(at)
        assert login(client, clerk, "wrong") == 401
    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600]
    clock.set(at + timedelta(minutes=15, seconds=3601))  # quiet for a whole window after the last lock
    assert login(client, clerk, "right-password-1") == 200


def test_an_admin_unlocks_an_account_and_it_is_audited(client: TestClient, clerk: str, admin: Api) -> None:
    clock.set(T0)
    for _ in range(5):
        login(client, clerk, "wrong")
    assert login(client, clerk, "right-password-1") == 429
    users = {u["username"]: u for u in admin.ok("get", "/users")["items"]}
    assert users[clerk]["locked_until"] is not None
    clerk_id = users[clerk]["id"]
    assert admin.post(f"/users/{clerk_id}/unlock").status_code == 204
    assert login(client, clerk, "right-password-1") == 200
    unlocked = admin.ok("get", "/auth/sign-ins?outcome=unlocked")["items"]
    assert unlocked[0]["username"] == clerk and unlocked[0]["actor_id"] == admin.id


def test_an_address_guessing_at_many_accounts_is_locked_out(
    client: TestClient, world: World, db: Database, clerk: str, settings: Settings
) -> None:
    assert settings.auth.address_max_failures == 50  # a centre's agents share an address: a higher bar
    settings.auth.address_max_failures = 5  # (fewer guesses for the test)
    clock.set(T0)
    for i in range(5):
        assert login(client, f"nobody-{i}", "guess") == 401
    assert login(client, clerk, "right-password-1") == 429  # the same address: it waits too


def test_only_admins_read_the_audit_or_unlock(agent: Api, manager: Api) -> None:
    for api in (agent, manager):
        assert api.get("/auth/sign-ins").status_code == 403
        assert api.post("/users/1/unlock").status_code == 403


def test_an_unknown_user_costs_what_a_real_users_wrong_password_costs(
    client: TestClient, world: World, db: Database, settings: Settings
) -> None:
    settings.auth.max_failures = 10_000  # this test guesses on purpose
    with db.session() as s:
        do_create_user(s, "real", "a-real-password-9", ["agent"])  # the real hashing cost
    signin._dummy_hash()  # made once per process; not part of the comparison

    def took(username: str) -> float:
        t = time.perf_counter()
        assert login(client, username, "wrong-password") == 401
        return time.perf_counter() - t

    real = statistics.median(took("real") for _ in range(5))
    unknown = statistics.median(took("nobody-at-all") for _ in range(5))
    assert 0.5 < unknown / real < 2, (unknown, real)


def test_the_password_is_verified_outside_the_process_write_lock(
    app: FastAPI, client: TestClient, clerk: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    held: list[bool] = []
    real = signin.verify_password

    def watched(hashed: str, password: str) -> bool:
        held.append(app.state.db.write_lock.locked())
        return real(hashed, password)

    monkeypatch.setattr(signin, "verify_password", watched)
    assert login(client, clerk, "right-password-1") == 200
    assert login(client, clerk, "wrong") == 401
    assert held == [False, False]
