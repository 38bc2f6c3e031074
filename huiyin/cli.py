"""``huiyin serve | db upgrade | demo | user create | user set-password``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from alembic import command
from alembic.config import Config

from huiyin.db import normalize_url
from huiyin.settings import Settings, get_settings
from huiyin.wiring import open_database

app = typer.Typer(help="Huiyin 回音: customer-service hotline and work-order platform", no_args_is_help=True)
db_app = typer.Typer(help="Database commands", no_args_is_help=True)
user_app = typer.Typer(help="User accounts", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
cti_app = typer.Typer(help="CTI integrations (the phone system's credentials)", no_args_is_help=True)
app.add_typer(cti_app, name="cti")
wechat_app = typer.Typer(help="WeChat official accounts (公众号) the centre is written to", no_args_is_help=True)
app.add_typer(wechat_app, name="wechat")
kb_app = typer.Typer(help="The knowledge base", no_args_is_help=True)
app.add_typer(kb_app, name="kb")
kpis_app = typer.Typer(help="The KPI layer's interval rollups", no_args_is_help=True)
app.add_typer(kpis_app, name="kpis")

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@contextmanager
def cli_session(write: bool = True) -> Iterator[Session]:
    """A session on the configured database for one command: a domain error is printed as
    ``error: …`` and ends the command with status 1; the engine is disposed either way."""
    from huiyin.errors import HuiyinError

    db = open_database(get_settings())
    try:
        with db.session(write=write) as session:
            yield session
    except HuiyinError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    finally:
        db.dispose()


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["url"] = normalize_url(url)
    return cfg


def upgrade_database(url: str) -> None:
    """Migrates to head and adds missing reference data."""
    from huiyin.seed import ensure_reference_data
    from huiyin.settings import Settings

    command.upgrade(alembic_config(url), "head")
    db = open_database(Settings(database_url=url))
    with db.session() as session:
        ensure_reference_data(session)
    db.dispose()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply migrations and reference data."""
    settings = get_settings()
    upgrade_database(settings.database_url)
    typer.echo(f"database is at head: {settings.database_url}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
    forwarded_allow_ips: Annotated[
        str, typer.Option(help="proxies whose X-Forwarded-For/-Proto are believed (comma-separated, or '*')")
    ] = "127.0.0.1",
) -> None:
    """Serve the API (and the web app) with uvicorn. Behind a reverse proxy, name it in
    ``--forwarded-allow-ips`` so that the client's address (sign-in throttling, the audit) and scheme (the
    Secure cookie) are the person's, not the proxy's (docs/security.md)."""
    import uvicorn

    from huiyin.core.logredact import log_config

    if workers > 1 and get_settings().is_sqlite:
        typer.echo(
            "warning: SQLite lets one process write at a time and makes the others sleep-wait on its file "
            "lock; with several workers registrations slow down. Use one worker, or PostgreSQL.",
            err=True,
        )

    uvicorn.run(
        "huiyin.app:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,  # no request lines
        log_config=log_config(),  # and no credential in the lines that remain (a socket's ?token=)
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
    )


@app.command()
def worker(
    once: Annotated[
        bool, typer.Option("--once", help="one tick (fire what is due, deliver what is due), then exit")
    ] = False,
) -> None:
    """Fire due deadlines and deliver notifications (run several side by side on PostgreSQL)."""
    import logging
    import signal
    import threading

    from huiyin.worker import Worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = get_settings()
    db = open_database(settings)
    w = Worker(db, settings)
    try:
        if once:
            typer.echo(w.tick())
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        w.run(stop)
    finally:
        db.dispose()


@app.command("fake-gateway")
def fake_gateway(
    port: Annotated[int, typer.Option(help="port")] = 9100,
    host: Annotated[str, typer.Option(help="address to bind")] = "127.0.0.1",
    token: Annotated[str | None, typer.Option(help="require this bearer token")] = None,
    inbound_url: Annotated[
        str | None, typer.Option(help="where customers' replies go (Huiyin's /api/v1/sms/inbound)")
    ] = None,
    inbound_token: Annotated[str | None, typer.Option(help="the token Huiyin expects for replies")] = None,
) -> None:
    """A fake SMS / voice gateway (the HTTP contract of docs/notifications.md) for tests and demos;
    ``POST /_reply {"from", "text"}`` posts a customer's reply to ``--inbound-url``."""
    import uvicorn

    from huiyin.notify.fake_gateway import create_fake_gateway

    app = create_fake_gateway(token, inbound_url=inbound_url, inbound_token=inbound_token)
    uvicorn.run(app, host=host, port=port, log_level="warning")


@app.command("fake-pbx")
def fake_pbx(
    port: Annotated[int, typer.Option(help="port")] = 9200,
    host: Annotated[str, typer.Option(help="address to bind")] = "127.0.0.1",
    cti_url: Annotated[str | None, typer.Option(help="Huiyin's CTI endpoint with its token")] = None,
    secret: Annotated[str | None, typer.Option(help="require this bearer secret on /dial")] = None,
) -> None:
    """A fake PBX (click-to-call at /dial, inbound calls at /inbound; see docs/cti.md) for tests and demos."""
    import uvicorn

    from huiyin.calls.fake_pbx import create_fake_pbx

    uvicorn.run(create_fake_pbx(cti_url, secret), host=host, port=port, log_level="warning")


@cti_app.command("create")
def cti_create(name: str) -> None:
    """Create a CTI integration and print its token (shown this once) and endpoint path."""
    from huiyin.calls.service import do_create_integration

    with cli_session() as session:
        integration, token = do_create_integration(session, name, None)
        typer.echo(f"created CTI integration {integration.name} (id {integration.id})")
        typer.echo(f"token: {token}")
        typer.echo(f"endpoint: /api/v1/cti/{token}")


@wechat_app.command("create")
def wechat_create(
    name: str,
    token: Annotated[str, typer.Option(help="the token set in the official account's server settings")],
    appid: Annotated[str | None, typer.Option(help="AppID (for replies through the API and safe mode)")] = None,
    secret: Annotated[str | None, typer.Option(help="AppSecret")] = None,
    aes_key: Annotated[str | None, typer.Option("--aes-key", help="EncodingAESKey: safe mode")] = None,
) -> None:
    """Create an official-account integration and print the callback URL to save in WeChat."""
    from huiyin.channels.accounts import callback_url, do_create_account

    with cli_session() as session:
        acc = do_create_account(
            session, "wechat", name, {"token": token, "appid": appid, "secret": secret, "aes_key": aes_key}
        )
        typer.echo(f"created WeChat integration {acc.name} (id {acc.id}, {'safe' if aes_key else 'plain'} mode)")
        typer.echo(f"callback URL: {callback_url(get_settings().surveys.public_url, acc.name)}")


@wechat_app.command("menu")
def wechat_menu(
    name: str,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="print the menu, do not send it")] = False,
) -> None:
    """Create the official account's custom menu (自助服务, 缴费服务, 联系我们; its pages under the public URL)
    through WeChat's API (menu/create) and print WeChat's answer; a refusal is an error (status 1)."""
    from sqlalchemy import select

    from huiyin.channels import wechat
    from huiyin.channels.jobs import wechat_account
    from huiyin.channels.models import ChannelAccount

    with cli_session(write=False) as session:
        acc = session.scalar(select(ChannelAccount).where(ChannelAccount.kind == "wechat", ChannelAccount.name == name))
        config = dict(acc.config) if acc is not None else None
    if config is None:
        typer.echo(f"error: no WeChat integration named {name!r} (huiyin wechat create)", err=True)
        raise typer.Exit(1)
    menu = wechat.default_menu(get_settings().surveys.public_url)
    if dry_run:
        typer.echo(json.dumps(menu, ensure_ascii=False, indent=2))
        return
    if not config.get("appid") or not config.get("secret"):
        typer.echo(f"error: the integration {name} has no AppID and AppSecret: WeChat's API cannot be called", err=True)
        raise typer.Exit(1)
    try:
        answer = wechat.WechatApi(wechat_account(config)).create_menu(menu)
    except wechat.WechatApiError as exc:
        if exc.errcode is None:
            typer.echo(f"error: WeChat could not be reached: {exc.errmsg}", err=True)
        else:
            typer.echo(f"error: WeChat refused the menu: errcode {exc.errcode}: {exc.errmsg}", err=True)
        raise typer.Exit(1) from None
    typer.echo(json.dumps(answer, ensure_ascii=False))
    typer.echo(f"menu of {len(menu['button'])} buttons created for {name}: followers see it within minutes")


@kb_app.command("load-faq")
def kb_load_faq() -> None:
    """Load the seeded FAQ (categories, synonyms, ~100 public FAQs) where missing."""
    from huiyin.knowledge.seed import do_load_faq

    with cli_session() as session:
        typer.echo(f"{do_load_faq(session)} FAQs added")


@cti_app.command("list")
def cti_list() -> None:
    """List the CTI integrations (token hints only)."""
    from sqlalchemy import select

    from huiyin.calls.models import CtiIntegration

    with cli_session(write=False) as session:
        for i in session.scalars(select(CtiIntegration).order_by(CtiIntegration.id)):
            status = f"revoked {i.revoked_at:%Y-%m-%d %H:%M}" if i.revoked_at else "active"
            typer.echo(f"{i.id}\t{i.name}\t{i.token_hint}…\t{status}")


@cti_app.command("revoke")
def cti_revoke(name: str) -> None:
    """Revoke a CTI integration's token by name: its events are refused (401) from now on."""
    from sqlalchemy import select

    from huiyin.calls.models import CtiIntegration
    from huiyin.calls.service import do_revoke_integration
    from huiyin.errors import NotFound

    with cli_session() as session:
        found = session.scalar(select(CtiIntegration).where(CtiIntegration.name == name))
        if found is None:
            raise NotFound(f"no CTI integration named {name!r}", code="calls.no_integration")
        do_revoke_integration(session, found)
        typer.echo(f"revoked CTI integration {name}")


@kpis_app.command("rebuild")
def kpis_rebuild() -> None:
    """Make the KPI rollups again from the call records (the calls are the truth; this is always safe)."""
    import time

    from huiyin.clock import now
    from huiyin.performance import orders, states
    from huiyin.performance.rollups import do_rebuild

    started = time.perf_counter()
    with cli_session() as session:
        slots = do_rebuild(session, now(), Settings().timezone)
    typer.echo(f"rebuilt the call rollups: {slots} slots of 15 minutes in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with cli_session() as session:
        days = orders.do_rebuild(session, now(), Settings().timezone)
    typer.echo(f"rebuilt the order rollup: {days} days in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with cli_session() as session:
        slots = states.do_rebuild(session, now(), Settings().timezone)
    typer.echo(f"rebuilt the agent-state rollup: {slots} slots in {time.perf_counter() - started:.1f} s")


@kpis_app.command("replay-warnings")
def kpis_replay_warnings(
    days: Annotated[int, typer.Option(help="the last N days of history")] = 90,
    end: Annotated[
        str | None, typer.Option(help="the day after the last one replayed (ISO date; default today)")
    ] = None,
) -> None:
    """Run the early-warning rules over history, writing nothing: what would have warned, slot by slot, and how
    many per rule and per week (the false-alarm rate of docs/kpis.md)."""
    from collections import Counter
    from datetime import date, datetime, time
    from zoneinfo import ZoneInfo

    from huiyin.performance import early_warning
    from huiyin.performance.models import SLOT_SECONDS

    settings = Settings()
    tz = ZoneInfo(settings.timezone)
    last = date.fromisoformat(end) if end else datetime.now(tz).date()
    stop = int(datetime.combine(last, time(), tz).timestamp()) // SLOT_SECONDS
    first = stop - days * 96
    with cli_session(write=False) as session:
        found = early_warning.replay(session, first, stop, settings.kpis, settings.cti.short_abandon_seconds)
    for f in found:
        at = early_warning.slot_start(f.slot).astimezone(tz)
        typer.echo(f"{at:%Y-%m-%d %a %H:%M}\t{f.rule}\t{f.label}\t{f.value:g}\tmedian {f.baseline}\tz {f.score}")
    per_rule = Counter(f.rule for f in found)
    typer.echo(
        f"{len(found)} warnings in {days} days ({days * 96} slots): "
        + ", ".join(f"{rule} {n} ({n / (days / 7):.2f} a week)" for rule, n in sorted(per_rule.items()))
    )


@kpis_app.command("check")
def kpis_check() -> None:
    """Compare the kept rollups with ones made afresh from the calls; exits 1 on a difference."""
    from huiyin.performance import orders, states
    from huiyin.performance.rollups import differences

    with cli_session(write=False) as session:
        tz = Settings().timezone
        diff = differences(session, tz) + orders.differences(session, tz) + states.differences(session, tz)
    for line in diff[:20]:
        typer.echo(line)
    if diff:
        typer.echo(f"{len(diff)} rollup rows differ from the calls")
        raise typer.Exit(1)
    typer.echo("the rollups equal the calls")


@app.command()
def openapi(
    out: Annotated[Path | None, typer.Option(help="write to this file instead of standard output")] = None,
) -> None:
    """Print the OpenAPI document (the web app's API types are generated from it)."""
    from huiyin.app import create_app

    text = json.dumps(create_app(Settings()).openapi(), ensure_ascii=False, indent=1)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")


@app.command()
def demo(
    customers: Annotated[int, typer.Option(help="number of customers")] = 10_000,
    orders: Annotated[int, typer.Option(help="number of work orders")] = 3_000,
    if_empty: Annotated[bool, typer.Option("--if-empty", help="do nothing when users exist")] = False,
) -> None:
    """Build a believable demo city: units, areas, customers, orders and one user per role."""
    from huiyin.demo.build import DEMO_PASSWORD, build_demo, database_is_empty

    settings = get_settings()
    db = open_database(settings)
    try:
        if if_empty and not database_is_empty(db):
            typer.echo("demo: database already has users, leaving it as it is")
            return
        summary = build_demo(db, customers=customers, orders=orders)
        typer.echo(summary)
        typer.echo(
            f"demo logins (password '{DEMO_PASSWORD}'): agent dispatcher unit_handler duty_manager "
            "floor_manager supervisor director qa_inspector admin"
        )
    finally:
        db.dispose()


@user_app.command("create")
def user_create(
    username: str,
    password: Annotated[str, typer.Option(help="password")],
    role: Annotated[list[str], typer.Option(help="role; repeat for several")],
    unit: Annotated[str | None, typer.Option(help="unit code (needed for unit_handler)")] = None,
    full_name: Annotated[str, typer.Option(help="display name")] = "",
) -> None:
    """Create a user."""
    from huiyin.auth.service import check_new_user, do_create_user

    with cli_session() as session:
        unit_row = check_new_user(session, username, role, unit)
        user = do_create_user(session, username, password, role, unit=unit_row, full_name=full_name)
        typer.echo(f"created user {user.username} (id {user.id}) with roles {', '.join(user.roles)}")


@user_app.command("set-password")
def user_set_password(username: str, password: Annotated[str, typer.Option(help="new password")]) -> None:
    """Set a user's password (signs out their browser sessions)."""
    from huiyin.auth.service import do_set_password, get_user_by_username

    with cli_session() as session:
        do_set_password(session, get_user_by_username(session, username), password)
    typer.echo(f"password set for {username}")
