"""What other domains hear of a call without ``calls`` knowing them: a recording stored (quality analyses
it). Listeners subscribe in ``huiyin/wiring.py``, run in the request's transaction (their writes commit or
roll back with the recording's), in the order they subscribed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from huiyin.calls.models import Call

INFO_KEY = "call_hooks"
"""Where a session finds its hooks (``session.info``): ``huiyin.wiring.open_database`` puts them there."""

Recorded = Callable[[Session, Call, datetime], None]


@dataclass
class CallHooks:
    recorded: list[tuple[str, Recorded]] = field(default_factory=list)

    def on_recorded(self, name: str, listener: Recorded) -> None:
        self.recorded.append((name, listener))


def publish_recorded(session: Session, call: Call, at: datetime) -> None:
    """A recording of ``call`` was stored (``call.recording_key``)."""
    hooks = session.info.get(INFO_KEY)
    if hooks is not None:
        for _name, listener in hooks.recorded:
            listener(session, call, at)
