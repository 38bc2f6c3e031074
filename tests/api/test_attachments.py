"""Photos and files on work orders: who may attach, what is refused, and the bytes coming back intact."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import Response
from sqlalchemy import func, select

from huiyin.settings import Settings, StorageSettings
from huiyin.workorders.models import Attachment
from tests.personas import Api, World


def png(width: int = 2, height: int = 2) -> bytes:
    """A real, tiny PNG (grey pixels)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


@pytest.fixture
def uploads(tmp_path: Path) -> Path:
    return tmp_path / "uploads"


@pytest.fixture
def settings(db_url: str, uploads: Path) -> Settings:
    return Settings(database_url=db_url, env="test", storage=StorageSettings(local_root=uploads, max_upload_mb=1))


def upload(api: Api, order_id: int, content: bytes, name: str = "现场照片.png", ctype: str = "image/png") -> Response:
    return api.post(f"/work-orders/{order_id}/attachments", files={"file": (name, content, ctype)})


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def attachment_rows(app: FastAPI) -> int:
    with app.state.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Attachment)) or 0)


@pytest.fixture
def dispatched(world: World, agent: Api) -> int:
    order: dict[str, Any] = agent.register(customer_id=world.customer_id)
    assert order["state"] == "dispatched" and order["unit_id"] == world.station_a.id
    return int(order["id"])


def test_the_unit_handler_attaches_a_photo_and_gets_the_same_bytes_back(
    dispatched: int, unit_worker: Api, uploads: Path
) -> None:
    content = png()
    r = upload(unit_worker, dispatched, content)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["order_id"] == dispatched and body["filename"] == "现场照片.png"
    assert body["content_type"] == "image/png" and body["size"] == len(content)
    assert body["uploaded_by"] == unit_worker.id
    assert body["url"] == f"/api/v1/attachments/{body['id']}/content"
    assert set(body) == {"id", "order_id", "filename", "content_type", "size", "uploaded_by", "created_at", "url"}
    back = unit_worker.client.get(body["url"], headers=unit_worker.headers)
    assert back.status_code == 200
    assert back.content == content
    assert back.headers["content-type"] == "image/png"
    assert back.headers["x-content-type-options"] == "nosniff"
    assert back.headers["content-disposition"].startswith("inline;")
    assert "filename*=UTF-8''%E7%8E%B0%E5%9C%BA%E7%85%A7%E7%89%87.png" in back.headers["content-disposition"]
    assert [p.read_bytes() for p in stored_files(uploads)] == [content]


def test_the_agent_sees_the_units_photo_in_the_orders_detail_and_list(
    dispatched: int, unit_worker: Api, agent: Api
) -> None:
    first = upload(unit_worker, dispatched, png()).json()
    second = upload(agent, dispatched, PDF, name="报修单.pdf", ctype="application/pdf").json()
    detail = agent.ok("get", f"/work-orders/{dispatched}")
    assert [a["id"] for a in detail["attachments"]] == [first["id"], second["id"]]
    assert detail["attachments"][1]["content_type"] == "application/pdf"
    assert agent.ok("get", f"/work-orders/{dispatched}/attachments") == detail["attachments"]


def test_another_units_handler_can_neither_attach_nor_read_nor_learn_the_order_exists(
    dispatched: int, unit_worker: Api, unit_worker_b: Api, uploads: Path
) -> None:
    url = upload(unit_worker, dispatched, png()).json()["url"]
    assert upload(unit_worker_b, dispatched, png()).status_code == 404
    assert unit_worker_b.get(f"/work-orders/{dispatched}/attachments").status_code == 404
    r = unit_worker_b.client.get(url, headers=unit_worker_b.headers)
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert len(stored_files(uploads)) == 1


def test_a_closed_order_takes_no_more_files(
    app: FastAPI, world: World, agent: Api, unit_worker: Api, uploads: Path
) -> None:
    oid = agent.register(customer_id=world.customer_id)["id"]
    unit_worker.act(oid, "accept")
    unit_worker.act(oid, "resolve", {"result": "已处理"})
    assert agent.act(oid, "callback", {"result": "satisfied"})["state"] == "closed"
    r = upload(agent, oid, png())
    assert r.status_code == 409, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert attachment_rows(app) == 0 and stored_files(uploads) == []


@pytest.mark.parametrize(
    ("content", "name", "ctype", "why"),
    [
        (b"", "empty.png", "image/png", "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * (1024 * 1024), "huge.png", "image/png", "larger than 1 MB"),
        (b"hello, world\n", "notes.txt", "text/plain", "text/plain"),
        (EXE, "photo.png", "image/png", "content"),
        (PDF, "photo.png", "image/png", "says it is image/png"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "x.svg", "image/svg+xml", "image/svg+xml"),
    ],
    ids=["empty", "too-large", "wrong-type", "exe-renamed-png", "pdf-claiming-png", "svg"],
)
def test_a_file_that_is_empty_too_large_or_not_what_it_claims_is_refused_and_nothing_is_kept(
    app: FastAPI, dispatched: int, unit_worker: Api, uploads: Path, content: bytes, name: str, ctype: str, why: str
) -> None:
    r = upload(unit_worker, dispatched, content, name=name, ctype=ctype)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert why in r.json()["detail"]
    assert attachment_rows(app) == 0
    assert stored_files(uploads) == []


def test_a_file_of_exactly_the_limit_is_accepted(dispatched: int, unit_worker: Api) -> None:
    content = png()
    content += b"\x00" * (1024 * 1024 - len(content))
    assert upload(unit_worker, dispatched, content).json()["size"] == 1024 * 1024


def test_an_untyped_upload_is_typed_by_its_content_and_its_name_made_safe(dispatched: int, agent: Api) -> None:
    r = upload(agent, dispatched, png(), name="..\\..\\etc/pass<w>d|x?.exe", ctype="application/octet-stream")
    assert r.status_code == 201, r.text
    assert r.json()["content_type"] == "image/png"
    assert r.json()["filename"] == "pass_w_d_x_.exe.png"
    long = upload(agent, dispatched, PDF, name="长" * 300 + ".pdf", ctype="application/pdf").json()["filename"]
    assert len(long) == 200 and long.endswith(".pdf")


def test_when_the_row_cannot_be_written_the_stored_blob_is_removed_again(
    app: FastAPI, dispatched: int, unit_worker: Api, uploads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.orm import Session

    def broken_flush(self: Session, *args: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(Session, "flush", broken_flush)
    assert upload(unit_worker, dispatched, png()).status_code == 500
    monkeypatch.undo()
    assert stored_files(uploads) == []
    assert attachment_rows(app) == 0


def test_the_content_of_an_attachment_that_does_not_exist_is_a_404(world: World, agent: Api) -> None:
    assert agent.get("/attachments/999/content").status_code == 404


@pytest.fixture
def cookie_user(world: World) -> Iterator[tuple[Any, dict[str, str]]]:
    """A client signed in with the session cookie, and its CSRF header."""
    world.persona("cookie_agent", "agent")
    c = world.client
    r = c.post("/api/v1/auth/login", json={"username": "cookie_agent", "password": "secret-pw"})
    assert r.status_code == 200, r.text
    yield c, {"X-CSRF-Token": r.json()["csrf_token"]}
    c.cookies.clear()


def test_a_browser_upload_needs_the_csrf_header_like_any_other_change(
    dispatched: int, cookie_user: tuple[Any, dict[str, str]]
) -> None:
    c, csrf = cookie_user
    files = {"file": ("a.png", png(), "image/png")}
    assert c.post(f"/api/v1/work-orders/{dispatched}/attachments", files=files).status_code == 403
    r = c.post(f"/api/v1/work-orders/{dispatched}/attachments", files=files, headers=csrf)
    assert r.status_code == 201, r.text
