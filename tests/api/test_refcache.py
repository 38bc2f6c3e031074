"""Reference data per process (``core.refcache``): every process keeps categories, rules, units, areas, SLA
policies and users in memory, and sees an admin's change at its next request; a change not yet committed
stays in its own transaction; a request learns the version with its token check, at no extra query."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy import select, text, update

from huiyin.core import refcache
from huiyin.db import Database
from huiyin.org.models import Unit
from huiyin.org.refs import org
from huiyin.settings import Settings
from huiyin.wiring import open_database
from huiyin.workorders import service as wo
from huiyin.workorders.models import Category
from huiyin.workorders.refs import catalog
from tests.api.test_query_budget import counted
from tests.personas import Api, World


def version(db: Database) -> int:
    with db.session(write=False) as s:
        return s.scalar(select(refcache.RefVersion.n)) or 0


def cache_of(db: Database) -> refcache.RefCache:
    found: refcache.RefCache = db.session_info[refcache.CACHE_KEY]
    return found


@pytest.fixture
def other_process(settings: Settings, world: World) -> Iterator[Database]:
    """A second process's database: its own engines, hooks and reference cache."""
    other = open_database(settings)
    try:
        yield other
    finally:
        other.dispose()


def test_an_admins_change_is_seen_by_another_process_at_its_next_request(
    admin: Api, agent: Api, other_process: Database
) -> None:
    with other_process.session(write=False) as s:
        assert "RP-NEW" not in catalog(s).by_code  # loaded and cached in the other process
    admin.ok("post", "/categories", {"code": "RP-NEW", "name": "新报修类", "type": "repair"}, 201)
    with other_process.session(write=False) as s:
        assert catalog(s).by_code["RP-NEW"].name == "新报修类"
    assert any(c["code"] == "RP-NEW" for c in agent.ok("get", "/categories")["items"])


def test_a_deactivated_dispatch_rule_stops_sending_orders_at_once(world: World, admin: Api, agent: Api) -> None:
    cats = {c["code"]: c["id"] for c in agent.ok("get", "/categories")["items"]}
    rule = admin.ok(
        "post", "/dispatch-rules", {"category_id": cats["CP-QUALITY"], "unit_id": world.station_b.id}, 201
    )
    complaint = {"type": "complaint", "category": "CP-QUALITY", "customer_id": world.customer_id}
    assert agent.register(description="燃气压力不稳", **complaint)["unit_id"] == world.station_b.id
    admin.ok("patch", f"/dispatch-rules/{rule['id']}", {"is_active": False})
    assert agent.register(description="燃气压力还是不稳", **complaint)["unit_id"] is None


def test_a_change_not_yet_committed_stays_in_its_own_transaction(db: Database, other_process: Database) -> None:
    with db.session() as s:
        s.add(Category(code="RP-DRAFT", name="草稿", type="repair"))
        s.flush()
        assert wo.get_category_by_code(s, "RP-DRAFT") is not None  # its own view
        with other_process.session(write=False) as s2:
            assert wo.get_category_by_code(s2, "RP-DRAFT") is None
        s.rollback()
    with db.session(write=False) as s:  # rolled back: neither the process nor the database has it
        assert wo.get_category_by_code(s, "RP-DRAFT") is None


def test_a_transaction_sees_each_of_its_own_changes_not_only_the_first(db: Database, world: World) -> None:
    with db.session() as s:
        s.add(Category(code="RP-FIRST", name="第一", type="repair"))
        s.flush()
        assert wo.get_category_by_code(s, "RP-FIRST") is not None  # its own snapshot, loaded now
        s.add(Category(code="RP-SECOND", name="第二", type="repair"))
        s.flush()
        assert wo.get_category_by_code(s, "RP-SECOND") is not None  # and again after its next change
        s.execute(update(Category).where(Category.code == "RP-FIRST").values(is_active=False))
        assert wo.get_category_by_code(s, "RP-FIRST").is_active is False  # type: ignore[union-attr]
        s.rollback()


def test_every_write_to_a_kept_table_raises_the_version_and_others_do_not(db: Database, world: World) -> None:
    before = version(db)
    with db.session() as s:  # an ORM-enabled bulk update
        s.execute(update(Unit).where(Unit.id == world.station_a.id).values(name="龙溪供气所（新）"))
    assert version(db) == before + 1
    with db.session() as s:  # a flush that changes a row
        s.get_one(Unit, world.station_a.id).phone = "023-1234567"
    assert version(db) == before + 2
    with db.session() as s:  # a flush that touches a row without changing it
        unit = s.get_one(Unit, world.station_a.id)
        unit.phone = unit.phone
    with db.session() as s:  # raw SQL says so itself
        s.execute(text("UPDATE units SET name = name"))
    assert version(db) == before + 2
    with db.session() as s:
        s.execute(text("UPDATE units SET name = '龙溪供气所'"))
        refcache.do_bump(s)
    assert version(db) == before + 3
    with db.session(write=False) as s:
        assert wo.get_category_by_code(s, "RP-GAS") is not None
        assert org(s).units[world.station_a.id].name == "龙溪供气所"


def test_a_request_learns_the_version_with_its_token_check_and_loads_nothing_twice(
    app: FastAPI, agent: Api, world: World
) -> None:
    agent.register(customer_id=world.customer_id)  # loads what registration needs
    loads = cache_of(app.state.db).loads
    with counted(app) as seen:
        agent.register(customer_id=world.customer_id)
        agent.ok("get", "/work-orders?state=open")
    assert not [q for q in seen if "FROM ref_version" in q and "FROM auth_tokens" not in q], seen
    assert cache_of(app.state.db).loads == loads


def test_a_process_without_the_wiring_still_reads_reference_data(settings: Settings, world: World) -> None:
    plain = Database(settings)  # a script's database: no cache, read once per transaction
    try:
        with plain.session(write=False) as s:
            assert wo.get_category_by_code(s, "RP-GAS") is not None
    finally:
        plain.dispose()
