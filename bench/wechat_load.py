"""Inbound WeChat under load (issue 19): 300 messages a second acknowledged within WeChat's 5 s, p99 under
200 ms; the bot's answers (``POST /bot/ask``) p99 under 150 ms; knowledge-base search over HTTP.

    python -m bench.wechat_load --url postgresql://postgres@127.0.0.1/huiyin_wechat_bench --rate 300 --seconds 60
    python -m bench.wechat_load --url sqlite:///bench/out/wechat.db --rate 300 --seconds 60

1. **Data**: a fresh database, migrated, the reference data and the seeded FAQ (100 FAQs, 107 synonym groups),
   one official account (plain mode; ``--safe`` for AES), the bot answering first (mode ``always``): every
   message is a bot turn (the matcher, the conversation, the answer stored), the heaviest path a message
   takes.
2. **Processes**: ``huiyin serve`` (``--workers`` processes on PostgreSQL, with a ``huiyin worker`` beside
   it; one process with the embedded worker on SQLite).
3. **Load**: ``--rate`` messages a second for ``--seconds``, each a WeChat text message from one of
   ``--followers`` openids, signed as WeChat signs them (and encrypted with ``--safe``), the question drawn
   from the bot's dev set; 1 % are posted a second time with the same MsgId (WeChat's retry), which must be
   stored once. An open loop: a slow answer does not slow the pace.
   Then ``--ask-rate`` ``POST /bot/ask`` a second and ``--search-rate`` ``GET /kb/search`` a second for
   ``--seconds`` / 2 each.
4. **Measured**: latency per kind (p50/p90/p99/max), errors, answers over 5 s, replies that carried the
   bot's answer, inbound messages stored against distinct MsgIds sent.

One JSON line per run is appended to ``--out``; ``docs/benchmarks.md`` has the results.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from bench.cti_load import _summary
from bench.kb_search import _fresh
from bench.loadclient import HttpConnection, ProtocolError, Response
from bench.outage_flood import _wait_http, stop

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent / "huiyin"
OUT = ROOT / "bench" / "out"
TOKEN = "benchtoken"
APPID = "wx_bench_appid"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
CONCURRENT = 64


@dataclass
class Options:
    url: str
    rate: float
    seconds: float
    followers: int
    port: int
    workers: int
    safe: bool
    ask_rate: float
    search_rate: float
    out: Path
    drain_limit: float = 600

    @property
    def sqlite(self) -> bool:
        return self.url.startswith("sqlite")


def prepare(opts: Options) -> None:
    from huiyin.bot.service import BotSettings, do_save_settings
    from huiyin.channels.accounts import do_create_account
    from huiyin.cli import upgrade_database
    from huiyin.db import Database
    from huiyin.knowledge.seed import do_load_faq
    from huiyin.seed import ensure_reference_data
    from huiyin.settings import Settings

    _fresh(opts.url)
    settings = Settings(database_url=opts.url)
    upgrade_database(settings.database_url)
    db = Database(settings)
    with db.session() as s:
        ensure_reference_data(s)
        do_load_faq(s)
        config = {"token": TOKEN, "appid": APPID, "secret": "x"}
        if opts.safe:
            config["aes_key"] = AES_KEY
        do_create_account(s, "wechat", "bench", config)

        class System:
            id = 0

        do_save_settings(s, System(), BotSettings(mode="always").model_dump())  # type: ignore[arg-type]
    db.dispose()


def start(opts: Options) -> list[Any]:
    import subprocess

    OUT.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "HUIYIN_DATABASE_URL": opts.url,
        "HUIYIN_WORKER__EMBEDDED": "true" if opts.sqlite else "false",
        "HUIYIN_KPIS__REFRESH_SECONDS": "60",
    }
    workers = 1 if opts.sqlite else opts.workers
    server = subprocess.Popen(
        [str(BIN), "serve", "--host", "127.0.0.1", "--port", str(opts.port), "--workers", str(workers)],
        env=env,
        stdout=open(OUT / "wechat-server.log", "wb"),  # noqa: SIM115 (the process keeps it)
        stderr=subprocess.STDOUT,
    )
    procs = [server]
    _wait_http(f"http://127.0.0.1:{opts.port}/api/v1/health", server)
    if not opts.sqlite:
        procs.append(
            subprocess.Popen(
                [str(BIN), "worker"],
                env=env,
                stdout=open(OUT / "wechat-worker.log", "wb"),  # noqa: SIM115 (the process keeps it)
                stderr=subprocess.STDOUT,
            )
        )
    return procs


def _sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def signed(xml: str, safe: bool) -> tuple[dict[str, str], str]:
    """The query string and body WeChat posts for ``xml`` (built here so that the load costs no framework)."""
    timestamp, nonce = str(int(time.time())), str(random.randrange(10**9))
    query = {"signature": _sign(TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
    if not safe:
        return query, xml
    from wechatpy.crypto import PrpCrypto, WeChatCrypto

    key = WeChatCrypto(TOKEN, AES_KEY, APPID).key
    encrypt = PrpCrypto(key).encrypt(xml, APPID).decode()
    query["encrypt_type"] = "aes"
    query["msg_signature"] = _sign(TOKEN, timestamp, nonce, encrypt)
    return query, f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"


def text_xml(openid: str, content: str, msg_id: int) -> str:
    return (
        f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )


@dataclass
class Tally:
    lat: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    over_5s: int = 0
    answered: int = 0
    sent_ids: set[int] = field(default_factory=set)

    def add(self, kind: str, ms: float) -> None:
        self.lat.setdefault(kind, []).append(ms)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


async def _paced(rate: float, seconds: float, fire: Any) -> None:
    t0 = time.perf_counter()
    tasks = []
    for i in range(int(rate * seconds)):
        delay = t0 + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(fire(i)))
    await asyncio.gather(*tasks)


class Pool:
    """``CONCURRENT`` keep-alive connections of the standard-library client (``bench.loadclient``): httpx spent
    most of a core at 300 requests a second, on a machine of two that the server shares."""

    def __init__(self, port: int) -> None:
        self.free: asyncio.Queue[HttpConnection] = asyncio.Queue()
        for _ in range(CONCURRENT):
            self.free.put_nowait(HttpConnection("127.0.0.1", port))

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> Response:
        conn = await self.free.get()
        try:
            return await conn.request(method, path, headers, body)
        except BaseException:
            conn.close()
            raise
        finally:
            self.free.put_nowait(conn)

    async def close(self) -> None:
        while not self.free.empty():
            await self.free.get_nowait().aclose()


async def run_load(opts: Options, questions: list[str]) -> Tally:
    base = "/api/v1"
    tally = Tally()
    rng = random.Random(19)
    # at most CONCURRENT requests in flight; a request's time is counted from when it was due, so a wait for a
    # free connection counts too
    pool = Pool(opts.port)
    xml_type = {"Content-Type": "text/xml"}
    json_type = {"Content-Type": "application/json"}
    try:

        async def post(kind: str, xml: str) -> None:
            query, body = signed(xml, opts.safe)
            t = time.perf_counter()
            try:
                path = f"{base}/channels/wechat/bench?{urlencode(query)}"
                r = await pool.request("POST", path, xml_type, body.encode())
            except (OSError, ProtocolError) as exc:
                tally.error(f"{kind}: {type(exc).__name__}")
                return
            ms = (time.perf_counter() - t) * 1000
            tally.add(kind, ms)
            if ms > 5000:
                tally.over_5s += 1
            if r.status != 200:
                tally.error(f"{kind}: {r.status}")
            elif r.body != b"success" and kind == "wechat":
                tally.answered += 1

        async def message(i: int) -> None:
            msg_id = 6_000_000_000_000_000_000 + i
            openid = f"o_bench_{rng.randrange(opts.followers):06d}"
            xml = text_xml(openid, rng.choice(questions), msg_id)
            tally.sent_ids.add(msg_id)
            await post("wechat", xml)
            if i % 100 == 7:  # WeChat's retry of the same MsgId
                await post("wechat_retry", xml)

        await _paced(opts.rate, opts.seconds, message)

        async def ask(i: int) -> None:
            t = time.perf_counter()
            body = json.dumps({"text": rng.choice(questions)}).encode()
            try:
                r = await pool.request("POST", f"{base}/bot/ask", json_type, body)
                tally.add("bot_ask", (time.perf_counter() - t) * 1000)
                if r.status != 200:
                    tally.error(f"bot_ask: {r.status}")
            except (OSError, ProtocolError) as exc:
                tally.error(f"bot_ask: {type(exc).__name__}")

        await _paced(opts.ask_rate, opts.seconds / 2, ask)

        async def search(i: int) -> None:
            t = time.perf_counter()
            try:
                r = await pool.request("GET", f"{base}/kb/public/search?{urlencode({'q': rng.choice(questions)})}", {})
                tally.add("kb_search", (time.perf_counter() - t) * 1000)
                if r.status != 200:
                    tally.error(f"kb_search: {r.status}")
            except (OSError, ProtocolError) as exc:
                tally.error(f"kb_search: {type(exc).__name__}")

        await _paced(opts.search_rate, opts.seconds / 2, search)
    finally:
        await pool.close()
    return tally


def inbox_pending(opts: Options) -> int:
    from sqlalchemy import func, select

    from huiyin.channels.models import ChannelInbox
    from huiyin.db import Database
    from huiyin.settings import Settings

    db = Database(Settings(database_url=opts.url))
    with db.session(write=False) as s:
        n = s.scalar(select(func.count()).where(ChannelInbox.state == "pending"))
    db.dispose()
    return int(n or 0)


def drain(opts: Options, limit: float = 600) -> float:
    """Seconds until the worker has taken in every stored message (the bot's answers then leave)."""
    t0 = time.perf_counter()
    while inbox_pending(opts) and time.perf_counter() - t0 < limit:
        time.sleep(0.5)
    return round(time.perf_counter() - t0, 1)


async def warm(opts: Options, questions: list[str]) -> None:
    """A few messages and questions per server process before the clock starts, as a running centre is."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{opts.port}/api/v1", timeout=60) as client:
        for i in range(40):
            query, body = signed(text_xml(f"o_warm_{i}", questions[i % len(questions)], 5_000_000 + i), opts.safe)
            await client.post("/channels/wechat/bench", params=query, content=body.encode())
            await client.post("/bot/ask", json={"text": questions[i % len(questions)]})
            await client.get("/kb/public/search", params={"q": questions[i % len(questions)]})


def stored(opts: Options) -> int:
    from sqlalchemy import func, select

    from huiyin.channels.models import ChannelMessage
    from huiyin.db import Database
    from huiyin.settings import Settings

    db = Database(Settings(database_url=opts.url))
    with db.session(write=False) as s:
        n = s.scalar(select(func.count()).where(ChannelMessage.channel == "wechat", ChannelMessage.direction == "in"))
    db.dispose()
    return int(n or 0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True)
    ap.add_argument("--rate", type=float, default=300)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--followers", type=int, default=5000)
    ap.add_argument("--port", type=int, default=8071)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--safe", action="store_true", help="safe mode (AES) as most official accounts run")
    ap.add_argument("--ask-rate", type=float, default=100)
    ap.add_argument("--search-rate", type=float, default=100)
    ap.add_argument("--out", type=Path, default=OUT / "wechat_load.jsonl")
    ap.add_argument("--drain-limit", type=float, default=600, help="seconds to wait for the worker afterwards")
    a = ap.parse_args()
    opts = Options(
        a.url,
        a.rate,
        a.seconds,
        a.followers,
        a.port,
        a.workers,
        a.safe,
        a.ask_rate,
        a.search_rate,
        a.out,
        a.drain_limit,
    )
    questions = [json.loads(line)["q"] for line in (ROOT / "bench" / "data" / "bot_dev.jsonl").open()]
    prepare(opts)
    procs = start(opts)
    try:
        asyncio.run(warm(opts, questions))
        drain(opts)
        t0 = time.perf_counter()
        tally = asyncio.run(run_load(opts, questions))
        elapsed = time.perf_counter() - t0
        print(json.dumps({k: _summary(v) for k, v in tally.lat.items()}), file=sys.stderr, flush=True)
        drained = drain(opts, limit=opts.drain_limit)
    finally:
        stop(procs)
    result = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "url": opts.url.split("@")[-1],
        "rate": opts.rate,
        "seconds": opts.seconds,
        "safe": opts.safe,
        "workers": 1 if opts.sqlite else opts.workers,
        "elapsed": round(elapsed, 1),
        **{k: _summary(v) for k, v in tally.lat.items()},
        "errors": tally.errors,
        "over_5s": tally.over_5s,
        "answered_in_reply": tally.answered,
        "distinct_sent": len(tally.sent_ids),
        "stored": stored(opts) - 40,  # the warm-up's messages are not the load's
        "inbox_drained_after_s": drained,  # = the limit: not drained; see "pending"
        "pending": inbox_pending(opts),
    }
    print(json.dumps(result, ensure_ascii=False))
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    with opts.out.open("a") as f:
        f.write(json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
