"""The rollups: the call facts per 15-minute slot, queue and direction, and per local day, agent and direction.

A slot is a 15-minute interval of UTC, numbered from the epoch (``slot = epoch seconds // 900``); every zone
whose offset is a multiple of 15 minutes (all of China's, and nearly all others) cuts its days, hours and
15/30/60-minute intervals on slot boundaries. A row holds counts and sums only (never a percentage), so any
period and any cut is a sum of rows. The rows are made from the ``calls`` table by ``rollups`` and can be
rebuilt from it at any time (``huiyin kpis rebuild``); the calls stay the truth.

Why two tables and not one per slot × queue × agent: an agent takes one or two calls in a slot, so such a
row is hardly fewer than the calls themselves (measured: 7.5 M rows for 10 M calls). The agents' cut is
read by days and months, so their table keeps days (365 × agents rows a year); an agent's 15-minute figures,
asked for over hours, come from the calls.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from huiyin.db import Base, UTCDateTime

SLOT_SECONDS = 900
ANSWER_THRESHOLDS = (10, 15, 20, 30, 45, 60, 90, 120)
"""The T of SL(T) kept in the rollups (answered and abandoned within T, ``wait ≤ T``); any other T is
computed from the calls themselves."""
SHORT_THRESHOLDS = (3, 5, 10)
"""Short-abandon thresholds kept in the rollups (abandoned with ``wait < S``); any other from the calls."""


class CallFacts:
    """The counts and sums both rollups keep (``facts.FACTS`` defines each).

    Inbound: ``offered`` = calls routed to a person (not blocked, not left in the IVR); ``ivr_only`` = ended
    in the IVR (no queue, offered to nobody, never answered); ``abandoned`` = ended unanswered after being
    routed (``calls.abandoned`` less the IVR-only). Outbound: ``offered`` = dialled, ``answered`` =
    connected. ``talk``, ``hold``, ``acw`` are seconds summed over the answered."""

    offered: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    abandoned: Mapped[int] = mapped_column(Integer, default=0)
    short_abandoned: Mapped[int] = mapped_column(Integer, default=0)  # by the threshold stored on each call
    ivr_only: Mapped[int] = mapped_column(Integer, default=0)
    blocked: Mapped[int] = mapped_column(Integer, default=0)
    wait_answered: Mapped[int] = mapped_column(BigInteger, default=0)  # seconds, summed over the answered
    wait_max: Mapped[int] = mapped_column(Integer, default=0)  # the longest wait of a routed call
    talk: Mapped[int] = mapped_column(BigInteger, default=0)
    hold: Mapped[int] = mapped_column(BigInteger, default=0)
    acw: Mapped[int] = mapped_column(BigInteger, default=0)
    acw_calls: Mapped[int] = mapped_column(Integer, default=0)  # answered calls whose wrap-up has ended
    ans_le_10: Mapped[int] = mapped_column(Integer, default=0)
    ans_le_15: Mapped[int] = mapped_column(Integer, default=0)
    ans_le_20: Mapped[int] = mapped_column(Integer, default=0)
    ans_le_30: Mapped[int] = mapped_column(Integer, default=0)
    ans_le_45: Mapped[int] = mapped_column(Integer, default=0)
    ans_le_60: Mapped[int] = mapped_column(Integer, default=0)
    ans_le_90: Mapped[int] = mapped_column(Integer, default=0)
    ans_le_120: Mapped[int] = mapped_column(Integer, default=0)
    ab_le_10: Mapped[int] = mapped_column(Integer, default=0)
    ab_le_15: Mapped[int] = mapped_column(Integer, default=0)
    ab_le_20: Mapped[int] = mapped_column(Integer, default=0)
    ab_le_30: Mapped[int] = mapped_column(Integer, default=0)
    ab_le_45: Mapped[int] = mapped_column(Integer, default=0)
    ab_le_60: Mapped[int] = mapped_column(Integer, default=0)
    ab_le_90: Mapped[int] = mapped_column(Integer, default=0)
    ab_le_120: Mapped[int] = mapped_column(Integer, default=0)
    ab_lt_3: Mapped[int] = mapped_column(Integer, default=0)
    ab_lt_5: Mapped[int] = mapped_column(Integer, default=0)
    ab_lt_10: Mapped[int] = mapped_column(Integer, default=0)


class KpiCallSlot(CallFacts, Base):
    """One 15-minute slot × queue × direction of calls, counted by the slot their offer fell in."""

    __tablename__ = "kpi_call_slots"

    slot: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    queue: Mapped[str] = mapped_column(String(100), primary_key=True)
    direction: Mapped[str] = mapped_column(String(3), primary_key=True)


class KpiAgentDay(CallFacts, Base):
    """One local day (the centre's time zone) × agent × direction: the agent who answered (0: nobody)."""

    __tablename__ = "kpi_agent_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    agent_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0: no agent
    direction: Mapped[str] = mapped_column(String(3), primary_key=True)


class KpiStateSlot(Base):
    """Seconds all agents together spent in a state within a 15-minute slot (the agent-state intervals cut at
    slot boundaries; an open interval counted up to the last refresh)."""

    __tablename__ = "kpi_state_slots"

    slot: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    state: Mapped[str] = mapped_column(String(16), primary_key=True)
    seconds: Mapped[float] = mapped_column(Float, default=0)


class KpiAgentStateDay(Base):
    """Seconds one agent spent in a state within a local day (up to the last refresh)."""

    __tablename__ = "kpi_agent_state_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    agent_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(16), primary_key=True)
    seconds: Mapped[float] = mapped_column(Float, default=0)


class KpiOrderDay(Base):
    """One local day × cut × key of orders (``orders``): registered that day, with their response times so
    far (count, minutes, a 5 % histogram: ``{"bin": count}``); closed that day, on time, each stage's
    deadlines met in time out of those due; the day's reopens, 催办 and 督办."""

    __tablename__ = "kpi_order_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    cut: Mapped[str] = mapped_column(String(16), primary_key=True)  # all | type | category | unit | area | channel
    key: Mapped[str] = mapped_column(String(32), primary_key=True)  # '' for all; ids as text; 0: none
    registered: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    on_time: Mapped[int] = mapped_column(Integer, default=0)
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    urged: Mapped[int] = mapped_column(Integer, default=0)
    supervised: Mapped[int] = mapped_column(Integer, default=0)
    accept_n: Mapped[int] = mapped_column(Integer, default=0)
    accept_minutes: Mapped[float] = mapped_column(Float, default=0)
    accept_hist: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    arrive_n: Mapped[int] = mapped_column(Integer, default=0)
    arrive_minutes: Mapped[float] = mapped_column(Float, default=0)
    arrive_hist: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    resolve_n: Mapped[int] = mapped_column(Integer, default=0)
    resolve_minutes: Mapped[float] = mapped_column(Float, default=0)
    resolve_hist: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    close_n: Mapped[int] = mapped_column(Integer, default=0)
    close_minutes: Mapped[float] = mapped_column(Float, default=0)
    close_hist: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    accept_due: Mapped[int] = mapped_column(Integer, default=0)
    accept_met: Mapped[int] = mapped_column(Integer, default=0)
    arrive_due: Mapped[int] = mapped_column(Integer, default=0)
    arrive_met: Mapped[int] = mapped_column(Integer, default=0)
    resolve_due: Mapped[int] = mapped_column(Integer, default=0)
    resolve_met: Mapped[int] = mapped_column(Integer, default=0)
    reply_due: Mapped[int] = mapped_column(Integer, default=0)
    reply_met: Mapped[int] = mapped_column(Integer, default=0)
    callback_due: Mapped[int] = mapped_column(Integer, default=0)
    callback_met: Mapped[int] = mapped_column(Integer, default=0)


class KpiWarning(Base):
    """A warning (特征值预警): a volume far above its seasonal baseline (``spike_orders``, ``spike_calls``), or
    a live figure past its limit (``sl_low``, ``abandon_high``, ``wait_long``). One open warning per rule and
    series: a repeat adds a hit and moves ``last_slot``; acknowledging keeps it with its outcome."""

    __tablename__ = "kpi_warnings"
    __table_args__ = (
        Index(
            "uq_kpi_warnings_open",
            "rule",
            "series",
            unique=True,
            postgresql_where=text("state = 'open'"),
            sqlite_where=text("state = 'open'"),
        ),
        Index("ix_kpi_warnings_state_id", "state", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(16))
    series: Mapped[str] = mapped_column(String(64))  # category=3,area=7 | queue=repair | centre
    label: Mapped[str] = mapped_column(String(200))  # what it is about, in words (category and area names …)
    first_slot: Mapped[int] = mapped_column(BigInteger)
    last_slot: Mapped[int] = mapped_column(BigInteger)
    hits: Mapped[int] = mapped_column(Integer, default=1)
    value: Mapped[float] = mapped_column(Float)  # the count, rate or seconds that warned (the highest seen)
    baseline: Mapped[float | None] = mapped_column(Float)  # the seasonal median, or the limit
    mad: Mapped[float | None] = mapped_column(Float)
    score: Mapped[float | None] = mapped_column(Float)  # the modified z-score
    history: Mapped[list[int]] = mapped_column(JSON, default=list)  # the baseline's values, oldest first
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | acknowledged
    outcome: Mapped[str | None] = mapped_column(Text)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LeagueWeight(Base):
    """The unit league table's weights (``league.METRICS``), as the centre set them (none saved: the defaults)."""

    __tablename__ = "league_weights"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    weight: Mapped[int] = mapped_column(Integer)


class ScorecardTemplateItem(Base):
    """One weighted item of the monthly agent scorecard's template, as the centre set it (``scorecards``)."""

    __tablename__ = "scorecard_template"

    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    weight: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(16), default="target")  # target | rank
    target: Mapped[float | None] = mapped_column(Float)
    floor: Mapped[float | None] = mapped_column(Float)


class Scorecard(Base):
    """A month's scorecards, one version: draft → reviewed → published (frozen); a correction of a month
    reviewed or published is a new version with its reason."""

    __tablename__ = "scorecards"
    __table_args__ = (UniqueConstraint("month", "version", name="uq_scorecards_month_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="draft")  # draft | reviewed | published
    reason: Mapped[str | None] = mapped_column(String(500))
    template: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # the items it was scored by
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    computed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ScorecardLine(Base):
    """One agent's scorecard in one version: total, rank in their group, each item's raw value and points."""

    __tablename__ = "scorecard_lines"
    __table_args__ = (
        Index("ix_scorecard_lines_card_group_rank", "scorecard_id", "group_key", "rank"),
        Index("ix_scorecard_lines_agent", "agent_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id", ondelete="CASCADE"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    group_key: Mapped[str] = mapped_column(String(16))  # the agent's unit id, 0 for the centre
    rank: Mapped[int] = mapped_column(Integer)
    total: Mapped[float] = mapped_column(Float)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class KpiReport(Base):
    """A generated service-quality report (服务质量报告): its period and where its PDF and .xlsx are stored."""

    __tablename__ = "kpi_reports"
    __table_args__ = (UniqueConstraint("kind", "first_day", name="uq_kpi_reports_kind_first_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # daily | weekly | monthly
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(100))
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    pdf_key: Mapped[str] = mapped_column(String(300))
    xlsx_key: Mapped[str] = mapped_column(String(300))


class ReportSubscription(Base):
    """A user who receives a kind of report by e-mail when the worker makes it."""

    __tablename__ = "report_subscriptions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)


class RollupMark(Base):
    """How far the rollups are kept: the time of their last refresh (calls changed up to then are in), and
    the time zone their days were cut in (another zone: a rebuild)."""

    __tablename__ = "kpi_rollup_marks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    upto: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="")
