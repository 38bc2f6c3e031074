"""The demo city's scorecards and reports: the rollups built (so the worker's first refresh is a small one),
last month's scorecards computed, reviewed and published and this month's a draft, and the last daily,
weekly and monthly service-quality reports made, as the centre's worker and managers would have."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from huiyin.auth.models import User
from huiyin.performance import orders, reports, rollups, scorecards, states
from huiyin.settings import Settings
from huiyin.storage import make_storage


def build_performance(s: Session, manager: User, now: datetime, settings: Settings) -> str:
    tz = settings.timezone
    rollups.do_rebuild(s, now, tz)
    states.do_rebuild(s, now, tz)
    orders.do_rebuild(s, now, tz)
    today = now.astimezone(ZoneInfo(tz)).date()
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    card = scorecards.do_compute(s, last_month, tz, manager.id, now - timedelta(days=today.day - 1), None)
    scorecards.do_step(s, card.id, "review", manager.id, now - timedelta(days=max(today.day - 3, 0)))
    scorecards.do_step(s, card.id, "publish", manager.id, now - timedelta(days=max(today.day - 4, 0)))
    scorecards.do_compute(s, today.strftime("%Y-%m"), tz, manager.id, now, None)
    storage = make_storage(settings)
    made = [
        reports.do_generate(s, storage, kind, day, settings, now)[0]
        for kind, day in (
            ("monthly", today.replace(day=1) - timedelta(days=1)),
            ("weekly", today - timedelta(days=7)),
            ("daily", today - timedelta(days=1)),
        )
    ]
    return f"scorecards for {last_month} published, {len(made)} reports"
