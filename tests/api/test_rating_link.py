"""The rating link (issue 15): the invitation SMS carries a signed, expiring link to a page where the
customer rates without signing in; a forged or expired link is a clear 4xx and stores nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from huiyin.clock import clock
from huiyin.errors import NotFound
from huiyin.notify.models import OutboxMessage
from huiyin.surveys import links
from huiyin.surveys.links import LinkExpired
from huiyin.surveys.models import CareTask, Rating
from tests.personas import Api, World

MOBILE = "13912345678"


def invited(agent: Api, world: World) -> tuple[dict[str, Any], str]:
    """An inquiry answered and closed on the spot, and the token of the link its SMS carries."""
    order = agent.register(
        type="inquiry", category="IQ-BILL", description="查询气费", close_on_spot=True, result="已告知",
        contact_phone=MOBILE,
    )
    with world.db.session(write=False) as s:
        text = s.scalar(select(OutboxMessage.payload).where(OutboxMessage.dedupe_key.like("rating-invite:%")))["text"]
    m = re.search(r"http://127\.0\.0\.1:8000/r/(\S+)$", text)
    assert m, text
    return order, m.group(1)


def ratings(world: World) -> int:
    with world.db.session(write=False) as s:
        return s.scalar(select(func.count()).select_from(Rating)) or 0


def test_the_customer_rates_through_the_link_once_without_signing_in(
    client: TestClient, agent: Api, manager: Api, world: World
) -> None:
    order, token = invited(agent, world)
    page = client.get(f"/api/v1/rate/{token}")  # no credential at all
    assert page.status_code == 200, page.text
    shown = page.json()
    assert (shown["order_number"], shown["order_type"], shown["rated"]) == (order["number"], "inquiry", False)
    assert shown["category_name"] and "phone" not in str(shown)  # what it was about, nothing personal

    body = {"result": "unsatisfied", "score": 2, "comment": "等了很久"}
    first = client.post(f"/api/v1/rate/{token}", json=body)
    assert first.status_code == 201 and first.json()["rated"] and first.json()["result"] == "unsatisfied"
    again = client.post(f"/api/v1/rate/{token}", json={"result": "satisfied"})
    assert again.status_code == 200 and again.json()["result"] == "unsatisfied"  # the first stands
    assert ratings(world) == 1
    day = clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()  # the centre's day
    by_channel = manager.ok("get", f"/satisfaction?from={day}&to={day}&group_by=channel")["items"]
    assert [(r["key"], r["unsatisfied"]) for r in by_channel] == [("web", 1)]
    with world.db.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(CareTask)) == 1  # someone will call them


def test_a_forged_altered_or_expired_link_is_refused_and_stores_nothing(
    client: TestClient, agent: Api, world: World
) -> None:
    order, token = invited(agent, world)
    contact, expires, signature = token.split(".")
    other = links.sign(f"order:{order['id'] + 1}", datetime.now(UTC) + timedelta(days=3), "not-our-secret")
    forged = [
        f"{contact}.{expires}.{signature[:-2]}AA",  # the signature changed
        f"{contact}.{int(expires) + 86400}.{signature}",  # the expiry pushed back
        other,  # signed with another secret
        "nonsense",
        "a.b.c",
    ]
    for bad in forged:
        assert client.get(f"/api/v1/rate/{bad}").status_code == 404, bad
        assert client.post(f"/api/v1/rate/{bad}", json={"result": "satisfied"}).status_code == 404, bad
    assert client.post(f"/api/v1/rate/{token}", json={"result": "great"}).status_code == 422
    clock.advance(timedelta(days=8))  # the link is good for 7
    expired = client.post(f"/api/v1/rate/{token}", json={"result": "satisfied"})
    assert expired.status_code == 410 and "expired" in expired.json()["detail"]
    assert client.get(f"/api/v1/rate/{token}").status_code == 410
    assert ratings(world) == 0


def test_a_token_names_its_contact_and_expiry_under_the_secret() -> None:
    at = datetime(2026, 12, 6, tzinfo=UTC)
    token = links.sign("call:42", at + timedelta(days=1), "s3cret")
    assert links.check(token, "s3cret", at) == ("call:42", at + timedelta(days=1))
    with pytest.raises(NotFound):
        links.check(token, "other", at)
    with pytest.raises(LinkExpired):
        links.check(token, "s3cret", at + timedelta(days=2))
    with pytest.raises(NotFound):  # a contact of another shape, however signed
        links.check(links.sign("order:1 OR 1=1", at + timedelta(days=1), "s3cret"), "s3cret", at)
