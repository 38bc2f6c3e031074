"""The phone channel on the agent's desk: the screen pop (来电弹屏) of a call the PBX reports, the agent's state
buttons, a new customer for an unknown number, click-to-call (一键外呼), and the pop in English.

The tests play the PBX: they create a CTI integration with the admin API and post the generic CTI events
(newCall / answer / hangup) to its endpoint, as a PBX does (docs/cti.md)."""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from playwright.sync_api import expect

from huiyin.core.phones import mask_phone
from tests.browser.conftest import Desk, Server, whole_phones
from tests.browser.test_queues import _find_task_row
from tests.browser.test_workbench import _pick_category

TRUNK = "95598"
CJK = re.compile(r"[\u3400-\u9fff]")
_numbers = itertools.count(int(time.time()) % 10_000)

# Records, in the page, when the first `call` message reached the socket and when the pop appeared.
WATCH_POP = """
(() => {
  const Native = window.WebSocket
  window.__pop = {}
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args)
      this.addEventListener('message', (e) => {
        try {
          const first = window.__pop.message === undefined
          if (first && JSON.parse(e.data).type === 'call') window.__pop.message = performance.now()
        } catch {}
      })
    }
  }
  new MutationObserver(() => {
    const first = window.__pop.shown === undefined
    if (first && document.querySelector('[data-test=call-pop]')) window.__pop.shown = performance.now()
  }).observe(document, { subtree: true, childList: true })
})()
"""


# ---------------------------------------------------------------- the PBX side


def _integration(server: Server) -> dict[str, Any]:
    with server.apis("admin") as (admin,):
        r = admin.post("/cti-integrations", json={"name": f"测试交换机 {uuid.uuid4().hex[:8]}"})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _event(server: Server, token: str, **fields: Any) -> dict[str, Any]:
    body = {("from" if k == "from_" else k): v for k, v in fields.items() if v is not None}
    r = httpx.post(f"{server.base}/api/v1/cti/{token}", json=body, timeout=20)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _call_id() -> str:
    return f"browser-{uuid.uuid4().hex[:12]}"


def _ring(server: Server, token: str, caller: str, users: list[str], queue: str | None = None) -> str:
    call_id = _call_id()
    _event(
        server, token, event="newCall", callId=call_id, from_=caller, to=TRUNK, direction="in", user=users, queue=queue
    )
    return call_id


def _answer(server: Server, token: str, call_id: str, caller: str, by: str) -> None:
    _event(server, token, event="answer", callId=call_id, from_=caller, to=TRUNK, direction="in", answeringNumber=by)


def _hangup(server: Server, token: str, call_id: str, caller: str, cause: str = "normalClearing") -> None:
    _event(server, token, event="hangup", callId=call_id, from_=caller, to=TRUNK, direction="in", cause=cause)


def _set_state(server: Server, username: str, state: str, reason: str | None = None) -> None:
    with server.apis(username) as (me,):
        now = me.get("/agents/me/state").json()["state"]
        if now == state:
            return
        if state == "signed_out" or now != "signed_out":
            r = me.put("/agents/me/state", json={"state": state, "reason": reason})
        else:
            assert me.put("/agents/me/state", json={"state": "signed_in"}).status_code == 200
            r = me.put("/agents/me/state", json={"state": state, "reason": reason})
        assert r.status_code == 200, r.text


def _tagged_caller_with_open_order(server: Server) -> tuple[dict[str, Any], dict[str, Any], str]:
    """A demo customer with an open order and a phone no other customer has (whole: the API shows numbers masked,
    the reveal reads them); tagged 敏感客户 + 重要客户."""
    with server.apis("admin") as (admin,):
        orders = admin.get("/work-orders", params={"state": "open", "page_size": 200, "sort": "-created_at"}).json()
        for order in orders["items"]:
            if not order["customer_id"]:
                continue
            for phone in whole_phones(admin, order["customer_id"]):
                sharing = admin.get("/customers", params={"q": phone, "limit": 100}).json()["items"]
                if [c["id"] for c in sharing if mask_phone(phone) in c["phones"]] == [order["customer_id"]]:
                    r = admin.patch(f"/customers/{order['customer_id']}", json={"tags": ["sensitive", "key_customer"]})
                    assert r.status_code == 200, r.text
                    return dict(r.json()), order, phone
    raise AssertionError("the demo city should have a customer with an open order and a phone of their own")


def _unused_mobile(server: Server) -> str:
    with server.apis("admin") as (admin,):
        for _ in range(50):
            number = f"1770{next(_numbers) % 10_000:04d}{uuid.uuid4().int % 1000:03d}"
            if not admin.get("/customers", params={"q": number}).json()["items"]:
                return number
    raise AssertionError("no unused number found")


# ---------------------------------------------------------------- the desk side


def _workbench(d: Desk, *, watch: bool = False) -> Any:
    """The workbench, its phone state read and its socket open (a call message must find it connected)."""
    if watch:
        d.page.add_init_script(WATCH_POP)
    page = d.go("/workbench")
    page.get_by_test_id("agent-state-tag").wait_for()
    page.locator("[data-test=notification-bell][data-connection=open]").wait_for()
    return page


def _state(page: Any, state: str, label: str | None = None) -> None:
    """Waits for the state (and its label: one not-ready reason after another keeps the state the same)."""
    page.locator(f"[data-test=agent-state][data-state={state}]").wait_for()
    if label is not None:
        expect(page.get_by_test_id("agent-state-tag")).to_have_text(label)


def _call_pk(pop: Any) -> int:
    return int(pop.get_attribute("data-call"))


def _call(server: Server, username: str, pk: int) -> dict[str, Any]:
    with server.apis(username) as (me,):
        r = me.get(f"/calls/{pk}")
    assert r.status_code == 200, r.text
    return dict(r.json())


def _pop_chrome_cjk(pop: Any) -> list[str]:
    """Chinese in the pop's own labels (not in data: the customer's name and address stay as entered)."""
    texts: list[str] = pop.evaluate(
        """el => [...el.querySelectorAll('.ph-col-title, .ph-head-kind, .ph-head-meta, .ph-hint, .el-button, .el-tag,'
                 + ' [data-test=pop-linked], .ph-facts dt, .ph-empty')].map(e => e.innerText || '')"""
    )
    return [t for t in texts if CJK.search(t)]


# ---------------------------------------------------------------- tests


def test_a_call_pops_the_caller_and_the_order_registered_from_it_is_linked(desk: Any, server: Server) -> None:
    token = _integration(server)["token"]
    customer, open_order, phone = _tagged_caller_with_open_order(server)
    _set_state(server, "agent", "ready")
    d: Desk = desk("agent")
    page = _workbench(d, watch=True)
    _state(page, "ready", "就绪")

    call_id = _ring(server, token, phone, ["agent", "agent01"], queue="senior")
    pop = page.get_by_test_id("call-pop")
    pop.wait_for()
    times = page.evaluate("window.__pop")
    assert times["shown"] - times["message"] < 300, times  # the pop is drawn from the message, before any request
    assert pop.get_attribute("data-call-id") == call_id
    assert pop.get_attribute("data-phase") == "ringing"
    assert pop.get_by_test_id("pop-phase").inner_text() == "振铃中"
    assert pop.get_by_test_id("pop-number").get_attribute("data-number") == phone
    assert "专家座席" in pop.get_by_test_id("pop-queue").inner_text()
    who = pop.get_by_test_id("pop-customer")
    assert who.get_attribute("data-customer") == str(customer["id"])
    assert who.get_by_test_id("pop-customer-name").inner_text() == customer["name"]
    assert who.locator("[data-tag=sensitive]").inner_text() == "敏感客户"
    assert who.locator("[data-tag=key_customer]").inner_text() == "重要客户"
    # the rest of the pop: the customer's open orders, with their countdowns
    row = pop.locator(f"[data-test=pop-open-order][data-order='{open_order['id']}']")
    row.wait_for()
    assert open_order["number"] in row.inner_text()
    assert row.locator("[data-state]").count() == 1

    _answer(server, token, call_id, phone, "agent")
    page.locator("[data-test=call-pop][data-phase=talking]").wait_for()
    _state(page, "on_call", "通话中")
    assert page.get_by_test_id("agent-ready").count() == 0  # the phone system sets the state now
    assert re.fullmatch(r"\d\d:\d\d", pop.get_by_test_id("pop-clock").inner_text())
    # the workbench follows the call: the customer, the contact phone, the channel, the call's callId
    page.locator(f"[data-test=customer-panel][data-customer='{customer['id']}']").wait_for()
    assert page.get_by_test_id("contact-phone").input_value() == phone
    assert page.get_by_test_id("form-call").get_attribute("data-call-id") == call_id
    assert "电话" in page.locator("[data-test=channel]").first.evaluate("e => e.closest('.el-select').innerText")
    d.shot("phone-pop")

    # the caller asks about the open order: linked to this call
    row.get_by_test_id("pop-link-order").click()
    row.get_by_test_id("pop-order-linked").wait_for()
    pop.locator(f"[data-test=pop-linked-order][data-order='{open_order['id']}']").wait_for()

    # the caller hangs up: after-call work, until the order is saved
    _hangup(server, token, call_id, phone)
    page.locator("[data-test=call-pop][data-phase=ended]").wait_for()
    _state(page, "acw", "话后处理")
    page.get_by_test_id("agent-done").wait_for()

    _pick_category(page, "iq-bill", "IQ-BILL")
    page.get_by_test_id("description").fill("客户来电咨询本月燃气费账单明细。")
    page.get_by_test_id("save").click()
    saved = page.get_by_test_id("saved-order")
    saved.wait_for()
    order_id = int(saved.get_attribute("data-order"))
    linked = pop.locator(f"[data-test=pop-linked-order][data-order='{order_id}']")
    linked.wait_for()
    page.wait_for_function("!document.querySelector('.wb-form .el-form-item__error')")  # the emptied form is unmarked
    with server.apis("agent") as (agent,):
        order = agent.get(f"/work-orders/{order_id}").json()
    assert linked.inner_text() == order["number"]
    assert order["customer_id"] == customer["id"]
    assert order["channel"] == "phone" and order["contact_phone"] == mask_phone(phone)  # the caller's, whole
    with server.apis("agent") as (agent,):
        assert agent.post(f"/work-orders/{order_id}/contact-phone/reveal").json()["phones"] == [phone]
    _state(page, "ready", "就绪")  # saving the order ended after-call work, back to where the call found the agent

    record = _call(server, "agent", _call_pk(pop))
    assert record["call_id"] == call_id
    assert order_id in record["work_order_ids"]
    assert open_order["id"] in record["work_order_ids"]
    assert record["customer_id"] == customer["id"]
    assert record["acw_ended_at"] is not None
    d.shot("phone-pop-saved")
    d.check_clean()

    pop.get_by_test_id("pop-close").click()
    pop.wait_for(state="detached")


def test_the_agent_state_buttons_and_the_phone_system_move_the_state_tag(desk: Any, server: Server) -> None:
    token = _integration(server)["token"]
    _set_state(server, "agent02", "signed_out")
    d: Desk = desk("agent02")
    page = _workbench(d)
    _state(page, "signed_out", "未签入")

    page.get_by_test_id("agent-sign-in").click()
    _state(page, "signed_in", "已签入")
    page.get_by_test_id("agent-ready").click()
    _state(page, "ready", "就绪")
    page.get_by_test_id("agent-not-ready").click()
    page.locator(".el-dropdown-menu__item[data-reason=meal]").click()
    _state(page, "not_ready", "未就绪（用餐）")
    assert page.get_by_test_id("agent-state").get_attribute("data-reason") == "meal"
    assert re.fullmatch(r"\d\d:\d\d", page.get_by_test_id("agent-state-timer").inner_text())
    page.get_by_test_id("agent-not-ready").click()
    page.locator(".el-dropdown-menu__item[data-reason=training]").click()
    _state(page, "not_ready", "未就绪（培训）")
    with server.apis("agent02") as (me,):
        assert me.get("/agents/me/state").json() | {"since": None} == {
            "user_id": me.get("/me").json()["id"],
            "state": "not_ready",
            "reason": "training",
            "since": None,
            "call_id": None,
        }
    d.shot("phone-agent-state")

    # the phone system moves the state: a call answered, then hung up
    caller = _unused_mobile(server)
    call_id = _ring(server, token, caller, ["agent02"])
    _answer(server, token, call_id, caller, "agent02")
    _state(page, "on_call", "通话中")
    for button in ("agent-ready", "agent-not-ready", "agent-sign-out"):
        assert page.get_by_test_id(button).count() == 0
    _hangup(server, token, call_id, caller)
    _state(page, "acw", "话后处理")
    page.get_by_test_id("agent-done").wait_for()
    page.get_by_test_id("agent-ready").click()  # ready ends after-call work too
    _state(page, "ready", "就绪")
    record = _call(server, "agent02", _call_pk(page.get_by_test_id("call-pop")))
    assert record["acw_ended_at"] is not None

    page.get_by_test_id("agent-sign-out").click()
    _state(page, "signed_out", "未签入")
    page.get_by_test_id("agent-sign-in").wait_for()
    d.check_clean()


def test_an_unknown_number_offers_a_new_customer_who_is_set_on_the_call(desk: Any, server: Server) -> None:
    token = _integration(server)["token"]
    _set_state(server, "agent03", "ready")
    number = _unused_mobile(server)
    d: Desk = desk("agent03")
    page = _workbench(d)
    call_id = _ring(server, token, number, ["agent03"])
    _answer(server, token, call_id, number, "agent03")
    pop = page.locator("[data-test=call-pop][data-phase=talking]")
    pop.wait_for()
    unknown = pop.get_by_test_id("pop-unknown")
    unknown.wait_for()
    assert "陌生号码" in unknown.inner_text()
    assert page.get_by_test_id("contact-phone").input_value() == number  # the form has the caller's number
    assert page.get_by_test_id("no-customer").is_visible()

    unknown.get_by_test_id("pop-new-customer").click()
    form = pop.get_by_test_id("new-customer-form")
    assert form.get_by_test_id("new-customer-phone").input_value() == number
    form.get_by_test_id("new-customer-save").click()  # nothing filled in: the form says what is missing
    form.get_by_text("请填写户号").wait_for()
    account = f"T{uuid.uuid4().hex[:10].upper()}"
    form.get_by_test_id("new-customer-account").fill(account)
    form.get_by_test_id("new-customer-name").fill("来电新客户")
    form.get_by_test_id("new-customer-address").fill("渝中区解放碑街道测试路 8 号")
    d.shot("phone-new-customer")
    form.get_by_test_id("new-customer-save").click()

    who = pop.get_by_test_id("pop-customer")
    who.wait_for()
    assert who.get_by_test_id("pop-customer-name").inner_text() == "来电新客户"
    assert who.get_by_test_id("pop-customer-account").inner_text() == account
    customer_id = int(who.get_attribute("data-customer"))
    page.locator(f"[data-test=customer-panel][data-customer='{customer_id}']").wait_for()  # the workbench follows
    assert page.get_by_test_id("contact-name").input_value() == "来电新客户"
    record = _call(server, "agent03", _call_pk(pop))
    assert record["customer_id"] == customer_id
    with server.apis("agent03") as (me,):
        assert me.get(f"/customers/{customer_id}").json()["phones"] == [mask_phone(number)]
        assert whole_phones(me, customer_id) == [number]

    # no order needed: the agent ends after-call work by hand
    _hangup(server, token, call_id, number)
    _state(page, "acw", "话后处理")
    page.get_by_test_id("agent-done").click()
    _state(page, "ready", "就绪")
    assert _call(server, "agent03", record["id"])["acw_ended_at"] is not None
    d.check_clean()


def _clear_dial_urls(server: Server) -> None:
    """No integration has a dial URL (another test may have left one)."""
    with server.apis("admin") as (admin,):
        for i in admin.get("/cti-integrations").json():
            if i["dial_url"]:
                assert admin.patch(f"/cti-integrations/{i['id']}", json={"dial_url": None}).status_code == 200


def _callback_task(server: Server, owner: str) -> dict[str, Any]:
    """An order registered by ``owner``, resolved by its unit: a callback in the owner's queue."""
    _, area = server.home()
    with server.apis(owner, "unit_handler") as (agent, handler):
        r = agent.post(
            "/work-orders",
            json={
                "type": "repair",
                "category": "RP-GAS-METER",
                "description": "浏览器测试：外呼回访",
                "channel": "phone",
                "contact_phone": _unused_mobile(server),
                "contact_name": "回访客户",
                "address": "渝中区解放碑街道测试路 9 号",
                "area_id": area["id"],
            },
        )
        assert r.status_code == 201, r.text
        order = r.json()
        for action, body in (("accept", None), ("start", None), ("resolve", {"result": "更换燃气表电池"})):
            assert handler.post(f"/work-orders/{order['id']}/{action}", json=body).status_code == 200
    return dict(order)


def test_click_to_call_without_a_dial_url_says_it_is_not_set_up(desk: Any, server: Server) -> None:
    _clear_dial_urls(server)
    order = _callback_task(server, "agent05")
    d: Desk = desk("agent05")
    page = d.go("/callbacks")
    row = _find_task_row(page, order["number"])
    dial = row.get_by_test_id("dial")
    assert dial.get_attribute("data-number") == order["contact_phone"]
    dial.click()
    message = page.get_by_test_id("dial-error")
    message.wait_for()
    assert "一键外呼未配置" in message.inner_text()
    page.wait_for_timeout(400)  # the message has slid in
    d.shot("phone-dial-not-set-up")
    d.check_clean()


@contextmanager
def _fake_pbx() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A PBX's click-to-call endpoint that says yes and keeps what it was asked."""
    asked: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            asked.append(json.loads(self.rfile.read(length) or b"{}"))
            body = b'{"accepted": true}'
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/dial", asked
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_click_to_call_places_the_call_through_the_pbx_and_pops_it(desk: Any, server: Server) -> None:
    _clear_dial_urls(server)  # the first integration with a dial URL places the call: it must be ours
    integration = _integration(server)
    token = integration["token"]
    customer, _, phone = _tagged_caller_with_open_order(server)
    _set_state(server, "agent05", "ready")
    with _fake_pbx() as (url, asked), server.apis("admin") as (admin,):
        r = admin.patch(f"/cti-integrations/{integration['id']}", json={"dial_url": url})
        assert r.status_code == 200, r.text
        try:
            d: Desk = desk("agent05")
            page = _workbench(d)
            page.get_by_test_id("customer-search").fill(phone)
            page.keyboard.press("Enter")
            panel = page.locator(f"[data-test=customer-panel][data-customer='{customer['id']}']")
            panel.wait_for()
            # the panel shows the customer's numbers masked; the dial names the masked one with the customer, and
            # the server asks the PBX for the whole number
            panel.locator(f"[data-test=dial][data-number='{mask_phone(phone)}']").click()
            placing = page.get_by_test_id("dial-placing")
            placing.wait_for()
            assert "正在外呼" in placing.inner_text()
            assert len(asked) == 1, asked
            assert asked[0]["number"] == phone and asked[0]["user"] == "agent05"
            assert asked[0]["reference"]["customer_id"] == customer["id"]
            call_id = asked[0]["callId"]
            with server.apis("agent05") as (me,):
                calls = me.get("/calls", params={"customer_id": customer["id"], "direction": "out"}).json()["items"]
            assert call_id in [c["call_id"] for c in calls]

            # the PBX reports the call it placed: it pops as an outgoing call
            out = {"callId": call_id, "from_": TRUNK, "to": phone, "direction": "out"}
            _event(server, token, event="newCall", user=["agent05"], **out)
            pop = page.locator(f"[data-test=call-pop][data-call-id='{call_id}']")
            pop.wait_for()
            assert pop.get_attribute("data-direction") == "out"
            assert pop.get_by_test_id("pop-customer").get_attribute("data-customer") == str(customer["id"])
            assert "外呼" in pop.inner_text()
            _event(server, token, event="answer", answeringNumber="agent05", **out)
            page.locator(f"[data-test=call-pop][data-call-id='{call_id}'][data-phase=talking]").wait_for()
            _state(page, "on_call", "通话中")
            _event(server, token, event="hangup", cause="normalClearing", **out)
            page.locator(f"[data-test=call-pop][data-call-id='{call_id}'][data-phase=ended]").wait_for()
            _state(page, "acw")
            page.get_by_test_id("agent-done").click()
            _state(page, "ready")
            d.check_clean()
        finally:
            admin.patch(f"/cti-integrations/{integration['id']}", json={"dial_url": None})


def test_the_pop_in_english_and_closing_when_another_agent_answers(desk: Any, server: Server) -> None:
    token = _integration(server)["token"]
    _, open_order, phone = _tagged_caller_with_open_order(server)
    _set_state(server, "agent04", "ready")
    d: Desk = desk("agent04", locale="en")
    page = _workbench(d)
    _state(page, "ready", "Ready")
    call_id = _ring(server, token, phone, ["agent04", "agent06"], queue="senior")
    pop = page.get_by_test_id("call-pop")
    pop.wait_for()
    pop.locator(f"[data-test=pop-open-order][data-order='{open_order['id']}']").wait_for()
    assert pop.get_by_test_id("pop-phase").inner_text() == "Ringing"
    assert "Incoming call" in pop.inner_text()
    assert "Senior agents" in pop.get_by_test_id("pop-queue").inner_text()
    assert pop.locator("[data-tag=sensitive]").inner_text() == "Sensitive"
    for title in ("Caller", "Open orders", "Last contacts"):
        assert title in pop.inner_text()
    assert pop.get_by_test_id("pop-link-order").first.inner_text() == "Link to this call"
    assert _pop_chrome_cjk(pop) == []
    assert not CJK.search(page.get_by_test_id("agent-state").inner_text())
    d.shot("phone-pop-en")
    d.check_clean()

    # another agent takes the call: the pop here closes
    _answer(server, token, call_id, phone, "agent06")
    pop.wait_for(state="detached")
    _hangup(server, token, call_id, phone)
    with server.apis("agent06") as (other,):
        assert other.put("/agents/me/state", json={"state": "ready"}).status_code == 200  # leave nothing behind
