"""The KPI API's shapes: times in seconds, rates as fractions (0..1) rounded to 4 places, null for "—"."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ServiceLevels(BaseModel):
    F1: float | None
    F2: float | None
    F3: float | None
    F4: float | None
    F5: float | None


class Repeats(BaseModel):
    contacts: int = Field(description="answered inbound calls from known customers")
    repeat_24h: int = Field(description="repeated by the same customer about the same matter within 24 h")
    repeat_48h: int
    repeat_7d: int
    fcr: float = Field(description="first-contact resolution: contacts not repeated within 7 days ÷ contacts")


class CallKpiItem(BaseModel):
    key: str | int | None = Field(
        description="the cut's key: an agent's user id (null: unanswered), a queue, a day, an interval"
    )
    label: str | None = Field(default=None, description="an agent's name")
    offered: int = Field(description="inbound calls routed to a person (blocked numbers and IVR-only calls apart)")
    answered: int
    abandoned: int
    short_abandoned: int = Field(description="abandoned after waiting less than short_abandon seconds")
    ivr_only: int = Field(description="callers who left in the IVR, never routed to a person")
    blocked: int
    answered_within: int = Field(description="answered within the threshold (wait ≤ T)")
    abandoned_within: int = Field(description="abandoned within the threshold (wait ≤ T)")
    service_level: ServiceLevels
    answer_rate: float | None = Field(description="接通率: answered ÷ offered")
    answered_within_rate: dict[str, float | None] = Field(description="N 秒人工接通率 for N = 15, 20, 30")
    abandon_rate: float | None
    asa: float | None
    longest_wait: int | None
    aht: float | None
    acw: float | None
    avg_talk: float | None
    avg_hold: float | None
    occupancy: float | None
    outbound: int
    outbound_connected: int
    repeats: Repeats | None = Field(default=None, description="with repeats=true: 重复来电 and FCR")


class CallKpis(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    items: list[CallKpiItem]
    variant: str = Field(description="the centre's service-level variant (F1–F5), shown where one figure is shown")
    threshold: int
    short_abandon: int
    from_: str = Field(alias="from")
    to: str


class WallboardQueue(BaseModel):
    queue: str
    waiting: int
    longest_wait: int = Field(description="seconds the longest-waiting call has waited")


class WallboardToday(BaseModel):
    offered: int
    answered: int
    abandoned: int
    service_level: float | None = Field(description="the centre's variant at its threshold, today so far")
    answer_rate: float | None
    abandon_rate: float | None
    asa: float | None


class Wallboard(BaseModel):
    at: str
    waiting: int
    longest_wait: int
    queues: list[WallboardQueue]
    agents: dict[str, int] = Field(description="agents signed in, by state")
    today: WallboardToday
    variant: str
    threshold: int
    open_emergencies: int


class ResponseTime(BaseModel):
    n: int = Field(description="orders that reached the stage")
    mean: float | None = Field(description="minutes")
    p50: float | None = Field(description="minutes, from a 5 % histogram (within 2.5 %)")
    p90: float | None


class OrderResponse(BaseModel):
    accept: ResponseTime
    arrive: ResponseTime
    resolve: ResponseTime
    close: ResponseTime


class StageOnTime(BaseModel):
    accept: float | None
    arrive: float | None
    resolve: float | None
    reply: float | None
    callback: float | None


class OrderKpiItem(BaseModel):
    key: str = Field(description="a category, unit or area id, an order type or channel, a day; 'all'")
    label: str = ""
    registered: int = Field(description="orders registered in the period")
    closed: int = Field(description="orders closed in the period")
    reopened: int
    urged: int = Field(description="催办 in the period")
    supervised: int = Field(description="督办 in the period")
    on_time_rate: float | None = Field(description="closed orders whose every stage met its deadline ÷ closed")
    reopen_rate: float | None
    stage_on_time: StageOnTime = Field(description="each stage's deadlines of the closed orders met in time ÷ due")
    response: OrderResponse = Field(description="registration → first accept, start on site, resolve, close")


class OrderKpis(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    items: list[OrderKpiItem]
    group_by: str
    from_: str = Field(alias="from")
    to: str


class HeatmapCell(BaseModel):
    weekday: int = Field(description="ISO weekday: 1 = Monday")
    hour: int = Field(description="the local hour, 0–23")
    count: int
    mean: float | None = Field(description="count ÷ the period's days of that weekday")


class Heatmap(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    measure: str = Field(description="calls (inbound offered) | orders (registered)")
    cells: list[HeatmapCell] = Field(description="7 × 24, Monday 00:00 first")
    days: list[int] = Field(description="the period's days of each weekday, Monday first")
    total: int
    from_: str = Field(alias="from")
    to: str


class ParetoItem(BaseModel):
    key: str
    label: str
    count: int
    share: float
    cumulative: float
    vital: bool = Field(description="among the few that make up 80 % (the one crossing it included)")


class Pareto(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    of: str
    type: str | None
    items: list[ParetoItem]
    total: int
    from_: str = Field(alias="from")
    to: str


class WarningPublic(BaseModel):
    id: int
    rule: str = Field(description="spike_orders | spike_calls | sl_low | abandon_high | wait_long")
    rule_name: str
    series: str = Field(description="category=3,area=7 | queue=repair | centre")
    label: str
    first_at: datetime = Field(description="the start of the slot that first warned")
    last_at: datetime
    hits: int = Field(description="slots (or runs, for waits) that warned while it was open")
    value: float
    baseline: float | None = Field(description="the seasonal median, or the limit")
    mad: float | None
    score: float | None = Field(description="the modified z-score")
    history: list[int] = Field(description="the baseline's counts, oldest week first")
    state: str
    outcome: str | None
    acknowledged_by: int | None
    acknowledged_at: datetime | None
    created_at: datetime


class AcknowledgeIn(BaseModel):
    outcome: str = Field(min_length=1, max_length=2000, description="what was found and done")


class LeagueItemFigure(BaseModel):
    code: str
    name: str
    raw: float | None = Field(description="the figure: a rate (0..1), per 100 orders, or per 10,000 customers")
    points: float | None = Field(description="its weighted points (null: no value this month)")
    weight: int


class LeagueItem(BaseModel):
    key: int = Field(description="the station's unit id")
    label: str
    total: float
    rank: int
    bottom: bool = Field(description="末位: among the lowest N")
    previous_rank: int | None
    movement: int | None = Field(description="places gained since the month before (negative: lost)")
    trend: list[float | None] = Field(description="totals two months before, one month before, this month")
    items: list[LeagueItemFigure]


class League(BaseModel):
    month: str
    weights: dict[str, int]
    bottom: int
    items: list[LeagueItem]


class LeagueWeightsIn(BaseModel):
    weights: dict[Annotated[str, Field(max_length=32)], Annotated[int, Field(ge=0, le=100)]] = Field(
        description="figure code → weight (0–100); they must add up to 100"
    )


class ScorecardItemLine(BaseModel):
    code: str
    name: str
    raw: float | None = Field(description="the figure (rates 0..1, seconds, counts, hours); null: missing")
    points: float | None
    weight: int
    missing: bool = Field(description="no value this month: its weight was shared among the other items")
    source: str | None = Field(description="the page listing the facts behind the figure")


class ScorecardAgentLine(BaseModel):
    key: int = Field(description="the agent's user id")
    label: str
    username: str
    group: str = Field(description="the agent's unit id (0: the centre)")
    rank: int = Field(description="within the group")
    total: float
    bottom: bool
    items: list[ScorecardItemLine]


class ScorecardPublic(BaseModel):
    id: int
    month: str
    version: int
    state: str = Field(description="draft | reviewed | published")
    reason: str | None
    computed_at: datetime
    reviewed_at: datetime | None
    published_at: datetime | None
    template: list[dict[str, Any]]
    items: list[ScorecardAgentLine]


class ScorecardComputeIn(BaseModel):
    month: str = Field(pattern=r"^\d{4}-\d{2}$")
    reason: str | None = Field(default=None, max_length=500, description="needed once the month was reviewed")


class ScorecardTemplateLine(BaseModel):
    code: str = Field(max_length=32)
    weight: int = Field(ge=0, le=100)
    method: Literal["target", "rank"] = "target"
    target: float | None = None
    floor: float | None = None


class ScorecardTemplateIn(BaseModel):
    items: list[ScorecardTemplateLine] = Field(max_length=20)


class ScorecardHistoryLine(BaseModel):
    month: str
    version: int
    state: str
    total: float
    rank: int


class ReportPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str = Field(description="daily | weekly | monthly")
    first_day: date
    last_day: date
    title: str
    generated_at: datetime


class ReportIn(BaseModel):
    kind: Literal["daily", "weekly", "monthly"]
    day: date = Field(description="a day of the period (the week or month holding it)")


class SubscriptionsIn(BaseModel):
    kinds: list[Literal["daily", "weekly", "monthly"]] = Field(max_length=3)
