"""The door (``core.guard``): text with NUL characters is refused with a 422 before any handler runs, in the
URL, in a JSON body (raw or escaped) and in a form; nothing is written; files in multipart bodies may hold
NUL bytes; a body read at the door reaches the handler whole."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from huiyin.db import Database
from huiyin.workorders.models import WorkOrder
from tests.personas import Api, World


def _orders(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(WorkOrder)) or 0


@pytest.mark.parametrize("path", ["/customers?q=139%00", "/customers?q=%00", "/work-orders?q=a%00b"])
def test_a_nul_in_the_query_string_is_refused(agent: Api, path: str) -> None:
    r = agent.get(path)
    assert r.status_code == 422, r.text
    assert r.json()["detail"] == "text must not contain NUL characters"
    assert r.headers["content-type"].startswith("application/problem+json")


def test_a_nul_in_the_path_is_refused(agent: Api) -> None:
    r = agent.get("/work-orders/1%00")
    assert r.status_code == 422, r.text


@pytest.mark.parametrize(
    "body",
    [
        b'{"type": "repair", "category": "RP-GAS-NOGAS", "description": "x\\u0000y", "channel": "phone"}',
        b'{"type": "repair", "category": "RP-GAS-NOGAS", "description": "x\x00y", "channel": "phone"}',
    ],
)
def test_a_nul_in_a_json_body_is_refused_and_nothing_is_written(
    world: World, agent: Api, db: Database, body: bytes
) -> None:
    before = _orders(db)
    r = agent.client.post(
        "/api/v1/work-orders", content=body, headers={**agent.headers, "Content-Type": "application/json"}
    )
    assert r.status_code == 422, r.text
    assert r.json()["detail"] == "text must not contain NUL characters"
    assert _orders(db) == before


def test_a_nul_in_a_form_is_refused(client: TestClient, world: World) -> None:
    r = client.post(
        "/api/v1/auth/token",
        content=b"username=agent&password=pa%00ss",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 422, r.text


def test_a_body_read_at_the_door_reaches_the_handler_whole(world: World, agent: Api) -> None:
    description = "燃气表后阀门漏气，" * 400  # several kilobytes: more than one chunk on a real socket
    order = agent.register(description=description, customer_id=world.customer_id)
    assert order["description"] == description


# ---------------------------------------------------------------- the class, not the instances (issue 14, defect 4)


def _nested(depth: int) -> bytes:
    return b'{"a": ' * depth + b"1" + b"}" * depth


@pytest.fixture
def cti_token(admin: Api) -> str:
    token: str = admin.ok("post", "/cti-integrations", {"name": "PBX"}, 201)["token"]
    return token


@pytest.mark.parametrize("token", ["no-such-token", None])
def test_deeply_nested_json_is_a_422_before_any_token_is_checked(
    client: TestClient, world: World, cti_token: str, token: str | None
) -> None:
    r = client.post(
        f"/api/v1/cti/{token or cti_token}", content=_nested(100_000), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 422, r.text
    assert "nest at most 32 levels" in r.json()["detail"]


def test_deeply_nested_json_is_a_422_on_every_endpoint(agent: Api) -> None:
    r = agent.client.post(
        "/api/v1/work-orders", content=_nested(5_000), headers={**agent.headers, "Content-Type": "application/json"}
    )
    assert r.status_code == 422, r.text


def test_brackets_inside_strings_are_not_nesting(world: World, agent: Api) -> None:
    order = agent.register(customer_id=world.customer_id, description="[[[[{{{{" * 20 + "表后阀门漏气")
    assert order["description"].startswith("[[[[{{{{")


def test_a_body_over_a_megabyte_is_a_413(agent: Api, client: TestClient, cti_token: str) -> None:
    big = b'{"description": "' + b"x" * (1 << 20) + b'"}'
    for url, headers in (("/api/v1/work-orders", agent.headers), (f"/api/v1/cti/{cti_token}", {})):
        r = client.post(url, content=big, headers={**headers, "Content-Type": "application/json"})
        assert r.status_code == 413, r.text


@pytest.mark.parametrize(
    "path",
    [
        "/calls?since=0001-01-01T00:00:00%2B08:00",
        "/calls?until=9999-12-31T23:59:59-08:00",
        "/work-orders?created_to=9999-12-31T23:59:59-08:00",
        "/work-orders?created_from=0001-01-01T00:00:00%2B14:00",
        "/notifications?before=9223372036854775808",
        "/work-orders?unit_id=9223372036854775808",
    ],
)
def test_dates_and_ids_at_the_edges_are_a_422(manager: Api, path: str) -> None:
    r = manager.get(path)
    assert r.status_code == 422, r.text


def test_a_cti_event_at_the_edge_of_the_calendar_is_a_422(client: TestClient, cti_token: str) -> None:
    for at in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"):
        body = {"event": "newCall", "callId": f"edge-{at[:4]}", "from": "13912345678", "to": "95598", "at": at}
        r = client.post(f"/api/v1/cti/{cti_token}", json=body)
        assert r.status_code == 422, r.text


def test_nul_in_a_cti_form_is_refused_whether_urlencoded_or_multipart(client: TestClient, cti_token: str) -> None:
    r = client.post(
        f"/api/v1/cti/{cti_token}",
        content=b"event=newCall&callId=n%00ul&from=13912345678&to=95598",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 422, r.text
    fields = {"event": "newCall", "callId": "n\x00ul", "from": "13912345678", "to": "95598"}
    r = client.post(f"/api/v1/cti/{cti_token}", files={k: (None, v) for k, v in fields.items()})
    assert r.status_code == 422, r.text


@pytest.mark.parametrize("bad", [True, "1", 1.0])
def test_an_id_in_a_body_must_be_a_json_number(world: World, agent: Api, bad: object) -> None:
    agent.register(status=422, customer_id=bad)


def _integers(node: object, where: str) -> list[tuple[str, dict[str, object]]]:
    """Every integer schema under ``node`` (a request body or parameter schema), with where it is."""
    found: list[tuple[str, dict[str, object]]] = []
    if isinstance(node, dict):
        if node.get("type") == "integer":
            found.append((where, node))
        for key, value in node.items():
            found += _integers(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _integers(value, f"{where}[{i}]")
    return found


def test_every_integer_the_api_takes_is_bounded(client: TestClient) -> None:
    """The class of defect 4, not its instances: an integer the database cannot store (an id past 2^31 on
    PostgreSQL, past 2^63 on SQLite) is a 422 at the door, for every parameter and body field, so
    ``RefId``/``QueryId``/``PathId`` (or an explicit ``le``) is on every one."""
    doc = client.get("/api/v1/openapi.json").json()
    schemas = doc["components"]["schemas"]
    taken: set[str] = set()
    unbounded = []
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            for p in op.get("parameters", []):
                found = _integers(p["schema"], f"{method} {path} {p['name']}")
                unbounded += [w for w, s in found if "maximum" not in s]
            for media in op.get("requestBody", {}).get("content", {}).values():
                ref = media["schema"].get("$ref", "")
                if ref:
                    taken.add(ref.rsplit("/", 1)[-1])
                else:
                    unbounded += [w for w, s in _integers(media["schema"], f"{method} {path}") if "maximum" not in s]
    while taken:  # the bodies' models, and the models they name
        name = taken.pop()
        schema = schemas[name]
        unbounded += [w for w, s in _integers(schema, name) if "maximum" not in s]
        refs = {str(v).rsplit("/", 1)[-1] for _, v in _refs(schema)}
        taken |= {r for r in refs if r in schemas and r != name} - {name}
        schemas = {k: v for k, v in schemas.items() if k != name}
    assert unbounded == [], unbounded


def _refs(node: object) -> list[tuple[str, object]]:
    if isinstance(node, dict):
        out = [("$ref", node["$ref"])] if "$ref" in node else []
        for value in node.values():
            out += _refs(value)
        return out
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []
