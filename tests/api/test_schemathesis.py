"""Schemathesis throws generated requests at every operation of the OpenAPI spec: no 500, ever. On both
databases (the ``app`` fixture runs each test on SQLite and on PostgreSQL).

- Valid requests and invalid ones (schemathesis' negative mode: wrong types, missing fields, out of range).
- As a bearer-token user holding every role, so requests get past authorisation and reach the services;
  the CTI endpoint with a real integration's token, its body generated from the schema it declares.
- As a person signed in with the session cookie, every write operation with the CSRF header (the web
  app's way in), and without it: refused (403) and nothing else.
- Statefully: sequences of calls chained by the links schemathesis infers between operations (create a
  customer, then read, edit or reveal it; register, then read the order...), counted, so that a run that
  never chains a create to a read fails.

(The hypothesis loops are driven here rather than through schemathesis' pytest plugin, which does not
work with this pytest version.)
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from tests.personas import Api, World

EXAMPLES = 20
EVERY_ROLE = ("agent", "dispatcher", "unit_handler", "duty_manager", "supervisor", "director", "admin")
WRITES = ("POST", "PUT", "PATCH", "DELETE")
PASSWORD = "一二三四五六七八九十 passphrase"


def _boss(world: World) -> Api:
    return world.persona("boss", *EVERY_ROLE, unit=world.company)


def _operations(app: FastAPI) -> list[Any]:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    return [r.ok() for r in schema.get_all_operations()]


def _run(operation: Any, prepare: Any, seen: Counter[str], failures: list[str]) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=st.one_of(operation.as_strategy(), operation.as_strategy(GenerationMode.NEGATIVE)))
    def run(case: schemathesis.Case) -> None:
        prepare(case)
        response = case.call_and_validate(checks=[not_a_server_error])
        seen[f"{operation.method.upper()} {response.status_code // 100}xx"] += 1

    try:
        run()
    except Exception as exc:  # collect every failing operation, then report them all
        inner = "; ".join(str(e)[:800] for e in getattr(exc, "exceptions", []))  # a flaky one's first failure
        failures.append(f"{operation.label}: {str(exc)[:800]} {inner}")


@pytest.mark.slow
def test_no_generated_request_gets_a_server_error(app: FastAPI, world: World, admin: Api) -> None:
    boss = _boss(world)
    cti_token = admin.ok("post", "/cti-integrations", {"name": "生成的 PBX"}, 201)["token"]
    operations = _operations(app)
    assert len(operations) > 30
    failures: list[str] = []
    cti_seen: Counter[str] = Counter()
    for operation in operations:
        if operation.definition.raw.get("operationId") == "cti-event":

            def with_token(case: schemathesis.Case) -> None:
                case.path_parameters = {"token": cti_token}

            _run(operation, with_token, cti_seen, failures)
        else:

            def with_bearer(case: schemathesis.Case) -> None:
                case.headers = {**(case.headers or {}), **boss.headers}

            _run(operation, with_bearer, Counter(), failures)
    assert not failures, "\n\n".join(failures)
    # the CTI bodies were generated from the declared schema and got past the token: some were applied
    assert cti_seen["POST 2xx"] > 0 and cti_seen["POST 4xx"] > 0, cti_seen


@pytest.mark.slow
def test_cookie_signed_in_writes_get_no_server_error_and_need_the_csrf_header(
    app: FastAPI, world: World, client: TestClient, admin: Api
) -> None:
    boss = _boss(world)
    admin.ok("patch", f"/users/{boss.id}", {"password": PASSWORD})
    signed = client.post("/api/v1/auth/login", json={"username": "boss", "password": PASSWORD})
    assert signed.status_code == 200, signed.text
    cookies = dict(signed.cookies)
    csrf = signed.json()["csrf_token"]
    # a system's own token, a customer's self-service token, WeChat's signature, or nobody's (the bot): not a
    # person's cookie
    tokens = ("/api/v1/cti/", "/api/v1/sms/inbound", "/api/v1/self/", "/api/v1/channels/wechat/", "/api/v1/bot/ask")
    writes = [op for op in _operations(app) if op.method.upper() in WRITES and not op.path.startswith(tokens)]
    assert len(writes) > 30
    failures: list[str] = []
    seen: Counter[str] = Counter()
    refused: Counter[int] = Counter()
    for operation in writes:
        if operation.path.startswith("/api/v1/auth/"):
            continue  # signing out would end the session the others use; signing in needs no cookie

        def with_cookie(case: schemathesis.Case) -> None:
            case.headers = {**(case.headers or {}), "X-CSRF-Token": csrf}
            case.cookies = {**(case.cookies or {}), **cookies}

        _run(operation, with_cookie, seen, failures)

        def without_csrf(case: schemathesis.Case) -> None:
            case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "x-csrf-token"}
            case.cookies = {**(case.cookies or {}), **cookies}

        @settings(max_examples=2, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def forged(case: schemathesis.Case) -> None:
            without_csrf(case)
            refused[case.call().status_code] += 1

        forged()
    assert not failures, "\n\n".join(failures)
    assert sum(n for k, n in seen.items() if k.endswith("2xx")) > 20, seen  # the cookie got writes through
    # without the header a write is refused (403) or, before that, its input (422) or path (404) is
    assert set(refused) <= {403, 404, 405, 422} and refused[403] > 20, refused


SEEDS: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    # what a generated body needs to be stored at all (a known category, a valid number), and references
    # generated ids would rarely hit; the rest of the body stays as generated
    "/api/v1/work-orders": (
        {"type": "repair", "category": "RP-GAS-NOGAS", "contact_phone": "13912345678"},
        ("customer_id", "area_id"),
    ),
    "/api/v1/customers": ({"phones": ["13912345678"]}, ("area_id",)),
}


def _sequences(operations: list[Any]) -> list[tuple[Any, Any, str]]:
    """(create, follow-up, its id parameter): every top-level POST that answers 201 with an ``id``, paired
    with every operation on one of the things it makes (its path and one id more), as the schema says."""
    pairs = []
    for create in operations:
        raw = create.definition.raw
        if create.method.upper() != "POST" or "201" not in raw.get("responses", {}) or "{" in create.path:
            continue
        for follow in operations:
            rest = follow.path.removeprefix(create.path + "/")
            if rest != follow.path and rest.startswith("{") and rest.count("{") == 1:
                pairs.append((create, follow, rest[1 : rest.index("}")]))
    return pairs


def _chain(create: Any, follow: Any, param: str, headers: dict[str, str], chained: Counter[str]) -> None:
    @settings(max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        made = data.draw(create.as_strategy(headers=headers))
        if isinstance(made.body, dict) and create.path in SEEDS:
            fields, dropped = SEEDS[create.path]
            made.body = {k: v for k, v in made.body.items() if k not in dropped} | fields
        first = made.call_and_validate(checks=[not_a_server_error])
        created = first.status_code == 201
        # the follow-up is drawn whatever the create answered, so that what is drawn never depends on the
        # database (a replayed create that now conflicts would otherwise stop drawing early: hypothesis
        # calls that inconsistent data generation)
        then = data.draw(
            follow.as_strategy(headers=headers, path_parameters={param: first.json()["id"] if created else 1})
        )
        if not created:
            return
        second = then.call_and_validate(checks=[not_a_server_error])
        if second.status_code < 300:
            chained[f"{create.label} -> {follow.label}"] += 1

    run()


@pytest.mark.slow
def test_stateful_sequences_chain_creates_to_what_follows_without_a_server_error(app: FastAPI, world: World) -> None:
    """Create, then read, change, act on or reveal what was made, with the id the create answered. (Plain
    hypothesis over schemathesis' strategies: its state machine draws from bundles that depend on what the
    database kept from earlier examples, which hypothesis reports as a flaky strategy.)"""
    boss = _boss(world)
    pairs = _sequences(_operations(app))
    assert len(pairs) > 30, [f"{c.label} -> {f.label}" for c, f, _ in pairs]
    failures: list[str] = []
    chained: Counter[str] = Counter()
    for create, follow, param in pairs:
        try:
            _chain(create, follow, param, boss.headers, chained)
        except Exception as exc:
            inner = "; ".join(f"{type(e).__name__}: {str(e)[:600]}" for e in getattr(exc, "exceptions", ()))
            failures.append(f"{create.label} -> {follow.label}: {str(exc)[:800]}" + (f" [{inner}]" if inner else ""))
    assert not failures, "\n\n".join(failures)
    print(f"{sum(chained.values())} sequences chained:", dict(chained))
    assert sum(chained.values()) >= 40, chained
    assert len({k.split(" -> ")[0] for k in chained}) >= 5, chained  # of at least five kinds of thing
