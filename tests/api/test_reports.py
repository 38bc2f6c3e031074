"""Service-quality reports (服务质量报告, issue 16): made on demand and by the worker at 06:00, as PDF (turned
into PNG and its text read back) and .xlsx (opened with openpyxl) that agree with the KPI API, mailed to the
subscribers with both files attached (a real SMTP server), once."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from aiosmtpd.controller import Controller
from openpyxl import load_workbook

from huiyin.clock import clock
from huiyin.notify.channels import Gateway
from huiyin.settings import NotifySettings, Settings
from huiyin.worker import Worker
from tests.api.test_notifications import Inbox, gateway, notify_settings, smtp  # noqa: F401 (fixtures)
from tests.api.test_order_kpis import a_morning
from tests.personas import Api, World

SHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def pdf_text(data: bytes) -> str:
    doc = pdfium.PdfDocument(data)
    return "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


def test_a_monthly_report_made_on_demand_agrees_with_the_kpi_api_in_pdf_and_excel(
    world: World, agent: Api, unit_worker: Api, manager: Api
) -> None:
    a_morning(world, agent, unit_worker)
    clock.set(datetime(2026, 12, 2, 1, 0, tzinfo=UTC))
    report = manager.ok("post", "/reports", {"kind": "monthly", "day": "2026-11-15"}, 201)
    assert (report["kind"], report["first_day"], report["last_day"]) == ("monthly", "2026-11-01", "2026-11-30")
    assert report["title"] == "客户服务中心服务质量月报"
    assert [r["id"] for r in manager.ok("get", "/reports")] == [report["id"]]
    figures = manager.get("/kpis/orders", params={"from": "2026-11-01", "to": "2026-11-30"}).json()["items"][0]

    pdf = manager.get(f"/reports/{report['id']}/pdf")
    assert (
        pdf.status_code == 200
        and pdf.content.startswith(b"%PDF")
        and "attachment" in pdf.headers["content-disposition"]
    )
    text = pdf_text(pdf.content)
    assert "客户服务中心服务质量月报" in text and "统计期间：2026-11-01 至 2026-11-30" in text
    assert "受理工单" in text and "按时办结率" in text and "工单按处理单位" in text
    doc = pdfium.PdfDocument(pdf.content)
    SHOTS.mkdir(exist_ok=True)
    image = doc[0].render(scale=1.2).to_pil()
    assert image.size[0] > 600 and image.getbbox() is not None  # something drawn
    image.save(SHOTS / "report-monthly-test.png")

    book = load_workbook(BytesIO(manager.get(f"/reports/{report['id']}/xlsx").content))
    sheet = book["主要指标"]
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]}
    assert values["受理工单"] == str(figures["registered"]) and values["办结归档"] == str(figures["closed"])
    assert values["按时办结率"] == f"{figures['on_time_rate'] * 100:.1f}%"
    by_type = [row for row in book["工单按类型"].iter_rows(min_row=2, values_only=True)]
    [repair] = manager.get(
        "/kpis/orders", params={"from": "2026-11-01", "to": "2026-11-30", "group_by": "type"}
    ).json()["items"]
    resolve_p90 = repair["response"]["resolve"]["p90"]  # 150 min, as its 5 % bin shows it
    assert by_type == [("报修", 3, 2, "50.0%", "5分", f"{int(resolve_p90 // 60)}小时{int(resolve_p90 % 60)}分")]

    assert manager.post("/reports", {"kind": "monthly", "day": "2027-01-01"}).status_code == 422  # not begun
    assert manager.post("/reports", {"kind": "yearly", "day": "2026-11-01"}).status_code == 422
    assert manager.get("/reports/99999/pdf").status_code == 404
    assert agent.get("/reports").status_code == 403


def test_the_worker_mails_yesterdays_report_to_its_subscribers_once_from_six_oclock(
    world: World,
    agent: Api,
    unit_worker: Api,
    manager: Api,
    admin: Api,
    settings: Settings,
    notify_settings: NotifySettings,  # noqa: F811
    gateway: Any,  # noqa: F811
    smtp: tuple[Controller, Inbox],  # noqa: F811
) -> None:
    a_morning(world, agent, unit_worker)  # 24 November
    admin.ok("patch", f"/users/{manager.id}", {"email": "duty@gas.example.cn"})
    assert manager.ok("put", "/reports/subscriptions/me", {"kinds": ["daily", "weekly"]}) == ["daily", "weekly"]
    assert manager.put("/reports/subscriptions/me", {"kinds": ["hourly"]}).status_code == 422
    worker = Worker(
        world.db,
        settings.model_copy(update={"notify": notify_settings}),
        gateway=Gateway(notify_settings, client=gateway),
    )
    clock.set(datetime(2026, 11, 24, 21, 50, tzinfo=UTC))  # 05:50 on the 25th: not yet
    worker.tick()
    assert manager.ok("get", "/reports") == []
    clock.set(datetime(2026, 11, 24, 22, 5, tzinfo=UTC))  # 06:05
    worker.rollup_batch(force=True)
    worker.tick()  # delivers what the refresh queued
    [daily] = manager.ok("get", "/reports")
    assert (daily["kind"], daily["first_day"]) == ("daily", "2026-11-24")  # a Wednesday: no weekly report
    _, inbox = smtp
    [mail] = inbox.messages
    assert mail.rcpt_tos == ["duty@gas.example.cn"]
    parsed = email.message_from_bytes(mail.content, policy=email.policy.default)
    assert "服务质量日报" in str(parsed["Subject"])
    files = {part.get_filename(): part.get_content() for part in parsed.iter_attachments()}
    assert set(files) == {
        "客户服务中心服务质量日报_2026-11-24_2026-11-24.pdf",
        "客户服务中心服务质量日报_2026-11-24_2026-11-24.xlsx",
    }
    assert "服务质量日报" in pdf_text(files["客户服务中心服务质量日报_2026-11-24_2026-11-24.pdf"])
    worker.rollup_batch(force=True)
    worker.tick()
    assert len(inbox.messages) == 1  # once
