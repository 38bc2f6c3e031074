"""The phone channel's pages: 通话记录 (filters, the call drawer, the waveform player, uploading a recording),
the calls on an order's page, the live agent board (坐席监控) and the IVR routing rules with 试一试.

Calls are made the way a PBX makes them: a CTI integration created through the admin API, then generic CTI
events (newCall / answer / hangup, JSON) posted to its endpoint with ``at`` times, so the figures are exact.
The tests share a server with others: the agents who take these calls are agent05 and agent07 (not the demo
``agent`` other tests sign in as), every call is hung up, and the agents sign out again.
"""

from __future__ import annotations

import io
import itertools
import math
import random
import struct
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from playwright.sync_api import expect

from huiyin.core.phones import mask_phone
from tests.browser.conftest import Desk, Server, whole_phones
from tests.browser.test_admin import _choose
from tests.browser.test_english import chinese_in_chrome

_serial = itertools.count(1)
TRUNK = "95598"


def wav_bytes(seconds: float = 2.0, rate: int = 8000) -> bytes:
    """A short, valid 16-bit mono WAV: a 330 Hz tone in syllable-like bursts (so the waveform has a shape)."""
    n = int(seconds * rate)
    samples = []
    for i in range(n):
        t = i / rate
        envelope = max(0.0, math.sin(2 * math.pi * 2.5 * t)) * (0.4 + 0.6 * abs(math.sin(2 * math.pi * 0.35 * t)))
        samples.append(int(20000 * envelope * math.sin(2 * math.pi * 330 * t)))
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(struct.pack(f"<{n}h", *samples))
    return buf.getvalue()


def stranger() -> str:
    """A mobile number no demo customer has."""
    return f"1370{random.randint(0, 9_999_999):07d}"


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def shanghai(at: datetime) -> str:
    """A time as the call list's filter writes it: wall-clock in the centre's zone."""
    return at.astimezone(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class Pbx:
    """Posts generic CTI events to the server as a PBX does."""

    server: Server
    token: str

    def post(self, **fields: Any) -> dict[str, Any]:
        body = {k.rstrip("_"): v for k, v in fields.items() if v is not None}
        r = httpx.post(f"{self.server.base}/api/v1/cti/{self.token}", json=body, timeout=10)
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    def ring(
        self, caller: str, users: list[str], at: datetime, *, queue: str | None = None, direction: str = "in"
    ) -> str:
        call_id = f"bt-{next(_serial)}-{random.randint(0, 10**9)}"
        frm, to = (caller, TRUNK) if direction == "in" else (TRUNK, caller)
        self.post(
            event="newCall", callId=call_id, from_=frm, to=to, direction=direction, user=users, queue=queue, at=iso(at)
        )
        return call_id

    def answer(self, call_id: str, caller: str, by: str, at: datetime, direction: str = "in") -> None:
        frm, to = (caller, TRUNK) if direction == "in" else (TRUNK, caller)
        self.post(event="answer", callId=call_id, from_=frm, to=to, direction=direction, answeringNumber=by, at=iso(at))

    def hangup(self, call_id: str, caller: str, cause: str, at: datetime, direction: str = "in", **extra: Any) -> None:
        frm, to = (caller, TRUNK) if direction == "in" else (TRUNK, caller)
        self.post(
            event="hangup", callId=call_id, from_=frm, to=to, direction=direction, cause=cause, at=iso(at), **extra
        )


def new_pbx(server: Server, name: str) -> Pbx:
    with server.apis("admin") as (admin,):
        r = admin.post("/cti-integrations", json={"name": f"{name} {next(_serial)}-{random.randint(0, 10**6)}"})
        assert r.status_code == 201, r.text
        return Pbx(server, r.json()["token"])


def call_by_call_id(http: httpx.Client, call_id: str, **filters: Any) -> dict[str, Any]:
    items = http.get("/calls", params={"page_size": 200, **filters}).json()["items"]
    found = next(c for c in items if c["call_id"] == call_id)
    return http.get(f"/calls/{found['id']}").json()  # type: ignore[no-any-return]


def _shot(d: Desk, name: str) -> None:
    d.page.wait_for_load_state("networkidle")
    d.page.locator(".el-loading-mask:visible").first.wait_for(state="hidden")
    d.shot(name)


@dataclass
class Story:
    """The calls the list, drawer and order tests look at."""

    customer: dict[str, Any]
    phone: str
    order: dict[str, Any]
    answered: dict[str, Any]  # inbound, 8 s wait, 110 s talk, 20 s hold, the order linked, a recording
    order_calls: int  # the order's calls (the demo links its phone orders' calls too)
    outbound: dict[str, Any]  # the agent's callback to the customer, no recording yet
    stranger: str
    abandoned: dict[str, Any]  # 40 s in the queue, then the caller gave up
    short: dict[str, Any]  # gave up after 3 s


def _order_of_a_customer_with_their_own_number(
    agent: httpx.Client, sup: httpx.Client
) -> tuple[dict[str, Any], dict[str, Any]]:
    """An order whose customer is the only one with their first number (so a call from it finds them); the
    customer's ``phones`` whole (read through the reveal: the API shows them masked)."""
    for order in agent.get("/work-orders", params={"page_size": 100}).json()["items"]:
        if not order["customer_id"]:
            continue
        customer = agent.get(f"/customers/{order['customer_id']}").json()
        if customer["area_id"] and customer["phones"]:
            phones = whole_phones(agent, customer["id"])
            route = sup.get("/ivr/route", params={"caller": phones[0]}).json()
            if route["customer_id"] == customer["id"]:
                return order, {**customer, "phones": phones}
    raise AssertionError("no order of a customer with a number of their own")


@pytest.fixture(scope="module")
def story(server: Server) -> Iterator[Story]:
    pbx = new_pbx(server, "浏览器测试 PBX")
    with server.apis("agent05", "supervisor") as (agent, sup):
        order, customer = _order_of_a_customer_with_their_own_number(agent, sup)
        phone = customer["phones"][0]
        t0 = datetime.now(UTC) - timedelta(minutes=20)

        call_id = pbx.ring(phone, ["agent05"], t0, queue="燃气")
        pbx.answer(call_id, phone, "agent05", t0 + timedelta(seconds=8))
        pbx.hangup(call_id, phone, "normalClearing", t0 + timedelta(seconds=138), holdSeconds=20)
        answered = call_by_call_id(agent, call_id, number=phone)
        assert agent.post(f"/calls/{answered['id']}/orders", json={"order_id": order["id"]}).status_code == 200
        files = {"file": ("录音.wav", wav_bytes(), "audio/wav")}
        r = agent.post(f"/calls/{answered['id']}/recording", files=files)
        assert r.status_code == 200 and r.json()["has_recording"], r.text
        answered = r.json()

        t1 = t0 + timedelta(minutes=5)
        out_id = pbx.ring(phone, ["agent05"], t1, direction="out")
        pbx.answer(out_id, phone, "agent05", t1 + timedelta(seconds=12), direction="out")
        pbx.hangup(out_id, phone, "normalClearing", t1 + timedelta(seconds=72), direction="out")
        outbound = call_by_call_id(agent, out_id, number=phone)

        who = stranger()
        t2 = t0 + timedelta(minutes=8)
        gave_up = pbx.ring(who, ["agent05"], t2, queue="电力")
        pbx.hangup(gave_up, who, "cancel", t2 + timedelta(seconds=40))
        quick = pbx.ring(who, ["agent05"], t2 + timedelta(minutes=1), queue="电力")
        pbx.hangup(quick, who, "cancel", t2 + timedelta(minutes=1, seconds=3))
        abandoned = call_by_call_id(agent, gave_up, number=who)
        short = call_by_call_id(agent, quick, number=who)
        assert agent.put("/agents/me/state", json={"state": "signed_out"}).status_code == 200  # out of after-call work
        order_calls = agent.get("/calls", params={"order_id": order["id"]}).json()["total"]
    yield Story(customer, phone, order, answered, order_calls, outbound, who, abandoned, short)


def _open_drawer(page: Any, call: dict[str, Any]) -> Any:
    page.get_by_test_id(f"call-row-{call['call_id']}").click()
    drawer = page.locator(f".hy-cd[data-call='{call['id']}']")
    drawer.wait_for()
    return drawer


def _player_ready(page: Any, scope: Any) -> Any:
    player = scope.get_by_test_id("recording-player")
    player.wait_for()
    page.wait_for_function(
        "el => el.dataset.state === 'ready' || el.dataset.state === 'error' || el.dataset.state === 'fallback'",
        arg=player.element_handle(),
        timeout=15_000,
    )
    assert player.get_attribute("data-state") == "ready"
    return player


def test_the_call_list_filters_by_number_direction_and_abandoned(desk: Any, story: Story) -> None:
    d: Desk = desk("agent")
    page = d.go("/calls")
    page.get_by_test_id("calls-table").wait_for()
    assert page.locator("[data-menu=calls]").is_visible()  # its own menu entry

    page.get_by_test_id("calls-number").fill(story.stranger)
    page.get_by_test_id("calls-number").press("Enter")
    page.wait_for_url(lambda url: f"number={story.stranger}" in url)
    rows = page.get_by_test_id("calls-table").locator("tbody tr")
    expect(rows).to_have_count(2)
    outcomes = page.get_by_test_id("call-outcome").evaluate_all("els => els.map(e => e.dataset.outcome)")
    assert sorted(outcomes) == ["abandoned", "short_abandon"]
    row = page.get_by_test_id("calls-table").locator(
        "tr", has=page.get_by_test_id(f"call-row-{story.abandoned['call_id']}")
    )
    assert row.get_by_test_id("call-wait").inner_text() == "0:40"
    assert row.get_by_test_id("call-cause").inner_text() == "呼叫方挂断"
    assert "放弃" in row.get_by_test_id("call-outcome").inner_text()
    masked = row.get_by_test_id("call-from").inner_text()
    assert masked != story.stranger and masked[:3] == story.stranger[:3]  # masked in the list
    _shot(d, "calls-list-abandoned")

    # 呼出: none of the stranger's calls went out
    page.get_by_test_id("calls-direction-out").click()
    page.get_by_test_id("page-empty").wait_for()
    assert "direction=out" in page.url
    page.get_by_test_id("calls-direction-all").click()
    expect(rows).to_have_count(2)

    # 放弃 = 未放弃: none either
    page.get_by_test_id("calls-abandoned").click()
    page.get_by_test_id("abandoned-no").click()
    page.get_by_test_id("page-empty").wait_for()
    assert "abandoned=0" in page.url
    page.get_by_test_id("calls-abandoned").click()
    page.get_by_test_id("abandoned-yes").click()
    expect(rows).to_have_count(2)

    # a time range (the centre's wall-clock time, in the URL) keeps only the calls offered in it
    start = datetime.fromisoformat(story.short["offered_at"]) - timedelta(seconds=10)
    window = {"number": story.stranger, "from": shanghai(start), "to": shanghai(start + timedelta(minutes=1))}
    page = d.go(f"/calls?{urlencode(window)}")
    page.get_by_test_id(f"call-row-{story.short['call_id']}").wait_for()
    expect(rows).to_have_count(1)
    picked = page.locator(".el-range-editor input").first  # the range picker shows it
    assert picked.input_value() == shanghai(start)

    # the customer's number, both ways
    page.get_by_test_id("calls-reset").click()
    page.wait_for_url("**/calls")
    page.get_by_test_id("calls-number").fill(story.phone)
    page.get_by_test_id("calls-number").press("Enter")
    page.get_by_test_id(f"call-row-{story.answered['call_id']}").wait_for()
    page.get_by_test_id(f"call-row-{story.outbound['call_id']}").wait_for()
    directions = page.get_by_test_id("call-direction").evaluate_all("els => els.map(e => e.dataset.direction)")
    assert {"in", "out"} <= set(directions)
    page.get_by_test_id("calls-direction-out").click()
    page.wait_for_url("**direction=out**")
    page.get_by_test_id(f"call-row-{story.answered['call_id']}").wait_for(state="detached")
    page.get_by_test_id(f"call-row-{story.outbound['call_id']}").wait_for()
    d.check_clean()


def test_the_drawer_shows_the_whole_call_and_its_recording_seeks_on_the_waveform(
    desk: Any, server: Server, story: Story
) -> None:
    d: Desk = desk("agent")
    page = d.go(f"/calls?number={story.phone}")
    row = page.get_by_test_id("calls-table").locator(
        "tr", has=page.get_by_test_id(f"call-row-{story.answered['call_id']}")
    )
    row.wait_for()
    assert row.get_by_test_id("call-talk").inner_text() == "1:50"
    assert row.get_by_test_id("call-has-recording").is_visible()
    expect(row.get_by_test_id("call-order")).to_have_text(story.order["number"])  # linked orders by number

    drawer = _open_drawer(page, story.answered)
    # the caller's number masked (this agent was not on the line); 显示号码 reads it whole, and that is recorded
    assert drawer.get_by_test_id("drawer-from").inner_text() == mask_phone(story.phone)
    assert drawer.get_by_test_id("drawer-to").inner_text() == TRUNK
    drawer.get_by_test_id("drawer-reveal").get_by_test_id("phone-reveal").click()
    expect(drawer.get_by_test_id("drawer-from")).to_have_text(story.phone)
    assert drawer.get_by_test_id("phone-reveal").count() == 0
    with server.apis("agent", "admin") as (me, admin):
        agent_id = me.get("/me").json()["id"]
        seen = admin.get("/phone-reveals", params={"user_id": agent_id, "limit": 5}).json()["items"]
    assert seen[0]["subject"] == "call" and seen[0]["subject_id"] == story.answered["id"]
    assert seen[0]["numbers"] == mask_phone(story.phone)
    assert drawer.get_by_test_id("drawer-wait").inner_text() == "0:08"
    assert drawer.get_by_test_id("drawer-talk").inner_text() == "1:50"
    assert drawer.get_by_test_id("drawer-hold").inner_text() == "0:20"
    assert drawer.get_by_test_id("drawer-cause").inner_text() == "正常挂机"
    assert drawer.get_by_test_id("drawer-call-id").inner_text() == story.answered["call_id"]
    expect(drawer.get_by_test_id("drawer-customer")).to_contain_text(story.customer["name"])
    expect(drawer.get_by_test_id("drawer-order")).to_have_text(story.order["number"])

    player = _player_ready(page, drawer)
    assert abs(float(player.get_attribute("data-duration") or 0) - 2.0) < 0.1
    wave_box = drawer.get_by_test_id("waveform")
    canvas = wave_box.locator("canvas").first  # wavesurfer draws in its (open) shadow root
    canvas.wait_for()
    box = canvas.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 20
    # a click three quarters along the waveform seeks there
    wb = wave_box.bounding_box()
    assert wb
    page.mouse.click(wb["x"] + wb["width"] * 0.75, wb["y"] + wb["height"] / 2)
    audio = drawer.get_by_test_id("call-audio")
    page.wait_for_function("el => Math.abs(el.currentTime - 1.5) < 0.2", arg=audio.element_handle())
    expect(drawer.get_by_test_id("player-time")).to_have_text("0:01 / 0:02")
    # and a drag back to a quarter
    page.mouse.move(wb["x"] + wb["width"] * 0.6, wb["y"] + wb["height"] / 2)
    page.mouse.down()
    page.mouse.move(wb["x"] + wb["width"] * 0.4, wb["y"] + wb["height"] / 2, steps=5)
    page.mouse.move(wb["x"] + wb["width"] * 0.25, wb["y"] + wb["height"] / 2, steps=5)
    page.mouse.up()
    page.wait_for_function("el => Math.abs(el.currentTime - 0.5) < 0.2", arg=audio.element_handle())
    _shot(d, "calls-drawer")

    # the customer's other calls are a click away
    drawer.get_by_test_id("drawer-customer-calls").click()
    page.wait_for_url(lambda url: f"customer_id={story.customer['id']}" in url)
    page.get_by_test_id("scope-customer").wait_for()
    page.get_by_test_id(f"call-row-{story.outbound['call_id']}").wait_for()
    d.check_clean()


def test_a_recording_uploaded_in_the_drawer_plays_at_once(desk: Any, server: Server, story: Story) -> None:
    d: Desk = desk("agent")
    page = d.go(f"/calls?number={story.phone}&direction=out")
    drawer = _open_drawer(page, story.outbound)
    drawer.get_by_test_id("no-recording").wait_for()
    drawer.get_by_test_id("recording-file").set_input_files(
        {"name": "回访录音.wav", "mimeType": "audio/wav", "buffer": wav_bytes(1.0)}
    )
    player = _player_ready(page, drawer)
    assert abs(float(player.get_attribute("data-duration") or 0) - 1.0) < 0.1
    page.locator(".el-message--success").wait_for()
    with server.apis("agent") as (http,):
        got = http.get(f"/calls/{story.outbound['id']}").json()
        assert got["has_recording"]
        r = http.get(f"/calls/{story.outbound['id']}/recording", headers={"Range": "bytes=0-3"})
        assert r.status_code == 206 and r.content == b"RIFF"
    # the list row shows the recording now
    row = page.get_by_test_id("calls-table").locator(
        "tr", has=page.get_by_test_id(f"call-row-{story.outbound['call_id']}")
    )
    row.get_by_test_id("call-has-recording").wait_for()

    # a file that is not audio is refused with the API's message
    drawer.get_by_test_id("recording-file").set_input_files(
        {"name": "notes.wav", "mimeType": "audio/wav", "buffer": b"this is not audio at all"}
    )
    page.locator(".el-message--error").wait_for()
    d.check_clean()


def test_a_recording_kept_at_the_pbx_plays_through_the_redirect(desk: Any, server: Server, story: Story) -> None:
    """The PBX's recordingUrl is kept on the call; /recording answers 307 to it and the player follows."""
    pbx = new_pbx(server, "录音在交换机")
    who = stranger()
    at = datetime.now(UTC) - timedelta(minutes=3)
    kept = f"{server.base}/api/v1/calls/{story.answered['id']}/recording"  # the PBX's URL (here: a stored one)
    call_id = pbx.ring(who, ["agent05"], at, queue="综合")
    pbx.answer(call_id, who, "agent05", at + timedelta(seconds=5))
    pbx.hangup(call_id, who, "normalClearing", at + timedelta(seconds=65), recordingUrl=kept)
    with server.apis("agent05") as (agent,):
        call = call_by_call_id(agent, call_id, number=who)
        assert call["recording_url"] == kept and call["has_recording"]
        assert agent.get(f"/calls/{call['id']}/recording").status_code == 307
        agent.put("/agents/me/state", json={"state": "signed_out"})
    d: Desk = desk("agent")
    page = d.go(f"/calls?number={who}")
    drawer = _open_drawer(page, call)
    expect(drawer.get_by_test_id("drawer-pbx-recording")).to_contain_text(kept)
    player = _player_ready(page, drawer)
    assert abs(float(player.get_attribute("data-duration") or 0) - 2.0) < 0.1
    d.check_clean()


def test_an_orders_page_lists_its_calls_and_plays_the_recording(desk: Any, story: Story) -> None:
    d: Desk = desk("agent")
    page = d.go(f"/orders/{story.order['id']}")
    card = page.get_by_test_id("order-calls-card")
    item = card.locator(f"[data-test=order-call][data-call='{story.answered['call_id']}']")
    item.wait_for()
    expect(page.get_by_test_id("order-calls-count")).to_have_text(f"({story.order_calls})")
    item.get_by_test_id("order-call-play").click()
    player = _player_ready(page, item)
    assert item.get_by_test_id("waveform").locator("canvas").first.is_visible()
    wb = item.get_by_test_id("waveform").bounding_box()
    assert wb and player.is_visible()
    page.mouse.click(wb["x"] + wb["width"] * 0.5, wb["y"] + wb["height"] / 2)
    page.wait_for_function(
        "el => Math.abs(el.currentTime - 1.0) < 0.2", arg=item.get_by_test_id("call-audio").element_handle()
    )
    card.scroll_into_view_if_needed()
    _shot(d, "calls-order-section")
    item.get_by_test_id("order-call-details").click()
    page.locator(f".hy-cd[data-call='{story.answered['id']}']").wait_for()
    expect(page.get_by_test_id("drawer-wait")).to_have_text("0:08")
    d.check_clean()


def test_the_call_list_in_english(desk: Any, story: Story) -> None:
    d: Desk = desk("qa_inspector", locale="en")
    page = d.go(f"/calls?number={story.stranger}")
    page.get_by_test_id(f"call-row-{story.abandoned['call_id']}").wait_for()
    page.wait_for_load_state("networkidle")
    assert page.locator("h2").inner_text() == "Call records"
    assert chinese_in_chrome(page) == []
    assert "Short abandon" in page.get_by_test_id("calls-table").inner_text()
    _open_drawer(page, story.abandoned)
    expect(page.get_by_test_id("drawer-cause")).to_have_text("Caller hung up")
    expect(page.get_by_test_id("no-recording")).to_have_text("No recording")
    _shot(d, "calls-list-en")
    d.check_clean()


# ---------------------------------------------------------------- the live board


def test_the_live_board_shows_a_signed_in_agent_and_a_waiting_call(desk: Any, server: Server) -> None:
    pbx = new_pbx(server, "坐席监控测试")
    queue = f"监控测试{next(_serial)}"
    who = stranger()
    with server.apis("agent07") as (agent,):
        agent.put("/agents/me/state", json={"state": "signed_out"})  # whatever an earlier run left
        assert agent.put("/agents/me/state", json={"state": "signed_in"}).status_code == 200
        assert agent.put("/agents/me/state", json={"state": "ready"}).status_code == 200
        call_id = pbx.ring(who, ["agent07"], datetime.now(UTC) - timedelta(seconds=30), queue=queue)
        try:
            d: Desk = desk("floor_manager")
            page = d.go("/agents/board")
            me = page.locator("[data-test=agent-row][data-agent=agent07]")
            me.wait_for()
            assert me.get_attribute("data-state") == "ready"
            assert int(page.get_by_test_id("count-ready").get_attribute("data-count") or 0) >= 1
            row = page.get_by_test_id("board-queues").locator("tr", has=page.locator(f"[data-queue='{queue}']"))
            row.wait_for()
            assert row.get_by_test_id("queue-waiting").inner_text() == "1"
            longest = row.get_by_test_id("queue-longest")
            assert longest.get_attribute("data-late") == "true"  # over 20 s: red
            assert longest.evaluate("el => getComputedStyle(el).color") == "rgb(229, 72, 77)"
            _shot(d, "calls-board")

            # the board follows the agent without a reload: not ready (meal), then on the call, then after-call work
            assert agent.put("/agents/me/state", json={"state": "not_ready", "reason": "meal"}).status_code == 200
            page.locator("[data-test=agent-row][data-agent=agent07][data-state=not_ready]").wait_for(timeout=8000)
            agent_row = page.get_by_test_id("board-agents").locator("tr", has=me)
            expect(agent_row.get_by_test_id("agent-reason")).to_have_text("用餐")
            assert agent_row.get_by_test_id("agent-since").inner_text().startswith("00:0")
            pbx.answer(call_id, who, "agent07", datetime.now(UTC))
            page.locator("[data-test=agent-row][data-agent=agent07][data-state=on_call]").wait_for(timeout=8000)
            expect(row.get_by_test_id("queue-talking")).to_have_text("1", timeout=8000)
            expect(row.get_by_test_id("queue-waiting")).to_have_text("0")
            agent_row.get_by_test_id("agent-call").click()  # the current call opens in the drawer
            expect(page.get_by_test_id("drawer-call-id")).to_have_text(call_id)
            page.keyboard.press("Escape")
            pbx.hangup(call_id, who, "normalClearing", datetime.now(UTC))
            page.locator("[data-test=agent-row][data-agent=agent07][data-state=acw]").wait_for(timeout=8000)
            d.check_clean()
        finally:
            pbx.hangup(call_id, who, "normalClearing", datetime.now(UTC))  # a repeat changes nothing
            agent.put("/agents/me/state", json={"state": "signed_out"})


def test_the_live_board_in_english(desk: Any) -> None:
    d: Desk = desk("duty_manager", locale="en")
    page = d.go("/agents/board")
    page.get_by_test_id("board-counts").wait_for()
    page.wait_for_load_state("networkidle")
    assert page.locator("h2").inner_text() == "Agent monitor"
    assert chinese_in_chrome(page) == []
    assert page.get_by_test_id("count-ready").inner_text().startswith("Ready")
    d.check_clean()


# ---------------------------------------------------------------- IVR routing rules


def test_a_supervisor_adds_an_outage_announcement_and_tries_it(desk: Any, server: Server) -> None:
    name = f"停气公告（浏览器测试 {next(_serial)}）"
    text = f"您所在区域因管道抢修暂停供气，预计今天 18 点恢复。{random.randint(100, 999)}"
    with server.apis("supervisor", "agent05") as (sup, agent):
        _, customer = _order_of_a_customer_with_their_own_number(agent, sup)
        area = sup.get(f"/areas/{customer['area_id']}").json()
        phone = customer["phones"][0]
        try:
            d: Desk = desk("supervisor")
            page = d.go("/ivr/rules")
            page.get_by_test_id("ivr-table").wait_for()
            assert page.locator("[data-menu-group='callLog.menu.group']").is_visible()
            assert page.get_by_test_id("ivr-table").get_by_text("重要客户进专家座席").is_visible()  # seeded
            page.get_by_test_id("ivr-create").click()
            dialog = page.get_by_test_id("ivr-dialog")
            page.get_by_test_id("ivr-name").fill(name)
            page.get_by_test_id("ivr-kind-area").click()
            assert page.get_by_test_id("ivr-queue").count() == 0  # an area rule only announces
            page.get_by_test_id("ivr-submit").click()
            dialog.get_by_test_id("dialog-error").get_by_text("请至少选择一个区域").wait_for()
            page.get_by_test_id("ivr-areas").click()
            page.keyboard.type(area["name"])
            _choose(page, area["name"])
            dialog.locator(".el-dialog__title").click()  # closes the dropdown
            page.get_by_test_id("ivr-announcement").fill(text)
            page.get_by_test_id("ivr-priority").locator("input").fill("60")
            page.get_by_test_id("ivr-priority").locator("input").press("Tab")
            _shot(d, "calls-ivr-dialog")
            page.get_by_test_id("ivr-submit").click()
            dialog.locator("visible=true").wait_for(state="hidden")

            created = next(r for r in sup.get("/ivr/rules").json() if r["name"] == name)
            assert (created["kind"], created["area_ids"], created["announcement"]) == ("area", [area["id"]], text)
            assert (created["priority"], created["enabled"], created["queue"], created["tags"]) == (60, True, None, [])
            row = page.get_by_test_id("ivr-table").locator("tr", has=page.get_by_test_id(f"ivr-row-{created['id']}"))
            assert row.get_by_test_id("ivr-areas-cell").inner_text() == area["name"]
            assert "区域公告" in row.get_by_test_id("ivr-kind-tag").inner_text()

            # 试一试: the customer's number hears the announcement
            page.get_by_test_id("ivr-try-caller").fill(phone)
            page.get_by_test_id("ivr-try-run").click()
            result = page.get_by_test_id("ivr-try-result")
            announcement = result.locator("[data-test=try-announcement]", has_text=text)
            announcement.wait_for()
            expect(result.get_by_test_id("try-matched")).to_contain_text(name)
            expect(result.get_by_test_id("try-customer")).to_have_text(f"#{customer['id']}")
            _shot(d, "calls-ivr-rules")

            # switched off, it is no longer played
            page.get_by_test_id(f"ivr-enabled-{created['id']}").click()
            page.locator(".el-message--success", has_text="已停用").wait_for()
            assert next(r for r in sup.get("/ivr/rules").json() if r["id"] == created["id"])["enabled"] is False
            page.get_by_test_id("ivr-try-run").click()
            announcement.wait_for(state="detached")

            # deleted after a confirmation
            page.get_by_test_id(f"ivr-delete-{created['id']}").click()
            page.locator(".el-message-box").get_by_text(name).wait_for()
            page.locator(".el-message-box .el-button--danger").click()
            page.get_by_test_id(f"ivr-row-{created['id']}").wait_for(state="detached")
            assert all(r["id"] != created["id"] for r in sup.get("/ivr/rules").json())
            d.check_clean()
        finally:
            for r in sup.get("/ivr/rules").json():
                if r["name"] == name:
                    sup.delete(f"/ivr/rules/{r['id']}")


def test_a_director_reads_the_rules_and_tries_a_number_in_english(desk: Any) -> None:
    d: Desk = desk("director", locale="en")
    page = d.go("/ivr/rules")
    page.get_by_test_id("ivr-table").wait_for()
    page.get_by_test_id("ivr-read-only").wait_for()
    assert page.get_by_test_id("ivr-create").count() == 0
    assert page.locator("[data-test^=ivr-edit-]").count() == 0
    page.get_by_test_id("ivr-try-caller").fill(stranger())
    page.get_by_test_id("ivr-try-run").click()
    expect(page.get_by_test_id("try-customer")).to_have_text("Unknown number")
    expect(page.get_by_test_id("try-queue")).to_have_text("Default queue")
    page.wait_for_load_state("networkidle")
    assert chinese_in_chrome(page) == []
    d.check_clean()
