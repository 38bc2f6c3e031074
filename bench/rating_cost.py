"""One IVR rating's CPU in the ASGI app alone (no client, no sockets), through the PBX's event
(``POST /api/v1/cti/{token}``, ``{"event": "rating", …}``) or ``POST /api/v1/ratings``: a CTI integration and
ended calls of its own are made in the database first (PostgreSQL, e.g. ``bench/cti_load.py``'s database;
its ratings are written), then ``-n`` ratings are posted one at a time after 100 of warm-up.

    python -m bench.rating_cost --url postgresql://postgres@127.0.0.1:5432/huiyin_cti_bench cti
    python -m bench.rating_cost --url … api
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from typing import Any

from sqlalchemy import text


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/huiyin_cti_bench")
    p.add_argument("-n", type=int, default=500)
    p.add_argument("via", choices=("cti", "api"))
    opts = p.parse_args(argv)
    os.environ["HUIYIN_DATABASE_URL"] = opts.url
    os.environ.setdefault("HUIYIN_WORKER__EMBEDDED", "false")
    from huiyin.app import create_app
    from huiyin.calls.service.integrations import do_create_integration
    from huiyin.settings import Settings

    app = create_app(Settings(database_url=opts.url))
    total = opts.n + 100
    prefix = f"cost-{int(time.time())}-"
    with app.state.db.session() as s:
        integration, token = do_create_integration(s, f"rating cost {prefix}", None)
        s.flush()
        s.execute(
            text(
                "INSERT INTO calls (call_id, integration_id, direction, from_number, to_number, queue, state, "
                "offered_to, offered_at, answered_at, ended_at, wait_seconds, talk_seconds, hold_seconds, "
                "abandoned, short_abandon, blocked, ivr_path, updated_at) "
                "SELECT :prefix || n, :i, 'in', '13900000000', '95598', '综合', 'ended', '[]', "
                "now() - interval '1 hour', now() - interval '59 minutes', now() - interval '55 minutes', "
                "10, 240, 0, false, false, false, '', now() FROM generate_series(0, :last) AS n"
            ),
            {"prefix": prefix, "i": integration.id, "last": total},
        )

    async def post(path: str, body: dict[str, Any]) -> int:
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
            "headers": [(b"content-type", b"application/json"), (b"authorization", f"Bearer {token}".encode())],
            "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
        }
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": json.dumps(body).encode(), "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        out: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            out.append(message)

        await app(scope, receive, send)
        return int(out[0]["status"])

    async def run() -> None:
        async with app.router.lifespan_context(app):
            cpu = []
            for n in range(total):
                if opts.via == "cti":
                    path, body = f"/api/v1/cti/{token}", {"event": "rating", "callId": f"{prefix}{n}", "digit": "1"}
                else:
                    path, body = "/api/v1/ratings", {"call_id": f"{prefix}{n}", "channel": "ivr", "result": "satisfied"}
                t = time.process_time()
                status = await post(path, body)
                if n >= 100:
                    cpu.append(time.process_time() - t)
                if status not in (200, 201):
                    raise SystemExit(f"{path}: {status}")
            median = round(statistics.median(cpu) * 1000, 3)
            print(json.dumps({"via": opts.via, "n": len(cpu), "cpu_ms_median": median}))

    asyncio.run(run())


if __name__ == "__main__":
    main()
