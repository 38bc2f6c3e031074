"""Written conversations (WeChat, the web chat, SMS, e-mail) as quality inspection sees them, read through
``channels.queries`` (quality sits above channels; it never reads channels' tables itself).

- **Flags** (``flags_of``): each agent message scanned on its own with the phrase rules a call's transcript is
  judged by (``phrases.scan``: forbidden and shirking phrases, hits and hints, with the rule's severity); the
  customer's and the bot's messages are never judged. A slow reply is flagged too (``slow_response``): a first
  response later than ``channels.first_response_seconds``, or a customer left waiting for an agent's reply
  longer than the first step of ``channels.escalate_minutes``.
- **Waits** (``waits``): the first response (from the hand-off to an agent, ``queued_at``, to the first agent
  message) and the longest wait for an agent reply (from a customer message after the hand-off, the oldest
  unanswered, to the next agent message; a last message nobody answered, such as a thank-you, is no wait).
- **The sweep** (``sweep``): the sampling plan's candidates. Each closed conversation an agent answered gets one
  ``qa_chat_checks`` row, made once after it closes: the agent it counts for, the month it closed in, its
  rating, its phrase flags. The sweep keeps a cursor (the first conversation id not seen, and the ids seen
  still open), so each hourly draw reads only the conversations that closed since the last one, and the
  ratings of those whose rating may still come (``channels.queries.RATING_WINDOW``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.channels import queries as conversations
from huiyin.channels.queries import ChatMessage, ConversationFacts
from huiyin.quality import phrases, rules, service
from huiyin.quality.models import QaChatCheck, QaSamplingPlan

SWEEP_BATCH = 500
"""Conversations read per step of the sweep."""


def waits(facts: ConversationFacts, messages: Sequence[ChatMessage]) -> tuple[float | None, float | None]:
    """(first response, longest wait for an agent reply) in seconds; None where there is none."""
    first = None
    start = facts.queued_at
    if start is not None and facts.first_response_at is not None:
        first = max(0.0, (facts.first_response_at - start).total_seconds())
    longest: float | None = None
    waiting_since: datetime | None = None
    for m in messages:
        if start is None or m.at < start:
            continue
        if m.sender == "customer" and waiting_since is None:
            waiting_since = m.at
        elif m.sender == "agent" and waiting_since is not None:
            wait = max(0.0, (m.at - waiting_since).total_seconds())
            longest = wait if longest is None else max(longest, wait)
            waiting_since = None
    if first is not None:
        longest = first if longest is None else max(longest, first)
    return first, longest


def phrase_flags(messages: Sequence[ChatMessage], ruleset: phrases.RuleSet) -> list[dict[str, Any]]:
    """The judged phrases (forbidden, shirking) of the agents' messages: ``{"kind", "message_id", "at",
    "start", "end" (indices in the message's text), "value" (the phrase), "severity", "verdict", "why"}``."""
    severity = service.severities(ruleset)
    out = []
    for m in messages:
        if m.sender != "agent" or not m.text.strip():
            continue
        for h in phrases.scan(m.text, ruleset):
            if h.kind in phrases.JUDGED_KINDS and h.verdict != "none":
                out.append(
                    {
                        "kind": h.kind, "message_id": m.id, "at": m.at.isoformat(), "start": h.start, "end": h.end,
                        "value": h.phrase, "severity": severity.get((h.kind, h.phrase), "major"),
                        "verdict": h.verdict, "why": h.why,
                    }
                )  # fmt: skip
    return out


def slow_flags(first: float | None, longest: float | None, first_target: int, wait_limit: int) -> list[dict[str, Any]]:
    """``slow_response`` when the first response missed its target or a customer waited past the limit."""
    out = []
    if first is not None and first > first_target:
        out.append({"kind": "slow_response", "value": round(first), "severity": "minor", "why": "first_response"})
    if longest is not None and longest > wait_limit and longest != first:
        out.append({"kind": "slow_response", "value": round(longest), "severity": "minor", "why": "longest_wait"})
    return out


def flags_of(
    session: Session, facts: ConversationFacts, messages: Sequence[ChatMessage], first_target: int, wait_limit: int
) -> list[dict[str, Any]]:
    first, longest = waits(facts, messages)
    return [*phrase_flags(messages, rules.phrase_rules(session)), *slow_flags(first, longest, first_target, wait_limit)]


def month_of(at: datetime, tz_name: str) -> str:
    return at.astimezone(ZoneInfo(tz_name)).strftime("%Y-%m")


def _check(
    facts: ConversationFacts, messages: Sequence[ChatMessage], ruleset: phrases.RuleSet, at: datetime, tz_name: str
) -> QaChatCheck:
    assert facts.agent_id is not None and facts.closed_at is not None
    flags = phrase_flags(messages, ruleset)
    hits = [f for f in flags if f["verdict"] == "hit"]
    return QaChatCheck(
        conversation_id=facts.id, agent_id=facts.agent_id, agent_ids=list(facts.agent_ids), channel=facts.channel,
        month=month_of(facts.closed_at, tz_name), closed_at=facts.closed_at, rating=facts.rating,
        rating_until=facts.rating_until, kinds=sorted({f["kind"] for f in hits}),
        red_line=any(f["severity"] == "red_line" for f in hits), flags=flags, checked_at=at,
    )  # fmt: skip


def sweep(session: Session, at: datetime, tz_name: str) -> int:
    """Checks the conversations closed since the last sweep (``qa_chat_checks``) and reads again the ratings
    that may still come; the new checks made."""
    row = session.scalar(select(QaSamplingPlan).with_for_update())
    if row is None:
        row = QaSamplingPlan(plan={}, updated_at=at, updated_by=None)
        session.add(row)
    seen = dict(row.chats_seen or {})
    next_id, still_open = int(seen.get("next_id", 0)), [int(i) for i in seen.get("open", [])]
    ruleset = rules.phrase_rules(session)
    made = 0
    also: list[int] = still_open
    still_open = []
    while True:
        states = conversations.seen_from(session, next_id, also, SWEEP_BATCH)
        newer = [i for i, _ in states if i >= next_id]
        closed = [i for i, done in states if done]
        still_open += [i for i, done in states if not done]
        facts = conversations.conversation_facts(session, closed)
        answered = [f for f in facts.values() if f.agent_id is not None and f.closed_at is not None]
        known = set(
            session.scalars(
                select(QaChatCheck.conversation_id).where(QaChatCheck.conversation_id.in_([f.id for f in answered]))
            )
        )
        answered = [f for f in answered if f.id not in known]
        texts = conversations.agent_messages(session, [f.id for f in answered])
        for f in answered:
            session.add(_check(f, texts.get(f.id, []), ruleset, at, tz_name))
            made += 1
        if newer:
            next_id = max(newer) + 1
        also = []
        if len(newer) < SWEEP_BATCH:
            break
    row.chats_seen = {"next_id": next_id, "open": sorted(set(still_open))}
    pending = list(session.scalars(select(QaChatCheck).where(QaChatCheck.rating_until.is_not(None))))
    now_rated = conversations.ratings(session, [c.conversation_id for c in pending])
    for c in pending:
        rating, until = now_rated.get(c.conversation_id, (c.rating, None))
        c.rating = rating
        c.rating_until = until if until is not None and until > at else None
    session.flush()
    return made


def checks_of(session: Session, conversation_ids: Sequence[int]) -> dict[int, QaChatCheck]:
    if not conversation_ids:
        return {}
    stmt = select(QaChatCheck).where(QaChatCheck.conversation_id.in_(list(conversation_ids)))
    return {c.conversation_id: c for c in session.scalars(stmt)}
