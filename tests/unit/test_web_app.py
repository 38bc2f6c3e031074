"""The built web app is served at / by the API server: history routes get index.html, assets are cached."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from huiyin.app import create_app
from huiyin.settings import Settings


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><div id=app></div>" + " " * 2000, encoding="utf-8")
    (root / "assets" / "index-abc123.js").write_text("console.log('hi');" * 200, encoding="utf-8")
    (tmp_path / "secret.txt").write_text("not for you", encoding="utf-8")
    return root


def client_for(tmp_path: Path, dist: Path) -> TestClient:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}", env="test", web_dist=dist)
    return TestClient(create_app(settings))


def test_every_page_path_gets_the_app_and_it_is_never_cached_stale(tmp_path: Path, dist: Path) -> None:
    http = client_for(tmp_path, dist)
    for path in ("/", "/orders", "/orders/42", "/admin/users"):
        r = http.get(path)
        assert r.status_code == 200, path
        assert "<div id=app>" in r.text
        assert r.headers["cache-control"] == "no-cache"


def test_hashed_assets_are_cached_for_a_year_and_sent_gzipped(tmp_path: Path, dist: Path) -> None:
    r = client_for(tmp_path, dist).get("/assets/index-abc123.js", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert r.headers["content-encoding"] == "gzip"
    assert client_for(tmp_path, dist).get("/assets/missing.js").status_code == 404


def test_an_unknown_api_path_is_a_json_404_not_the_app(tmp_path: Path, dist: Path) -> None:
    r = client_for(tmp_path, dist).get("/api/v1/no-such-thing")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")


def test_a_path_climbing_out_of_the_build_folder_gets_the_app_not_the_file(tmp_path: Path, dist: Path) -> None:
    http = client_for(tmp_path, dist)
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt"):
        r = http.get(path)
        assert "not for you" not in r.text, path


def test_without_a_build_the_root_says_how_to_build_it(tmp_path: Path) -> None:
    r = client_for(tmp_path, tmp_path / "nowhere").get("/")
    assert r.status_code == 200
    assert "npm run build" in r.text


def test_the_served_app_freezes_its_startup_heap_and_the_test_app_does_not(
    tmp_path: Path, dist: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    import uvicorn
    from typer.testing import CliRunner

    from huiyin import cli

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}", env="test", web_dist=dist)
    gc.unfreeze()
    try:
        with TestClient(create_app(settings)):
            assert gc.get_freeze_count() == 0
        with TestClient(create_app(settings, freeze_heap=True)) as http:
            assert gc.get_freeze_count() > 10_000  # modules, routes, mappers: out of the collector's walks
            assert http.get("/").status_code == 200
    finally:
        gc.unfreeze()
    served: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.update(app=app, **options))
    assert CliRunner().invoke(cli.app, ["serve", "--port", "8123"]).exit_code == 0
    assert served["app"] == "huiyin.app:create_served_app" and served["factory"] is True  # what `huiyin serve` runs
