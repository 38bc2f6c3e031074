"""Tests for bench/loadclient.py against tiny stdlib asyncio HTTP servers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from bench import loadclient as lc

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "tok-123"


class TinyServer:
    """HTTP/1.1 server with a few reply styles.

    mode: "length" (Content-Length), "chunked", "close" (Connection: close, then close),
    "close_silent" (closes after each reply without saying so), "hang" (never replies).
    """

    def __init__(self, mode: str, *, require_auth: bool = False) -> None:
        self.mode = mode
        self.require_auth = require_auth
        self.requests = 0
        self.connections = 0
        self.targets: list[str] = []
        self.port = 0

    def route(self, method: str, target: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        path = urlsplit(target).path
        if path == "/api/v1/auth/token":
            creds = json.loads(body)
            if creds == {"username": "u", "password": "p"}:
                return 200, json.dumps({"access_token": TOKEN, "token_type": "bearer"}).encode()
            return 401, b'{"detail":"bad credentials"}'
        if self.require_auth and headers.get("authorization") != f"Bearer {TOKEN}":
            return 401, b'{"detail":"not authenticated"}'
        if path == "/fail":
            return 500, b'{"detail":"boom: something broke"}'
        if method == "POST":
            return 201, b'{"id": 1}'
        return 200, b'{"status":"ok","items":[]}'

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, _version = lines[0].split(" ")
                headers = {}
                for line in lines[1:]:
                    if line:
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.requests += 1
                self.targets.append(target)
                if self.mode == "hang":
                    await asyncio.sleep(30)
                    return
                status, payload = self.route(method, target, headers, body)
                head_lines = [f"HTTP/1.1 {status} X", "Content-Type: application/json"]
                if self.mode == "chunked":
                    half = len(payload) // 2
                    head_lines.append("Transfer-Encoding: chunked")
                    out = (
                        f"{half:x};ext=1\r\n".encode()
                        + payload[:half]
                        + b"\r\n"
                        + f"{len(payload) - half:X}\r\n".encode()
                        + payload[half:]
                        + b"\r\n"
                        + b"0\r\nX-Trailer: yes\r\n\r\n"
                    )
                else:
                    head_lines.append(f"Content-Length: {len(payload)}")
                    out = payload
                if self.mode == "close":
                    head_lines.append("Connection: close")
                writer.write(("\r\n".join(head_lines) + "\r\n\r\n").encode() + out)
                await writer.drain()
                if self.mode in ("close", "close_silent"):
                    return
        finally:
            writer.close()


@contextlib.asynccontextmanager
async def serving(server: TinyServer) -> AsyncIterator[TinyServer]:
    srv = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    server.port = srv.sockets[0].getsockname()[1]
    try:
        yield server
    finally:
        srv.close()


def hello(path: str = "/api/v1/health") -> lc.Scenario:
    return lc.build_scenario("hello", lc.ScenarioOptions(path=path))


def assert_ordered(summary: dict[str, Any]) -> None:
    p50, p90, p99, mx = (float(summary[k]) for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms"))
    assert 0 < p50 <= p90 <= p99 <= mx


@pytest.mark.parametrize("mode", ["length", "chunked", "close", "close_silent"])
def test_counts_and_percentiles(mode: str) -> None:
    async def go() -> tuple[lc.LoadResult, TinyServer]:
        async with serving(TinyServer(mode)) as server:
            result = await lc.run_load(
                "127.0.0.1", server.port, hello(), requests=300, concurrency=4, warmup=20, time_limit=10
            )
            return result, server

    result, server = asyncio.run(go())
    summary = result.summary()
    assert result.requests == 300 and summary["requests"] == 300
    assert result.errors == 0 and result.first_error is None
    assert summary["status"] == {"200": 300}
    assert len(result.latencies_ms) == 300
    assert result.warmup_requests == 20
    assert server.requests == 320  # warm-up + measured, no retries counted twice
    assert not result.timed_out
    assert summary["concurrency"] == 4 and summary["rps"] > 0
    assert_ordered(summary)
    if mode in ("length", "chunked"):
        assert result.connects == 4  # persistent keep-alive connections
    else:
        assert result.connects == server.connections == 320  # one connection per request


def test_unexpected_status_is_an_error() -> None:
    async def go() -> lc.LoadResult:
        async with serving(TinyServer("chunked")) as server:
            return await lc.run_load("127.0.0.1", server.port, hello("/fail"), requests=50, concurrency=4, warmup=5)

    result = asyncio.run(go())
    assert result.requests == 50
    assert result.errors == 50
    assert result.status == {"500": 50}
    assert result.error_kinds == {"http_500": 50}
    assert result.first_error is not None and "boom: something broke" in result.first_error
    assert result.warmup_errors == 5


def test_token_login_and_bearer_header() -> None:
    async def go() -> tuple[str, lc.LoadResult, lc.LoadResult]:
        async with serving(TinyServer("length", require_auth=True)) as server:
            token = await lc.fetch_token("127.0.0.1", server.port, "u", "p")
            ok = await lc.run_load(
                "127.0.0.1",
                server.port,
                hello(),
                requests=40,
                concurrency=2,
                warmup=0,
                headers={"Authorization": f"Bearer {token}"},
            )
            denied = await lc.run_load("127.0.0.1", server.port, hello(), requests=10, concurrency=2, warmup=0)
            with pytest.raises(RuntimeError, match="login failed"):
                await lc.fetch_token("127.0.0.1", server.port, "u", "wrong")
            return token, ok, denied

    token, ok, denied = asyncio.run(go())
    assert token == TOKEN
    assert ok.errors == 0 and ok.status == {"200": 40}
    assert denied.errors == 10 and denied.status == {"401": 10}


def test_time_limit_stops_a_hung_server() -> None:
    async def go() -> lc.LoadResult:
        async with serving(TinyServer("hang")) as server:
            return await lc.run_load(
                "127.0.0.1", server.port, hello(), requests=100, concurrency=2, warmup=0, time_limit=0.2
            )

    result = asyncio.run(go())
    assert result.timed_out
    assert result.requests == 0 < result.target_requests
    assert result.elapsed_s < 2


def test_per_request_timeout_counts_as_error() -> None:
    async def go() -> lc.LoadResult:
        async with serving(TinyServer("hang")) as server:
            return await lc.run_load(
                "127.0.0.1", server.port, hello(), requests=2, concurrency=2, warmup=0, timeout=0.1
            )

    result = asyncio.run(go())
    assert result.requests == 2
    assert result.errors == 2 and result.error_kinds == {"timeout": 2}


@pytest.mark.parametrize("host", ["10.0.0.1", "192.168.1.20", "8.8.8.8", "example.com", "::2", "0.0.0.0"])
def test_non_loopback_host_is_refused(host: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(lc.NonLoopbackHostError):
        lc.check_loopback(host)
    with pytest.raises(lc.NonLoopbackHostError):
        asyncio.run(lc.run_load(host, 80, hello(), requests=1))
    assert lc.main(["--host", host, "--port", "80", "-n", "1"]) == 2
    assert "refusing host" in capsys.readouterr().err


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]"])
def test_loopback_hosts_are_accepted(host: str) -> None:
    lc.check_loopback(host)


def test_scenarios_produce_valid_requests(tmp_path: Path) -> None:
    phones = tmp_path / "phones.txt"
    phones.write_text("13800138000\n\n# comment\n15912345678\n", encoding="utf-8")
    opts = lc.ScenarioOptions(
        categories=["RP-GAS-NOGAS", "RP-ELEC-OUTAGE"],
        max_customer=7,
        unit_ids=["3", "9"],
        max_order=5,
        phones=lc._read_phones(str(phones)),
        seed=42,
    )
    assert opts.phones == ["13800138000", "15912345678"]

    reg = lc.build_scenario("register", opts)
    assert reg.expect == {201}
    for i in range(200):
        method, path, headers, body = reg.make(i)
        assert (method, path) == ("POST", "/api/v1/work-orders")
        assert headers["Content-Type"] == "application/json"
        data = json.loads(body)
        assert set(data) == {"type", "category", "description", "channel", "contact_phone", "customer_id"}
        assert data["type"] == "repair" and data["channel"] == "phone"
        assert data["category"] in opts.categories
        assert re.fullmatch(r"1[3-9]\d{9}", data["contact_phone"])
        assert 1 <= data["customer_id"] <= 7
        assert re.search(r"[\u4e00-\u9fff]", data["description"])

    lst = lc.build_scenario("list", opts)
    method, path, _, body = lst.make(0)
    query = parse_qs(urlsplit(path).query)
    assert (method, urlsplit(path).path, body) == ("GET", "/api/v1/work-orders", b"")
    assert query["unit_id"][0] in {"3", "9"} and query["state"] == ["open"] and query["page_size"] == ["50"]

    get = lc.build_scenario("get", opts)
    ids = {int(get.make(i)[1].rsplit("/", 1)[1]) for i in range(200)}
    assert ids <= set(range(1, 6)) and len(ids) > 1

    phone = lc.build_scenario("phone", opts)
    assert {phone.make(i)[1] for i in range(100)} == {
        "/api/v1/customers?q=13800138000",
        "/api/v1/customers?q=15912345678",
    }

    addr = lc.build_scenario("address", opts)
    paths = {addr.make(i)[1] for i in range(200)}
    assert all(p.isascii() and p.startswith("/api/v1/customers?q=%") for p in paths)
    assert {unquote(p.split("q=", 1)[1]) for p in paths} == set(lc.DEFAULT_FRAGMENTS)

    with pytest.raises(ValueError, match="phones-file"):
        lc.build_scenario("phone", lc.ScenarioOptions())
    with pytest.raises(ValueError, match="unknown scenario"):
        lc.build_scenario("nope")


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert lc.percentile(values, 50) == 50.0
    assert lc.percentile(values, 90) == 90.0
    assert lc.percentile(values, 99) == 99.0
    assert lc.percentile(values, 100) == 100.0
    assert lc.percentile([], 50) == 0.0
    assert lc.percentile([3.0], 99) == 3.0


def test_cli_json_output_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    async def go() -> tuple[int, int, int]:
        async with serving(TinyServer("length", require_auth=True)) as server:
            common = ["--port", str(server.port), "-n", "60", "-c", "3", "--warmup", "5", "--json"]
            ok = await asyncio.to_thread(lc.main, [*common, "--username", "u", "--password", "p"])
            failing = await asyncio.to_thread(lc.main, [*common, "--token", TOKEN, "--path", "/fail"])
            allowed = await asyncio.to_thread(lc.main, [*common, "--token", TOKEN, "--path", "/fail", "--allow-errors"])
            return ok, failing, allowed

    ok, failing, allowed = asyncio.run(go())
    assert (ok, failing, allowed) == (0, 1, 0)
    captured = capsys.readouterr()
    lines = captured.out.strip().splitlines()
    assert len(lines) == 6  # human line + JSON line per run
    first = json.loads(lines[1])
    assert first["scenario"] == "hello" and first["requests"] == 60 and first["concurrency"] == 3
    assert first["status"] == {"200": 60} and first["errors"] == 0
    assert_ordered(first)
    assert json.loads(lines[3])["errors"] == 60
    assert "first error:" in captured.err and "boom" in captured.err


@pytest.mark.parametrize("argv", [["-m", "bench.loadclient"], ["bench/loadclient.py"]])
def test_help_runs(argv: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, *argv, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=20, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "--scenario" in proc.stdout and "--allow-errors" in proc.stdout
