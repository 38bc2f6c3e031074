"""月度考评: a supervisor computes last month, reviews and publishes it; the table is GET /scorecards of that month
row for row (rank within the group, total, each item's raw value and points, 末位 red); an agent's drawer shows
their items and history and links to the facts behind a figure (the call log, filtered to the agent and the
month); computing the published month again asks for a reason and makes version 2, and version 1 stays readable;
the group is kept in the URL; the template dialog shows the API's 422 for weights that do not add up to 100,
then saves ones that do. A duty manager reviews but has no 发布 and no template. An agent reads only their own
published card (尚未发布 before), never the manager's page or buttons. English."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

from tests.browser.conftest import Desk, Server, pick, said
from tests.browser.test_english import chinese_in_chrome

CENTRE = ZoneInfo("Asia/Shanghai")
RATES = ("occupancy", "satisfaction", "registrations_right")
SECONDS = ("aht", "acw")
COUNTS = ("calls_handled", "valid_complaints")


def _months_back(n: int) -> str:
    today = datetime.now(CENTRE).date()
    y, m = today.year, today.month - n
    while m < 1:
        y, m = y - 1, m + 12
    return date(y, m, 1).strftime("%Y-%m")


def _card(server: Server, month: str, user: str = "supervisor", **params: Any) -> dict[str, Any]:
    with server.apis(user) as (api,):
        r = api.get("/scorecards", params={"month": month, **params})
    assert r.status_code == 200, r.text
    return dict(r.json())


def _publish(server: Server, month: str) -> dict[str, Any]:
    """The month computed, reviewed and published through the API (as a supervisor), once."""
    with server.apis("supervisor") as (api,):
        r = api.get("/scorecards", params={"month": month})
        card = r.json() if r.status_code == 200 else api.post("/scorecards/compute", json={"month": month}).json()
        if card["state"] == "draft":
            card = api.post(f"/scorecards/{card['id']}/review").json()
        if card["state"] == "reviewed":
            card = api.post(f"/scorecards/{card['id']}/publish").json()
    assert card["state"] == "published", card
    return dict(card)


def _figure(code: str, raw: float | None) -> str:
    """A raw value as the page writes it (scorecards.ts formatFigure)."""
    if raw is None:
        return "—"
    if code in RATES:
        return f"{Decimal(str(raw * 100)).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"
    if code in SECONDS:
        s = int(raw)
        h, m, sec = s // 3600, s % 3600 // 60, s % 60
        return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"
    if code in COUNTS:
        return str(round(raw))
    return f"{raw:.1f}" if code == "qa_score" else f"{raw:.2f}"


def _points(item: dict[str, Any]) -> str:
    return "缺项" if item["missing"] else f"{item['points']:.2f} 分"


ROWS = """(table, codes) => [...table.querySelectorAll('.el-table__body-wrapper tr.el-table__row')].map(tr => {
  const row = tr.querySelector('[data-test=sc-row]')
  const out = { key: row.dataset.key, rank: row.innerText.trim(), bottom: row.dataset.bottom,
                red: tr.classList.contains('hy-sc-bottom'), tag: !!tr.querySelector('[data-test=row-bottom]') }
  out.name = tr.querySelector('[data-test=sc-open]').innerText.trim()
  out.total = tr.querySelector('[data-test=row-total]').innerText.trim()
  for (const code of codes) {
    const cell = tr.querySelector(`[data-test=row-${code}]`)
    const text = sel => cell.querySelector(sel).innerText.trim()
    out[code] = [text('.hy-sc-raw'), text('.hy-sc-points')]
  }
  return out
})"""


def _check(page: Any, card: dict[str, Any]) -> None:
    """The table is the API's month, row for row, every cell as the page writes it."""
    table = page.locator(f"[data-test=sc-table][data-month='{card['month']}'][data-version='{card['version']}']")
    table.wait_for()
    codes = [i["code"] for i in card["template"]]
    rows = table.locator(".el-table").first.evaluate(ROWS, codes)
    assert len(rows) == len(card["items"]) and rows
    for row, line in zip(rows, card["items"], strict=True):
        items = {i["code"]: i for i in line["items"]}
        want = {
            "key": str(line["key"]),
            "rank": str(line["rank"]),
            "bottom": "1" if line["bottom"] else "0",
            "red": line["bottom"],
            "tag": line["bottom"],
            "name": line["label"],
            "total": f"{line['total']:.2f}",
            **{c: [_figure(c, items[c]["raw"]), _points(items[c])] for c in codes},
        }
        assert row == want, (row, want)


def _state(page: Any, month: str, state: str, version: int) -> None:
    page.locator(f"[data-test=sc-state][data-month='{month}'][data-state={state}][data-version='{version}']").wait_for()


def _weight(page: Any, n: int) -> Any:
    return page.locator(f"[data-test=tpl-weight-{n}] input, input[data-test=tpl-weight-{n}]").first


def _set_weight(page: Any, n: int, value: int) -> None:
    box = _weight(page, n)
    box.fill(str(value))
    box.press("Tab")


def _sum_is(page: Any, value: int) -> None:
    page.wait_for_function(
        "v => document.querySelector('[data-test=tpl-sum]')?.dataset.value === v", arg=str(value), timeout=5000
    )


def test_a_supervisor_computes_reviews_publishes_and_reads_the_month(desk: Any, server: Server) -> None:
    last = _months_back(1)  # the page's default (the demo may have published it already)
    month = _months_back(2)  # nobody computed it yet
    with server.apis("supervisor") as (api,):
        assert api.get("/scorecards", params={"month": month}).status_code == 404
    d: Desk = desk("supervisor")
    page = d.go("/")
    page.wait_for_url("**/overview")
    page.get_by_test_id("menu").locator("[data-menu=scorecards]").click()
    page.wait_for_url(re.compile(r"/scorecards$"))
    page.get_by_role("heading", name="月度考评").wait_for()
    page.locator(f"[data-test=sc-state][data-month='{last}']").wait_for()
    box = page.get_by_test_id("sc-month").locator("input")
    assert box.input_value() == last

    # another month from the picker, kept in the URL: not computed yet
    box.click()
    with page.expect_response(lambda r: f"/api/v1/scorecards?month={month}" in r.url and r.status == 404):
        box.fill(month)
        box.press("Enter")
    page.wait_for_url(re.compile(rf"/scorecards\?month={month}$"))
    page.keyboard.press("Escape")
    _state(page, month, "none", 0)
    assert page.get_by_test_id("sc-review").count() == 0 and page.get_by_test_id("sc-publish").count() == 0
    here = f"/scorecards\\?month={month}"

    # 计算 → a draft, version 1, the table the API's
    with page.expect_response(lambda r: r.url.endswith("/api/v1/scorecards/compute") and r.status == 201):
        page.get_by_test_id("sc-compute").click()
    _state(page, month, "draft", 1)
    card = _card(server, month)
    assert (card["state"], card["version"]) == ("draft", 1)
    _check(page, card)
    assert any(line["bottom"] for line in card["items"]), "the demo city's agents have a bottom"
    assert page.get_by_test_id("sc-publish").count() == 0  # a draft is reviewed first

    # 审核 → reviewed; 发布 (confirmed) → published, agents may read it
    page.get_by_test_id("sc-review").click()
    _state(page, month, "reviewed", 1)
    page.get_by_test_id("sc-reviewed-at").wait_for()
    page.get_by_test_id("sc-publish").click()
    box = page.locator(".el-message-box")
    box.wait_for()
    assert f"{month} 第 1 版" in box.inner_text()
    box.get_by_role("button", name="发布").click()
    _state(page, month, "published", 1)
    page.get_by_test_id("sc-published-at").wait_for()
    card = _card(server, month)
    assert card["state"] == "published" and card["published_at"]
    _check(page, card)
    page.wait_for_timeout(300)
    d.shot("scorecards")

    # an agent's drawer: their items, their history, the link to the calls behind 接听及外呼量
    with server.apis("agent") as (agent_api,):
        agent_id = agent_api.get("/me").json()["id"]
    line = next(x for x in card["items"] if x["key"] == agent_id)
    row = page.get_by_test_id("sc-table").locator(
        "tr.el-table__row", has=page.locator(f"[data-test=sc-row][data-key='{agent_id}']")
    )
    row.get_by_test_id("sc-open").click()
    page.wait_for_url(re.compile(rf"{here}&agent={agent_id}$"))
    drawer = page.get_by_test_id("sc-drawer-summary")
    drawer.wait_for()
    assert page.get_by_test_id("sc-drawer-total").inner_text() == f"{line['total']:.2f}"
    items = page.locator("[data-test=sc-items] tr.el-table__row")
    assert items.count() == len(line["items"])
    for n, item in enumerate(line["items"]):
        tr = items.nth(n)
        assert tr.get_by_test_id("item-name").get_attribute("data-code") == item["code"]
        assert tr.get_by_test_id("item-weight").inner_text() == str(item["weight"])
        assert tr.get_by_test_id("item-raw").inner_text() == _figure(item["code"], item["raw"])
        points = tr.get_by_test_id("item-points").inner_text().strip()
        assert points == ("缺项" if item["missing"] else f"{item['points']:.2f}")
        assert tr.get_by_test_id("item-source").count() == (1 if item["source"] else 0), item
    history = page.locator("[data-test=sc-history][data-loaded='1']")
    history.wait_for()
    history.locator(f"[data-test=history-row][data-month='{month}']").wait_for()
    assert (
        history.locator(f"[data-test=history-row][data-month='{month}']").get_attribute("data-total")
        == f"{line['total']:g}"
    )
    page.locator(
        "[data-test=sc-history-chart][data-rendered='1'], [data-test=sc-history-chart] [data-rendered='1']"
    ).first.wait_for()
    d.shot("scorecards-agent")

    calls = next(i for i in line["items"] if i["code"] == "calls_handled")
    assert calls["source"].startswith(f"/calls?agent_id={agent_id}&")
    span = parse_qs(urlparse(calls["source"]).query)
    with page.expect_response(lambda r: "/api/v1/calls?" in r.url and f"agent_id={agent_id}" in r.url and r.ok) as got:
        page.locator("[data-test=sc-items] [data-test=item-source][data-code=calls_handled]").click()
    page.wait_for_url(re.compile(r"/calls\?"))
    query = parse_qs(urlparse(page.url).query)
    assert query["agent_id"] == [str(agent_id)]
    assert query["from"] == [f"{span['from'][0]} 00:00:00"] and query["to"] == [f"{span['to'][0]} 23:59:59"]
    asked = parse_qs(urlparse(got.value.url).query)
    assert asked["since"][0].startswith(span["from"][0]) and asked["until"][0].startswith(span["to"][0])
    page.go_back()
    page.wait_for_url(re.compile(rf"{here}&agent={agent_id}$"))
    page.get_by_test_id("sc-drawer-summary").wait_for()
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(rf"{here}$"))

    # 重新计算 a published month: a reason, then version 2 (a draft), version 1 kept and readable
    page.get_by_test_id("sc-compute").click()
    dialog = page.get_by_test_id("sc-reason-dialog")
    dialog.wait_for()
    page.get_by_test_id("sc-reason-submit").click()
    dialog.locator(".el-form-item__error", has_text="请填写原因").wait_for()
    page.locator("[data-test=sc-reason-input] textarea, textarea[data-test=sc-reason-input]").first.fill("补录质检成绩")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/scorecards/compute") and r.status == 201):
        page.get_by_test_id("sc-reason-submit").click()
    _state(page, month, "draft", 2)
    assert page.get_by_test_id("sc-reason").inner_text() == "重新计算原因：补录质检成绩"
    v2 = _card(server, month)
    assert (v2["version"], v2["state"], v2["reason"]) == (2, "draft", "补录质检成绩")
    _check(page, v2)
    pick(page.get_by_test_id("sc-version"), page.locator(".el-select-dropdown__item:visible", has_text="第 1 版"))
    page.wait_for_url(re.compile(rf"{here}&version=1$"))
    page.get_by_test_id("sc-old-version").wait_for()
    _check(page, _card(server, month, version=1))
    assert _card(server, month, version=1)["state"] == "published"

    # one group (the demo's agents are the centre's), kept in the URL
    with page.expect_response(lambda r: "/api/v1/scorecards?" in r.url and "group=0" in r.url and r.ok):
        pick(
            page.get_by_test_id("sc-group").locator(".el-select"),
            page.locator(".el-select-dropdown__item:visible", has_text="中心"),
        )
    page.wait_for_url(re.compile(rf"{here}&group=0$"))
    page.locator("[data-test=sc-table][data-group='0']").wait_for()
    _check(page, _card(server, month, group="0"))

    # the template: the sum live, the API's 422 for 110, then weights that add up to 100
    with server.apis("supervisor") as (api,):
        before = api.get("/scorecards/template").json()
    page.get_by_test_id("sc-template").click()
    page.get_by_test_id("sc-template-dialog").wait_for()
    _sum_is(page, 100)
    for n, item in enumerate(before):
        assert _weight(page, n).input_value() == str(item["weight"])
    _set_weight(page, 0, before[0]["weight"] + 10)
    _sum_is(page, 110)
    total = page.get_by_test_id("tpl-sum")
    assert total.inner_text().strip() == "合计 110 / 100" and "hy-st-sum--bad" in (total.get_attribute("class") or "")
    bad = [{**before[0], "weight": before[0]["weight"] + 10}, *before[1:]]
    with server.apis("supervisor") as (api,):
        refused = api.put("/scorecards/template", json={"items": bad})
    assert refused.status_code == 422
    page.get_by_test_id("tpl-save").click()
    error = page.get_by_test_id("tpl-error")
    error.wait_for()
    assert said(refused.json()) in error.inner_text()
    d.shot("scorecards-template")
    _set_weight(page, 1, before[1]["weight"] - 10)
    _sum_is(page, 100)
    with page.expect_response(lambda r: "/api/v1/scorecards/template" in r.url and r.request.method == "PUT" and r.ok):
        page.get_by_test_id("tpl-save").click()
    page.get_by_test_id("sc-template-dialog").wait_for(state="hidden")
    want = [{**before[0], "weight": before[0]["weight"] + 10}, {**before[1], "weight": before[1]["weight"] - 10}]
    with server.apis("supervisor") as (api,):
        after = api.get("/scorecards/template").json()
        assert after == want + before[2:]
        assert api.put("/scorecards/template", json={"items": before}).status_code == 200  # as it was

    # English, then back
    page.get_by_test_id("locale-en").click()
    page.get_by_role("heading", name="Monthly scorecards").wait_for()
    assert page.get_by_test_id("menu").locator("[data-menu=scorecards]").inner_text().strip() == "Scorecards"
    header = page.get_by_test_id("sc-table").locator(".el-table__header").inner_text()
    assert "Rank" in header and "Calls handled" in header and "Total" in header
    assert page.get_by_test_id("sc-compute").inner_text().strip() == "Recompute"
    assert chinese_in_chrome(page) == []
    page.get_by_test_id("locale-zh").click()
    page.get_by_role("heading", name="月度考评").wait_for()
    d.check_clean()


def test_a_duty_manager_computes_and_reviews_but_does_not_publish(desk: Any, server: Server) -> None:
    month = _months_back(3)
    d: Desk = desk("duty_manager")
    page = d.go(f"/scorecards?month={month}")
    page.get_by_role("heading", name="月度考评").wait_for()
    state = page.get_by_test_id("sc-state")
    state.wait_for()
    if state.get_attribute("data-state") == "none":
        with page.expect_response(lambda r: r.url.endswith("/api/v1/scorecards/compute") and r.status == 201):
            page.get_by_test_id("sc-compute").click()
    _state(page, month, "draft", 1)
    page.get_by_test_id("sc-review").click()
    _state(page, month, "reviewed", 1)
    _check(page, _card(server, month))
    assert page.get_by_test_id("sc-publish").count() == 0  # supervisors, directors and the admin publish
    assert page.get_by_test_id("sc-template").count() == 0
    with server.apis("duty_manager") as (api,):
        assert api.post(f"/scorecards/{_card(server, month)['id']}/publish").status_code == 403
    d.check_clean()


def test_an_agent_reads_only_their_own_published_scorecard(desk: Any, server: Server) -> None:
    month = _months_back(1)
    _publish(server, month)
    not_yet = _months_back(0)  # this month: begun, not published (at most a draft)
    with server.apis("agent", "agent01") as (api, other):
        me = api.get("/me").json()["id"]
        other_id = other.get("/me").json()["id"]
        mine = api.get("/scorecards/me", params={"month": month}).json()
        assert api.get("/scorecards/me", params={"month": not_yet}).status_code == 404
        history = api.get(f"/scorecards/agents/{me}/history").json()
        assert api.get(f"/scorecards/agents/{other_id}/history").status_code == 403
        assert api.get("/scorecards", params={"month": month}).status_code == 403
    assert [x["key"] for x in mine["items"]] == [me]
    line = mine["items"][0]

    d: Desk = desk("agent")
    asked: list[str] = []
    d.page.on("request", lambda r: asked.append(r.url) if "/api/v1/scorecards" in r.url else None)
    page = d.go("/")
    page.wait_for_url("**/workbench")
    menu = page.get_by_test_id("menu")
    assert menu.locator("[data-menu=scorecards]").count() == 0
    menu.locator("[data-menu=my-scorecard]").click()
    page.wait_for_url(re.compile(r"/scorecards/me$"))
    page.get_by_role("heading", name="我的月度考评").wait_for()

    page = d.go(f"/scorecards/me?month={month}")
    card = page.locator(f"[data-test=sc-mine][data-month='{month}'][data-key='{me}']")
    card.wait_for()
    assert page.get_by_test_id("sc-mine-total").inner_text() == f"{line['total']:.2f}"
    assert page.get_by_test_id("sc-mine-rank").inner_text() == f"组内第 {line['rank']} 名"
    items = page.locator("[data-test=sc-items] tr.el-table__row")
    assert items.count() == len(line["items"])
    for n, item in enumerate(line["items"]):
        assert items.nth(n).get_by_test_id("item-raw").inner_text() == _figure(item["code"], item["raw"])
    # the facts an agent may open (their calls, their orders), not the managers' pages
    codes = page.locator("[data-test=item-source]").evaluate_all("els => els.map(e => e.dataset.code)")
    assert "calls_handled" in codes and "satisfaction" not in codes and "valid_complaints" not in codes
    history_box = page.locator("[data-test=sc-history][data-loaded='1']")
    history_box.wait_for()
    months = history_box.locator("[data-test=history-row]").evaluate_all("els => els.map(e => e.dataset.month)")
    assert months == [h["month"] for h in history] and month in months
    for gate in ("sc-compute", "sc-review", "sc-publish", "sc-template", "sc-table"):
        assert page.get_by_test_id(gate).count() == 0, gate
    d.shot("my-scorecard")

    # not published yet: a friendly empty state
    page = d.go(f"/scorecards/me?month={not_yet}")
    empty = page.locator(f"[data-test=sc-not-published][data-month='{not_yet}']")
    empty.wait_for()
    assert "尚未发布" in empty.inner_text()

    # the managers' page, even with another agent named, sends them home
    page = d.go(f"/scorecards?month={month}&agent={other_id}")
    page.wait_for_url("**/workbench")
    assert page.get_by_test_id("scorecards-page").count() == 0
    assert all("/api/v1/scorecards/me?" in u or f"/agents/{me}/history" in u for u in asked), asked

    # English
    page = d.go(f"/scorecards/me?month={month}")
    page.get_by_test_id("sc-mine").wait_for()
    page.get_by_test_id("locale-en").click()
    page.get_by_role("heading", name="My monthly scorecard").wait_for()
    assert page.get_by_test_id("sc-mine-rank").inner_text() == f"rank {line['rank']} in the group"
    page.locator("[data-test=sc-history][data-loaded='1']").wait_for()
    assert chinese_in_chrome(page) == []
    page.get_by_test_id("locale-zh").click()
    page.get_by_role("heading", name="我的月度考评").wait_for()
    d.check_clean()
