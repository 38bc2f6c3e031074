"""The KPI API: ``GET /kpis/calls`` (docs/kpis.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Query, Response
from sqlalchemy import select

from huiyin.clock import now
from huiyin.core import xlsx
from huiyin.core.actor import SignedIn
from huiyin.core.deps import SessionDep, SettingsDep, require_roles
from huiyin.core.roles import CENTER, MANAGERS, Role
from huiyin.errors import Forbidden, Invalid, NotFound
from huiyin.performance import early_warning, league, orders, patterns, periods, reports, scorecards, service
from huiyin.performance.models import KpiReport, KpiWarning
from huiyin.performance.schemas import (
    AcknowledgeIn,
    CallKpis,
    Heatmap,
    League,
    LeagueWeightsIn,
    OrderKpis,
    Pareto,
    ReportIn,
    ReportPublic,
    ScorecardComputeIn,
    ScorecardHistoryLine,
    ScorecardPublic,
    ScorecardTemplateIn,
    ScorecardTemplateLine,
    SubscriptionsIn,
    Wallboard,
    WarningPublic,
)
from huiyin.performance.wallboard import wallboard
from huiyin.storage import StorageDep

router = APIRouter(tags=["kpis"])
KPI_READERS: frozenset[str] = frozenset({*MANAGERS, Role.qa_inspector, Role.admin})
KpiReader = Annotated[SignedIn, Depends(require_roles(*MANAGERS, Role.qa_inspector, Role.admin))]


@router.get("/kpis/calls", operation_id="kpis-calls", response_model_by_alias=True)
def call_kpis(
    _: KpiReader,
    session: SessionDep,
    settings: SettingsDep,
    from_: Annotated[str, Query(alias="from", max_length=40, description="ISO date or date-time (centre's zone)")],
    to: Annotated[str, Query(max_length=40, description="a date: inclusive; a date-time: exclusive")],
    threshold: Annotated[int | None, Query(ge=1, le=600, description="T of SL(T), seconds")] = None,
    short_abandon: Annotated[int | None, Query(ge=0, le=60, description="short-abandon threshold, seconds")] = None,
    group_by: service.CallGroup = "none",
    interval: Annotated[int, Query(ge=15, le=60, description="minutes, for group_by=interval: 15, 30 or 60")] = 15,
    repeats: Annotated[bool, Query(description="also 重复来电 within 24 h / 48 h / 7 days and FCR (slower)")] = False,
) -> CallKpis:
    """Call KPIs of a period by a cut: offered, answered, abandoned (short abandons and IVR-only apart),
    the five service-level variants, 接通率 and N-second 人工接通率, ASA, longest wait, AHT, ACW, talk,
    hold, occupancy."""
    if interval not in periods.INTERVALS:
        raise Invalid("interval: one of 15, 30, 60", code="performance.bad_interval")
    q = service.CallQuery(
        period=periods.period(from_, to, settings.timezone),
        group_by=group_by,
        threshold=threshold or settings.kpis.sl_threshold_seconds,
        short_abandon=settings.cti.short_abandon_seconds if short_abandon is None else short_abandon,
        interval=interval,
        variant=settings.kpis.sl_variant,
        repeats=repeats,
        late=timedelta(seconds=settings.kpis.refresh_margin_seconds),
    )
    return CallKpis.model_validate(service.call_kpis(session, q, now(), settings.timezone))


@router.get("/kpis/wallboard", operation_id="kpis-wallboard")
def get_wallboard(_: KpiReader, session: SessionDep, settings: SettingsDep) -> Wallboard:
    """The floor's wallboard (大屏) as of now: calls waiting and the longest wait by queue, agents by state,
    today's service level (the centre's variant), answer and abandonment rates, ASA, open emergencies. The
    same figures are pushed every few seconds to the sockets that watch ``wallboard``."""
    k = settings.kpis
    data = wallboard(
        session,
        now(),
        settings.timezone,
        variant=k.sl_variant,
        threshold=k.sl_threshold_seconds,
        short_abandon=settings.cti.short_abandon_seconds,
    )
    return Wallboard.model_validate(data)


@router.get("/kpis/orders", operation_id="kpis-orders", response_model_by_alias=True)
def order_kpis(
    _: KpiReader,
    session: SessionDep,
    settings: SettingsDep,
    from_: Annotated[str, Query(alias="from", max_length=40, description="ISO date or date-time (centre's zone)")],
    to: Annotated[str, Query(max_length=40, description="a date: inclusive; a date-time: exclusive")],
    group_by: orders.OrderGroup = "none",
) -> OrderKpis:
    """Order KPIs of a period by a cut: registered, closed, reopened, 催办, 督办, the on-time rate overall and
    by stage, and the response times (registration → accept, → on site, → resolve, → close: mean, p50, p90
    in minutes)."""
    p = periods.period(from_, to, settings.timezone)
    late = timedelta(seconds=settings.kpis.refresh_margin_seconds)
    return OrderKpis.model_validate(orders.order_kpis(session, p, group_by, late))


FromQ = Annotated[str, Query(alias="from", max_length=40, description="ISO date or date-time (centre's zone)")]
ToQ = Annotated[str, Query(max_length=40, description="a date: inclusive; a date-time: exclusive")]


@router.get("/kpis/heatmap", operation_id="kpis-heatmap", response_model_by_alias=True)
def kpi_heatmap(
    _: KpiReader, session: SessionDep, settings: SettingsDep, from_: FromQ, to: ToQ, measure: patterns.Measure = "calls"
) -> Heatmap:
    """When the work comes: inbound calls offered (``calls``) or orders registered (``orders``) by local hour ×
    weekday over the period, each cell's count and its mean per day of that weekday."""
    p = periods.period(from_, to, settings.timezone)
    late = timedelta(seconds=settings.kpis.refresh_margin_seconds)
    return Heatmap.model_validate(patterns.heatmap(session, p, measure, settings.timezone, late))


@router.get("/kpis/pareto", operation_id="kpis-pareto", response_model_by_alias=True)
def kpi_pareto(
    _: KpiReader,
    session: SessionDep,
    settings: SettingsDep,
    from_: FromQ,
    to: ToQ,
    of: patterns.ParetoCut = "category",
    type_: Annotated[str | None, Query(alias="type", max_length=32, description="one order type's categories")] = None,
) -> Pareto:
    """What the work is about: orders registered in the period by a cut, most first, each with its share, the
    cumulative share and whether it is among the vital few (up to 80 %). ``type`` (with ``of=category``)
    keeps one order type's categories, e.g. the complaints'."""
    if type_ is not None and of != "category":
        raise Invalid("type: only with of=category", code="performance.type_needs_category")
    p = periods.period(from_, to, settings.timezone)
    late = timedelta(seconds=settings.kpis.refresh_margin_seconds)
    return Pareto.model_validate(patterns.pareto(session, p, of, type_, late))


WarningAcker = Annotated[SignedIn, Depends(require_roles(*MANAGERS, Role.admin))]


@router.get("/warnings", operation_id="kpis-warnings")
def list_warnings(
    _: KpiReader,
    session: SessionDep,
    state: Literal["open", "acknowledged", "all"] = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[WarningPublic]:
    """Early warnings (特征值预警), newest first: volume spikes against their seasonal baseline and live
    figures past their limits."""
    stmt = select(KpiWarning).order_by(KpiWarning.id.desc()).limit(limit)
    if state != "all":
        stmt = stmt.where(KpiWarning.state == state)
    return [WarningPublic.model_validate(early_warning.warning_data(w)) for w in session.scalars(stmt)]


@router.post("/warnings/{warning_id}/acknowledge", operation_id="kpis-acknowledge_warning")
def acknowledge_warning(
    warning_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: AcknowledgeIn,
    user: WarningAcker,
    session: SessionDep,
) -> WarningPublic:
    """A manager acknowledges a warning with its outcome (what was found, what was done); 409 if it was
    acknowledged already."""
    w = early_warning.do_acknowledge(session, warning_id, user.id, body.outcome.strip() or "-", now())
    return WarningPublic.model_validate(early_warning.warning_data(w))


Month = Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")]
WeightEditor = Annotated[SignedIn, Depends(require_roles(Role.supervisor, Role.director, Role.admin))]


@router.get("/league", operation_id="kpis-league")
def get_league(_: KpiReader, session: SessionDep, settings: SettingsDep, month: Month) -> League:
    """单位考核排名: the stations ranked for the month by weighted figures (on time, 满意率, complaints per
    10,000 customers, reopens, 催办, 督办), the lowest ``league_bottom`` flagged 末位, with each one's rank a
    month before and its totals over three months."""
    return League.model_validate(league.league(session, month, settings.timezone, settings.kpis.league_bottom))


@router.get(
    "/league/export",
    operation_id="kpis-league_export",
    response_class=Response,
    responses={200: {"content": {xlsx.MEDIA_TYPE: {}}, "description": "the league table as an Excel workbook"}},
)
def export_league(_: KpiReader, session: SessionDep, settings: SettingsDep, month: Month) -> Response:
    """The month's league table as an .xlsx workbook (Excel, WPS)."""
    data = league.league(session, month, settings.timezone, settings.kpis.league_bottom)
    columns = [xlsx.Column("名次", 8), xlsx.Column("单位", 22), xlsx.Column("总分", 10)]
    for m in league.METRICS:
        columns += [xlsx.Column(m.name, 14, percent=m.code in ("on_time_rate", "reopen_rate", "satisfaction"))]
        columns += [xlsx.Column(f"{m.name}得分（权重{data['weights'][m.code]}）", 14)]
    columns += [xlsx.Column("上月名次", 10), xlsx.Column("升降", 8), xlsx.Column("末位", 8)]
    rows = []
    for r in data["items"]:
        cells: list[object] = [r["rank"], r["label"], r["total"]]
        for it in r["items"]:
            cells += [it["raw"], it["points"]]
        cells += [r["previous_rank"], r["movement"], "末位" if r["bottom"] else ""]
        rows.append(cells)
    body = xlsx.workbook(
        "单位考核排名",
        f"单位考核排名（{month}）",
        columns,
        rows,
        notes=[
            "各项按当月各单位最优为满分、最差为零分线性折算后乘以权重；无数据的项目不计，其余项目权重按比例放大至100。"
        ],
    )
    return Response(body, media_type=xlsx.MEDIA_TYPE, headers=xlsx.attachment(f"单位考核排名_{month}.xlsx"))


@router.get("/league/weights", operation_id="kpis-league_weights")
def get_league_weights(_: KpiReader, session: SessionDep) -> dict[str, int]:
    """The league table's weights in force (figure code → weight, adding up to 100)."""
    return league.weights(session)


@router.put("/league/weights", operation_id="kpis-set_league_weights")
def set_league_weights(body: LeagueWeightsIn, _: WeightEditor, session: SessionDep) -> dict[str, int]:
    """The supervisor, director or admin sets the weights; 422 unless every code is known, none negative and
    they add up to 100."""
    return league.do_set_weights(session, league.check_weights(body.weights))


ScorecardManager = Annotated[SignedIn, Depends(require_roles(*MANAGERS, Role.admin))]
ScorecardPublisher = Annotated[SignedIn, Depends(require_roles(Role.supervisor, Role.director, Role.admin))]
CentreReader = Annotated[SignedIn, Depends(require_roles(*CENTER, Role.admin))]
AgentId = Annotated[int, Path(ge=1, le=2**31 - 1)]
CardId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _is_manager(user: SignedIn) -> bool:
    return bool(user.role_set & (set(MANAGERS) | {Role.admin, Role.qa_inspector}))


@router.get("/scorecards", operation_id="scorecards-month")
def scorecards_month(
    _: KpiReader,
    session: SessionDep,
    settings: SettingsDep,
    month: Month,
    group: Annotated[str | None, Query(max_length=16, description="an agents' unit id; 0: the centre")] = None,
    version: Annotated[int | None, Query(ge=1, le=1000)] = None,
) -> ScorecardPublic:
    """月度考评: the month's scorecards (the latest version, or ``version``), ranked within each group, each
    agent's items with their raw value, points and weight and where the facts behind them are listed."""
    card = scorecards.latest(session, month) if version is None else scorecards.version_of(session, month, version)
    if card is None:
        raise NotFound(f"no scorecard for {month} yet", code="performance.no_scorecard", month=month)
    return ScorecardPublic.model_validate(
        scorecards.card_data(session, card, group=group, bottom=settings.kpis.league_bottom)
    )


@router.get("/scorecards/me", operation_id="scorecards-mine")
def my_scorecard(user: CentreReader, session: SessionDep, month: Month) -> ScorecardPublic:
    """The signed-in agent's own scorecard for the month, as published (404 until it is)."""
    card = scorecards.latest(session, month, published_only=True)
    if card is None:
        raise NotFound(
            f"no published scorecard for {month} yet", code="performance.no_published_scorecard", month=month
        )
    return ScorecardPublic.model_validate(scorecards.card_data(session, card, agent_id=user.id))


@router.get("/scorecards/agents/{agent_id}/history", operation_id="scorecards-history")
def scorecard_history(agent_id: AgentId, user: CentreReader, session: SessionDep) -> list[ScorecardHistoryLine]:
    """An agent's months, newest first: their own (published ones) for an agent, anyone's for managers."""
    manager = _is_manager(user)
    if agent_id != user.id and not manager:
        raise Forbidden("an agent reads their own scorecards only", code="performance.own_scorecards_only")
    lines = scorecards.history(session, agent_id, published_only=not manager)
    return [ScorecardHistoryLine.model_validate(x) for x in lines]


@router.post("/scorecards/compute", operation_id="scorecards-compute", status_code=201)
def compute_scorecards(
    body: ScorecardComputeIn, user: ScorecardManager, session: SessionDep, settings: SettingsDep
) -> ScorecardPublic:
    """Computes the month from the stored facts: a draft (made again while it is one); once reviewed or
    published, a new version, which needs a reason."""
    card = scorecards.do_compute(session, body.month, settings.timezone, user.id, now(), body.reason)
    return ScorecardPublic.model_validate(scorecards.card_data(session, card))


@router.post("/scorecards/{card_id}/review", operation_id="scorecards-review")
def review_scorecards(card_id: CardId, user: ScorecardManager, session: SessionDep) -> ScorecardPublic:
    """A draft reviewed (409 otherwise)."""
    card = scorecards.do_step(session, card_id, "review", user.id, now())
    return ScorecardPublic.model_validate(scorecards.card_data(session, card))


@router.post("/scorecards/{card_id}/publish", operation_id="scorecards-publish")
def publish_scorecards(card_id: CardId, user: ScorecardPublisher, session: SessionDep) -> ScorecardPublic:
    """A reviewed version published and frozen: agents see it (409 unless reviewed)."""
    card = scorecards.do_step(session, card_id, "publish", user.id, now())
    return ScorecardPublic.model_validate(scorecards.card_data(session, card))


@router.get("/scorecards/template", operation_id="scorecards-template")
def scorecard_template(_: KpiReader, session: SessionDep) -> list[ScorecardTemplateLine]:
    """The scorecard's items in force (the defaults until the centre saves its own)."""
    return [ScorecardTemplateLine.model_validate(i.__dict__) for i in scorecards.template(session)]


@router.put("/scorecards/template", operation_id="scorecards-set_template")
def set_scorecard_template(
    body: ScorecardTemplateIn, _: ScorecardPublisher, session: SessionDep
) -> list[ScorecardTemplateLine]:
    """The supervisor, director or admin sets the items; 422 unless each figure is known and appears once,
    a target item has a target and a floor, and the weights add up to 100. Months computed before keep the
    items they were scored by."""
    items = scorecards.check_template([i.model_dump() for i in body.items])
    return [ScorecardTemplateLine.model_validate(i.__dict__) for i in scorecards.do_set_template(session, items)]


ReportId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/reports", operation_id="reports-list")
def list_reports(
    _: KpiReader,
    session: SessionDep,
    kind: Literal["daily", "weekly", "monthly"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ReportPublic]:
    """Service-quality reports (服务质量报告) made so far, newest period first."""
    stmt = select(KpiReport).order_by(KpiReport.first_day.desc(), KpiReport.kind).limit(limit)
    if kind is not None:
        stmt = stmt.where(KpiReport.kind == kind)
    return [ReportPublic.model_validate(r) for r in session.scalars(stmt)]


@router.post("/reports", operation_id="reports-generate", status_code=201)
def generate_report(
    body: ReportIn, _: KpiReader, session: SessionDep, settings: SettingsDep, storage: StorageDep
) -> ReportPublic:
    """Makes the report of a kind for the period holding ``day`` now (on demand; again if it was made
    before, the figures as they are now). 422 for a period that has not begun."""
    first, _last = reports.period_of(body.kind, body.day)
    if first > now().astimezone(ZoneInfo(settings.timezone)).date():
        raise Invalid("day: the period has not begun", code="performance.report_not_begun")
    report, _new = reports.do_generate(session, storage, body.kind, body.day, settings, now())
    return ReportPublic.model_validate(report)


def _report_file(session: SessionDep, storage: Any, report_id: int, ext: str) -> Response:
    report = session.get(KpiReport, report_id)
    if report is None:
        raise NotFound(f"no report {report_id}", code="performance.no_such_report", report_id=report_id)
    key, media = (report.pdf_key, reports.PDF) if ext == "pdf" else (report.xlsx_key, reports.XLSX)
    return Response(storage.get(key), media_type=media, headers=xlsx.attachment(reports.file_name(report, ext)))


@router.get(
    "/reports/{report_id}/pdf",
    operation_id="reports-pdf",
    response_class=Response,
    responses={200: {"content": {reports.PDF: {}}, "description": "the report as PDF"}},
)
def report_pdf(report_id: ReportId, _: KpiReader, session: SessionDep, storage: StorageDep) -> Response:
    return _report_file(session, storage, report_id, "pdf")


@router.get(
    "/reports/{report_id}/xlsx",
    operation_id="reports-xlsx",
    response_class=Response,
    responses={200: {"content": {reports.XLSX: {}}, "description": "the report as an Excel workbook"}},
)
def report_xlsx(report_id: ReportId, _: KpiReader, session: SessionDep, storage: StorageDep) -> Response:
    return _report_file(session, storage, report_id, "xlsx")


@router.get("/reports/subscriptions/me", operation_id="reports-my_subscriptions")
def my_subscriptions(user: KpiReader, session: SessionDep) -> list[str]:
    """The kinds of report the signed-in user receives by e-mail."""
    return reports.subscriptions_of(session, user.id)


@router.put("/reports/subscriptions/me", operation_id="reports-set_my_subscriptions")
def set_my_subscriptions(body: SubscriptionsIn, user: KpiReader, session: SessionDep) -> list[str]:
    """Subscribes the signed-in user to these kinds (and no others); the e-mails go to their address."""
    return reports.do_subscribe(session, user.id, list(body.kinds))
