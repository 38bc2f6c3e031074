"""One request's CPU in the ASGI app alone: no client, no sockets, no HTTP parsing. A prepared scope is
called 2,000 times after 200 of warm-up, as the user ``agent`` (password ``demo``), for each path given;
``--patch-params`` first memoises FastAPI's per-field analysis of query parameters (an experiment: what that
analysis costs per request; not how Huiyin runs).

    python -m bench.asgi_cost --url sqlite:////tmp/prof.db /api/v1/health /api/v1/me \\
        "/api/v1/work-orders?unit_id=19&state=open&page_size=50" /api/v1/work-orders/1234
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from typing import Any


def patch_params() -> None:
    import fastapi.dependencies.utils as u

    for name in ("_get_param_model", "_get_param_aliases", "field_annotation_is_sequence", "_is_json_field"):
        fn = getattr(u, name)
        cache: dict[Any, Any] = {}

        def memo(x: Any, *a: Any, _fn: Any = fn, _cache: dict[Any, Any] = cache, **kw: Any) -> Any:
            key = (id(x), a, tuple(sorted(kw.items())))
            hit = _cache.get(key)
            if hit is None:
                hit = _cache[key] = (x, _fn(x, *a, **kw))
            return hit[1]

        setattr(u, name, memo)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", required=True)
    p.add_argument("--patch-params", action="store_true")
    p.add_argument("-n", type=int, default=2000)
    p.add_argument("paths", nargs="+")
    opts = p.parse_args(argv)
    os.environ["HUIYIN_DATABASE_URL"] = opts.url
    os.environ.setdefault("HUIYIN_WORKER__EMBEDDED", "false")
    if opts.patch_params:
        patch_params()
    from huiyin.app import create_app
    from huiyin.settings import Settings

    app = create_app(Settings(database_url=opts.url))

    async def call(method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes = b"") -> tuple[int, bytes]:
        route, _, query = path.partition("?")
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
            "path": route, "raw_path": route.encode(), "query_string": query.encode(), "root_path": "",
            "headers": headers, "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
        }
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        out: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            out.append(message)

        await app(scope, receive, send)
        return out[0]["status"], b"".join(m.get("body", b"") for m in out[1:])

    async def run() -> None:
        async with app.router.lifespan_context(app):
            login = json.dumps({"username": "agent", "password": "demo"}).encode()
            _, body = await call("POST", "/api/v1/auth/token", [(b"content-type", b"application/json")], login)
            token = json.loads(body)["access_token"]
            headers = [(b"authorization", f"Bearer {token}".encode()), (b"host", b"bench")]
            for path in opts.paths:
                for _ in range(200):
                    status, body = await call("GET", path, headers)
                if status >= 300:
                    raise SystemExit(f"{path}: {status} {body[:200]!r}")
                cpu = []
                for _ in range(opts.n):
                    t = time.process_time()
                    await call("GET", path, headers)
                    cpu.append(time.process_time() - t)
                print(json.dumps({"path": path, "cpu_ms_median": round(statistics.median(cpu) * 1000, 3)}))

    asyncio.run(run())


if __name__ == "__main__":
    main()
