"""The API documentation works on a network that reaches nothing but this server (issue 13)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tests.browser.conftest import SHOTS, Server

LOCAL = {"127.0.0.1", "localhost", "[::1]", "::1"}


def test_the_api_docs_render_their_operations_with_no_other_host_reachable(server: Server, browser: Any) -> None:
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    refused: list[str] = []

    def offline(route: Any) -> None:
        if urlsplit(route.request.url).hostname in LOCAL:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("internetdisconnected")

    ctx.route("**/*", offline)
    try:
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{server.base}/api/v1/docs")
        page.locator(".swagger-ui .information-container .title").wait_for(timeout=15_000)
        assert "Huiyin" in page.locator(".swagger-ui .information-container .title").inner_text()
        page.locator("#operations-tag-customers").wait_for()
        operation = page.locator("#operations-customers-customers-search")
        operation.wait_for()
        assert "/api/v1/customers" in operation.inner_text()
        operation.locator(".opblock-summary").click()  # opens: the parameters come from the OpenAPI document
        page.locator("#operations-customers-customers-search .parameters [data-param-name='q']").wait_for()
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "api-docs-offline.png"))
        assert not errors, errors
        assert not refused, refused
    finally:
        ctx.close()
