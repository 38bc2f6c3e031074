"""The wallboard pushed over the socket: every ``kpis.wallboard_seconds``, while some socket of this process
watches ``wallboard`` (``watch:wallboard``), the wallboard is computed once (in a thread: it reads the
database) and sent to all of them as ``{"type": "wallboard", "wallboard": {...}}``. Nobody watching: nothing
is computed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from huiyin.clock import now
from huiyin.db import Database
from huiyin.notify.hub import Hub
from huiyin.performance.schemas import Wallboard
from huiyin.performance.wallboard import wallboard
from huiyin.settings import Settings

TOPIC = "wallboard"
log = logging.getLogger("huiyin.wallboard")


def current(db: Database, settings: Settings) -> dict[str, Any]:
    k = settings.kpis
    with db.session(write=False) as s:
        data = wallboard(
            s,
            now(),
            settings.timezone,
            variant=k.sl_variant,
            threshold=k.sl_threshold_seconds,
            short_abandon=settings.cti.short_abandon_seconds,
        )
    return Wallboard.model_validate(data).model_dump(mode="json")


async def push_wallboard(db: Database, hub: Hub, settings: Settings, stop: asyncio.Event) -> None:
    while not stop.is_set():
        if hub.watching(TOPIC):
            try:
                data = await asyncio.to_thread(current, db, settings)
                await hub.send_topic(TOPIC, {"type": TOPIC, TOPIC: data})
            except Exception:  # a lost connection must not end the pushes
                log.exception("wallboard push failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=settings.kpis.wallboard_seconds)
