"""The only source of "now". SLA and order code never call ``datetime.now``.

Tests and the demo generator move time with ``clock.set`` / ``clock.advance``; ``clock.reset`` goes back
to the wall clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


class Clock:
    def __init__(self) -> None:
        self._fixed: datetime | None = None

    def now(self) -> datetime:
        return self._fixed if self._fixed is not None else datetime.now(UTC)

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("clock.set needs an aware datetime")
        self._fixed = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._fixed = self.now() + delta

    def reset(self) -> None:
        self._fixed = None

    def local_today(self, tz: str) -> str:
        return self.now().astimezone(ZoneInfo(tz)).strftime("%Y%m%d")


clock = Clock()


def now() -> datetime:
    return clock.now()
