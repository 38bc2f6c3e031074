"""Small HTTP/1.1 load client for benchmarking Huiyin on loopback.

Standard library only (asyncio streams), so that the client costs as little CPU
as possible when it shares a small machine with the server under test.

* Loopback only: any host other than 127.0.0.0/8, ``localhost`` or ``::1`` is refused.
* ``--concurrency`` persistent keep-alive connections, each sending requests one
  after another; a connection the server closed is reopened.
* Responses are parsed properly (status line, headers, Content-Length and
  chunked bodies, read-until-close bodies).
* A warm-up (not measured), then a fixed number of measured requests, bounded
  by ``--time-limit`` so a run always stops by itself.

Examples::

    python -m bench.loadclient --scenario hello -n 20000 -c 16
    python -m bench.loadclient --port 8000 --scenario register \\
        --username admin --password secret --max-customer 5000 --json
    python bench/loadclient.py --scenario phone --phones-file /tmp/phones.txt --token "$TOKEN"
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import json
import math
import random
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

__all__ = [
    "DEFAULT_CATEGORIES",
    "DEFAULT_FRAGMENTS",
    "SCENARIOS",
    "HttpConnection",
    "LoadResult",
    "NonLoopbackHostError",
    "ProtocolError",
    "RequestSpec",
    "Response",
    "Scenario",
    "ScenarioOptions",
    "build_scenario",
    "check_loopback",
    "fetch_token",
    "main",
    "percentile",
    "random_mobile",
    "run_load",
]

RequestSpec = tuple[str, str, Mapping[str, str], bytes]
"""What a scenario produces per request: (method, path, headers, body)."""

ScenarioFn = Callable[[int], RequestSpec]

DEFAULT_CATEGORIES: tuple[str, ...] = ("RP-GAS-NOGAS", "RP-GAS-METER", "RP-ELEC-OUTAGE")
DEFAULT_FRAGMENTS: tuple[str, ...] = ("渝北区", "龙溪", "观音桥", "金山路")
USER_AGENT = "huiyin-loadclient/1"
MAX_HEAD_BYTES = 1 << 20
ERROR_SNIPPET_CHARS = 300

_DESCRIPTIONS: tuple[str, ...] = (
    "家中燃气灶无法点火，闻到轻微燃气味，请尽快派人上门检修。",
    "燃气表显示异常，读数不走，用户要求核查表具。",
    "小区整栋楼停电，已超过两小时，请尽快处理。",
    "热水器打不着火，怀疑燃气压力不足，用户在家等候。",
    "楼道电表箱冒烟，有焦糊味，请紧急派员处理。",
)
# Second and third digits of mainland mobile numbers in common use.
_MOBILE_PREFIXES: tuple[str, ...] = tuple(
    [f"13{d}" for d in range(10)]
    + ["150", "151", "152", "153", "155", "156", "157", "158", "159"]
    + ["166", "170", "171", "172", "173", "175", "176", "177", "178"]
    + [f"18{d}" for d in range(10)]
    + ["191", "198", "199"]
)


class NonLoopbackHostError(ValueError):
    """Raised when asked to load a host that is not on loopback."""


class ProtocolError(Exception):
    """The server's reply is not valid HTTP/1.1 as far as this client can tell."""


class _StaleConnectionError(ConnectionError):
    """A reused connection was closed by the server before it answered."""


def check_loopback(host: str) -> str:
    """Return the host to connect to, or raise NonLoopbackHostError."""
    bare = host.strip()
    if bare.startswith("[") and bare.endswith("]"):
        bare = bare[1:-1]
    if bare.lower().rstrip(".") == "localhost":
        return "localhost"
    try:
        addr = ipaddress.ip_address(bare)
    except ValueError:
        raise NonLoopbackHostError(
            f"refusing host {host!r}: only 127.0.0.0/8, localhost or ::1 may be loaded"
        ) from None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    if isinstance(addr, ipaddress.IPv4Address):
        ok = addr in ipaddress.IPv4Network("127.0.0.0/8")
    else:
        ok = addr == ipaddress.IPv6Address("::1")
    if not ok:
        raise NonLoopbackHostError(f"refusing host {host!r}: it is not a loopback address")
    return bare


def _host_header(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


# --------------------------------------------------------------------------- HTTP


@dataclass(slots=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


_NO_BODY_STATUSES = frozenset({204, 304})
_PATH_SAFE = "/?&=%:+,;@!$'()*~-._"


class HttpConnection:
    """One persistent HTTP/1.1 connection that reopens itself when needed."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.host_header = _host_header(host, port)
        self.connects = 0
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader, writer = await asyncio.open_connection(self.host, self.port, limit=MAX_HEAD_BYTES)
        self._reader, self._writer = reader, writer
        self.connects += 1
        return reader, writer

    def close(self) -> None:
        writer = self._writer
        self._reader = self._writer = None
        if writer is not None:
            writer.close()

    async def aclose(self) -> None:
        writer = self._writer
        self.close()
        if writer is not None:
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def encode(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> bytes:
        if not path.isascii():
            path = quote(path, safe=_PATH_SAFE)
        parts = [f"{method} {path} HTTP/1.1\r\nHost: {self.host_header}\r\n"]
        parts.extend(f"{name}: {value}\r\n" for name, value in headers.items())
        if body or method in ("POST", "PUT", "PATCH"):
            parts.append(f"Content-Length: {len(body)}\r\n")
        parts.append("\r\n")
        return "".join(parts).encode("latin-1") + body

    async def request(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Response:
        return await self.send(self.encode(method, path, headers, body), head=method == "HEAD")

    async def send(self, data: bytes, *, head: bool = False) -> Response:
        """Send one encoded request and read its response.

        If a reused connection turns out to have been closed by the server
        (end of stream before any byte of the reply, or a reset), the request
        is sent once more on a fresh connection.
        """
        while True:
            reused = self._writer is not None
            if self._reader is None or self._writer is None:
                reader, writer = await self._connect()
            else:
                reader, writer = self._reader, self._writer
            try:
                writer.write(data)
                await writer.drain()
                response, keep_alive = await _read_response(reader, head)
            except (_StaleConnectionError, ConnectionResetError, BrokenPipeError):
                self.close()
                if reused:
                    continue
                raise
            except BaseException:
                self.close()
                raise
            if not keep_alive:
                self.close()
            return response


async def _read_response(reader: asyncio.StreamReader, head: bool) -> tuple[Response, bool]:
    while True:
        try:
            raw = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as exc:
            if not exc.partial:
                raise _StaleConnectionError("server closed the connection without replying") from None
            raise ProtocolError("connection closed inside the response head") from None
        except asyncio.LimitOverrunError:
            raise ProtocolError("response head too large") from None
        lines = raw[:-4].decode("latin-1").split("\r\n")
        status_line = lines[0].split(" ", 2)
        if len(status_line) < 2 or not status_line[0].startswith("HTTP/1."):
            raise ProtocolError(f"bad status line {lines[0][:100]!r}")
        try:
            status = int(status_line[1])
        except ValueError:
            raise ProtocolError(f"bad status line {lines[0][:100]!r}") from None
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep:
                raise ProtocolError(f"bad header line {line[:100]!r}")
            key = name.strip().lower()
            value = value.strip()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        if 100 <= status < 200 and status != 101:
            continue  # interim response (100 Continue, 103 Early Hints): the real one follows
        break

    tokens = {t.strip() for t in headers.get("connection", "").lower().split(",")}
    # HTTP/1.1 is persistent unless told otherwise; HTTP/1.0 only when asked for.
    keep_alive = "keep-alive" in tokens if status_line[0] == "HTTP/1.0" else "close" not in tokens

    if head or status in _NO_BODY_STATUSES:
        return Response(status, headers, b""), keep_alive
    try:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = await _read_chunked(reader)
        elif "content-length" in headers:
            try:
                length = int(headers["content-length"])
            except ValueError:
                raise ProtocolError(f"bad Content-Length {headers['content-length']!r}") from None
            if length < 0:
                raise ProtocolError(f"bad Content-Length {length}")
            body = await reader.readexactly(length)
        else:
            body = await reader.read()  # body runs until the server closes
            keep_alive = False
    except asyncio.IncompleteReadError:
        raise ProtocolError("connection closed inside the response body") from None
    except asyncio.LimitOverrunError:
        raise ProtocolError("chunk size line too long") from None
    return Response(status, headers, body), keep_alive


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size_text = size_line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise ProtocolError(f"bad chunk size {size_text[:40]!r}") from None
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":
                pass  # trailers
            return b"".join(chunks)
        chunk = await reader.readexactly(size + 2)
        if chunk[-2:] != b"\r\n":
            raise ProtocolError("chunk not terminated by CRLF")
        chunks.append(chunk[:-2])


# ---------------------------------------------------------------------- scenarios


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    make: ScenarioFn
    expect: frozenset[int]


@dataclass(slots=True)
class ScenarioOptions:
    categories: Sequence[str] = DEFAULT_CATEGORIES
    max_customer: int = 1000
    unit_ids: Sequence[str] = ("1",)
    max_order: int = 1000
    phones: Sequence[str] = ()
    fragments: Sequence[str] = DEFAULT_FRAGMENTS
    path: str = "/api/v1/health"
    seed: int | None = None


_JSON_HEADERS: Mapping[str, str] = {"Content-Type": "application/json", "Accept": "application/json"}
_ACCEPT_JSON: Mapping[str, str] = {"Accept": "application/json"}


def random_mobile(rng: random.Random) -> str:
    """A random, well-formed 11-digit mainland China mobile number."""
    return f"{rng.choice(_MOBILE_PREFIXES)}{rng.randrange(100_000_000):08d}"


def _need(values: Sequence[Any], what: str) -> None:
    if not values:
        raise ValueError(f"scenario needs at least one {what}")


def _register(opts: ScenarioOptions, rng: random.Random) -> Scenario:
    _need(opts.categories, "category")
    if opts.max_customer < 1:
        raise ValueError("--max-customer must be >= 1")

    def make(i: int) -> RequestSpec:
        payload = {
            "type": "repair",
            "category": rng.choice(opts.categories),
            "description": f"{rng.choice(_DESCRIPTIONS)}（压测 #{i}）",
            "channel": "phone",
            "contact_phone": random_mobile(rng),
            "customer_id": rng.randint(1, opts.max_customer),
        }
        body = json.dumps(payload, ensure_ascii=False).encode()
        return "POST", "/api/v1/work-orders", _JSON_HEADERS, body

    return Scenario("register", make, frozenset({201}))


def _list(opts: ScenarioOptions, rng: random.Random) -> Scenario:
    _need(opts.unit_ids, "unit id")

    def make(i: int) -> RequestSpec:
        query = urlencode({"unit_id": rng.choice(opts.unit_ids), "state": "open", "page_size": 50})
        return "GET", f"/api/v1/work-orders?{query}", _ACCEPT_JSON, b""

    return Scenario("list", make, frozenset({200}))


def _get(opts: ScenarioOptions, rng: random.Random) -> Scenario:
    if opts.max_order < 1:
        raise ValueError("--max-order must be >= 1")

    def make(i: int) -> RequestSpec:
        return "GET", f"/api/v1/work-orders/{rng.randint(1, opts.max_order)}", _ACCEPT_JSON, b""

    return Scenario("get", make, frozenset({200}))


def _customer_query(name: str, values: Sequence[str], rng: random.Random) -> Scenario:
    def make(i: int) -> RequestSpec:
        return "GET", f"/api/v1/customers?q={quote(rng.choice(values), safe='')}", _ACCEPT_JSON, b""

    return Scenario(name, make, frozenset({200}))


def _phone(opts: ScenarioOptions, rng: random.Random) -> Scenario:
    _need(opts.phones, "phone (give --phones-file)")
    return _customer_query("phone", opts.phones, rng)


def _tail(opts: ScenarioOptions, rng: random.Random) -> Scenario:
    """手机尾号: the last four digits of a real customer's mobile."""
    _need(opts.phones, "tail (give --phones-file)")
    mobiles = [p[-4:] for p in opts.phones if len(p) == 11 and p.startswith("1")]
    _need(mobiles, "tail (the phones file has no mobiles)")
    return _customer_query("tail", mobiles, rng)


def _address(opts: ScenarioOptions, rng: random.Random) -> Scenario:
    _need(opts.fragments, "address fragment")
    return _customer_query("address", opts.fragments, rng)


def _hello(opts: ScenarioOptions, rng: random.Random) -> Scenario:
    path = opts.path if opts.path.startswith("/") else "/" + opts.path

    def make(i: int) -> RequestSpec:
        return "GET", path, _ACCEPT_JSON, b""

    return Scenario("hello", make, frozenset({200}))


SCENARIOS: dict[str, Callable[[ScenarioOptions, random.Random], Scenario]] = {
    "register": _register,
    "list": _list,
    "get": _get,
    "phone": _phone,
    "tail": _tail,
    "address": _address,
    "hello": _hello,
}


def build_scenario(name: str, opts: ScenarioOptions | None = None) -> Scenario:
    opts = opts or ScenarioOptions()
    try:
        factory = SCENARIOS[name]
    except KeyError:
        raise ValueError(f"unknown scenario {name!r}; choose from {', '.join(SCENARIOS)}") from None
    return factory(opts, random.Random(opts.seed))


# --------------------------------------------------------------------------- run


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted sequence (0.0 if empty)."""
    if not sorted_values:
        return 0.0
    rank = math.ceil(pct / 100.0 * len(sorted_values))
    return sorted_values[min(max(rank, 1), len(sorted_values)) - 1]


@dataclass(slots=True)
class LoadResult:
    scenario: str
    target_requests: int
    concurrency: int
    requests: int = 0
    elapsed_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    status: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    first_error: str | None = None
    timed_out: bool = False
    warmup_requests: int = 0
    warmup_errors: int = 0
    connects: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)
        return {
            "scenario": self.scenario,
            "requests": self.requests,
            "target_requests": self.target_requests,
            "concurrency": self.concurrency,
            "elapsed_s": round(self.elapsed_s, 4),
            "rps": round(self.rps, 1),
            "p50_ms": round(percentile(lat, 50), 3),
            "p90_ms": round(percentile(lat, 90), 3),
            "p99_ms": round(percentile(lat, 99), 3),
            "max_ms": round(lat[-1], 3) if lat else 0.0,
            "mean_ms": round(sum(lat) / len(lat), 3) if lat else 0.0,
            "status": dict(sorted(self.status.items())),
            "errors": self.errors,
            "error_kinds": dict(sorted(self.error_kinds.items())),
            "timed_out": self.timed_out,
            "warmup_requests": self.warmup_requests,
            "warmup_errors": self.warmup_errors,
            "connects": self.connects,
        }

    def human(self) -> str:
        s = self.summary()
        statuses = " ".join(f"{k}:{v}" for k, v in s["status"].items()) or "-"
        line = (
            f"{s['scenario']}: {s['requests']} req, c={s['concurrency']}, {s['elapsed_s']:.2f} s, "
            f"{s['rps']:.1f} req/s | p50 {s['p50_ms']:.2f} ms, p90 {s['p90_ms']:.2f} ms, "
            f"p99 {s['p99_ms']:.2f} ms, max {s['max_ms']:.2f} ms | status {statuses} | "
            f"errors {s['errors']}"
        )
        if self.timed_out:
            line += f" | TIME LIMIT reached after {s['requests']}/{s['target_requests']}"
        return line


@dataclass(slots=True)
class _Phase:
    total: int
    first_index: int
    record: bool
    next: int = 0
    done: int = 0
    errors: int = 0


def _snippet(body: bytes) -> str:
    text = body.decode("utf-8", "replace").replace("\r", " ").replace("\n", " ")
    return text[:ERROR_SNIPPET_CHARS]


async def _worker(
    conn: HttpConnection,
    phase: _Phase,
    scenario: Scenario,
    base_headers: Mapping[str, str],
    timeout: float | None,
    result: LoadResult,
) -> None:
    record = phase.record
    latencies = result.latencies_ms
    status_counts = result.status
    expect = scenario.expect
    clock = time.perf_counter
    while phase.next < phase.total:
        index = phase.first_index + phase.next
        phase.next += 1
        method, path, headers, body = scenario.make(index)
        data = conn.encode(method, path, {**base_headers, **headers}, body)
        started = clock()
        error: str | None = None
        kind = ""
        try:
            async with asyncio.timeout(timeout):
                response = await conn.send(data, head=method == "HEAD")
        except TimeoutError:
            conn.close()
            kind, error = "timeout", f"{method} {path}: no reply within {timeout} s"
        except (OSError, ProtocolError) as exc:
            conn.close()
            kind, error = type(exc).__name__, f"{method} {path}: {type(exc).__name__}: {exc}"
        else:
            elapsed_ms = (clock() - started) * 1000.0
            if record:
                latencies.append(elapsed_ms)
                key = str(response.status)
                status_counts[key] = status_counts.get(key, 0) + 1
            if response.status not in expect:
                kind = f"http_{response.status}"
                error = f"{method} {path}: HTTP {response.status}: {_snippet(response.body)}"
        phase.done += 1
        if error is not None:
            phase.errors += 1
            if record:
                result.errors += 1
                result.error_kinds[kind] = result.error_kinds.get(kind, 0) + 1
                if result.first_error is None:
                    result.first_error = error


async def _run_phase(
    conns: Sequence[HttpConnection],
    phase: _Phase,
    scenario: Scenario,
    base_headers: Mapping[str, str],
    timeout: float | None,
    time_limit: float,
    result: LoadResult,
) -> bool:
    """Run one phase; return True if the time limit cut it short."""
    tasks = [
        asyncio.create_task(_worker(conn, phase, scenario, base_headers, timeout, result))
        for conn in conns[: max(1, min(len(conns), phase.total))]
    ]
    done, pending = await asyncio.wait(tasks, timeout=time_limit, return_when=asyncio.FIRST_EXCEPTION)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        exc = task.exception()
        if exc is not None:
            raise exc
    return phase.done < phase.total


async def run_load(
    host: str,
    port: int,
    scenario: Scenario,
    *,
    requests: int = 10_000,
    concurrency: int = 16,
    warmup: int = 200,
    time_limit: float = 60.0,
    timeout: float | None = 30.0,
    headers: Mapping[str, str] | None = None,
) -> LoadResult:
    """Run a warm-up and then ``requests`` measured requests over ``concurrency`` connections.

    ``time_limit`` bounds the warm-up and the measured phase separately; requests still
    in flight when it strikes are abandoned and not counted. ``timeout`` bounds each
    single request (connect included); ``None`` or 0 means no per-request limit.
    """
    host = check_loopback(host)
    if requests < 1 or concurrency < 1 or warmup < 0:
        raise ValueError("need requests >= 1, concurrency >= 1, warmup >= 0")
    if time_limit <= 0:
        raise ValueError("time_limit must be > 0")
    base_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    per_request = timeout or None
    conns = [HttpConnection(host, port) for _ in range(concurrency)]
    result = LoadResult(scenario=scenario.name, target_requests=requests, concurrency=concurrency)
    try:
        if warmup:
            wphase = _Phase(total=warmup, first_index=0, record=False)
            await _run_phase(conns, wphase, scenario, base_headers, per_request, time_limit, result)
            result.warmup_requests, result.warmup_errors = wphase.done, wphase.errors
        phase = _Phase(total=requests, first_index=warmup, record=True)
        started = time.perf_counter()
        result.timed_out = await _run_phase(conns, phase, scenario, base_headers, per_request, time_limit, result)
        result.elapsed_s = time.perf_counter() - started
        result.requests = phase.done
    finally:
        result.connects = sum(c.connects for c in conns)
        await asyncio.gather(*(c.aclose() for c in conns), return_exceptions=True)
    return result


async def fetch_token(
    host: str,
    port: int,
    username: str,
    password: str,
    *,
    path: str = "/api/v1/auth/token",
    form: bool = False,
    timeout: float = 30.0,
) -> str:
    """Log in and return the ``access_token`` from the JSON reply."""
    host = check_loopback(host)
    if form:
        body = urlencode({"username": username, "password": password}).encode()
        ctype = "application/x-www-form-urlencoded"
    else:
        body = json.dumps({"username": username, "password": password}).encode()
        ctype = "application/json"
    conn = HttpConnection(host, port)
    try:
        async with asyncio.timeout(timeout):
            response = await conn.request(
                "POST",
                path,
                {"User-Agent": USER_AGENT, "Content-Type": ctype, "Accept": "application/json"},
                body,
            )
    finally:
        await conn.aclose()
    if response.status != 200:
        raise RuntimeError(f"login failed: HTTP {response.status}: {_snippet(response.body)}")
    try:
        token = json.loads(response.body)["access_token"]
    except (ValueError, KeyError, TypeError):
        raise RuntimeError(f"login reply has no access_token: {_snippet(response.body)}") from None
    if not isinstance(token, str) or not token:
        raise RuntimeError("login reply has an empty or non-string access_token")
    return token


# --------------------------------------------------------------------------- CLI


def _csv(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be >= 1")
    return value


def _nonneg_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be > 0")
    return value


def _build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench.loadclient",
        description="HTTP/1.1 keep-alive load client for Huiyin (loopback only, stdlib only).",
        epilog=(
            "examples:\n"
            "  python -m bench.loadclient --scenario hello -n 20000 -c 16\n"
            "  python -m bench.loadclient --scenario register --username admin --password pw "
            "--max-customer 5000 --json\n"
            "  python -m bench.loadclient --scenario list --unit-ids 3,4,7 --token $TOKEN\n"
            "  python -m bench.loadclient --scenario phone --phones-file phones.txt --token $TOKEN\n"
            "  python -m bench.loadclient --scenario address --fragments 渝北区,龙溪 --token $TOKEN"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="loopback host (default %(default)s)")
    p.add_argument("--port", type=int, default=8000, help="port (default %(default)s)")
    p.add_argument("--scenario", choices=sorted(SCENARIOS), default="hello", help="default %(default)s")
    p.add_argument("-n", "--requests", type=_positive_int, default=10_000, help="measured requests")
    p.add_argument("-c", "--concurrency", type=_positive_int, default=16, help="connections")
    p.add_argument("--warmup", type=_nonneg_int, default=200, help="unmeasured warm-up requests")
    p.add_argument(
        "--time-limit",
        type=_positive_float,
        default=120.0,
        help="seconds; bounds warm-up and measured phase each (default %(default)s)",
    )
    p.add_argument("--timeout", type=float, default=30.0, help="per-request seconds, 0 = none")
    p.add_argument("--expect", type=_csv, default=None, help="override expected statuses, e.g. 200,404")
    p.add_argument("--seed", type=int, default=None, help="random seed for reproducible requests")

    auth = p.add_argument_group("auth")
    auth.add_argument("--token", help="send Authorization: Bearer TOKEN")
    auth.add_argument("--username", help="log in first (POST JSON to --auth-path)")
    auth.add_argument("--password", help="password for --username")
    auth.add_argument("--auth-path", default="/api/v1/auth/token", help="default %(default)s")
    auth.add_argument("--auth-form", action="store_true", help="log in with a form body instead of JSON")

    sc = p.add_argument_group("scenario data")
    sc.add_argument("--categories", type=_csv, default=list(DEFAULT_CATEGORIES), help="register")
    sc.add_argument("--max-customer", type=_positive_int, default=1000, help="register: ids 1..N")
    sc.add_argument("--unit-ids", type=_csv, default=["1"], help="list: comma list of unit ids")
    sc.add_argument("--max-order", type=_positive_int, default=1000, help="get: ids 1..N")
    sc.add_argument("--phones-file", help="phone: file with one phone per line")
    sc.add_argument("--fragments", type=_csv, default=list(DEFAULT_FRAGMENTS), help="address")
    sc.add_argument("--path", default="/api/v1/health", help="hello: path (default %(default)s)")

    out = p.add_argument_group("output")
    out.add_argument("--json", action="store_true", help="also print one JSON line")
    out.add_argument("--allow-errors", action="store_true", help="exit 0 even if there were errors")
    return p


def _read_phones(path: str) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        return [s for line in fh if (s := line.strip()) and not s.startswith("#")]


async def _amain(args: argparse.Namespace) -> int:
    headers: dict[str, str] = {}
    token = args.token
    if args.username is not None:
        token = await fetch_token(
            args.host,
            args.port,
            args.username,
            args.password,
            path=args.auth_path,
            form=args.auth_form,
            timeout=args.timeout or 30.0,
        )
    if token:
        headers["Authorization"] = f"Bearer {token}"

    opts = ScenarioOptions(
        categories=args.categories,
        max_customer=args.max_customer,
        unit_ids=args.unit_ids,
        max_order=args.max_order,
        phones=_read_phones(args.phones_file) if args.phones_file else (),
        fragments=args.fragments,
        path=args.path,
        seed=args.seed,
    )
    scenario = build_scenario(args.scenario, opts)
    if args.expect:
        scenario = Scenario(scenario.name, scenario.make, frozenset(int(s) for s in args.expect))

    result = await run_load(
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
    print(result.human(), flush=True)
    if result.warmup_errors:
        print(f"warning: {result.warmup_errors} warm-up requests failed", file=sys.stderr)
    if result.first_error:
        print(f"first error: {result.first_error}", file=sys.stderr)
    if args.json:
        print(json.dumps(result.summary(), ensure_ascii=False), flush=True)
    if result.errors and not args.allow_errors:
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.token and args.username:
        parser.error("give either --token or --username/--password, not both")
    if args.username is not None and args.password is None:
        parser.error("--username needs --password")
    try:
        args.host = check_loopback(args.host)
    except NonLoopbackHostError as exc:
        print(f"loadclient: {exc}", file=sys.stderr)
        return 2
    if args.expect:
        try:
            [int(s) for s in args.expect]
        except ValueError:
            parser.error("--expect takes comma-separated status codes")
    try:
        return asyncio.run(_amain(args))
    except (ValueError, RuntimeError, OSError) as exc:
        print(f"loadclient: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
