"""Customer look-up as agents type it: phone, account, name, address fragment."""

from __future__ import annotations

import pytest

from tests.personas import Api, World


def found(api: Api, q: str) -> list[str]:
    r = api.get("/customers", params={"q": q})
    assert r.status_code == 200, r.text
    return [c["account_no"] for c in r.json()["items"]]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("13912345678", ["3100000001"]),
        ("139 1234 5678", ["3100000001"]),
        ("+8613912345678", ["3100000001"]),
        ("023-67891234", ["3100000001"]),
        ("3100000002", ["3100000002"]),
        ("100000000002", ["3100000002"]),
        ("王建国", ["3100000001"]),
        ("王", ["3100000001"]),
        ("渝北区", ["3100000001"]),
        ("渝北区龙溪街道", ["3100000001"]),
        ("龙溪", ["3100000001"]),
        ("金港国际3栋", ["3100000001"]),
        ("葛兰镇", ["3100000002"]),
        ("重庆市", ["3100000001", "3100000002"]),
        ("13000000000", []),
        ("火星", []),
        ("金港%国际", []),
        ("金港_国际", []),
    ],
)
def test_an_agent_finds_customers_by_what_they_type(world: World, agent: Api, q: str, expected: list[str]) -> None:
    assert found(agent, q) == expected


def test_the_address_search_follows_edits(world: World, agent: Api) -> None:
    agent.ok("patch", f"/customers/{world.customer_b_id}", {"address": "重庆市江北区观音桥步行街8号"})
    assert found(agent, "观音桥") == ["3100000002"]
    assert found(agent, "葛兰镇") == []


def test_a_customer_carries_tags_and_phones(world: World, agent: Api) -> None:
    c = agent.ok("get", f"/customers/{world.customer_id}")
    assert c["tags"] == ["elderly", "sensitive"]
    assert c["phones"] == ["139****5678", "0236****1234"]  # masked: test_phone_masking reveals them


def test_an_agent_creates_a_customer_and_finds_it(world: World, agent: Api) -> None:
    body = {
        "account_no": "3100000099",
        "name": "赵敏",
        "phones": ["15823456789"],
        "address": "重庆市渝北区龙溪街道新牌坊二路9号",
        "area_id": world.area_a.id,
        "tags": ["vip"],
    }
    created = agent.ok("post", "/customers", body, 201)
    assert created["phones"] == ["158****6789"]
    assert found(agent, "新牌坊") == ["3100000099"]
    again = agent.post("/customers", json=body)
    assert again.status_code == 409


@pytest.mark.parametrize(
    "change",
    [{"phones": ["999"]}, {"phones": []}, {"tags": ["nice"]}, {"area_id": 424242}, {"account_no": ""}],
)
def test_bad_customer_input_is_422(world: World, agent: Api, change: dict) -> None:
    body = {"account_no": "3100000100", "name": "张三", "phones": ["15823456789"], **change}
    assert agent.post("/customers", json=body).status_code == 422
    assert found(agent, "张三") == []


def test_a_unit_handler_cannot_browse_customers(unit_worker: Api) -> None:
    assert unit_worker.get("/customers?q=王").status_code == 403


def test_an_empty_query_is_422(agent: Api) -> None:
    assert agent.get("/customers?q=").status_code == 422
    assert agent.get("/customers?q=%20%20").status_code == 422
