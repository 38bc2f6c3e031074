"""Service-quality reports (服务质量报告): daily, weekly and monthly, as PDF and .xlsx.

A report gathers one period's figures from the KPI layer (``build``): the calls (``service.call_kpis``), the
orders (``orders.order_kpis``: overall, by type, by unit), 满意率 (``surveys.service.satisfaction``), the
complaints (``complaints.figures.summary``) and the early warnings raised. ``to_pdf`` lays it out with
ReportLab (the Chinese text in the PDF standard CID font STSong-Light, which every reader has: nothing to
embed or download), ``to_xlsx`` with openpyxl, one sheet per table. ``do_generate`` stores both
(``storage``, ``reports/<kind>/<first day>.pdf|.xlsx``) and records the report (``kpi_reports``, one per kind
and period); the worker generates each finished period's reports at 06:00 and e-mails them to the users who
subscribed (``report_subscriptions``), through the outbox, the files attached.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiyin.auth.models import User
from huiyin.complaints import figures as complaint_figures
from huiyin.errors import Invalid
from huiyin.notify.service import do_queue_email
from huiyin.performance import orders
from huiyin.performance.models import KpiReport, KpiWarning, ReportSubscription
from huiyin.performance.periods import Period
from huiyin.performance.rollups import locked_mark
from huiyin.performance.service import CallQuery, call_kpis
from huiyin.settings import Settings
from huiyin.storage.base import Storage
from huiyin.surveys import service as surveys
from huiyin.workorders.catalog import TYPE_NAMES_ZH

KINDS = {"daily": "日报", "weekly": "周报", "monthly": "月报"}
REPORTS = "reports"  # the mark whose row lock makes the makers of reports take turns
FONT = "STSong-Light"
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def period_of(kind: str, day: date) -> tuple[date, date]:
    """The report's first and last day: the day; its week, Monday to Sunday; its month."""
    if kind == "daily":
        return day, day
    if kind == "weekly":
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=6)
    if kind == "monthly":
        first = day.replace(day=1)
        return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    raise Invalid(f"kind: one of {', '.join(KINDS)}", code="performance.bad_report_kind")


def due_periods(local_today: date) -> list[tuple[str, date, date]]:
    """The periods that ended yesterday (the worker's run at 06:00): yesterday; last week on a Monday; last
    month on the 1st."""
    yesterday = local_today - timedelta(days=1)
    out = [("daily", *period_of("daily", yesterday))]
    if local_today.weekday() == 0:
        out.append(("weekly", *period_of("weekly", yesterday)))
    if local_today.day == 1:
        out.append(("monthly", *period_of("monthly", yesterday)))
    return out


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def _num(v: float | int | None, unit: str = "") -> str:
    if v is None:
        return "—"
    return f"{v:g}{unit}" if isinstance(v, float) else f"{v}{unit}"


def _minutes(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{int(v // 60)}小时{int(v % 60)}分" if v >= 60 else f"{v:.0f}分"


def build(
    session: Session,
    kind: str,
    first: date,
    last: date,
    tz_name: str,
    at: datetime,
    variant: str = "F3",
    threshold: int = 20,
) -> dict[str, Any]:
    """The report's figures and tables, from the KPI layer."""
    tz = ZoneInfo(tz_name)
    p = Period(
        datetime.combine(first, time(), tz).astimezone(ZoneInfo("UTC")),
        datetime.combine(last + timedelta(days=1), time(), tz).astimezone(ZoneInfo("UTC")),
        tz,
    )
    calls = call_kpis(session, CallQuery(period=p, threshold=threshold, variant=variant), at, tz_name)["items"][0]
    by_time = call_kpis(
        session,
        CallQuery(period=p, group_by="interval" if kind == "daily" else "day", interval=60, threshold=threshold),
        at,
        tz_name,
    )["items"]
    total = orders.order_kpis(session, p, "none")["items"][0]
    by_type = orders.order_kpis(session, p, "type")["items"]
    by_unit = orders.order_kpis(session, p, "unit")["items"]
    rated, all_rated = surveys.satisfaction(session, kind="instant", group_by="channel", start=first, end=last)
    complaints = complaint_figures.summary(session, first=first, last=last)
    warned = session.execute(
        select(KpiWarning.rule, func.count())
        .where(KpiWarning.created_at >= p.start, KpiWarning.created_at < p.end)
        .group_by(KpiWarning.rule)
    ).all()
    sl = calls["service_level"]
    headline = [
        ("呼入量", _num(calls["offered"])),
        ("接通量", _num(calls["answered"])),
        ("接通率", _pct(calls["answer_rate"])),
        (f"服务水平 {variant}（{threshold}秒）", _pct(sl[variant])),
        ("放弃率", _pct(calls["abandon_rate"])),
        ("平均等待 ASA", _num(calls["asa"], "秒")),
        ("平均处理时长 AHT", _num(calls["aht"], "秒")),
        ("受理工单", _num(total["registered"])),
        ("办结归档", _num(total["closed"])),
        ("按时办结率", _pct(total["on_time_rate"])),
        ("重复派单率", _pct(total["reopen_rate"])),
        ("催办 / 督办", f"{total['urged']} / {total['supervised']}"),
        ("满意率（即时评价）", _pct(all_rated.rate(False))),
        ("投诉 / 有效投诉", f"{complaints.complaints} / {complaints.valid}"),
        ("特征值预警", _num(sum(n for _, n in warned))),
    ]
    return {
        "kind": kind,
        "title": f"客户服务中心服务质量{KINDS[kind]}",
        "first": first.isoformat(),
        "last": last.isoformat(),
        "generated_at": at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        "headline": headline,
        "by_type": [
            [
                TYPE_NAMES_ZH.get(i["key"], i["key"]),
                i["registered"],
                i["closed"],
                _pct(i["on_time_rate"]),
                _minutes(i["response"]["accept"]["p50"]),
                _minutes(i["response"]["resolve"]["p90"]),
            ]
            for i in by_type
        ],
        "by_unit": [
            [
                i["label"] or "—",
                i["registered"],
                i["closed"],
                _pct(i["on_time_rate"]),
                _pct(i["reopen_rate"]),
                i["urged"],
            ]
            for i in sorted(by_unit, key=lambda i: -i["registered"])
        ],
        "by_time": [
            [i["key"], i["offered"], i["answered"], _pct(i["answer_rate"]), _pct(i["service_level"][variant])]
            for i in by_time
            if i["offered"]
        ],
        "satisfaction": [[c.key, c.surveyed, _pct(c.rate(False))] for c in rated],
    }


TABLES = (
    ("by_type", "工单按类型", ["类型", "受理", "办结", "按时率", "接单用时中位", "办结用时P90"]),
    ("by_unit", "工单按处理单位", ["单位", "受理", "办结", "按时率", "重复派单率", "催办"]),
    ("by_time", "话务分布", ["时段", "呼入", "接通", "接通率", "服务水平"]),
    ("satisfaction", "满意度（按评价渠道）", ["渠道", "评价数", "满意率"]),
)


def to_pdf(data: dict[str, Any]) -> bytes:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=data["title"],
        author="回音 Huiyin",
    )
    h1 = ParagraphStyle("h1", fontName=FONT, fontSize=17, leading=22, spaceAfter=4)
    h2 = ParagraphStyle("h2", fontName=FONT, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4)
    small = ParagraphStyle("small", fontName=FONT, fontSize=9, leading=12, textColor=colors.grey)
    style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, 9),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef3fb")),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#c8d0dc")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ]
    )
    story: list[Any] = [
        Paragraph(data["title"], h1),
        Paragraph(f"统计期间：{data['first']} 至 {data['last']}　生成时间：{data['generated_at']}", small),
        Spacer(1, 4 * mm),
        Paragraph("一、主要指标", h2),
    ]
    cells = data["headline"]
    pairs = [[*cells[i], *(cells[i + 1] if i + 1 < len(cells) else ("", ""))] for i in range(0, len(cells), 2)]
    head = Table(pairs, colWidths=[44 * mm, 42 * mm, 44 * mm, 42 * mm])
    head.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 10),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#c8d0dc")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f5f7fa")),
                ("BACKGROUND", (2, 0), (2, -1), colors.HexColor("#f5f7fa")),
            ]
        )
    )
    story.append(head)
    numbers = "二三四五六七"
    for n, (key, name, columns) in enumerate(TABLES):
        rows = data[key]
        story.append(Paragraph(f"{numbers[n]}、{name}", h2))
        if not rows:
            story.append(Paragraph("本期无数据。", small))
            continue
        t = Table([columns, *rows], repeatRows=1)
        t.setStyle(style)
        story.append(t)
    story += [Spacer(1, 4 * mm), Paragraph("口径：docs/kpis.md。比率为分数形式换算的百分比；“—”表示无数据。", small)]
    doc.build(story)
    return out.getvalue()


def to_xlsx(data: dict[str, Any]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "主要指标"
    ws.append([data["title"]])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"统计期间：{data['first']} 至 {data['last']}", f"生成时间：{data['generated_at']}"])
    ws.append([])
    ws.append(["指标", "数值"])
    for name, value in data["headline"]:
        ws.append([name, value])
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 18
    for key, name, columns in TABLES:
        sheet = wb.create_sheet(name[:31])
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in data[key]:
            sheet.append(row)
        for col in "ABCDEF":
            sheet.column_dimensions[col].width = 16
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def do_generate(
    session: Session, storage: Storage, kind: str, day: date, settings: Settings, at: datetime
) -> tuple[KpiReport, bool]:
    """The report of ``kind`` for the period holding ``day``, made and stored (again, if it was made before:
    figures change as late events arrive); whether it is new."""
    first, last = period_of(kind, day)
    locked_mark(session, REPORTS, at, settings.timezone)  # one maker at a time (workers, the API): no twin rows
    k = settings.kpis
    data = build(session, kind, first, last, settings.timezone, at, k.sl_variant, k.sl_threshold_seconds)
    stem = f"reports/{kind}/{first.isoformat()}"
    storage.put(f"{stem}.pdf", to_pdf(data), PDF)
    storage.put(f"{stem}.xlsx", to_xlsx(data), XLSX)
    report = session.scalars(select(KpiReport).where(KpiReport.kind == kind, KpiReport.first_day == first)).first()
    new = report is None
    if report is None:
        report = KpiReport(kind=kind, first_day=first, last_day=last)
        session.add(report)
    report.generated_at = at
    report.title = data["title"]
    report.pdf_key, report.xlsx_key = f"{stem}.pdf", f"{stem}.xlsx"
    session.flush()
    return report, new


def file_name(report: KpiReport, ext: str) -> str:
    return f"{report.title}_{report.first_day.isoformat()}_{report.last_day.isoformat()}.{ext}"


def subscribers(session: Session, kind: str) -> list[tuple[int, str]]:
    """(user id, e-mail) of the active users who subscribed to ``kind`` and have an address."""
    stmt = (
        select(User.id, User.email)
        .join(ReportSubscription, ReportSubscription.user_id == User.id)
        .where(ReportSubscription.kind == kind, User.is_active.is_(True), User.email.is_not(None))
        .order_by(User.id)
    )
    return [(i, e) for i, e in session.execute(stmt) if e]


def do_mail(session: Session, report: KpiReport) -> int:
    """Queues the report to its subscribers (each once: the outbox's key); how many were queued."""
    n = 0
    attachments = [
        {"key": report.pdf_key, "name": file_name(report, "pdf"), "type": PDF},
        {"key": report.xlsx_key, "name": file_name(report, "xlsx"), "type": XLSX},
    ]
    period = f"{report.first_day.isoformat()} 至 {report.last_day.isoformat()}"
    for user_id, email in subscribers(session, report.kind):
        n += do_queue_email(
            session,
            to=email,
            title=f"{report.title}（{period}）",
            body=f"您订阅的{report.title}已生成，统计期间 {period}，PDF 与 Excel 见附件。",
            key=f"report:{report.kind}:{report.first_day.isoformat()}:{user_id}",
            kind="report",
            attachments=attachments,
        )
    return n


SEND_AT = time(6, 0)


def do_run(session: Session, storage: Storage, settings: Settings, at: datetime) -> int:
    """The worker's step: from 06:00, the reports of the periods that ended yesterday are made (unless made
    already) and mailed to their subscribers (each once); the number of e-mails queued."""
    local = at.astimezone(ZoneInfo(settings.timezone))
    if local.time() < SEND_AT:
        return 0
    locked_mark(session, REPORTS, at, settings.timezone)  # workers take turns; the second finds the reports made
    queued = 0
    for kind, first, _last in due_periods(local.date()):
        report = session.scalars(select(KpiReport).where(KpiReport.kind == kind, KpiReport.first_day == first)).first()
        if report is None:
            report, _ = do_generate(session, storage, kind, first, settings, at)
        queued += do_mail(session, report)
    return queued


def do_subscribe(session: Session, user_id: int, kinds: list[str]) -> list[str]:
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise Invalid(
            f"kinds: {', '.join(unknown)} unknown; the kinds are {', '.join(KINDS)}", code="performance.bad_report_kind"
        )
    session.query(ReportSubscription).filter(ReportSubscription.user_id == user_id).delete()
    session.add_all(ReportSubscription(user_id=user_id, kind=k) for k in sorted(set(kinds)))
    session.flush()
    return subscriptions_of(session, user_id)


def subscriptions_of(session: Session, user_id: int) -> list[str]:
    stmt = (
        select(ReportSubscription.kind).where(ReportSubscription.user_id == user_id).order_by(ReportSubscription.kind)
    )
    return list(session.scalars(stmt))
