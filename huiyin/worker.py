"""The worker: fires due deadlines and delivers the outbox, as thin loops over the database.

``huiyin worker`` runs one in its own process (several side by side on PostgreSQL); ``huiyin serve`` also
runs one inside itself (``HUIYIN_WORKER__EMBEDDED``, on by default). Time comes from ``huiyin.clock``, so
tests move the clock and call ``tick()`` instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from huiyin.channels import inbox
from huiyin.channels import jobs as channel_jobs
from huiyin.channels import notices as wechat_notices
from huiyin.channels.wechat import TokenStore
from huiyin.clock import now
from huiyin.complaints import ledger
from huiyin.db import Database
from huiyin.models import load_all
from huiyin.notify import jobs as outbox
from huiyin.notify.channels import DeliveryError, Disabled, Gateway, channels_off, send_email
from huiyin.outages import jobs as outage_jobs
from huiyin.performance import early_warning, reports, rollups
from huiyin.performance import orders as order_rollup
from huiyin.performance import states as agent_states
from huiyin.quality import jobs as analyses
from huiyin.quality import sampling
from huiyin.settings import Settings
from huiyin.sla import jobs as deadlines
from huiyin.storage import make_storage
from huiyin.surveys import delayed as surveys
from huiyin.surveys import invitations

if TYPE_CHECKING:
    from huiyin.quality.transcribe import Transcriber

log = logging.getLogger("huiyin.worker")
_T = TypeVar("_T")
SURVEY_EVERY = timedelta(minutes=1)


class QuietLog:
    """Logs a repeated failure once a minute, not once a message: the first line of a kind (the channel and
    the error's text) at once, then at most one a minute saying how many more there were. A gateway that is
    down for twenty minutes is twenty lines, not thousands."""

    def __init__(self, every_seconds: float = 60.0) -> None:
        self.every = every_seconds
        self._seen: dict[tuple[str, str], tuple[float, int]] = {}  # kind → (last logged, not logged since)
        self._lock = threading.Lock()

    def failed(self, channel: str, error: str, message_id: int, at: float) -> bool:
        """Logs the failure unless one like it was logged within the minute; whether it logged."""
        key = (channel, error)
        with self._lock:
            last, quiet = self._seen.get(key, (float("-inf"), 0))
            if at - last < self.every:
                self._seen[key] = (last, quiet + 1)
                return False
            self._seen[key] = (at, 0)
        more = f" ({quiet} more like it in the last {int(at - last)} s)" if quiet else ""
        log.warning("delivery %s (%s) failed: %s%s", message_id, channel, error, more)
        return True


@dataclass
class TickResult:
    fired: int = 0
    claimed: int = 0  # messages claimed for sending (SMS, voice, email)
    delivered: int = 0
    failed: int = 0
    published: int = 0  # outbox rows done while claiming: in-app messages pushed, acknowledged reminders skipped
    surveys: int = 0  # delayed surveys sent, reminded or expired
    rolled: int = 0  # KPI rollup slots recomputed (not work that asks for the next tick at once)
    analysed: int = 0  # recordings analysed (or given up)
    chats: int = 0  # written channels: inbox messages taken in, conversations routed, messages sent

    def __bool__(self) -> bool:
        return bool(self.fired or self.claimed or self.published or self.surveys or self.analysed or self.chats)


def _transcriber(settings: Settings) -> Transcriber | None:
    """The local recogniser the settings name; a missing engine or model is logged and recordings are analysed
    without transcripts (the worker's other work must not stop for it)."""
    if settings.quality.transcriber == "none":
        return None
    from huiyin.quality.transcribe import TranscriberUnavailable, make_transcriber  # numpy, scipy: only if used

    try:
        return make_transcriber(settings.quality.transcriber, settings.quality.model_dir)
    except TranscriberUnavailable as exc:
        log.error("quality.transcriber %s is unavailable: %s", settings.quality.transcriber, exc.reason)
        return None


INBOX_BATCH = 50
INBOX_SECONDS = 2.0
"""The inbox is taken in batch after batch for at most this long a round (then the other work has its turn)."""
EMBEDDED_INBOX_BATCH = 5
"""The embedded worker takes the inbox in a few messages at a time (~50 ms), each batch under the process's write
lock on its own, so that the callbacks' own writes (queued on that lock) come between its batches."""


class Worker:
    def __init__(self, db: Database, settings: Settings, gateway: Gateway | None = None) -> None:
        load_all()  # a flush resolves every foreign key (work_orders → customers): `huiyin worker` imports no app
        self.db = db
        self.settings = settings
        self.gateway = gateway or Gateway(settings.notify)
        self.storage = make_storage(settings)  # the files e-mails attach (the reports)
        self.quiet = QuietLog()
        self.wechat_tokens = TokenStore()  # WeChat's access tokens, one fetch per account per 2 hours, not per send
        self.transcriber = _transcriber(settings)
        self._surveyed: datetime | None = None
        self._calls_upto: datetime | None = None
        self._answers_upto: datetime | None = None
        self._rolled: float | None = None  # time.monotonic() of the last rollup refresh
        self._orders_rolled: float | None = None  # … of the orders' daily rollup
        self._mailed: float | None = None  # … of the last mailbox read
        off = channels_off(settings.notify)
        if off:  # a state of this installation, said once, not an error per message
            log.warning(
                "notification channels off (not configured): %s; their messages are marked skipped, not retried",
                ", ".join(off),
            )

    # each step is one short transaction
    def fire_batch(self) -> int:
        with self.db.session() as s:
            cfg = self.settings
            return deadlines.fire_due(s, now(), limit=cfg.worker.batch_size, settings=cfg.notify, tz=cfg.timezone)

    def survey_batch(self) -> int:
        """Sends the delayed surveys due, reminds, expires, and asks the callers of calls that ended without an
        order for a rating (their SMS go out with the next delivery): at most once a minute of the clock."""
        at = now()
        if not self.settings.surveys.surveys or (self._surveyed is not None and at - self._surveyed < SURVEY_EVERY):
            return 0
        self._surveyed = at
        cfg = self.settings
        with self.db.session() as s:
            n = surveys.send_due(s, at, settings=cfg.surveys, secret=cfg.secret_key, limit=cfg.worker.batch_size)
        # callers of answered calls without an order, asked some minutes after (from where the last run ended;
        # a new worker looks back an hour, and the outbox's key asks no call twice)
        end = at - timedelta(minutes=cfg.surveys.invite_call_delay_minutes)
        start = self._calls_upto or end - timedelta(hours=1)
        if end > start:
            with self.db.session() as s:
                n += invitations.do_invite_after_calls(s, start, end, settings=cfg.surveys, secret=cfg.secret_key)
            self._calls_upto = end
        # the ledger's rewards for the surveys answered since the last run (top scores: complaints.ledger)
        since = self._answers_upto or at - timedelta(days=1)
        with self.db.session() as s:
            n += len(ledger.do_award_surveys(s, since, at, cfg.complaints, cfg.timezone))
        self._answers_upto = at
        return n

    def rollup_batch(self, force: bool = False) -> int:
        """Brings the KPI rollups up to now (``performance.rollups``), at most every ``kpis.refresh_seconds``
        of real time; the number of 15-minute slots recomputed."""
        cfg = self.settings.kpis
        started = time.monotonic()
        if not force and self._rolled is not None and started - self._rolled < cfg.refresh_seconds:
            return 0
        self._rolled = started
        margin, tz = timedelta(seconds=cfg.refresh_margin_seconds), self.settings.timezone
        with self.db.session() as s:
            slots = rollups.do_refresh(s, now(), margin, tz)
        with self.db.session() as s:
            agent_states.do_refresh(s, now(), margin, tz)
        with self.db.session() as s:  # the slots just made are judged (特征值预警), and the live waits
            early_warning.do_run(s, now(), cfg, self.settings.cti.short_abandon_seconds, self.settings.notify)
        if force or self._orders_rolled is None or started - self._orders_rolled >= cfg.orders_refresh_seconds:
            self._orders_rolled = started
            with self.db.session() as s:
                order_rollup.do_refresh(s, now(), margin, tz)
            with self.db.session() as s:  # from 06:00: yesterday's reports made and mailed (each once)
                reports.do_run(s, self.storage, self.settings, now())
        return slots

    def analysis_claim(self) -> list[analyses.Claimed]:
        """Recordings to analyse (issue 17), leased to this worker; none when analysis is off."""
        if not self.settings.quality.analyse_recordings:
            return []
        with self.db.session() as s:
            return analyses.claim(s, now(), self.settings.quality.batch_size)

    def analysis_run(self, claimed: list[analyses.Claimed]) -> list[analyses.Outcome]:
        """Analyses them, no transaction open (a second of CPU each)."""
        return [analyses.analyse_one(self.storage, c, transcriber=self.transcriber) for c in claimed]

    def analysis_finish(self, outcomes: list[analyses.Outcome]) -> None:
        with self.db.session() as s:
            analyses.finish(s, outcomes, now())

    def sampling_batch(self) -> int:
        """The QA sampling plan's draw (issue 17), hourly: this month's new samples (the number drawn)."""
        at = now()
        with self.db.session() as s:
            if not sampling.due(s, at):
                return 0
            return sum(sampling.do_scheduled_draw(s, at, self.settings.timezone).values())

    def outage_batch(self) -> int:
        """Outages (issue 18): planned ones whose start has come become active; then one batch of a notice or
        restore round and one of an announcement (customers or reports taken; 0: nothing pending)."""
        at = now()
        with self.db.session() as s:
            n = outage_jobs.do_activate_due(s, at)
        with self.db.session() as s:
            n += outage_jobs.do_round_step(s, self.settings, at)
        with self.db.session() as s:
            n += outage_jobs.do_announcement_step(s, self.settings, at)
        return n

    def notices_claim(self) -> tuple[int, list[wechat_notices.Claimed]]:
        """WeChat template messages (``channels.notices``): new rounds for outages and announcements, a batch
        of the oldest round's followers queued; then the due messages claimed (leased)."""
        at = now()
        with self.db.session() as s:
            n = wechat_notices.do_scan(s, self.settings, at)
        with self.db.session() as s:
            n += wechat_notices.do_round_step(s, at)
        with self.db.session() as s:
            return n, wechat_notices.claim(s, at)

    def notices_send(self, claimed: list[wechat_notices.Claimed]) -> list[wechat_notices.Outcome]:
        """Hands them to WeChat's template API, no transaction open."""
        return [wechat_notices.send_one(c, self.wechat_tokens) for c in claimed]

    def notices_finish(self, claimed: list[wechat_notices.Claimed], outcomes: list[wechat_notices.Outcome]) -> None:
        with self.db.session() as s:
            wechat_notices.finish(s, claimed, outcomes, now())

    def notices_batch(self) -> int:
        n, claimed = self.notices_claim()
        if claimed:
            self.notices_finish(claimed, self.notices_send(claimed))
        return n + len(claimed)

    def channels_batch(self) -> int:
        """Written channels (issue 19), in one go (the standalone worker): see the three steps below."""
        n, claimed = self.channels_claim()
        if claimed:
            self.channels_finish(claimed, self.channels_send(claimed))
        media = self.media_claim()
        if media:
            self.media_finish(self.media_fetch(media))
        fetched = self.mail_fetch()
        return n + len(claimed) + len(media) + (self.mail_take(fetched) if fetched else 0)

    def inbox_batch(self, limit: int = INBOX_BATCH) -> int:
        """Webhook messages stored and answered but not taken in yet: a batch of them taken in."""
        with self.db.session() as s:
            return inbox.process_batch(s, self.settings, limit=limit)

    def channels_claim(self, *, inbox_too: bool = True) -> tuple[int, list[channel_jobs.Claimed]]:
        """Inbox messages taken in (batch after batch, ``INBOX_SECONDS`` at most; not with ``inbox_too`` False:
        the embedded worker takes them on its own), conversations routed to ready agents, waits escalated,
        quiet bot conversations closed; then the pending outbound messages claimed (leased)."""
        n, started = 0, time.monotonic()
        while inbox_too and time.monotonic() - started < INBOX_SECONDS:
            got = self.inbox_batch()
            n += got
            if got < INBOX_BATCH:
                break
        with self.db.session() as s:
            n += channel_jobs.rounds(s, self.settings)
        with self.db.session() as s:
            return n, channel_jobs.claim(s, now())

    def channels_send(self, claimed: list[channel_jobs.Claimed]) -> list[channel_jobs.Outcome]:
        """Hands them to WeChat or SMTP, no transaction open."""
        return [channel_jobs.send_one(c, now(), self.wechat_tokens) for c in claimed]

    def channels_finish(self, claimed: list[channel_jobs.Claimed], outcomes: list[channel_jobs.Outcome]) -> None:
        with self.db.session() as s:
            channel_jobs.finish(s, outcomes, {c.id: c.attempts for c in claimed}, now())

    def media_claim(self) -> list[channel_jobs.MediaClaim]:
        """WeChat images and voices whose files are due to be fetched (leased)."""
        with self.db.session() as s:
            return channel_jobs.claim_media(s, now())

    def media_fetch(self, claimed: list[channel_jobs.MediaClaim]) -> list[channel_jobs.MediaOutcome]:
        """Fetches them from WeChat into the storage, no transaction open."""
        return channel_jobs.fetch_media(claimed, self.storage, self.settings, self.wechat_tokens)

    def media_finish(self, outcomes: list[channel_jobs.MediaOutcome]) -> None:
        with self.db.session() as s:
            channel_jobs.finish_media(s, outcomes, now())

    def mail_fetch(self) -> list[tuple[int, int, list[tuple[int, bytes]]]]:
        """Every mailbox's new mail (account, UIDVALIDITY, mails), at most every ``channels.mail_poll_seconds``,
        read with no transaction open."""
        started = time.monotonic()
        if self._mailed is not None and started - self._mailed < self.settings.channels.mail_poll_seconds:
            return []
        self._mailed = started
        with self.db.session(write=False) as s:
            boxes = channel_jobs.mail_accounts(s)
        out = []
        for account_id, config, cursor in boxes:
            try:
                validity, fetched = channel_jobs.fetch(config, cursor)
            except Exception:  # a mailbox down or refusing us: said, and tried again next round
                log.exception("mailbox %s could not be read", account_id)
                continue
            out.append((account_id, validity, fetched))
        return out

    def mail_take(self, fetched: list[tuple[int, int, list[tuple[int, bytes]]]]) -> int:
        taken = 0
        for account_id, validity, mails in fetched:
            with self.db.session() as s:
                taken += channel_jobs.do_take_mail(s, account_id, validity, mails, self.settings, self.storage)
        return taken

    def claim_batch(self) -> list[outbox.Claimed]:
        return self.claim_due().to_send

    def claim_due(self) -> outbox.Claim:
        with self.db.session() as s:
            return outbox.claim_due(s, now(), limit=self.settings.worker.batch_size, settings=self.settings.notify)

    def send(self, claimed: list[outbox.Claimed]) -> list[outbox.Outcome]:
        """Sends the claimed messages, up to ``notify.send_concurrency`` at once (a gateway answers in
        milliseconds to seconds: one by one, a batch of SMS would hold the worker for its sum); no
        transaction is open meanwhile. The outcomes come back in the order of ``claimed``."""
        width = min(self.settings.notify.send_concurrency, len(claimed))
        if width <= 1:
            return [self.send_one(c) for c in claimed]
        with ThreadPoolExecutor(max_workers=width, thread_name_prefix="huiyin-send") as pool:
            return list(pool.map(self.send_one, claimed))

    def send_one(self, c: outbox.Claimed) -> outbox.Outcome:
        try:
            if c.channel == "email":
                send_email(self.settings.notify, c.dedupe_key, c.address, c.payload, self.storage.get)
            else:
                self.gateway.send(c.channel, c.dedupe_key, c.address, c.payload)
            return outbox.Outcome(c.id, True, attempt=c.attempts)
        except DeliveryError as exc:
            off = isinstance(exc, Disabled)
            if not off:  # a channel that is off was said once, at start-up
                self.quiet.failed(c.channel, str(exc), c.id, time.monotonic())
            return outbox.Outcome(c.id, False, str(exc), exc.permanent, c.attempts, off)

    def finish(self, outcomes: list[outbox.Outcome]) -> None:
        with self.db.session() as s:
            outbox.finish(s, now(), outcomes, settings=self.settings.notify)

    def tick(self) -> TickResult:
        """Fires every due deadline and delivers every due message, batch after batch: after each batch of
        deadlines the messages it wrote (and any others due), so that a long backlog of deadlines does not
        hold back the notifications. Each step stands alone (``_guarded``): one that fails (a bad row, a
        gateway's surprise) is logged and the others still run, the deadlines and the outbox last."""
        result = TickResult()
        batch = self.settings.worker.batch_size
        result.surveys = _guarded("surveys", self.survey_batch)
        result.rolled = _guarded("rollups", self.rollup_batch)
        _guarded("sampling", self.sampling_batch)
        while _guarded("outages", self.outage_batch):
            _guarded("outbox", lambda: self.deliver(result))
        result.chats = _guarded("channels", self.channels_batch)
        result.chats += _guarded("notices", self.notices_batch)
        result.analysed = _guarded("analysis", self._analyse)
        while True:
            n = _guarded("deadlines", self.fire_batch)
            result.fired += n
            _guarded("outbox", lambda: self.deliver(result))
            if n < batch:
                return result

    def _analyse(self) -> int:
        claimed = self.analysis_claim()
        if claimed:
            self.analysis_finish(self.analysis_run(claimed))
        return len(claimed)

    def deliver(self, result: TickResult) -> None:
        """Delivers every due message, claim after claim until one comes back short."""
        batch = self.settings.worker.batch_size
        while True:
            got = self.claim_due()
            result.published += got.taken - len(got.to_send)
            if got.to_send:
                result.claimed += len(got.to_send)
                outcomes = self.send(got.to_send)
                self.finish(outcomes)
                result.delivered += sum(o.ok for o in outcomes)
                result.failed += sum(not o.ok for o in outcomes)
            if got.taken < batch:
                return

    def run(self, stop: threading.Event) -> None:
        """The standalone loop (``huiyin worker``), at ``worker.nice`` below the server's CPU priority."""
        if self.settings.worker.nice and hasattr(os, "nice"):
            os.nice(self.settings.worker.nice)
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


def _guarded(step: str, run: Callable[[], _T]) -> _T | int:
    """One step of a worker's round, alone: an error is logged with the step's name and counts as nothing done,
    so that the round goes on to its other steps (a WeChat template failing on a bad row must not hold back
    the SMS outbox or the deadlines behind it)."""
    try:
        return run()
    except Exception:
        log.exception("worker step %s failed", step)
        return 0


async def _guarded_async(step: str, run: Callable[[], Awaitable[int]]) -> int:
    """``_guarded`` for the embedded worker's steps."""
    try:
        return await run()
    except Exception:
        log.exception("embedded worker step %s failed", step)
        return 0


def _embedded_steps(worker: Worker) -> list[tuple[str, Callable[[], Awaitable[int]]]]:
    """The embedded worker's round, step by step, each step's count of work done (0: nothing to do). A step
    writes under the process's write lock (see core.deps.get_session) and talks to the outside world (a
    gateway, a mailbox, WeChat, the transcriber) without it."""
    db = worker.db

    async def locked(run: Callable[..., _T], *args: object) -> _T:
        async with db.write_lock:
            return await asyncio.to_thread(run, *args)

    async def deadlines() -> int:
        return await locked(worker.fire_batch) + await locked(worker.survey_batch)

    async def rollups() -> int:
        await locked(worker.rollup_batch)  # the KPI rollups, early warning, reports: every kpis.refresh_seconds
        return 0

    async def sampling() -> int:
        await locked(worker.sampling_batch)  # QA's samples, hourly
        return 0

    async def outages() -> int:  # a batch of a notice, a restoration or an announcement
        return await locked(worker.outage_batch)

    async def inbox() -> int:  # the inbox, a few at a time, the lock let go between
        took, started = 0, time.monotonic()
        while time.monotonic() - started < INBOX_SECONDS:
            got_in = await locked(worker.inbox_batch, EMBEDDED_INBOX_BATCH)
            took += got_in
            if got_in < EMBEDDED_INBOX_BATCH:
                break
        return took

    async def channels() -> int:  # written channels: routing, escalation; then sending
        routed, sending = await locked(lambda: worker.channels_claim(inbox_too=False))
        if sending:
            sent = await asyncio.to_thread(worker.channels_send, sending)
            await locked(worker.channels_finish, sending, sent)
        return routed + len(sending)

    async def claimed_worked_finished(
        claim: Callable[[], list[Any]], work: Callable[[list[Any]], Any], finish: Callable[[Any], None]
    ) -> int:
        """Claimed under the lock, worked without it (the outside world), finished under it; how many."""
        claimed = await locked(claim)
        if claimed:
            await locked(finish, await asyncio.to_thread(work, claimed))
        return len(claimed)

    async def media() -> int:  # WeChat's images and voices: fetched from WeChat
        return await claimed_worked_finished(worker.media_claim, worker.media_fetch, worker.media_finish)

    async def mail() -> int:
        mails = await asyncio.to_thread(worker.mail_fetch)
        return await locked(worker.mail_take, mails) if mails else 0

    async def notices() -> int:  # WeChat template messages: rounds, then sending without the lock
        notes, noting = await locked(worker.notices_claim)
        if noting:
            noted = await asyncio.to_thread(worker.notices_send, noting)
            await locked(worker.notices_finish, noting, noted)
        return notes + len(noting)

    async def analysis() -> int:  # recordings: analysed
        return await claimed_worked_finished(worker.analysis_claim, worker.analysis_run, worker.analysis_finish)

    async def outbox_() -> int:
        got = await locked(worker.claim_due)
        if got.to_send:
            outcomes = await asyncio.to_thread(worker.send, got.to_send)
            await locked(worker.finish, outcomes)
        return got.taken

    return [
        ("deadlines", deadlines),
        ("rollups", rollups),
        ("sampling", sampling),
        ("outages", outages),
        ("inbox", inbox),
        ("channels", channels),
        ("media", media),
        ("mail", mail),
        ("notices", notices),
        ("analysis", analysis),
        ("outbox", outbox_),
    ]


async def run_embedded(worker: Worker, stop: asyncio.Event, wake: asyncio.Event) -> None:
    """The worker inside ``huiyin serve``: database steps in a thread while holding the process's write lock
    (see core.deps.get_session), sending in a thread without it. Woken at once by commits that wrote to the
    outbox, else every ``poll_seconds``. Each step of a round stands alone: one that fails is logged and the
    round goes on (``_embedded_steps``)."""
    steps = _embedded_steps(worker)
    while not stop.is_set():
        wake.clear()
        busy = False
        for name, step in steps:
            busy = bool(await _guarded_async(name, step)) or busy
        if busy:
            await asyncio.sleep(0)
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=worker.settings.worker.poll_seconds)
