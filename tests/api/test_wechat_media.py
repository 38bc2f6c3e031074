"""A WeChat customer's image or voice reaches the agent's inbox as our own file (issue 19): the callback stores the
message with its MediaId and fetches nothing (WeChat gives it 5 s); the worker's media round fetches the file
from WeChat's ``media/get`` into the blob storage as the message's attachment, which an agent downloads as a
mail's attachments; WeChat's outage is retried, a media_id WeChat no longer has (40007, or past its 3 days)
fails for good and the message says so. Against the fake WeChat (``huiyin.channels.fake_wechat``)."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from huiyin.channels import inbox, jobs
from huiyin.channels.models import ChannelMessage
from huiyin.clock import clock
from huiyin.settings import Settings
from huiyin.worker import Worker
from tests.api.test_wechat_channel import OPENID, integration, poster
from tests.personas import Api, World
from tests.unit.test_wechat_adapter import Served, fake  # noqa: F401 (the fake's API, served)

PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 40 + b"\xff\xd9"
VOICE = b"#!AMR\n" + bytes(range(200)) * 5
PIC_URL = "http://mmbiz.qpic.cn/mmbiz_jpg/abc/0"


@pytest.fixture
def worker(world: World, settings: Settings, tmp_path: Path) -> Worker:
    """The worker, with the app's blob storage in a folder of this test's own."""
    settings.storage.local_root = tmp_path / "blobs"  # before the app's first use of it (built lazily)
    return Worker(world.db, settings)


def media_round(worker: Worker) -> int:
    """One round of the worker's media job: claimed, fetched, finished; the number claimed."""
    claimed = worker.media_claim()
    if claimed:
        worker.media_finish(worker.media_fetch(claimed))
    return len(claimed)


def inbound(world: World) -> list[ChannelMessage]:
    with world.db.session() as s:
        return list(
            s.scalars(select(ChannelMessage).where(ChannelMessage.direction == "in").order_by(ChannelMessage.id))
        )


def served(fake: Served, media_id: str, content: bytes, ctype: str) -> None:  # noqa: F811
    fake.post("/_media", params={"media_id": media_id}, content=content, headers={"Content-Type": ctype})


def thread_message(agent: Api, m: ChannelMessage) -> Any:
    detail = agent.ok("get", f"/conversations/{m.conversation_id}")
    return next(x for x in detail["messages"] if x["id"] == m.id)


def test_an_image_and_a_voice_are_fetched_by_the_worker_into_storage_and_an_agent_downloads_them(
    world: World,
    admin: Api,
    agent: Api,
    fake: Served,  # noqa: F811
    worker: Worker,
    settings: Settings,
) -> None:
    integration(admin, api_base=fake.url)
    served(fake, "m_photo", PHOTO, "image/jpeg")
    served(fake, "m_voice", VOICE, "audio/amr")
    p = poster(world)
    assert p.image(OPENID, PIC_URL, "m_photo").status_code == 200  # taken in within the callback
    settings.channels.wechat_sync_per_second = 0  # the voice through the inbox: the worker takes it in
    voice = p.message(OPENID, "voice", {"MediaId": "m_voice", "Format": "amr", "Recognition": "查一下电费"})
    assert voice.text == "success"
    with world.db.session() as s:
        assert inbox.process_batch(s, settings) == 1
        s.commit()
    image, said = inbound(world)
    assert (image.kind, image.delivery, image.data["media"], image.data["media_id"]) == (
        "image",
        jobs.MEDIA,
        "pending",
        "m_photo",
    )
    assert (said.kind, said.text, said.data["media"]) == ("voice", "查一下电费", "pending")
    before = thread_message(agent, image)
    assert before["data"]["media"] == "pending" and "attachments" not in before["data"]

    assert worker.channels_batch() >= 2  # the worker's tick fetches both
    for m, content, ctype, ext in ((image, PHOTO, "image/jpeg", ".jpg"), (said, VOICE, "audio/amr", ".amr")):
        shown = thread_message(agent, m)
        assert shown["data"]["media"] == "stored" and shown["delivery"] is None and shown["error"] is None
        (file,) = shown["data"]["attachments"]
        assert (file["content_type"], file["size"]) == (ctype, len(content)) and file["filename"].endswith(ext)
        got = agent.get(f"/conversations/{m.conversation_id}/messages/{m.id}/attachments/0")
        assert got.status_code == 200 and got.content == content  # byte for byte what WeChat served
        if ctype == "image/jpeg":  # a picture is shown in the inbox with its own type
            assert got.headers["content-type"] == "image/jpeg"
            assert got.headers["content-disposition"].startswith("inline")
        else:  # WeChat's AMR: no browser plays it, downloaded as bytes
            assert got.headers["content-type"] == "application/octet-stream"
            assert got.headers["content-disposition"].startswith("attachment")
        assert got.headers["x-content-type-options"] == "nosniff"
    assert media_round(worker) == 0  # nothing left to fetch
    anonymous = world.client.get(f"/api/v1/conversations/{image.conversation_id}/messages/{image.id}/attachments/0")
    assert anonymous.status_code == 401


def test_a_media_id_wechat_does_not_have_fails_for_good_after_the_retries_and_the_message_says_so(
    world: World,
    admin: Api,
    agent: Api,
    fake: Served,  # noqa: F811
    worker: Worker,
) -> None:
    integration(admin, api_base=fake.url)
    p = poster(world)
    p.image(OPENID, PIC_URL, "never_uploaded_or_expired")
    (m,) = inbound(world)
    for n in range(1, jobs.MEDIA_REFUSED_TRIES + 1):
        assert media_round(worker) == 1
        assert media_round(worker) == 0  # not again before its time
        assert fake.get("/_stats")["requests"] == n  # 40007 each time
        clock.advance(timedelta(minutes=2))
    shown = thread_message(agent, m)
    assert shown["data"]["media"] == "failed" and shown["delivery"] is None
    assert "3天" in shown["error"] and "attachments" not in shown["data"]
    assert agent.get(f"/conversations/{m.conversation_id}/messages/{m.id}/attachments/0").status_code == 404
    assert media_round(worker) == 0 and fake.get("/_stats")["requests"] == jobs.MEDIA_REFUSED_TRIES

    # a message older than WeChat's 3 days is given up without asking WeChat
    served(fake, "m_late", PHOTO, "image/jpeg")
    p.image(OPENID, PIC_URL, "m_late")
    late = inbound(world)[-1]
    clock.advance(timedelta(days=3))
    assert media_round(worker) == 0
    shown = thread_message(agent, late)
    assert shown["data"]["media"] == "failed" and "3天" in shown["error"]
    assert fake.get("/_stats")["requests"] == jobs.MEDIA_REFUSED_TRIES


def test_a_fetch_during_a_wechat_outage_is_retried_until_wechat_answers(
    world: World,
    admin: Api,
    agent: Api,
    fake: Served,  # noqa: F811
    worker: Worker,
) -> None:
    integration(admin, api_base=fake.url)
    served(fake, "m_photo", PHOTO, "image/jpeg")
    p = poster(world)
    p.image(OPENID, PIC_URL, "m_photo")
    (m,) = inbound(world)
    fake.post("/_control", json={"fail_next": 1, "http_status": 503})  # WeChat's gateway down
    assert media_round(worker) == 1
    shown = thread_message(agent, m)
    assert shown["data"]["media"] == "pending" and "503" in shown["error"]
    assert "access_token=[redacted]" in shown["error"] or "access_token" not in shown["error"]
    clock.advance(timedelta(seconds=5))
    assert media_round(worker) == 0  # its back-off: 10 s
    clock.advance(timedelta(seconds=6))
    fake.post("/_control", json={"fail_next": 1, "errcode": -1})  # 系统繁忙
    assert media_round(worker) == 1
    assert "-1" in thread_message(agent, m)["error"]
    clock.advance(timedelta(seconds=21))
    assert media_round(worker) == 1
    shown = thread_message(agent, m)
    assert shown["data"]["media"] == "stored" and shown["error"] is None
    got = agent.get(f"/conversations/{m.conversation_id}/messages/{m.id}/attachments/0")
    assert got.content == PHOTO

    # an outage longer than the retries: the message says so in the end
    served(fake, "m_second", PHOTO, "image/jpeg")
    p.image(OPENID, PIC_URL, "m_second")
    second = inbound(world)[-1]
    fake.post("/_control", json={"fail_next": 1000, "errcode": -1})
    for _ in range(jobs.MEDIA_TRIES):
        assert media_round(worker) == 1
        clock.advance(timedelta(minutes=31))
    shown = thread_message(agent, second)
    assert shown["data"]["media"] == "failed" and "-1" in shown["error"]


def test_the_callback_stays_fast_it_fetches_nothing_and_a_repeated_delivery_is_fetched_once(
    world: World,
    admin: Api,
    fake: Served,  # noqa: F811
    worker: Worker,
) -> None:
    integration(admin, api_base=fake.url)
    served(fake, "m_photo", PHOTO, "image/jpeg")
    fake.post("/_control", json={"delay_ms": 3000})  # every call to WeChat's API would take 3 s
    p = poster(world, timeout=0.0)  # every answer "too late": WeChat posts the same MsgId three times
    started = time.monotonic()
    responses = p.deliver(
        "<xml><ToUserName><![CDATA[gh_fake_account]]></ToUserName>"
        f"<FromUserName><![CDATA[{OPENID}]]></FromUserName><CreateTime>{int(clock.now().timestamp())}</CreateTime>"
        "<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://mmbiz.qpic.cn/x/0]]></PicUrl>"
        "<MediaId><![CDATA[m_photo]]></MediaId><MsgId>6054768590064719001</MsgId></xml>",
        openid=OPENID,
    )
    elapsed = time.monotonic() - started
    assert len(responses) == 3 and all(r.status_code == 200 for r in responses)
    assert elapsed < 3.0, f"three callbacks took {elapsed:.2f} s: one called WeChat?"
    assert fake.get("/_stats")["requests"] == 0  # no call to WeChat's API from the callback
    (m,) = inbound(world)
    assert m.data["media"] == "pending"
    fake.post("/_control", json={})
    assert media_round(worker) == 1 and media_round(worker) == 0
    assert fake.get("/_stats")["requests"] == 1  # fetched once
