"""The CTI event intake of one server process (``core.intake``): events that arrive while others are being
applied gather, and the next batch applies them together in one transaction, in a worker thread.

Why batches: an event is a dozen short statements, and the fixed part of its transaction (the connection's
check, the token, the NOTIFYs, the commit and its WAL flush) is a third of it. Under load, events queue
anyway (one batch at a time per process: a second thread running Python beside the first and the event
loop only makes all three wait longer for the GIL); a batch pays that part once. When the PBX is quiet a
batch is one event, applied at once.

A batch is all or nothing: if any of its events fails (a wrong token, a bad body, a deadlock with another
process's batch), the transaction rolls back and each event of it is applied again in a transaction of
its own, so that only the failing one gets its error and the others their replies. Events are applied in
the order they arrived; two events of one call in one batch follow each other as they would otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from huiyin.core.intake import MAX_BATCH, Apply, Intake

__all__ = ["MAX_BATCH", "Apply", "EventKind", "Intake"]

EventKind = Callable[[Session, int, dict[str, Any]], dict[str, Any]]
"""How another domain takes a kind of PBX event the phone channel does not know itself (the IVR's rating key
press: ``surveys``): (session, the posting integration's id, the event's fields) → the reply. Applied in the
intake's batch like any event; named in ``huiyin/wiring.py`` (``cti_event_kinds``) and kept on the app."""
