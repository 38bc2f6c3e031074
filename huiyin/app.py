"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
import gc
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from huiyin import errors
from huiyin.auth import service as auth_service
from huiyin.auth.api import router as auth_router
from huiyin.calls.api import pbx_router, serve_cti_event
from huiyin.calls.api import router as calls_router
from huiyin.channels.api import Room as WechatRoom
from huiyin.channels.api import router as channels_router
from huiyin.channels.api import serve_wechat_message
from huiyin.channels.selfservice_api import router as self_router
from huiyin.complaints.api import router as complaints_router
from huiyin.complaints.ledger_api import router as ledger_router
from huiyin.core import guard
from huiyin.core.apidocs import install_api_docs
from huiyin.customers.api import router as customers_router
from huiyin.db import Database
from huiyin.knowledge.api import router as knowledge_router
from huiyin.notify import service as notify_service
from huiyin.notify.api import router as notify_router
from huiyin.notify.api import ws_router
from huiyin.notify.hub import Hub, listen_pg, watch_credentials
from huiyin.org.api import router as org_router
from huiyin.outages.api import router as outages_router
from huiyin.performance.api import KPI_READERS
from huiyin.performance.api import router as kpis_router
from huiyin.performance.live import TOPIC, push_wallboard
from huiyin.quality.api import router as quality_router
from huiyin.settings import Settings, get_settings
from huiyin.sla.api import router as sla_router
from huiyin.surveys.api import router as surveys_router
from huiyin.surveys.survey_api import router as survey_router
from huiyin.wiring import cti_event_kinds, open_database
from huiyin.workorders.api import router as workorders_router

API = "/api/v1"

LANDING = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>回音 Huiyin</title>
<body style="font-family:sans-serif;max-width:40em;margin:4em auto">
<h1>回音 Huiyin</h1><p>件件有落实，事事有回音 — 公用事业客服热线与工单平台</p>
<ul><li><a href="/api/v1/docs">API 文档 (OpenAPI)</a></li>
<li><a href="/api/v1/openapi.json">openapi.json</a></li></ul>
<p>The web app is not built: run <code>make run</code>, or <code>npm ci &amp;&amp; npm run build</code> in web/.</p>
</body></html>"""


def create_served_app() -> FastAPI:
    """The app as ``huiyin serve`` runs it: a process of its own, whose heap is frozen once started."""
    return create_app(freeze_heap=True)


def _freeze_heap() -> None:
    """Moves everything alive at startup (modules, the app, its routes, SQLAlchemy's mappers: hundreds of
    thousands of objects) out of the cyclic garbage collector's reach. Without this every full collection
    walks all of them while holding the GIL: 100-190 ms pauses, six a minute under the CTI benchmark's load,
    during which the process answers nothing (``bench/cti_load.py``; the pattern of Python's ``gc.freeze``
    documentation: collect, then freeze, before serving)."""
    gc.collect()
    gc.freeze()


def ended_credentials_of(db: Database) -> Callable[[dict[int, str]], set[int]]:
    def ended(held: dict[int, str]) -> set[int]:
        with db.session(write=False) as session:
            return auth_service.ended_credentials(session, held)

    return ended


Lane = Callable[[FastAPI, Scope, Receive, Send, str], Awaitable[None]]
_LANES: tuple[tuple[re.Pattern[str], Lane], ...] = (
    (re.compile(rf"^{re.escape(API)}/cti/([^/]+)$"), serve_cti_event),  # pbx_router's POST /cti/{token}
    (re.compile(rf"^{re.escape(API)}/channels/wechat/([^/]+)$"), serve_wechat_message),  # WeChat's callback
)
"""The webhooks served ahead of the middleware stack (``core.intake.serve_direct``): a machine posts them
hundreds of times a second, and each takes its requests in batches."""


class HuiyinApp(FastAPI):
    """FastAPI, with every request checked at the door (``core.guard``: no NUL characters, a bounded body)
    and then the webhooks' POSTs (``_LANES``: the PBX's events, WeChat's messages) served ahead of the
    middleware stack; everything else takes FastAPI's way."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            passed = await guard.checked(scope, receive, send)  # NUL, a body too large or too deep: refused
            if passed is None:
                return
            receive = passed
            if scope["method"] == "POST":
                for pattern, lane in _LANES:
                    found = pattern.match(scope["path"])
                    if found is not None:
                        scope["app"] = self  # as Starlette sets it: request.app
                        await lane(self, scope, receive, send, found.group(1))
                        return
        await super().__call__(scope, receive, send)


def _warm(db: Database) -> None:
    """jieba's dictionary (about a second) and the bot's matcher (a second per hundred FAQs): loaded at start,
    not by the first question after it."""
    from huiyin.bot.refs import matcher
    from huiyin.knowledge.search import synonyms
    from huiyin.knowledge.words import tokenizer

    try:
        tokenizer()
        with db.session(write=False) as s:
            synonyms(s)
            matcher(s)
    except Exception:  # a database not migrated yet: the first question pays, nothing else changes
        logging.getLogger("huiyin").warning("could not warm the bot's matcher at start", exc_info=True)


def create_app(settings: Settings | None = None, *, freeze_heap: bool = False, db: Database | None = None) -> FastAPI:
    """The app; ``db``: a database opened with ``wiring.open_database`` to share (tests share theirs, so
    that the app's sinks and hooks are the ones their sessions carry), else one of its own."""
    settings = settings or get_settings()
    db = db or open_database(settings)

    hub = Hub()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        hub.loop = loop
        if freeze_heap:  # a served process: warm what the first customer would otherwise wait for, then freeze
            await asyncio.to_thread(_warm, db)
            _freeze_heap()
        stop = asyncio.Event()
        tasks: list[asyncio.Task[None]] = []
        undo: list[Callable[[], None]] = []
        tasks.append(asyncio.create_task(watch_credentials(hub, ended_credentials_of(db), stop)))
        if db.is_sqlite:
            undo.append(notify_service.add_local_sink(db.session_info, hub.send_threadsafe))
        else:
            tasks.append(asyncio.create_task(listen_pg(db.url, hub, stop)))
        tasks.append(asyncio.create_task(push_wallboard(db, hub, settings, stop)))
        if settings.worker.embedded:
            from huiyin.worker import Worker, run_embedded

            wake = asyncio.Event()

            def wake_up() -> None:
                loop.call_soon_threadsafe(wake.set)

            undo.append(notify_service.add_waker(db.session_info, wake_up))
            tasks.append(asyncio.create_task(run_embedded(Worker(db, settings), stop, wake)))
        try:
            yield
        finally:
            stop.set()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for fn in undo:
                fn()
            db.dispose()

    app = HuiyinApp(
        title="Huiyin 回音",
        version="0.1.0",
        openapi_url=f"{API}/openapi.json",
        docs_url=None,  # install_api_docs: Swagger UI with its assets served here, not from a CDN
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.hub = hub
    app.state.socket_topics = {TOPIC: KPI_READERS}  # what a socket may watch, and who may
    app.state.find_token = auth_service.find_token
    app.state.cti_intakes = {}  # calls.api._intake: one per event loop
    app.state.intakes = {}  # other webhooks' intakes (channels.api._wechat_intake), by name and event loop
    app.state.wechat_room = WechatRoom()  # how many WeChat messages this process takes in within the callback
    app.state.cti_event_kinds = cti_event_kinds(settings)  # PBX events other domains take (the IVR's rating)
    errors.install(app)
    # level 5, not the default 9: a list page compresses to within a few per cent of 9 at a third of the CPU
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)  # the web app's scripts, JSON pages

    health = APIRouter(tags=["health"])

    @health.get("/health", operation_id="health-check")
    async def check() -> dict[str, str]:
        return {"status": "ok"}

    routers = (
        pbx_router,  # first: asked many times a second (routes are tried in order)
        health,
        auth_router,
        org_router,
        customers_router,
        workorders_router,
        sla_router,
        notify_router,
        calls_router,
        surveys_router,
        survey_router,
        complaints_router,
        outages_router,
        knowledge_router,
        channels_router,
        self_router,
        quality_router,
        ledger_router,
        kpis_router,
    )
    for router in routers:
        app.include_router(router, prefix=API)
    app.include_router(ws_router, prefix=API)

    install_api_docs(app, f"{API}/docs")
    mount_web_app(app, settings.web_dist)
    return app


CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # Element Plus positions popovers with style attributes
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        # the API and the notification socket; a call's recording may be fetched from the PBX's own host
        # (the player draws its waveform from the bytes and plays them as a blob: URL)
        "connect-src 'self' ws: wss: http: https:",
        "media-src 'self' blob: http: https:",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",  # no framing: clickjacking
    )
)
WEB_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
"""What the web app's pages and assets are served with (docs/security.md)."""


class HashedAssets(StaticFiles):
    """Vite names every asset after its content hash, so a browser may keep each one for a year."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        response.headers.update(WEB_HEADERS)
        return response


def mount_web_app(app: FastAPI, dist: Path) -> None:
    """Serve the single-page app: hashed assets cached for a year, every other path gets index.html."""
    index = dist / "index.html"
    if not index.is_file():

        @app.get("/", include_in_schema=False)
        def landing() -> HTMLResponse:
            return HTMLResponse(LANDING)

        return
    if (dist / "assets").is_dir():
        app.mount("/assets", HashedAssets(directory=dist / "assets"), name="assets")
    root = dist.resolve()

    @app.get("/{path:path}", include_in_schema=False)
    async def web_app(path: str) -> Response:
        if path.startswith("api/"):
            raise errors.NotFound(f"no such endpoint: /{path}", code="request.no_endpoint")
        candidate = (root / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(root):
            return FileResponse(candidate, headers=WEB_HEADERS)
        return FileResponse(index, headers={"Cache-Control": "no-cache", **WEB_HEADERS})
