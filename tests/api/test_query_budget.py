"""List and detail endpoints run a fixed number of queries, however many rows they return (no N+1)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy import event

from tests.personas import Api, World


@contextmanager
def counted(app: FastAPI) -> Iterator[list[str]]:
    seen: list[str] = []
    engines = {app.state.db.engine, app.state.db.read_engine}

    def hook(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.startswith(("BEGIN", "PRAGMA", "COMMIT", "ROLLBACK")):
            seen.append(statement)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", hook)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", hook)


def test_the_order_list_costs_the_same_for_5_rows_as_for_50(app: FastAPI, world: World, agent: Api) -> None:
    for _ in range(5):
        agent.register(customer_id=world.customer_id)
    with counted(app) as few:
        assert len(agent.ok("get", "/work-orders?page_size=50&state=open")["items"]) == 5
    for _ in range(45):
        agent.register(customer_id=world.customer_b_id)
    with counted(app) as many:
        assert len(agent.ok("get", "/work-orders?page_size=50&state=open")["items"]) == 50
    assert len(many) == len(few) <= 7, many  # 6 before time limits: + the page's deadlines, one query


def test_an_orders_detail_costs_the_same_however_long_its_timeline(
    app: FastAPI, world: World, agent: Api, unit_worker: Api
) -> None:
    short = agent.register(customer_id=world.customer_id)["id"]
    long = agent.register(customer_id=world.customer_id)["id"]
    for _ in range(3):
        unit_worker.act(long, "accept")
        unit_worker.act(long, "resolve", {"result": "ok"})
        agent.act(long, "callback", {"result": "unsatisfied"})
    with counted(app) as a:
        agent.ok("get", f"/work-orders/{short}")
    with counted(app) as b:
        assert len(agent.ok("get", f"/work-orders/{long}")["events"]) == 11
    assert len(a) == len(b) <= 10, b
