"""停供事件 (issue 18) in one story, in zh-CN: the dispatcher publishes a gas outage for a customer's area on its page;
an agent on the workbench picks that customer, sees the preset answer, answers a question with it in one click (an
IQ-OUTAGE inquiry closed on the spot) and registers a 无气 repair, which comes back merged into the outage; the
outage shows the linked report and its notice progress (the embedded worker sends the notice rounds) with the call
list; the agent the customer's call went to records it on 主动服务; the dispatcher counts an announcement's audience
and sends it on 一对多公告; supply is restored and the outage closed. Then the outage page's title in English."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.browser.conftest import Desk, Server
from tests.browser.test_workbench import _pick_category

CAUSE = "中压管道被第三方施工挖断"


def _customer(server: Server) -> dict[str, Any]:
    """A demo customer with an area, a number and a numeric account (the workbench finds it), whose area has no live
    outage; tagged VIP so that the outage's proactive call list holds them."""
    with server.apis("admin", "dispatcher") as (admin, dispatcher):
        orders = admin.get("/work-orders", params={"page_size": 200}).json()["items"]
        seen: list[int] = []
        for o in orders:
            if o["customer_id"] and o["customer_id"] not in seen:
                seen.append(o["customer_id"])
        for cid in seen[5:]:  # not the ones with most orders, which other tests take
            c = admin.get(f"/customers/{cid}").json()
            if not (c["area_id"] and c["phones"] and c["account_no"].isdigit()):
                continue
            if dispatcher.get("/outages/live", params={"area_id": c["area_id"]}).json()["items"]:
                continue
            r = admin.patch(f"/customers/{cid}", json={"tags": ["vip"]})
            assert r.status_code == 200, r.text
            return dict(r.json())
    raise AssertionError("the demo city should have customers with an area")


def _select(page: Any, select: Any, popper: str, option: str, typed: str = "") -> None:
    """Picks an option of an el-select (typed to filter it first, when given)."""
    select.click()
    if typed:
        page.keyboard.type(typed)
    page.locator(f".{popper} {option}").first.click()


def _agent_username(admin: httpx.Client, user_id: int) -> str:
    users = admin.get("/users", params={"role": "agent"}).json()["items"]
    return str(next(u["username"] for u in users if u["id"] == user_id))


def test_an_outage_from_the_dispatcher_to_the_agents_preset_answer_merged_report_and_notice(
    desk: Any, server: Server
) -> None:
    customer = _customer(server)
    with server.apis("admin") as (admin,):
        area = admin.get(f"/areas/{customer['area_id']}").json()
    outage_id: int | None = None
    try:
        # --- the dispatcher publishes the outage on 停供事件
        dispatcher: Desk = desk("dispatcher")
        page = dispatcher.go("/outages")
        page.get_by_test_id("outages-page").wait_for()
        menu = page.get_by_test_id("menu")
        assert menu.locator("[data-menu=outages]").inner_text().strip() == "停供事件"
        assert menu.locator("[data-menu=announcements]").inner_text().strip() == "一对多公告"
        page.get_by_test_id("suggestions").wait_for()  # 故障研判, the writers'
        page.get_by_test_id("outage-create").click()
        dialog = page.get_by_test_id("outage-dialog")
        dialog.wait_for()
        page.locator(".el-dialog [data-test=outage-areas]").click()
        page.keyboard.type(area["name"])
        page.locator(f".outage-areas-popper [data-area='{area['id']}']").click()
        page.get_by_test_id("outage-cause").click()  # closes the list
        page.get_by_test_id("outage-cause").fill(CAUSE)
        page.get_by_test_id("outage-scope").fill("浏览器测试片区")
        # the area's unit is the responsible unit unless another is picked
        unit = page.locator(".el-dialog [data-test=outage-unit] .el-select__selected-item:not(.is-hidden)")
        unit.first.wait_for()
        dispatcher.shot("outages-create")
        page.get_by_test_id("outage-submit").click()
        page.wait_for_url(re.compile(r"/outages/\d+$"))
        header = page.get_by_test_id("outage-header")
        header.wait_for()
        outage_id = int(header.get_attribute("data-id"))
        assert header.get_attribute("data-state") == "active"  # unplanned, begun now
        assert header.get_by_test_id("outage-state").inner_text() == "进行中"
        assert "停气" in header.inner_text() and area["name"] in header.inner_text()
        assert CAUSE in page.get_by_test_id("text-preset").inner_text()
        assert page.get_by_test_id("text-sms").inner_text().startswith("【回音】")
        assert page.get_by_test_id("outage-master").is_visible()
        with server.apis("dispatcher") as (api,):
            created = api.get(f"/outages/{outage_id}").json()
        assert created["unit_id"] == area["unit_id"] and created["area_ids"] == [area["id"]]
        assert created["scope"] == "浏览器测试片区"
        dispatcher.check_clean()

        # --- the agent picks the customer: the preset answer, answered in one click; a 无气 report merged
        agent: Desk = desk("agent")
        wb = agent.go("/workbench")
        wb.get_by_test_id("customer-search").wait_for()
        wb.get_by_test_id("customer-search").fill(customer["account_no"])
        wb.keyboard.press("Enter")
        wb.locator(f"[data-test=customer-panel][data-customer='{customer['id']}']").wait_for()
        alert = wb.locator(f"[data-test=live-outage][data-outage='{outage_id}']")
        alert.wait_for()
        preset = alert.get_by_test_id("live-outage-preset").inner_text()
        assert CAUSE in preset and preset == created["texts"]["preset"]
        assert "停气" in alert.inner_text() and "进行中" in alert.inner_text()
        agent.shot("outages-workbench-preset")
        alert.get_by_test_id("answer-preset").click()
        saved = wb.locator("[data-test=saved-order][data-state=closed]")
        saved.wait_for()
        with server.apis("agent") as (api,):
            inquiry = api.get(f"/work-orders/{saved.get_attribute('data-order')}").json()
        assert inquiry["category"] == "IQ-OUTAGE" and inquiry["closed_on_spot"] is True
        assert inquiry["result"] == created["texts"]["preset"] and inquiry["customer_id"] == customer["id"]

        wb.locator("[data-test=order-type] [data-type=repair]").click()
        _pick_category(wb, "无气", "RP-GAS-NOGAS")
        wb.get_by_test_id("description").fill("客户反映家中灶具打不着火，整栋楼都没气。")
        wb.get_by_test_id("save").click()
        merged = wb.locator(f"[data-test=saved-order][data-state=merged][data-outage='{outage_id}']")
        merged.wait_for()
        repair_id = int(merged.get_attribute("data-order"))
        with server.apis("agent") as (api,):
            repair = api.get(f"/work-orders/{repair_id}").json()
            master = api.get(f"/work-orders/{created['master_order_id']}").json()
        assert repair["state"] == "merged" and repair["outage_id"] == outage_id
        assert repair["merged_into"] == created["master_order_id"]
        assert (
            merged.get_by_test_id("saved-merged")
            .inner_text()
            .startswith(f"已并入停气事件 #{outage_id}（主工单 {master['number']}）")
        )
        assert merged.get_by_test_id("saved-preset").inner_text() == created["texts"]["preset"]
        assert wb.get_by_test_id("saved-message").last.inner_text().startswith(f"已并入停气事件 #{outage_id}")
        agent.shot("outages-workbench-merged")
        # the order's page: 已并单, with the outage and the master order
        order_page = agent.go(f"/orders/{repair_id}")
        assert order_page.get_by_test_id("order-state").inner_text() == "已并单"
        link = order_page.get_by_test_id("order-outage-link")
        assert link.get_attribute("href") == f"/outages/{outage_id}"
        assert f"已并入停供事件 #{outage_id}" in order_page.get_by_test_id("order-outage").inner_text()
        agent.shot("outages-order-merged")
        link.click()
        order_page.locator(f"[data-test=outage-header][data-id='{outage_id}']").wait_for()
        assert order_page.get_by_test_id("outage-restore").count() == 0  # agents read; the writers change
        agent.check_clean()

        # --- the outage: the linked report, the notice sent by the worker, the call list with our customer
        page = dispatcher.go(f"/outages/{outage_id}")
        page.locator(f"[data-test=outage-linked] [data-order='{repair_id}']").wait_for()
        page.get_by_test_id("notice-done").wait_for(timeout=30_000)  # the page reads again while rounds are pending
        with server.apis("dispatcher") as (api,):
            detail = api.get(f"/outages/{outage_id}").json()
            calls = api.get(f"/outages/{outage_id}/calls").json()["items"]
        progress = page.get_by_test_id("notice-progress")
        notice = detail["notice"]
        assert progress.get_attribute("data-total") == str(notice["total"])
        assert page.get_by_test_id("notice-total").inner_text() == str(notice["total"])
        assert page.get_by_test_id("notice-pending").inner_text() == str(notice["pending"])
        assert page.get_by_test_id("notice-sms").inner_text() == str(notice["sms_sent"])
        assert notice["total"] >= 1 and detail["linked_orders"]["ids"] == [repair_id]
        mine = next(c for c in calls if c["customer_id"] == customer["id"])
        page.locator(f"[data-test=notice-call][data-customer='{customer['id']}']").wait_for()
        assert [e.get_attribute("data-action") for e in page.get_by_test_id("outage-event").all()] == ["announce"]
        dispatcher.shot("outages-detail")
        # the list: the outage with its linked report, filterable by state
        page = dispatcher.go("/outages")
        row = page.locator(f"[data-test=outage-row][data-id='{outage_id}']")
        row.wait_for()
        assert row.get_attribute("data-linked") == "1" and row.get_attribute("data-state") == "active"
        page.locator("[data-test=outage-filter] [data-state=restored]").click()
        row.wait_for(state="detached")
        page.locator("[data-test=outage-filter] [data-state=active]").click()
        row.wait_for()
        dispatcher.shot("outages-list")
        dispatcher.check_clean()

        # --- 主动服务: the agent the customer's call went to tells them and records it
        assert mine["agent_id"] and mine["state"] == "pending"
        with server.apis("admin") as (admin,):
            username = _agent_username(admin, mine["agent_id"])
        caller: Desk = desk(username)
        calls_page = caller.go("/outage-calls")
        group = calls_page.locator(f"[data-test=outage-calls-group][data-outage='{outage_id}']")
        group.wait_for()
        assert CAUSE in group.get_by_test_id("outage-calls-preset").inner_text()
        cell = calls_page.locator(f"[data-test=notice-call][data-id='{mine['id']}']")
        tr = group.locator("[data-test=notice-calls] .el-table__body-wrapper tr", has=cell)
        assert tr.get_by_test_id("dial").count() == 1  # 一键外呼
        caller.shot("outages-calls")
        tr.get_by_test_id("notice-call-note").fill("已电话告知，客户表示理解")
        tr.get_by_test_id("notice-reached").click()
        group.locator(f"[data-test=notice-call][data-id='{mine['id']}'][data-state=reached]").wait_for()
        with server.apis("dispatcher") as (api,):
            after = api.get(f"/outages/{outage_id}/calls").json()["items"]
        recorded = next(c for c in after if c["id"] == mine["id"])
        assert recorded["state"] == "reached" and recorded["note"] == "已电话告知，客户表示理解"
        caller.check_clean()

        # --- 一对多公告: the outage's customers counted, then the SMS sent
        page = dispatcher.go("/announcements")
        page.get_by_test_id("announcement-form").wait_for()
        text = page.get_by_test_id("announcement-text")
        assert text.input_value().startswith("【回音】") and text.input_value().endswith("回TD退订")
        page.locator("[data-test=audience-kind] [data-kind=outage]").click()
        _select(page, page.get_by_test_id("audience-outage"), "audience-outage-popper", f"[data-outage='{outage_id}']")
        page.wait_for_function(
            "c => document.querySelector('[data-test=announcement-text]').value.includes(c)", arg=CAUSE
        )
        with server.apis("dispatcher") as (api,):
            audience = api.post("/announcements/count", json={"outage_id": outage_id}).json()["customers"]
            before = len(api.get("/announcements").json()["items"])
        page.get_by_test_id("audience-count").click()
        counted = page.get_by_test_id("audience-counted")
        counted.wait_for()
        assert counted.get_attribute("data-count") == str(audience) and audience >= 1
        assert counted.inner_text() == f"共 {audience} 位客户"
        dispatcher.shot("outages-announcements-count")
        page.locator("[data-test=announcement-channels] [data-channel=wechat]").click()  # and the bound followers
        page.get_by_test_id("announcement-send").click()
        box = page.locator(".el-message-box")
        box.wait_for()
        assert f"{audience} 位客户" in box.inner_text()
        box.locator(".el-button--primary").click()
        page.locator("[data-test=announcement-row]").nth(before).wait_for()
        with server.apis("dispatcher") as (api,):
            sent = api.get("/announcements").json()["items"]
        assert len(sent) == before + 1 and sent[0]["audience"] == {"outage_id": outage_id}
        assert sent[0]["audience_count"] == audience and sent[0]["channel"] == "sms+wechat"
        page.locator(f"[data-test=announcement-row][data-id='{sent[0]['id']}'][data-count='{audience}']").wait_for()
        assert page.get_by_test_id("announcement-channel").first.inner_text() == "短信、微信公众号"
        dispatcher.shot("outages-announcements")
        dispatcher.check_clean()

        # --- supply back: restored (the merged report resolved), then closed
        page = dispatcher.go(f"/outages/{outage_id}")
        page.get_by_test_id("outage-restore").click()
        change = page.get_by_test_id("change-dialog")
        change.wait_for()
        page.get_by_test_id("change-submit").click()
        page.get_by_text("请填写处理结果").wait_for()  # the result is required
        page.get_by_test_id("change-result").fill("已更换受损管段，恢复供气")
        page.get_by_test_id("change-submit").click()
        page.locator("[data-test=outage-header][data-state=restored]").wait_for()
        assert page.get_by_test_id("outage-result").inner_text() == "已更换受损管段，恢复供气"
        page.get_by_test_id("outage-close").click()
        page.get_by_test_id("change-submit").click()
        page.locator("[data-test=outage-header][data-state=closed]").wait_for()
        actions = [e.get_attribute("data-action") for e in page.get_by_test_id("outage-event").all()]
        assert actions == ["close", "restore", "announce"]  # newest first
        dispatcher.shot("outages-closed")
        with server.apis("agent") as (api,):
            assert api.get(f"/work-orders/{repair_id}").json()["state"] in ("resolved", "closed")
        dispatcher.check_clean()
    finally:
        if outage_id is not None:  # never leave a live outage behind for the other tests' repairs
            with server.apis("dispatcher") as (api,):
                if api.get(f"/outages/{outage_id}").json()["state"] in ("announced", "active"):
                    api.post(f"/outages/{outage_id}/cancel", json={"reason": "测试结束"})


def test_the_outage_page_in_english(desk: Any) -> None:
    d: Desk = desk("duty_manager", locale="en")
    page = d.go("/outages")
    assert page.get_by_test_id("outages-title").inner_text() == "Outages"
    page.get_by_test_id("outage-create").wait_for()
    assert page.get_by_test_id("suggestions").inner_text().startswith("Fault detection")
    d.shot("outages-en")
    d.check_clean()
