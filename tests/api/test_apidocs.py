"""The API documentation page (Swagger UI) asks nothing of any other host: what it loads is served here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from huiyin.app import create_app
from huiyin.settings import Settings

TYPES = {
    ".js": ("text/javascript", "application/javascript"),
    ".css": ("text/css",),
    ".png": ("image/png",),
}


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(Settings(database_url=f"sqlite:///{tmp_path / 'docs.db'}", env="test")))


def referenced(page: str) -> list[str]:
    """The page's scripts, stylesheets and icon, and the OpenAPI document its script loads."""
    return re.findall(r'(?:src|href)="([^"]+)"', page) + re.findall(r"url: '([^']+)'", page)


def test_the_docs_page_loads_only_what_this_server_serves(client: TestClient) -> None:
    r = client.get("/api/v1/docs")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    urls = referenced(r.text)
    assert len(urls) == 4, urls
    assert all(u.startswith("/api/v1/") for u in urls), urls
    assert "cdn" not in r.text and "https://" not in r.text


def test_each_asset_the_docs_page_refers_to_is_served_with_its_type(client: TestClient) -> None:
    assets = [u for u in referenced(client.get("/api/v1/docs").text) if not u.endswith(".json")]
    assert sorted(Path(u).suffix for u in assets) == [".css", ".js", ".png"]
    for url in assets:
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.headers["content-type"].split(";")[0] in TYPES[Path(url).suffix], (url, r.headers)
        assert "immutable" in r.headers["cache-control"]
        assert len(r.content) > 1000
    js = next(u for u in assets if u.endswith(".js"))
    assert b"SwaggerUIBundle" in client.get(js).content
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200 and spec.headers["content-type"] == "application/json"


def test_the_docs_oauth2_redirect_page_is_served_and_redoc_stays_off(client: TestClient) -> None:
    assert client.get("/api/v1/docs/oauth2-redirect").status_code == 200
    assert client.get("/api/v1/redoc").status_code == 404
    assert client.get("/api/v1/docs/assets/0/swagger-ui.css").status_code == 404


def test_every_schema_keeps_its_own_name_in_the_openapi_document(client: TestClient) -> None:
    """Two domains' models of one name are published as ``huiyin__<module>__<Name>``, and the web app's
    generated types lose the name it imports (the quality domain's first ``AnalysisPublic`` did that to the
    complaints'): each model's name is unique."""
    names = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert [n for n in names if "__" in n] == []
