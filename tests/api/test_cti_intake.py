"""The CTI event intake (``calls/intake.py``) on both databases: events that arrive while a batch is being
applied share the next batch's transaction; a failing event gets its own error and the others of its
batch their replies, each then in a transaction of its own."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from huiyin.calls.intake import Intake
from huiyin.db import Database
from huiyin.errors import Invalid


class Recorder:
    """An apply function that writes a row per item (a day of the order-number counter, named after the
    item), notes its transaction, and can be slow or fail."""

    def __init__(self) -> None:
        self.sessions: dict[str, int] = {}
        self.lock = threading.Lock()

    def __call__(self, session: Session, item: Any, memo: dict[str, Any]) -> dict[str, Any]:
        name, slow, fail = item
        if slow:
            time.sleep(0.3)  # the others arrive meanwhile
        session.execute(text("INSERT INTO order_number_seq (day, last) VALUES (:n, 1)"), {"n": name})
        if fail:
            raise Invalid(f"{name} is bad")
        with self.lock:
            self.sessions[name] = id(session)
        memo[name] = True
        return {"name": name, "memo": sorted(memo)}


def names_written(db: Database) -> set[str]:
    with db.session(write=False) as s:
        return set(s.scalars(text("SELECT day FROM order_number_seq WHERE day LIKE 'ev%'")))


async def submit_all(intake: Intake, items: list[tuple[str, bool, bool]]) -> list[Any]:
    first = asyncio.create_task(intake.submit(items[0]))
    await asyncio.sleep(0.05)  # the first is being applied: the rest gather
    rest = [asyncio.create_task(intake.submit(i)) for i in items[1:]]
    return list(await asyncio.gather(first, *rest, return_exceptions=True))


@pytest.fixture
def counters(db: Database) -> Database:
    with db.session() as s:
        s.execute(text("DELETE FROM order_number_seq WHERE day LIKE 'ev%'"))
    return db


def test_events_arriving_while_one_is_applied_share_the_next_transaction(counters: Database) -> None:
    recorder = Recorder()
    intake = Intake(counters, recorder)
    items = [("ev0", True, False)] + [(f"ev{n}", False, False) for n in range(1, 6)]
    replies = asyncio.run(submit_all(intake, items))
    assert [r["name"] for r in replies] == [f"ev{n}" for n in range(6)]
    assert replies[5]["memo"] == ["ev1", "ev2", "ev3", "ev4", "ev5"]  # one batch: what it looked up is shared
    assert len({recorder.sessions[f"ev{n}"] for n in range(1, 6)}) == 1
    assert intake.batches == 1
    assert names_written(counters) == {f"ev{n}" for n in range(6)}


def test_a_failing_event_gets_its_error_and_the_others_of_its_batch_their_replies(counters: Database) -> None:
    recorder = Recorder()
    intake = Intake(counters, recorder)
    items = [("ev0", True, False), ("ev1", False, False), ("ev2", False, True), ("ev3", False, False)]
    replies = asyncio.run(submit_all(intake, items))
    assert isinstance(replies[2], Invalid) and "ev2 is bad" in str(replies[2])
    assert [r["name"] for r in (replies[0], replies[1], replies[3])] == ["ev0", "ev1", "ev3"]
    assert replies[3]["memo"] == ["ev3"]  # applied alone after the batch rolled back
    assert intake.batches == 0
    assert names_written(counters) == {"ev0", "ev1", "ev3"}  # the bad one's row rolled back, nothing twice


def test_events_that_are_not_urgent_wait_until_no_urgent_one_does(counters: Database) -> None:
    """The IVR's ratings are not urgent: call events that arrive after them (their screen pops wait on them)
    are applied first, and the ratings after, in a batch of their own."""
    recorder = Recorder()
    intake = Intake(counters, recorder)

    async def run() -> list[Any]:
        first = asyncio.create_task(intake.submit(("ev0", True, False)))
        await asyncio.sleep(0.05)  # the first is being applied: the rest gather
        later = [asyncio.create_task(intake.submit((f"ev-r{n}", False, False), urgent=False)) for n in range(3)]
        calls = [asyncio.create_task(intake.submit((f"ev-c{n}", False, False))) for n in range(3)]
        return list(await asyncio.gather(first, *later, *calls))

    replies = asyncio.run(run())
    calls, later = replies[4:], replies[1:4]
    assert [r["memo"] for r in calls][-1] == ["ev-c0", "ev-c1", "ev-c2"]  # the calls' batch: no rating in it
    assert [r["memo"] for r in later][-1] == ["ev-r0", "ev-r1", "ev-r2"]  # then the ratings', together
    assert recorder.sessions["ev-c0"] != recorder.sessions["ev-r0"]
    applied = list(recorder.sessions)  # in the order they were applied
    assert applied.index("ev-c2") < applied.index("ev-r0")  # the calls first, though they came after
    assert intake.batches == 2
    assert names_written(counters) == {"ev0"} | {f"ev-c{n}" for n in range(3)} | {f"ev-r{n}" for n in range(3)}
