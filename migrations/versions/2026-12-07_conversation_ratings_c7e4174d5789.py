"""conversation ratings

A written conversation's rating is a rating in surveys from now on (contact ``conversation:<id>``, its own
channel, its agent; no schema change: ``ratings.order_id`` is nullable and ``contact`` a string). The ratings
conversations were given before are copied there, so ``conversations.rating`` and surveys agree and 满意率
counts them: the answer's time is the customer's first message after the invitation (else the invitation's),
the day is in the centre's time zone; no care task is opened for an old unsatisfied one. The daily counts are
made again from the ratings (as huiyin/surveys/service.py ``do_rebuild_daily`` does).

Revision ID: c7e4174d5789
Revises: 108b4e2c22ec
Create Date: 2026-12-07 14:11:37.379652
"""
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import huiyin.db
from huiyin.settings import Settings

revision: str = 'c7e4174d5789'
down_revision: str | None = '108b4e2c22ec'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RESULTS = {"satisfied": "satisfied", "basic": "basically_satisfied", "unsatisfied": "unsatisfied"}


def upgrade() -> None:
    bind = op.get_bind()
    when = huiyin.db.UTCDateTime(timezone=True)
    conversations = sa.table(
        "conversations",
        sa.column("id", sa.Integer), sa.column("channel", sa.String), sa.column("agent_id", sa.Integer),
        sa.column("customer_id", sa.Integer), sa.column("rating", sa.String), sa.column("rating_invited_at", when),
    )
    messages = sa.table(
        "channel_messages",
        sa.column("conversation_id", sa.Integer), sa.column("direction", sa.String), sa.column("created_at", when),
    )
    ratings = sa.table(
        "ratings",
        sa.column("contact", sa.String), sa.column("kind", sa.String), sa.column("channel", sa.String),
        sa.column("result", sa.String), sa.column("at", when), sa.column("day", sa.Date),
        sa.column("agent_id", sa.Integer), sa.column("customer_id", sa.Integer),
    )
    c = conversations.c
    answered = (
        sa.select(sa.func.min(messages.c.created_at, type_=when))
        .where(
            messages.c.conversation_id == c.id,
            messages.c.direction == "in",
            messages.c.created_at >= c.rating_invited_at,
        )
        .scalar_subquery()
    )
    had = set(bind.scalars(sa.select(ratings.c.contact).where(ratings.c.contact.like("conversation:%"))))
    tz = ZoneInfo(Settings().timezone)
    rows = []
    for cid, channel, agent_id, customer_id, rating, invited, at in bind.execute(
        sa.select(c.id, c.channel, c.agent_id, c.customer_id, c.rating, c.rating_invited_at, answered)
        .where(c.rating.is_not(None), c.rating_invited_at.is_not(None))
        .order_by(c.id)
    ):
        contact = f"conversation:{cid}"
        if contact in had or rating not in RESULTS:
            continue
        at = at or invited
        rows.append(
            {"contact": contact, "kind": "instant", "channel": channel, "result": RESULTS[rating], "at": at,
             "day": at.astimezone(tz).date(), "agent_id": agent_id, "customer_id": customer_id}
        )
    if rows:
        bind.execute(sa.insert(ratings), rows)
        _rebuild_daily()


def downgrade() -> None:
    op.execute(
        "DELETE FROM care_tasks WHERE rating_id IN (SELECT id FROM ratings WHERE contact LIKE 'conversation:%')"
    )
    op.execute("DELETE FROM ratings WHERE contact LIKE 'conversation:%'")
    _rebuild_daily()


def _rebuild_daily() -> None:
    op.execute("DELETE FROM satisfaction_daily")
    for dim, key, where, group in (
        ("all", "''", "", ""),
        ("agent", "CAST(agent_id AS VARCHAR(32))", "WHERE agent_id IS NOT NULL", ", agent_id"),
        ("unit", "CAST(unit_id AS VARCHAR(32))", "WHERE unit_id IS NOT NULL", ", unit_id"),
        ("category", "CAST(category_id AS VARCHAR(32))", "WHERE category_id IS NOT NULL", ", category_id"),
        ("channel", "channel", "", ", channel"),
    ):
        op.execute(
            "INSERT INTO satisfaction_daily (kind, dim, day, key, satisfied, basically_satisfied, unsatisfied) "
            f"SELECT kind, '{dim}', day, {key}, "
            "sum(CASE WHEN result = 'satisfied' THEN 1 ELSE 0 END), "
            "sum(CASE WHEN result = 'basically_satisfied' THEN 1 ELSE 0 END), "
            "sum(CASE WHEN result = 'unsatisfied' THEN 1 ELSE 0 END) "
            f"FROM ratings {where} GROUP BY kind, day{group}"
        )
