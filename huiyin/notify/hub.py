"""In-app push: each server process keeps its users' open WebSockets here.

On PostgreSQL every process LISTENs on one channel (``listen_pg``): a message published in any process's
transaction (``notify.service.publish``) reaches every process on commit, and each sends it to the sockets
it holds. On SQLite (one process) messages go straight to this process's hub after the commit.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from starlette.websockets import WebSocket

from huiyin.notify.service import PG_CHANNEL

log = logging.getLogger("huiyin.hub")


class Hub:
    def __init__(self) -> None:
        self._sockets: dict[int, set[WebSocket]] = {}
        self.loop: asyncio.AbstractEventLoop | None = None

    def attach(self, user_id: int, ws: WebSocket) -> None:
        self.loop = asyncio.get_running_loop()
        self._sockets.setdefault(user_id, set()).add(ws)

    def detach(self, user_id: int, ws: WebSocket) -> None:
        held = self._sockets.get(user_id)
        if held is not None:
            held.discard(ws)
            if not held:
                del self._sockets[user_id]

    def connected(self, user_id: int) -> int:
        return len(self._sockets.get(user_id, ()))

    async def send(self, user_id: int, message: dict[str, Any]) -> int:
        """Sends to every socket of the user here; returns how many took it."""
        sent = 0
        for ws in list(self._sockets.get(user_id, ())):
            try:
                await ws.send_json(message)
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
                    try:
                        item = json.loads(note.payload)
                        await hub.send(int(item["user_id"]), item["message"])
                    except (ValueError, KeyError, TypeError):
                        log.warning("ignored a malformed %s payload", PG_CHANNEL)
                    if stop.is_set():
                        break
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("LISTEN %s lost (%s); reconnecting in %.1fs", PG_CHANNEL, exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10)
