"""The interactive API documentation (Swagger UI at ``/api/v1/docs``), served by this process alone.

FastAPI's own page loads Swagger UI's script and stylesheet from a CDN, and shows a blank page on the
offline networks utilities run on. Here they come from the ``fastapi-offline`` package (MIT), which ships
swagger-ui-dist's ``swagger-ui-bundle.js`` and ``swagger-ui.css`` (and a favicon) inside the wheel; they are
served under the docs' own path, with the package's version in it, so a browser may keep them for a year.
ReDoc stays off (``redoc_url=None``).
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.types import Scope

ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"
ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon.png")


class _VersionedAssets(StaticFiles):
    """The assets' URL changes with the package's version, so each one may be kept for a year."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def assets_path(docs_url: str) -> str:
    return f"{docs_url}/assets/{version('fastapi-offline')}"


def install_api_docs(app: FastAPI, docs_url: str) -> None:
    """Swagger UI at ``docs_url`` (create the app with ``docs_url=None``), its OAuth2 redirect page beside it,
    and its assets under ``docs_url/assets/<version>/``."""
    assets = assets_path(docs_url)
    redirect_url = f"{docs_url}/oauth2-redirect"
    app.mount(assets, _VersionedAssets(directory=ASSETS_DIR), name="api-docs-assets")

    @app.get(docs_url, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - API",
            oauth2_redirect_url=f"{root}{redirect_url}",
            swagger_js_url=f"{root}{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{assets}/swagger-ui.css",
            swagger_favicon_url=f"{root}{assets}/favicon.png",
            swagger_ui_parameters=app.swagger_ui_parameters,
        )

    @app.get(redirect_url, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()


def request_body(model: type[BaseModel], *media_types: str) -> dict[str, Any]:
    """An ``openapi_extra`` naming the body of a route that reads its request itself (the CTI endpoint takes
    JSON or form data): ``model``'s schema by its aliases, its ``$defs`` written in place, so that the
    document describes the body for integrators and generated requests (schemathesis) carry one."""
    schema = model.model_json_schema(by_alias=True)
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                rest = {k: v for k, v in node.items() if k != "$ref"}
                return inline({**defs[ref.removeprefix("#/$defs/")], **rest})
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    body = inline(schema)
    return {"requestBody": {"required": True, "content": {m: {"schema": body} for m in media_types}}}
