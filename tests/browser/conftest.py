"""Browser tests: Debian's Chromium, driven by Playwright, against a real ``huiyin serve``.

Each xdist worker starts its own server on a fresh SQLite database loaded with a small demo city (every
role's login, password ``demo``). Pages are opened at 1440x900 and every test may save screenshots to
``screenshots/`` (ignored by git) for a person to look at. A page that throws, or asks for an i18n key
that does not exist, fails the test.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.logcheck import check_file

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent / "huiyin"
CHROMIUM = Path(os.environ.get("HUIYIN_CHROMIUM", "/usr/bin/chromium"))
WEB_DIST = Path(os.environ.get("HUIYIN_WEB_DIST", ROOT / "web" / "dist"))
SHOTS = ROOT / "screenshots"
PASSWORD = "demo"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _loud_skip(why: str) -> None:
    sys.stderr.write(f"\n{'!' * 70}\n!! BROWSER TESTS SKIPPED: {why}\n{'!' * 70}\n")
    pytest.skip(why)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    base: str
    db_url: str
    tmp: Path

    def api(self, username: str) -> httpx.Client:
        """An API client signed in as ``username`` (bearer token), for setting up and checking data."""
        http = httpx.Client(base_url=f"{self.base}/api/v1", timeout=20)
        token = http.post("/auth/token", json={"username": username, "password": PASSWORD}).json()["access_token"]
        http.headers["Authorization"] = f"Bearer {token}"
        return http

    @contextmanager
    def apis(self, *usernames: str) -> Iterator[list[httpx.Client]]:
        """API clients signed in as these users, closed afterwards."""
        clients = [self.api(u) for u in usernames]
        try:
            yield clients
        finally:
            for c in clients:
                c.close()

    def home(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The unit the demo unit_handler belongs to, and one of its active areas."""
        with self.apis("unit_handler") as (h,):
            unit_id = h.get("/me").json()["unit_id"]
            unit = h.get(f"/units/{unit_id}").json()
            area = next(a for a in h.get("/areas").json()["items"] if a["unit_id"] == unit_id and a["is_active"])
        return unit, area

    def ack_pending(self, username: str) -> int:
        """Acknowledges every notification still waiting for ``username``'s acknowledgement (so no popup of an
        earlier test covers the page); returns how many."""
        done = 0
        http = self.api(username)
        try:
            for _ in range(20):
                items = http.get("/notifications", params={"unacked": "true", "limit": 200}).json()["items"]
                if not items:
                    break
                for n in items:
                    assert http.post(f"/notifications/{n['id']}/ack").status_code == 200
                done += len(items)
        finally:
            http.close()
        return done


ERRORS = Path(__file__).resolve().parents[2] / "web" / "src" / "locales" / "errors"


def said(problem: dict[str, Any], lang: str = "zh-CN") -> str:
    """What the page shows for a problem document the API answered: its code's sentence
    (web/src/locales/errors/<domain>.json) with the body's fields in its placeholders."""
    import json

    domain, _, name = str(problem["code"]).partition(".")
    sentence = json.loads((ERRORS / f"{domain}.json").read_text())[name][lang]
    return re.sub(r"\{(\w+)\}", lambda m: str(problem[m.group(1)]), sentence)


def whole_phones(http: httpx.Client, customer_id: int) -> list[str]:
    """A customer's numbers whole. The API shows every number masked (138****1234); a test that must dial or
    search a customer's number reads it as a user does, through the (audited) reveal."""
    r = http.post(f"/customers/{customer_id}/phones/reveal")
    assert r.status_code == 200, r.text
    return list(r.json()["phones"])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not (WEB_DIST / "index.html").is_file():
        _loud_skip(f"the web app is not built at {WEB_DIST} (run `make test`, or `npm run build` in web/)")
    tmp = tmp_path_factory.mktemp("browser")
    db_url = f"sqlite:///{tmp / 'huiyin.db'}"
    env = {
        **os.environ,
        "HUIYIN_DATABASE_URL": db_url,
        "HUIYIN_WEB_DIST": str(WEB_DIST),
        "HUIYIN_STORAGE__LOCAL_ROOT": str(tmp / "uploads"),
        "HUIYIN_ENV": "test",
        "HUIYIN_WORKER__EMBEDDED": "true",  # the server fires deadlines and pushes notifications itself
        "HUIYIN_WORKER__POLL_SECONDS": "0.3",
        "HUIYIN_SURVEYS__INBOUND_TOKEN": "browser-gw",  # the SMS gateway's token: customers' texts come in
    }
    for args in (["db", "upgrade"], ["demo", "--customers", "300", "--orders", "150"]):
        subprocess.run([str(BIN), *args], env=env, check=True, capture_output=True, timeout=300)
    port = _free_port()
    log = (tmp / "server.log").open("w")
    proc = subprocess.Popen([str(BIN), "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise AssertionError((tmp / "server.log").read_text())
        time.sleep(0.1)
    yield Server(base, db_url, tmp)
    proc.terminate()
    proc.wait(timeout=10)
    log.close()
    check_file(tmp / "server.log")  # no credential in anything the server wrote


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _loud_skip(f"{CHROMIUM} not found (apt-get install -y chromium; `make test` does it as root)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _loud_skip("playwright is not installed (uv sync)")
    pw = sync_playwright().start()
    pw.selectors.set_test_id_attribute("data-test")  # get_by_test_id() finds data-test="…"
    b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    yield b
    b.close()
    pw.stop()


def _is_bug(message: Any) -> bool:
    """A console error that is a bug; a refused request (a 404 the test provoked) is not one."""
    return bool(message.type == "error" and "Failed to load resource" not in message.text)


@dataclass
class Desk:
    """One person's browser tab, signed in, with what went wrong on the page collected."""

    page: Any
    server: Server
    username: str
    errors: list[str] = field(default_factory=list)

    def go(self, path: str) -> Any:
        self.page.goto(f"{self.server.base}{path}")
        return self.page

    def shot(self, name: str) -> Path:
        SHOTS.mkdir(exist_ok=True)
        path = SHOTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def missing_keys(self) -> list[str]:
        return list(self.page.evaluate("() => window.__i18nMissing || []"))

    def check_clean(self) -> None:
        """No uncaught errors, no missing translations, no raw keys like 'menu.orders' on screen."""
        assert not self.errors, self.errors
        assert not self.missing_keys(), self.missing_keys()
        text = self.page.inner_text("body")
        raw = re.findall(r"\b(?:common|menu|state|type|grade|action|role|tag|layout)\.[a-zA-Z_]+\b", text)
        assert not raw, raw


def pick(opener: Any, option: Any, *, typed: str | None = None, opened: bool = False, tries: int = 3) -> None:
    """Opens a dropdown or a date picker with ``opener`` (typing ``typed`` to filter it) and clicks ``option``;
    ``opened``: it is open already. A notification popup that the worker raises in between is acknowledged by
    the handler below, and taking the focus it closes the dropdown: then it is opened again, up to ``tries``
    times."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(tries):
        if attempt or not opened:
            opener.click()
        if typed and (attempt or not opened):
            opener.page.keyboard.type(typed)
        try:
            option.click(timeout=4000)
            return
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise


def _dismiss_notifications(page: Any) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    """Acknowledges a notification popup, and closes a toast, that turns up over the page mid-test (the server's
    worker escalates overdue orders earlier tests left behind) before Playwright's next action on the page."""
    popup = page.locator("[data-test=notification-popup]")

    def acknowledge() -> None:
        every = popup.locator("[data-test=notification-ack-all]")
        for _ in range(5):  # a newer one may arrive meanwhile and keep it open
            (every if every.is_visible() else popup.locator("[data-test=notification-ack]")).click()
            try:
                popup.wait_for(state="hidden", timeout=3000)
                return
            except PlaywrightTimeout:
                continue

    page.add_locator_handler(popup, acknowledge)
    toasts = page.locator(".el-notification")
    close = "buttons => buttons.forEach(b => b.click())"
    page.add_locator_handler(toasts.first, lambda: toasts.locator(".el-notification__closeBtn").evaluate_all(close))


@pytest.fixture
def desk(server: Server, browser: Any) -> Iterator[Callable[..., Desk]]:
    """``desk("agent")``: a new browser context signed in as that demo user, zh-CN unless told. What still waits
    for the user's acknowledgement is acknowledged first, unless ``ack_pending=False``; a popup or toast that
    turns up later is acknowledged or closed before the test's next action, unless ``popups=True`` (a test
    about them)."""
    contexts: list[Any] = []

    def open_desk(
        username: str, *, locale: str = "zh-CN", sign_in: bool = True, ack_pending: bool = True, popups: bool = False
    ) -> Desk:
        ctx = browser.new_context(  # in the centre's time zone, as its people: 今天 is the centre's day
            viewport={"width": 1440, "height": 900}, locale=locale, base_url=server.base, timezone_id="Asia/Shanghai"
        )
        contexts.append(ctx)
        keep_or_set = f"localStorage.getItem('huiyin.locale') || localStorage.setItem('huiyin.locale', {locale!r})"
        ctx.add_init_script(keep_or_set)
        page = ctx.new_page()
        page.set_default_timeout(10_000)
        d = Desk(page, server, username)
        page.on("pageerror", lambda e: d.errors.append(f"pageerror: {e}"))
        page.on("console", lambda m: d.errors.append(f"console: {m.text}") if _is_bug(m) else None)
        if not popups:
            _dismiss_notifications(page)
        if sign_in:
            r = ctx.request.post("/api/v1/auth/login", data={"username": username, "password": PASSWORD})
            assert r.ok, r.text()
            if ack_pending:  # popups left by other tests would cover this one's page
                server.ack_pending(username)
        return d

    yield open_desk
    for ctx in contexts:
        ctx.close()
