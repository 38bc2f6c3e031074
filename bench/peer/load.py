"""The django-helpdesk peer's scenarios, run by Huiyin's own load client (issue 13).

Same engine as ``python -m bench.loadclient``: its ``run_load`` (keep-alive HTTP/1.1 connections, warm-up,
measured requests bounded by a time limit, per-request timeout) and its summary JSON. Only the requests
differ, since they go to django-helpdesk's URLs::

    python -m bench.peer.load --port 8766 --scenario list --busiest-queue 1 --session KEY --json

| scenario   | request (what a django-helpdesk user does)                                                   |
|------------|----------------------------------------------------------------------------------------------|
| `hello`    | `GET /health`: a trivial Django view, no database, no auth (the stack's ceiling)            |
| `create`   | `POST /helpdesk/api/tickets/` (JSON, token): django-helpdesk's REST API creates a ticket    |
| `list`     | `GET /helpdesk/datatables_ticket_list/<query>?start=0&length=50` (session): one queue's    |
|            | open + reopened tickets, 50 rows, as JSON: what the staff ticket list page loads its rows with |
| `get`      | `GET /helpdesk/tickets/<id>/` (session): the staff page of one ticket with its follow-ups   |
| `get_api`  | `GET /helpdesk/api/tickets/<id>/` (token): the same ticket and follow-ups from the REST API |
| `list_api` | `GET /helpdesk/api/tickets/?status=1,2&page_size=50` (token): the REST API's open tickets  |
|            | (it has no queue filter)                                                                      |

``--token`` is sent as ``Authorization: Bearer`` (the peer's settings read DRF tokens with that keyword),
``--session`` as the ``sessionid`` cookie. Both are sent with every scenario, as Huiyin's run sends its
token with every scenario.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import random
import sys
from collections.abc import Mapping, Sequence

from bench.loadclient import (
    RequestSpec,
    Scenario,
    check_loopback,
    run_load,
)

_DESCRIPTIONS: tuple[str, ...] = (  # bench/loadclient.py's registration texts
    "家中燃气灶无法点火，闻到轻微燃气味，请尽快派人上门检修。",
    "燃气表显示异常，读数不走，用户要求核查表具。",
    "小区整栋楼停电，已超过两小时，请尽快处理。",
    "热水器打不着火，怀疑燃气压力不足，用户在家等候。",
    "楼道电表箱冒烟，有焦糊味，请紧急派员处理。",
)
_TITLES: tuple[str, ...] = ("燃气灶无法点火", "燃气表读数异常", "小区停电", "热水器打不着火", "电表箱冒烟")
_JSON: Mapping[str, str] = {"Content-Type": "application/json", "Accept": "application/json"}
_ACCEPT_JSON: Mapping[str, str] = {"Accept": "application/json"}
_ACCEPT_HTML: Mapping[str, str] = {"Accept": "text/html"}

OPEN_STATUSES = (1, 2)  # django-helpdesk's Open and Reopened: its ticket list's default filter


def list_query(queue_id: int) -> str:
    """The base64 query django-helpdesk's ticket list page hands to its datatables endpoint."""
    query = {
        "filtering": {"queue__id__in": [queue_id], "status__in": list(OPEN_STATUSES)},
        "filtering_null": {},
        "sorting": "created",
        "sortreverse": False,
        "search_string": "",
    }
    return base64.b64encode(json.dumps(query).encode()).decode("ascii")


def build(
    name: str, *, queue_ids: Sequence[int], busiest_queue: int, max_ticket: int, seed: int | None = None
) -> Scenario:
    rng = random.Random(seed)
    if name == "hello":
        return Scenario("hello", lambda i: ("GET", "/health", _ACCEPT_JSON, b""), frozenset({200}))
    if name == "create":

        def make_create(i: int) -> RequestSpec:
            body = {
                "queue": rng.choice(queue_ids),
                "title": f"{rng.choice(_TITLES)}（压测 #{i}）",
                "description": f"{rng.choice(_DESCRIPTIONS)}（压测 #{i}）",
                "submitter_email": f"customer{rng.randrange(50_000)}@example.invalid",
                "priority": 3,
            }
            return "POST", "/helpdesk/api/tickets/", _JSON, json.dumps(body, ensure_ascii=False).encode()

        return Scenario("create", make_create, frozenset({201}))
    if name == "list":
        path = f"/helpdesk/datatables_ticket_list/{list_query(busiest_queue)}?draw=1&start=0&length=50"
        return Scenario("list", lambda i: ("GET", path, _ACCEPT_JSON, b""), frozenset({200}))
    if name == "list_api":
        path = "/helpdesk/api/tickets/?status=1,2&page_size=50"
        return Scenario("list_api", lambda i: ("GET", path, _ACCEPT_JSON, b""), frozenset({200}))
    if name == "get":

        def make_get(i: int) -> RequestSpec:
            return "GET", f"/helpdesk/tickets/{rng.randint(1, max_ticket)}/", _ACCEPT_HTML, b""

        return Scenario("get", make_get, frozenset({200}))
    if name == "get_api":

        def make_get_api(i: int) -> RequestSpec:
            return "GET", f"/helpdesk/api/tickets/{rng.randint(1, max_ticket)}/", _ACCEPT_JSON, b""

        return Scenario("get_api", make_get_api, frozenset({200}))
    raise ValueError(f"unknown scenario {name!r}")


SCENARIO_NAMES = ("hello", "create", "list", "get", "get_api", "list_api")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.peer.load", description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8766)
    p.add_argument("--scenario", choices=SCENARIO_NAMES, default="hello")
    p.add_argument("-n", "--requests", type=int, default=10_000)
    p.add_argument("-c", "--concurrency", type=int, default=16)
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--time-limit", type=float, default=120.0)
    p.add_argument("--timeout", type=float, default=30.0)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--token", help="DRF token, sent as Authorization: Bearer")
    p.add_argument("--session", help="Django session key, sent as the sessionid cookie")
    p.add_argument("--queue-ids", default="1", help="create: comma list of queue ids")
    p.add_argument("--busiest-queue", type=int, default=1, help="list: the queue whose open tickets are listed")
    p.add_argument("--max-ticket", type=int, default=1000, help="get: ticket ids 1..N")
    p.add_argument("--json", action="store_true")
    p.add_argument("--allow-errors", action="store_true")
    args = p.parse_args(argv)
    try:
        args.host = check_loopback(args.host)
    except ValueError as exc:
        print(f"peer load: {exc}", file=sys.stderr)
        return 2
    headers: dict[str, str] = {}
    if args.token:
        headers["Authorization"] = f"Bearer {args.token}"
    if args.session:
        headers["Cookie"] = f"sessionid={args.session}"
    scenario = build(
        args.scenario,
        queue_ids=[int(q) for q in args.queue_ids.split(",") if q.strip()],
        busiest_queue=args.busiest_queue,
        max_ticket=args.max_ticket,
        seed=args.seed,
    )
    result = asyncio.run(
        run_load(
            args.host,
            args.port,
            scenario,
            requests=args.requests,
            concurrency=args.concurrency,
            warmup=args.warmup,
            time_limit=args.time_limit,
            timeout=args.timeout,
            headers=headers,
        )
    )
    print(result.human(), flush=True)
    if result.warmup_errors:
        print(f"warning: {result.warmup_errors} warm-up requests failed", file=sys.stderr)
    if result.first_error:
        print(f"first error: {result.first_error}", file=sys.stderr)
    if args.json:
        print(json.dumps(result.summary(), ensure_ascii=False), flush=True)
    return 1 if result.errors and not args.allow_errors else 0


if __name__ == "__main__":
    sys.exit(main())
