"""Personal data (issue 14, defect 6): every number the API returns is masked, and a number is shown whole
only through a reveal action, each one recorded (who saw which customer's number, through what, when).
A masked number sent back (picked for an order, kept in an edit, dialled) names the record's number."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from huiyin.customers.models import CustomerPhone, PhoneReveal
from tests.api.test_cti import CALLER, integration, pbx  # noqa: F401 (fixtures)
from tests.pbx import Pbx
from tests.personas import Api, World

WHOLE = re.compile(r"\b1[3-9]\d{9}\b|\b0\d{9,11}\b")
"""A whole mobile or landline number anywhere in a reply."""


def whole_numbers(reply: Any) -> list[str]:
    return WHOLE.findall(str(reply))


def reveal_rows(world: World) -> list[PhoneReveal]:
    with world.db.session(write=False) as s:
        rows = list(s.scalars(select(PhoneReveal).order_by(PhoneReveal.id)))
        s.expunge_all()
        return rows


def test_the_customer_search_and_record_show_no_number_whole(world: World, agent: Api) -> None:
    for reply in (
        agent.ok("get", "/customers?q=13912345678"),
        agent.ok("get", "/customers?q=5678"),
        agent.ok("get", "/customers?q=王建国"),
        agent.ok("get", f"/customers/{world.customer_id}"),
    ):
        assert reply and not whole_numbers(reply), reply
    assert agent.ok("get", f"/customers/{world.customer_id}")["phones"] == ["139****5678", "0236****1234"]


def test_orders_show_the_contact_masked_in_lists_and_on_the_order_itself(world: World, agent: Api) -> None:
    order = agent.register(customer_id=world.customer_id, contact_phone="13912345678")
    assert order["contact_phone"] == "139****5678"
    assert agent.ok("get", f"/work-orders/{order['id']}")["contact_phone"] == "139****5678"
    listed = agent.ok("get", "/work-orders")["items"]
    assert listed and not whole_numbers([o["contact_phone"] for o in listed])


def test_revealing_an_orders_contact_is_recorded_with_who_what_and_when(
    world: World, agent: Api, unit_worker: Api, unit_worker_b: Api, admin: Api
) -> None:
    order = agent.register(customer_id=world.customer_id, contact_phone="13912345678")
    assert order["unit_id"] == world.station_a.id
    assert unit_worker_b.post(f"/work-orders/{order['id']}/contact-phone/reveal").status_code == 404
    assert reveal_rows(world) == []  # a refused reveal writes nothing
    shown = unit_worker.ok("post", f"/work-orders/{order['id']}/contact-phone/reveal")
    assert shown == {"phones": ["13912345678"]}
    [row] = reveal_rows(world)
    assert (row.user_id, row.subject, row.subject_id, row.customer_id) == (
        unit_worker.id,
        "order",
        order["id"],
        world.customer_id,
    )
    assert row.numbers == "139****5678"  # the audit holds no number whole

    audit = admin.ok("get", f"/phone-reveals?customer_id={world.customer_id}")
    assert [(r["user_id"], r["subject"], r["numbers"]) for r in audit["items"]] == [
        (unit_worker.id, "order", "139****5678")
    ]
    assert agent.get("/phone-reveals").status_code == 403  # agents reveal; they do not read the audit
    assert world.persona("supervisor", "supervisor").get("/phone-reveals").status_code == 403


def test_revealing_a_customers_numbers_shows_all_of_them_once_audited(world: World, agent: Api, admin: Api) -> None:
    shown = agent.ok("post", f"/customers/{world.customer_id}/phones/reveal")
    assert shown == {"phones": ["13912345678", "02367891234"]}
    audit = admin.ok("get", f"/phone-reveals?user_id={agent.id}")["items"]
    assert [(r["subject"], r["subject_id"], r["numbers"]) for r in audit] == [
        ("customer", world.customer_id, "139****5678,0236****1234")
    ]
    assert agent.post("/customers/999999/phones/reveal").status_code == 404
    assert len(reveal_rows(world)) == 1


def test_a_masked_number_picked_from_the_customer_registers_the_whole_one(world: World, agent: Api) -> None:
    order = agent.register(customer_id=world.customer_id, contact_phone="0236****1234")
    with world.db.session(write=False) as s:
        from huiyin.workorders.models import WorkOrder

        assert s.get(WorkOrder, order["id"]).contact_phone == "02367891234"  # type: ignore[union-attr]
    assert reveal_rows(world) == []  # picking is not seeing


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"contact_phone": "139****5678"}, "needs the customer_id"),
        ({"contact_phone": "138****0000", "customer_id": 1}, "not one of this record's numbers"),
        ({"contact_phone": "13*****5678"}, "not a valid phone number"),
    ],
)
def test_a_masked_number_that_names_no_number_of_the_record_is_refused(
    world: World, agent: Api, fields: dict[str, Any], why: str
) -> None:
    if "customer_id" in fields:
        fields = {**fields, "customer_id": world.customer_id}
    before = agent.ok("get", "/work-orders")["total"]
    r = agent.post(
        "/work-orders",
        json={"type": "inquiry", "category": "IQ-BILL", "description": "问账单", "channel": "phone", **fields},
    )
    assert r.status_code == 422 and why in r.text, r.text
    assert agent.ok("get", "/work-orders")["total"] == before


def test_a_customer_edit_sent_back_with_masked_numbers_keeps_them(world: World, agent: Api) -> None:
    shown = agent.ok("get", f"/customers/{world.customer_id}")["phones"]
    edited = agent.ok("patch", f"/customers/{world.customer_id}", {"phones": [*shown, "15823456789"]})
    assert edited["phones"] == ["139****5678", "0236****1234", "158****6789"]
    with world.db.session(write=False) as s:
        kept = s.scalars(
            select(CustomerPhone.phone).where(CustomerPhone.customer_id == world.customer_id).order_by(CustomerPhone.id)
        )
        assert list(kept) == ["13912345678", "02367891234", "15823456789"]
    r = agent.patch(f"/customers/{world.customer_id}", {"phones": ["150****0000"]})
    assert r.status_code == 422
    with world.db.session(write=False) as s:
        assert s.scalar(select(func.count()).where(CustomerPhone.customer_id == world.customer_id)) == 3


def test_a_call_shows_its_number_whole_only_to_the_agent_on_the_line(
    pbx: Pbx,  # noqa: F811
    agent: Api,
    agent2: Api,
    manager: Api,
    world: World,
) -> None:
    agent.ok("put", "/agents/me/state", {"state": "signed_in"})
    agent.ok("put", "/agents/me/state", {"state": "ready"})
    call_id = pbx.inbound(CALLER, ["张敏"], queue="燃气")
    pbx.answer(call_id, CALLER, "8001")
    [listed] = [c for c in agent.ok("get", "/calls")["items"] if c["call_id"] == call_id]
    assert listed["from"] == "139****5678"  # lists mask, even for the agent
    assert agent.ok("get", f"/calls/{listed['id']}")["from"] == CALLER  # on the line: as the phone shows it
    pop = agent.ok("get", f"/calls/{listed['id']}/pop")
    assert pop["call"]["from"] == CALLER
    assert pop["customer"]["phones"] == ["139****5678", "0236****1234"]
    assert manager.ok("get", f"/calls/{listed['id']}")["from"] == "139****5678"
    assert not whole_numbers(agent2.ok("get", f"/calls/{listed['id']}/pop"))

    pbx.hangup(call_id, CALLER, "normalClearing")
    agent.ok("post", f"/calls/{listed['id']}/done")  # after-call work over: the record masks for her too
    assert agent.ok("get", f"/calls/{listed['id']}")["from"] == "139****5678"
    # calling the caller back from the pop, the number masked now: the call names it (no dial URL here: 409)
    assert agent.post("/calls/dial", json={"number": "139****5678", "call_pk": listed["id"]}).status_code == 409
    assert agent.post("/calls/dial", json={"number": "139****0000", "call_pk": listed["id"]}).status_code == 422
    assert manager.ok("post", f"/calls/{listed['id']}/number/reveal") == {"phones": [CALLER]}
    [row] = reveal_rows(world)
    assert (row.subject, row.subject_id, row.user_id, row.customer_id) == (
        "call",
        listed["id"],
        manager.id,
        world.customer_id,
    )


def test_the_dial_of_a_masked_number_resolves_it_against_its_record(
    client: TestClient, admin: Api, agent: Api, world: World
) -> None:
    """No PBX is reachable here: the dial is checked (and its number resolved) before the PBX is asked, so
    a resolved number gets as far as 'no dial URL' (409), an unresolvable one stops at 422."""
    admin.ok("post", "/cti-integrations", {"name": "主中心 PBX"}, 201)
    ok = agent.post("/calls/dial", json={"number": "139****5678", "customer_id": world.customer_id})
    assert ok.status_code == 409, ok.text
    for body in (
        {"number": "139****5678"},
        {"number": "139****0000", "customer_id": world.customer_id},
    ):
        r = agent.post("/calls/dial", json=body)
        assert r.status_code == 422, r.text
    assert agent.post("/calls/dial", json={"number": "139****5678", "call_pk": 999999}).status_code == 404
