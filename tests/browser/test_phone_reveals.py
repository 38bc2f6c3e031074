"""Personal data: every number shows masked (138****1234); 显示号码 reads it whole, and each such read is in the
admin's 号码查看记录. Registering an order for a customer takes their number as shown, masked."""

from __future__ import annotations

import itertools
import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Desk, Server
from tests.browser.test_admin import _choose
from tests.browser.test_workbench import _customers_with_orders, _open, _pick_category, _saved_order

_phones = itertools.count(13977770001)


def _masked(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}"


def _grouped(phone: str) -> str:
    return f"{phone[:3]} {phone[3:7]} {phone[7:]}" if re.fullmatch(r"1\d{10}", phone) else phone


def _settle(d: Desk) -> None:
    d.page.wait_for_load_state("networkidle")
    d.page.locator(".el-loading-mask:visible").first.wait_for(state="hidden")


def test_an_orders_number_shows_masked_and_its_reveal_is_in_the_admins_audit(desk: Any, server: Server) -> None:
    _, area = server.home()
    phone = str(next(_phones))
    with server.apis("agent") as (agent,):
        r = agent.post(
            "/work-orders",
            json={
                "type": "repair",
                "category": "RP-GAS-NOGAS",
                "description": "浏览器测试：号码显示",
                "channel": "phone",
                "contact_phone": phone,
                "contact_name": "号码测试",
                "address": "渝中区解放碑街道测试路 12 号",
                "area_id": area["id"],
            },
        )
        assert r.status_code == 201, r.text
        order = r.json()
        me = agent.get("/me").json()
    assert order["contact_phone"] == _masked(phone)

    d: Desk = desk("agent")
    page = d.go(f"/orders/{order['id']}")
    field = page.get_by_test_id("field-phone")
    number = field.get_by_test_id("phone-number")
    expect(number).to_have_text(_masked(phone))
    assert field.get_attribute("data-state") == "masked"
    assert field.get_by_test_id("phone-reveal").inner_text() == "显示号码"
    _settle(d)
    d.shot("order-detail-phone-masked")
    field.get_by_test_id("phone-reveal").click()
    expect(number).to_have_text(phone)
    assert field.get_attribute("data-state") == "revealed"
    assert field.get_by_test_id("phone-reveal").count() == 0
    d.shot("order-detail-phone-revealed")
    d.check_clean()
    # read whole for this view only: the page opened again shows it masked
    page.reload()
    expect(page.get_by_test_id("field-phone").get_by_test_id("phone-number")).to_have_text(_masked(phone))

    # the unit handling it may read it too (to call the customer before a visit)
    h: Desk = desk("unit_handler")
    hp = h.go(f"/orders/{order['id']}")
    hp.get_by_test_id("field-phone").get_by_test_id("phone-reveal").click()
    expect(hp.get_by_test_id("field-phone").get_by_test_id("phone-number")).to_have_text(phone)
    h.check_clean()

    # 用户与角色 → 号码查看记录: the agent's read, newest first, the number masked
    a: Desk = desk("admin")
    ap = a.go("/admin/users")
    ap.get_by_test_id("user-table").wait_for()
    ap.locator("#tab-reveals").click()
    table = ap.get_by_test_id("reveal-table")
    table.wait_for()
    mine = f"[data-test=reveal-subject][data-subject=order][data-id='{order['id']}']"
    expect(table.locator(mine)).to_have_count(2)  # the agent's read and the handler's
    ap.get_by_test_id("reveal-user").click()
    _choose(ap, f"({me['username']})")
    expect(table.locator(mine)).to_have_count(1)  # reloaded with the filter
    row = table.locator("tr", has=ap.locator(mine))
    assert row.get_by_test_id("reveal-user-name").inner_text() == f"{me['full_name']} ({me['username']})"
    assert row.get_by_test_id("reveal-numbers").inner_text() == _masked(phone)
    assert "工单" in row.get_by_test_id("reveal-subject").inner_text()
    assert row.locator("td").nth(3).inner_text().strip() == str(order["customer_id"] or "")
    names = table.get_by_test_id("reveal-user-name").all_inner_texts()
    assert set(names) == {f"{me['full_name']} ({me['username']})"}  # the filter: only the agent's reads
    _settle(a)
    a.shot("admin-phone-reveals")
    a.check_clean()


def test_an_order_for_a_customer_found_by_account_takes_their_masked_number(desk: Any, server: Server) -> None:
    customer = _customers_with_orders(server)[1]
    d: Desk = desk("agent")
    page = _open(d)
    page.get_by_test_id("customer-search").fill(customer["account_no"])
    page.keyboard.press("Enter")
    panel = page.locator(f"[data-test=customer-panel][data-customer='{customer['id']}']")
    panel.wait_for()
    phones = panel.get_by_test_id("customer-phone")
    expect(phones).to_have_text(customer["phones"])  # masked, as the API shows them
    # no number to go by: the contact phone is the customer's first, as shown
    contact = page.get_by_test_id("contact-phone")
    assert contact.input_value() == customer["phones"][0]
    contact.fill("")
    phones.last.click()  # the agent picks the number the customer asks to be called on
    assert contact.input_value() == customer["phones"][-1]

    page.locator("[data-test=order-type] [data-type=repair]").click()
    _pick_category(page, "无气", "RP-GAS-NOGAS")
    page.get_by_test_id("description").fill("客户反映燃气灶打不着火。")
    page.get_by_test_id("save").click()
    order = _saved_order(page, server)
    assert order["customer_id"] == customer["id"] and order["state"] == "dispatched", order
    assert order["contact_phone"] == customer["phones"][-1]
    with server.apis("agent") as (agent,):  # the server stored the customer's number whole
        assert agent.post(f"/work-orders/{order['id']}/contact-phone/reveal").json()["phones"] == [
            customer["whole"][-1]
        ]

    # 显示号码 in the panel: the numbers whole, in place; a click on one now fills it whole
    panel.get_by_test_id("phone-reveal").click()
    expect(phones).to_have_text([_grouped(p) for p in customer["whole"]])
    assert panel.get_by_test_id("phone-reveal").count() == 0
    phones.first.click()
    assert contact.input_value() == customer["whole"][0]
    _settle(d)
    d.shot("workbench-phones-revealed")
    d.check_clean()
