"""The storage backends behind one interface: a local folder and an S3 bucket (a real moto server)."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from huiyin.settings import Settings, StorageSettings
from huiyin.storage import BlobNotFound, InvalidKey, LocalStorage, Storage, get_storage, make_storage
from huiyin.workorders.attachments import sanitize_filename, sniff_content_type

TRAVERSALS = [
    "../escape",
    "a/../../escape",
    "/etc/passwd",
    "a//b",
    "a/./b",
    ".hidden",
    "a\\..\\b",
    "",
    "a/",
    "C:/windows",
    "a\x00b",
    "x" * 301,
]


# ---------------------------------------------------------------- local


def test_a_local_blob_goes_in_and_comes_out_in_folders_created_on_the_way(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path / "not" / "yet")
    assert isinstance(store, Storage)
    assert not store.exists("work-orders/1/a.png")
    store.put("work-orders/1/a.png", b"\x89PNG\x00bytes", "image/png")
    assert store.exists("work-orders/1/a.png")
    assert store.get("work-orders/1/a.png") == b"\x89PNG\x00bytes"
    assert (tmp_path / "not" / "yet" / "work-orders" / "1" / "a.png").read_bytes() == b"\x89PNG\x00bytes"
    store.put("work-orders/1/a.png", b"replaced", "image/png")
    assert store.get("work-orders/1/a.png") == b"replaced"
    assert [p.name for p in (tmp_path / "not" / "yet" / "work-orders" / "1").iterdir()] == ["a.png"]  # no temp left
    store.delete("work-orders/1/a.png")
    store.delete("work-orders/1/a.png")  # deleting twice is fine
    assert not store.exists("work-orders/1/a.png")
    with pytest.raises(BlobNotFound):
        store.get("work-orders/1/a.png")


@pytest.mark.parametrize("key", TRAVERSALS)
def test_a_local_key_that_is_not_a_plain_relative_path_is_refused(tmp_path: Path, key: str) -> None:
    store = LocalStorage(tmp_path / "root")
    for call in (lambda: store.put(key, b"x", "image/png"), lambda: store.get(key), lambda: store.exists(key)):
        with pytest.raises(InvalidKey):
            call()
    with pytest.raises(InvalidKey):
        store.delete(key)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_a_symlink_inside_the_root_cannot_lead_out_of_it(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(InvalidKey):
        LocalStorage(tmp_path / "root").put("link/x.png", b"x", "image/png")
    assert list(outside.iterdir()) == []


def test_a_failed_local_write_leaves_neither_the_blob_nor_a_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    store = LocalStorage(tmp_path)

    def no_rename(*_: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", no_rename)
    with pytest.raises(OSError, match="disk full"):
        store.put("k/blob.pdf", b"%PDF-", "application/pdf")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


# ---------------------------------------------------------------- settings and the dependency


def test_settings_pick_the_backend(tmp_path: Path) -> None:
    local = make_storage(Settings(storage=StorageSettings(local_root=tmp_path)))
    assert isinstance(local, LocalStorage) and local.root == tmp_path.resolve()
    s3 = make_storage(StorageSettings(backend="s3", s3_bucket="b", s3_endpoint_url="http://127.0.0.1:1", s3_region="x"))
    assert type(s3).__name__ == "S3Storage"
    with pytest.raises(ValueError, match="S3_BUCKET"):
        StorageSettings(backend="s3")


def test_the_storage_settings_come_from_nested_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUIYIN_STORAGE__BACKEND", "s3")
    monkeypatch.setenv("HUIYIN_STORAGE__S3_BUCKET", "huiyin")
    monkeypatch.setenv("HUIYIN_STORAGE__S3_SECRET_KEY", "hush")
    monkeypatch.setenv("HUIYIN_STORAGE__MAX_UPLOAD_MB", "5")
    conf = Settings().storage
    assert (conf.backend, conf.s3_bucket, conf.max_upload_bytes) == ("s3", "huiyin", 5 * 1024 * 1024)
    assert conf.s3_secret_key is not None and conf.s3_secret_key.get_secret_value() == "hush"
    assert "hush" not in repr(conf)
    assert conf.allowed_content_types == ["image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf"]


def test_the_dependency_builds_the_storage_once_per_app(tmp_path: Path) -> None:
    import asyncio

    state = SimpleNamespace(settings=Settings(storage=StorageSettings(local_root=tmp_path)))
    request: Any = SimpleNamespace(app=SimpleNamespace(state=state))
    first = asyncio.run(get_storage(request))
    assert asyncio.run(get_storage(request)) is first is state.storage


# ---------------------------------------------------------------- filenames and signatures


@pytest.mark.parametrize(
    ("name", "ctype", "expected"),
    [
        ("现场照片.png", "image/png", "现场照片.png"),
        ("IMG_0001.JPG", "image/jpeg", "IMG_0001.JPG"),
        ("scan.jpeg", "image/jpeg", "scan.jpeg"),
        ("photo.exe", "image/png", "photo.exe.png"),
        ("../../etc/passwd", "application/pdf", "passwd.pdf"),
        ("C:\\Users\\王\\Desktop\\报修.pdf", "application/pdf", "报修.pdf"),
        ("a\x00b\x07c\u202ed.gif", "image/gif", "abcd.gif"),
        ('  <x>:"y"|?*.webp ', "image/webp", "_x___y____.webp"),
        ("...", "image/png", "file.png"),
        ("", "image/png", "file.png"),
        (None, "application/pdf", "file.pdf"),
        ("line\nbreak.png", "image/png", "linebreak.png"),
    ],
)
def test_filenames_are_made_safe_and_end_in_their_types_extension(name: str | None, ctype: str, expected: str) -> None:
    assert sanitize_filename(name, ctype) == expected


def test_a_long_filename_is_cut_to_200_characters_keeping_its_extension() -> None:
    out = sanitize_filename("照" * 500 + ".jpeg", "image/jpeg")
    assert len(out) == 200 and out.endswith("照.jpeg")


@pytest.mark.parametrize(
    ("head", "ctype"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"GIF87a\x01\x00", "image/gif"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"MZ\x90\x00", None),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
        (b"<svg/>", None),
        (b"\x89PN", None),
    ],
)
def test_the_content_type_comes_from_the_files_signature(head: bytes, ctype: str | None) -> None:
    assert sniff_content_type(head) == ctype


# ---------------------------------------------------------------- S3 (a real moto server on 127.0.0.1)


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:  # pragma: no cover - moto[server] is a dev dependency
        sys.stderr.write(
            f"\n{'!' * 70}\n!! moto[server] is not installed ({exc}): the S3 tests are SKIPPED.\n{'!' * 70}\n"
        )
        pytest.skip("moto[server] not installed: S3Storage is untested (uv sync installs it)")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(moto_endpoint: str) -> Any:
    import boto3

    from huiyin.storage import S3Storage

    bucket = f"huiyin-test-{uuid.uuid4().hex[:12]}"
    settings = StorageSettings(
        backend="s3",
        s3_bucket=bucket,
        s3_endpoint_url=moto_endpoint,
        s3_region="us-east-1",
        s3_access_key="testing",
        s3_secret_key="testing",
    )
    boto3.session.Session().client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).create_bucket(Bucket=bucket)
    store = make_storage(settings)
    assert isinstance(store, S3Storage)
    return store


def test_an_s3_blob_goes_in_and_comes_out_byte_for_byte(s3: Any) -> None:
    data = bytes(range(256)) * 1000
    assert not s3.exists("work-orders/7/x.pdf")
    s3.put("work-orders/7/x.pdf", data, "application/pdf")
    assert s3.exists("work-orders/7/x.pdf")
    assert s3.get("work-orders/7/x.pdf") == data
    head = s3.client.head_object(Bucket=s3.bucket, Key="work-orders/7/x.pdf")
    assert head["ContentType"] == "application/pdf" and head["ContentLength"] == len(data)
    s3.delete("work-orders/7/x.pdf")
    s3.delete("work-orders/7/x.pdf")
    assert not s3.exists("work-orders/7/x.pdf")
    with pytest.raises(BlobNotFound):
        s3.get("work-orders/7/x.pdf")


@pytest.mark.parametrize("key", ["../escape", "/abs", "a/../b", ""])
def test_s3_refuses_the_same_unsafe_keys(s3: Any, key: str) -> None:
    with pytest.raises(InvalidKey):
        s3.put(key, b"x", "image/png")
    assert s3.client.list_objects_v2(Bucket=s3.bucket).get("KeyCount", 0) == 0
