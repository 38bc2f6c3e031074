"""The demo centre's early warnings (特征值预警): the bursts ``build`` planted in its history (a gas main's
fault three days ago, a smaller one this morning) judged by the real rules, slot by slot, as the worker
would have judged them; the older one acknowledged by the duty manager with what was found."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from huiyin.auth.models import User
from huiyin.performance import early_warning
from huiyin.performance.models import SLOT_SECONDS
from huiyin.settings import get_settings

OUTCOME = "经核实为该台区中压管道调压器故障，抢修班组已更换调压器并恢复供气，已在营业厅和公众号发布停气说明"


def raise_warnings(s: Session, manager: User, now: datetime, days: int = 4) -> int:
    """Judges the last ``days`` days' slots (the worker's rules, ``early_warning.evaluate``), keeps what warned
    (the duty managers told), acknowledges the warnings older than a day. How many warnings."""
    settings = get_settings()
    end = int(now.timestamp()) // SLOT_SECONDS
    made = 0
    known = early_warning.since(s)
    for slot in range(end - days * 96, end):
        found = early_warning.evaluate(s, slot, settings.kpis, settings.cti.short_abandon_seconds, known)
        at = early_warning.slot_start(slot + 1) + early_warning.LATE
        made += len(early_warning.do_record(s, found, at, settings.notify))
    for w in early_warning.open_warnings(s):
        if early_warning.slot_start(w.last_slot) < now - timedelta(days=1):
            early_warning.do_acknowledge(s, w.id, manager.id, OUTCOME, early_warning.slot_start(w.last_slot + 8))
    return made
