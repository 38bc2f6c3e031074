"""Page weight and time to data of the first screen after sign-in, per role, in headless Chromium.

    python -m bench.web_weight [--base http://127.0.0.1:8000] [--users agent dispatcher unit_handler]

Point it at a running ``huiyin serve`` with the demo database (``make run`` makes one: 10,000 customers,
3,000 orders). For each user a fresh browser profile (cold cache) opens /login, signs in through the form,
and waits until the first page's data is on screen. It prints one JSON line per user:

- ``js_gzip_bytes``: the JavaScript transferred (as sent, gzip) from the sign-in click to the first screen,
  plus what the login page itself loaded (the whole cold start);
- ``ms_to_data``: from the moment the sign-in answer arrives until the first page's data marker is
  visible (a table row, or the workbench's form with categories loaded), median of ``--runs``;
- ``ms_click_to_data``: the same from the sign-in click, so including the password check (argon2 is
  deliberately slow: about 0.3 s here).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
# What "data on screen" means for each first page.
MARKERS = {
    "/workbench": "[data-test=save]",  # the form renders once the categories have loaded
    "/orders": ".el-table__body tr.el-table__row",
    "/dispatch": ".el-table__body tr.el-table__row, [data-test=page-empty]",
    "/inbox": ".el-table__body tr.el-table__row, [data-test=page-empty]",
    "/overview": "[data-test=chart-daily] canvas",
    "/admin/users": ".el-table__body tr.el-table__row",
}


def measure(browser: Any, base: str, username: str, password: str) -> dict[str, Any]:
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    js: dict[str, int] = {}

    def on_finished(request: Any) -> None:
        if request.resource_type == "script":
            js[request.url] = request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"]

    page.on("requestfinished", on_finished)
    page.goto(f"{base}/login", wait_until="networkidle")
    page.fill("[data-test=username]", username)
    page.fill("[data-test=password]", password)
    clicked = time.perf_counter()
    with page.expect_response(lambda r: r.url.endswith("/api/v1/auth/login")) as login:
        page.click("[data-test=login-submit]")
    assert login.value.ok, login.value.status
    signed_in = time.perf_counter()
    page.wait_for_url(lambda url: "/login" not in url)
    path = "/" + page.url.split("/", 3)[3].split("?")[0]
    page.wait_for_selector(MARKERS.get(path, "[data-test=menu]"), state="visible", timeout=30_000)
    done = time.perf_counter()
    page.wait_for_load_state("networkidle")
    ctx.close()
    return {
        "user": username,
        "page": path,
        "ms_to_data": round((done - signed_in) * 1000, 1),
        "ms_click_to_data": round((done - clicked) * 1000, 1),
        "js_gzip_bytes": sum(js.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--users", nargs="+", default=["agent", "dispatcher", "unit_handler"])
    parser.add_argument("--password", default="demo")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for user in args.users:
            runs = [measure(browser, args.base, user, args.password) for _ in range(args.runs)]
            result = dict(runs[0])
            result["ms_to_data"] = statistics.median(r["ms_to_data"] for r in runs)
            result["ms_to_data_max"] = max(r["ms_to_data"] for r in runs)
            result["ms_click_to_data"] = statistics.median(r["ms_click_to_data"] for r in runs)
            result["js_gzip_bytes"] = max(r["js_gzip_bytes"] for r in runs)
            result["runs"] = args.runs
            print(json.dumps(result, ensure_ascii=False), flush=True)
        browser.close()


if __name__ == "__main__":
    main()
