"""The worker: fires due deadlines and delivers the outbox, as thin loops over the database.

``huiyin worker`` runs one in its own process (several side by side on PostgreSQL); ``huiyin serve`` also
runs one inside itself (``HUIYIN_WORKER__EMBEDDED``, on by default). Time comes from ``huiyin.clock``, so
tests move the clock and call ``tick()`` instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from dataclasses import dataclass

from huiyin.clock import now
from huiyin.db import Database
from huiyin.notify import jobs as outbox
from huiyin.notify.channels import DeliveryError, Gateway, send_email
from huiyin.settings import Settings
from huiyin.sla import jobs as deadlines

log = logging.getLogger("huiyin.worker")


@dataclass
class TickResult:
    fired: int = 0
    claimed: int = 0
    delivered: int = 0
    failed: int = 0

    def __bool__(self) -> bool:
        return bool(self.fired or self.claimed)


class Worker:
    def __init__(self, db: Database, settings: Settings, gateway: Gateway | None = None) -> None:
        self.db = db
        self.settings = settings
        self.gateway = gateway or Gateway(settings.notify)

    # each step is one short transaction
    def fire_batch(self) -> int:
        with self.db.session() as s:
            return deadlines.fire_due(s, now(), limit=self.settings.worker.batch_size, settings=self.settings.notify)

    def claim_batch(self) -> list[outbox.Claimed]:
        with self.db.session() as s:
            return outbox.claim(s, now(), limit=self.settings.worker.batch_size, settings=self.settings.notify)

    def send(self, claimed: list[outbox.Claimed]) -> list[outbox.Outcome]:
        """Sends each claimed message; no transaction is open meanwhile."""
        results = []
        for c in claimed:
            try:
                if c.channel == "email":
                    send_email(self.settings.notify, c.dedupe_key, c.address, c.payload)
                else:
                    self.gateway.send(c.channel, c.dedupe_key, c.address, c.payload)
                results.append(outbox.Outcome(c.id, True))
            except DeliveryError as exc:
                log.warning("delivery %s (%s) failed: %s", c.id, c.channel, exc)
                results.append(outbox.Outcome(c.id, False, str(exc), exc.permanent))
        return results

    def finish(self, outcomes: list[outbox.Outcome]) -> None:
        with self.db.session() as s:
            outbox.finish(s, now(), outcomes, settings=self.settings.notify)

    def tick(self) -> TickResult:
        """Fires every due deadline, then delivers every due message (batch after batch)."""
        result = TickResult()
        batch = self.settings.worker.batch_size
        while (n := self.fire_batch()) > 0:
            result.fired += n
            if n < batch:
                break
        while claimed := self.claim_batch():
            result.claimed += len(claimed)
            outcomes = self.send(claimed)
            self.finish(outcomes)
            result.delivered += sum(o.ok for o in outcomes)
            result.failed += sum(not o.ok for o in outcomes)
            if len(claimed) < batch:
                break
        return result

    def run(self, stop: threading.Event) -> None:
        """The standalone loop (``huiyin worker``)."""
        log.info(
            "worker started (poll every %ss, batch %s)",
            self.settings.worker.poll_seconds,
            self.settings.worker.batch_size,
        )
        while not stop.is_set():
            try:
                busy = self.tick()
            except Exception:  # a lost connection or a bad row must not end the loop
                log.exception("worker tick failed")
                busy = TickResult()
            if not busy:
                stop.wait(self.settings.worker.poll_seconds)
        self.gateway.close()


async def run_embedded(worker: Worker, stop: asyncio.Event, wake: asyncio.Event) -> None:
    """The worker inside ``huiyin serve``: database steps in a thread while holding the process's write lock
    (see core.deps.get_session), sending in a thread without it. Woken at once by commits that wrote to the
    outbox, else every ``poll_seconds``."""
    db = worker.db
    while not stop.is_set():
        wake.clear()
        busy = False
        try:
            async with db.write_lock:
                fired = await asyncio.to_thread(worker.fire_batch)
            async with db.write_lock:
                claimed = await asyncio.to_thread(worker.claim_batch)
            if claimed:
                outcomes = await asyncio.to_thread(worker.send, claimed)
                async with db.write_lock:
                    await asyncio.to_thread(worker.finish, outcomes)
            busy = bool(fired or claimed)
        except Exception:
            log.exception("embedded worker tick failed")
        if busy:
            await asyncio.sleep(0)
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=worker.settings.worker.poll_seconds)
