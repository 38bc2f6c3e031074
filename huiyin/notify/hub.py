"""In-app push: each server process keeps its users' open WebSockets here.

On PostgreSQL every process LISTENs on one channel (``listen_pg``): a message published in any process's
transaction (``notify.service.publish``) reaches every process on commit, and each sends it to the sockets
it holds. On SQLite (one process) messages go straight to this process's hub after the commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Callable
from typing import Any

from starlette.websockets import WebSocket

from huiyin.notify.service import PG_CHANNEL

log = logging.getLogger("huiyin.hub")


CREDENTIAL_ENDED = 4401
"""The close code of a socket whose credential ended (revoked, signed out, expired, the user deactivated or
their unit or roles changed): the same as for a socket refused at the start."""


class Hub:
    def __init__(self) -> None:
        self._sockets: dict[int, set[WebSocket]] = {}
        self._credentials: dict[WebSocket, tuple[int, str]] = {}  # socket → (token id, fingerprint)
        self._topics: dict[str, set[WebSocket]] = {}  # topic → the sockets watching it (the wallboard)
        self.loop: asyncio.AbstractEventLoop | None = None

    def attach(self, user_id: int, ws: WebSocket, token_id: int = 0, fingerprint: str = "") -> None:
        self.loop = asyncio.get_running_loop()
        self._sockets.setdefault(user_id, set()).add(ws)
        self._credentials[ws] = (token_id, fingerprint)

    def detach(self, user_id: int, ws: WebSocket) -> None:
        held = self._sockets.get(user_id)
        self._credentials.pop(ws, None)
        for watching in self._topics.values():
            watching.discard(ws)
        if held is not None:
            held.discard(ws)
            if not held:
                del self._sockets[user_id]

    def credentials(self) -> dict[int, str]:
        """The credentials the sockets here were opened with: token id → fingerprint."""
        return {tok: fp for tok, fp in self._credentials.values() if tok}

    async def close_ended(self, token_ids: set[int]) -> int:
        """Closes the sockets opened with these tokens (``CREDENTIAL_ENDED``); how many it closed."""
        closing = [ws for ws, (tok, _) in list(self._credentials.items()) if tok in token_ids]
        for ws in closing:
            self._credentials.pop(ws, None)
            with contextlib.suppress(Exception):  # already gone
                await ws.close(code=CREDENTIAL_ENDED, reason="your sign-in has ended")
        return len(closing)

    def watch(self, ws: WebSocket, topic: str) -> None:
        """The socket receives what is published to ``topic`` from now on (until it closes or unwatches)."""
        self._topics.setdefault(topic, set()).add(ws)

    def unwatch(self, ws: WebSocket, topic: str) -> None:
        self._topics.get(topic, set()).discard(ws)

    def watching(self, topic: str) -> int:
        """How many sockets here watch ``topic`` (a pusher computes nothing for nobody)."""
        return len(self._topics.get(topic, ()))

    async def send_topic(self, topic: str, message: dict[str, Any]) -> int:
        """Sends to every socket here watching ``topic``; returns how many took it."""
        text = json.dumps(message, ensure_ascii=False)
        sent = 0
        for ws in list(self._topics.get(topic, ())):
            try:
                await ws.send_text(text)
                sent += 1
            except Exception:  # a closed socket: forget it
                self.unwatch(ws, topic)
        return sent

    def connected(self, user_id: int) -> int:
        return len(self._sockets.get(user_id, ()))

    async def send(self, user_id: int, message: dict[str, Any] | str) -> int:
        """Sends to every socket of the user here (a message, or its JSON text); returns how many took it."""
        sent = 0
        text = message if isinstance(message, str) else json.dumps(message, ensure_ascii=False)
        for ws in list(self._sockets.get(user_id, ())):
            try:
                await ws.send_text(text)
                sent += 1
            except Exception:  # a closed socket: forget it
                self.detach(user_id, ws)
        return sent

    def send_threadsafe(self, user_id: int, message: dict[str, Any]) -> None:
        """From any thread (a commit in the worker's thread): schedules ``send`` on the hub's loop."""
        loop = self.loop
        if loop is None or loop.is_closed() or user_id not in self._sockets:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            loop.create_task(self.send(user_id, message))
        else:
            asyncio.run_coroutine_threadsafe(self.send(user_id, message), loop)


# every payload is json.dumps({"user_id": …, "message": …}, ensure_ascii=False): the message is its tail
_PAYLOAD = re.compile(r'\{"user_id": (\d+), "message": ')


async def _deliver(hub: Hub, payload: str) -> None:
    """Hands a NOTIFY payload to the sockets of its user here. Every process gets every payload, so the
    user is read from the payload's head and the message, for a user with no socket here, is not parsed;
    for one with, its JSON text is sent as it came."""
    head = _PAYLOAD.match(payload)
    if head is not None and payload.endswith("}"):
        user_id = int(head.group(1))
        if hub.connected(user_id):
            await hub.send(user_id, payload[head.end() : -1])
        return
    try:  # another shape of the same JSON
        item = json.loads(payload)
        user_id = int(item["user_id"])
        if hub.connected(user_id):
            await hub.send(user_id, item["message"])
    except (ValueError, KeyError, TypeError):
        log.warning("ignored a malformed %s payload", PG_CHANNEL)


async def listen_pg(url: str, hub: Hub, stop: asyncio.Event, ready: asyncio.Event | None = None) -> None:
    """LISTEN on PostgreSQL and hand every message to this process's hub; reconnects after a failure."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    delay = 0.5
    while not stop.is_set():
        try:
            async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
                await conn.execute(f"LISTEN {PG_CHANNEL}")
                if ready is not None:
                    ready.set()
                delay = 0.5
                gen = conn.notifies()
                async for note in gen:
                    await _deliver(hub, note.payload)
                    if stop.is_set():
                        break
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("LISTEN %s lost (%s); reconnecting in %.1fs", PG_CHANNEL, exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10)


WATCH_EVERY_S = 1.0


async def watch_credentials(
    hub: Hub, ended: Callable[[dict[int, str]], set[int]], stop: asyncio.Event, every: float | None = None
) -> None:
    """Every second, asks whether the credentials of this process's sockets still stand (one query for all
    of them, ``auth.service.ended_credentials`` through ``ended``) and closes those that do not: a
    revocation, a sign-out, a deactivation or a change of unit or roles in any process reaches every
    process's sockets within a second, with no message between processes (the database is the truth)."""
    while not stop.is_set():
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), every if every is not None else WATCH_EVERY_S)
        held = hub.credentials()
        if not held or stop.is_set():
            continue
        try:
            gone = ended(held)
        except Exception as exc:  # the database is away for a moment: ask again at the next tick
            log.warning("could not check the sockets' credentials: %s", exc)
            continue
        if gone:
            await hub.close_ended(gone)
