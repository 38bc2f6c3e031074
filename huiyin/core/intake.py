"""A webhook's intake in one server process: items (a PBX's call events, WeChat's messages) that arrive while
others are being applied gather, and the next batch applies them together in one transaction, in a worker
thread.

Why batches: an item is a few short statements, and the fixed part of its transaction (the connection's
check, the token, the NOTIFYs, the commit and its WAL flush) is a large part of it. Under load, items queue
anyway (one batch at a time per process: a second thread running Python beside the first and the event
loop only makes all three wait longer for the GIL); a batch pays that part once. When the sender is quiet a
batch is one item, applied at once.

A batch is all or nothing: if any of its items fails (a wrong token, a bad body, a deadlock with another
process's batch), the transaction rolls back and each item of it is applied again in a transaction of
its own, so that only the failing one gets its error and the others their replies. Items are applied in
the order they arrived; two events of one call in one batch follow each other as they would otherwise.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request, Response
from fastapi.responses import PlainTextResponse
from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.types import Receive, Scope, Send

from huiyin.core.fastsql.prebuilt import Prebuilt
from huiyin.db import Database

MAX_BATCH = 8  # measured with bench/cti_load.py: 4, 8 and 16 kept pace at 200 events/s; 8 had the lowest latencies
# A batch waits this long at most for a row lock (another process's batch holds the call or the agent);
# longer, and most likely the two batches wait for each other: this one gives up, and its events are
# applied one by one, without the limit (PostgreSQL would find the deadlock only after deadlock_timeout, 1 s).
_BATCH_LOCK_TIMEOUT = Prebuilt(text("SET LOCAL lock_timeout = '100ms'"))

Apply = Callable[[Session, Any, dict[str, Any]], dict[str, Any]]  # (session, item, per-batch memo) → reply


@dataclass
class Intake:
    db: Database
    apply: Apply
    max_batch: int = MAX_BATCH  # a cheap item (a WeChat message: one INSERT) takes larger batches
    pending: list[tuple[Any, asyncio.Future[dict[str, Any]]]] = field(default_factory=list)
    later: list[tuple[Any, asyncio.Future[dict[str, Any]]]] = field(default_factory=list)
    draining: asyncio.Task[None] | None = None
    batches: int = 0  # for tests and benchmarks: how many transactions of more than one event committed

    async def submit(self, item: Any, *, urgent: bool = True) -> dict[str, Any]:
        """Applies the item (in a batch) and returns its reply, or raises its error. An item that is not
        ``urgent`` (the IVR's rating: nobody waits on a screen for it) is applied once no urgent one waits,
        so that the call events, whose screen pops agents wait for, never queue behind it."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[dict[str, Any]] = loop.create_future()
        (self.pending if urgent else self.later).append((item, done))
        if self.draining is None:
            self.draining = loop.create_task(self._drain())
        return await done

    def _next_batch(self) -> list[tuple[Any, asyncio.Future[dict[str, Any]]]]:
        if self.pending:
            batch, self.pending = self.pending[: self.max_batch], self.pending[self.max_batch :]
        else:
            batch, self.later = self.later[: self.max_batch], self.later[self.max_batch :]
        return batch

    async def _drain(self) -> None:
        try:
            while self.pending or self.later:
                batch = self._next_batch()
                items = [item for item, _ in batch]
                try:
                    if self.db.is_sqlite:  # one writer: the process's write lock, as every writing request
                        async with self.db.write_lock:
                            results = await anyio.to_thread.run_sync(self._apply_batch, items)
                    else:
                        results = await anyio.to_thread.run_sync(self._apply_batch, items)
                except BaseException as exc:  # cancelled (the server stops): tell the waiting requests, then stop
                    for _, done in batch + self.pending + self.later:
                        if not done.done():
                            done.set_exception(exc if isinstance(exc, Exception) else RuntimeError("stopping"))
                    self.pending, self.later = [], []
                    raise
                for (_, done), result in zip(batch, results, strict=True):
                    if done.done():  # the request went away meanwhile (the event is applied all the same)
                        continue
                    if isinstance(result, BaseException):
                        done.set_exception(result)
                    else:
                        done.set_result(result)
        finally:
            self.draining = None

    def _apply_batch(self, items: list[Any]) -> list[dict[str, Any] | BaseException]:
        if len(items) > 1:
            try:
                memo: dict[str, Any] = {}
                with self.db.session() as session:
                    if not self.db.is_sqlite:  # a deadlock with another batch fails fast, not after 1 s
                        _BATCH_LOCK_TIMEOUT.execute(session)
                    replies = [self.apply(session, item, memo) for item in items]
                self.batches += 1
                return list(replies)
            except Exception:  # rolled back whole: each event is applied alone below and gets its own error
                pass
        results: list[dict[str, Any] | BaseException] = []
        for item in items:
            try:
                with self.db.session() as session:
                    reply = self.apply(session, item, {})
                results.append(reply)  # only once committed: a failed commit is the event's error, not its reply
            except Exception as exc:
                results.append(exc)
        return results


async def serve_direct(
    app: FastAPI, scope: Scope, receive: Receive, send: Send, respond: Callable[[Request], Awaitable[Response]]
) -> None:
    """A webhook's endpoint as a plain ASGI call, from ``HuiyinApp`` before its middleware stack (the PBX's
    events, WeChat's messages: hundreds a second, and FastAPI's middleware, routing and dependency solving cost
    more Python per request than reading the body and handing it to the intake). What those layers did for
    such a route is done here: errors get the app's exception handlers (the same problem documents), and an
    unexpected one a 500, re-raised for the server's log. (The app's door, ``core.guard``, has already refused
    NUL characters and bodies too large or too deeply nested.)"""
    request = Request(scope, receive)
    response: Response
    try:
        response = await respond(request)
    except Exception as exc:
        handler = next((app.exception_handlers[t] for t in type(exc).__mro__ if t in app.exception_handlers), None)
        if handler is None:
            await PlainTextResponse("Internal Server Error", status_code=500)(scope, receive, send)
            raise
        found = handler(request, exc)
        response = await found if inspect.isawaitable(found) else found
    await response(scope, receive, send)
