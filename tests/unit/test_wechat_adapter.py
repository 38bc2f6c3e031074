"""The WeChat official account adapter (``channels.wechat``) against the fake WeChat (``channels.fake_wechat``):
callbacks posted by the fake's poster to a throwaway FastAPI app that calls the adapter, in plain, safe and
compatible modes, and ``WechatApi`` calling the fake's API served by uvicorn (wechatpy speaks ``requests``)."""

from __future__ import annotations

import base64
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.testclient import TestClient

from huiyin.channels.fake_wechat import FakeWechatPoster, create_fake_wechat, menu_error, message_xml
from huiyin.channels.wechat import (
    MAX_BODY,
    SUCCESS,
    TOKEN_MARGIN,
    BadMessage,
    InboundWechat,
    SignatureError,
    TokenStore,
    UnsupportedMessage,
    WechatAccount,
    WechatApi,
    WechatApiError,
    check_signature,
    default_menu,
    echo,
    in_window,
    parse_inbound,
    reply_xml,
)

TOKEN = "huiyin_wechat_token"
AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")  # 43 characters, as WeChat gives it
APPID = "wx_fake_appid"
OPENID = "oLVPpjqs9BhvzwPj5A-vTYAX3GLc"
PLAIN = WechatAccount(token=TOKEN, appid=APPID)
SAFE = WechatAccount(token=TOKEN, appid=APPID, aes_key=AES_KEY)


@dataclass
class Callback:
    """A throwaway callback endpoint: what a channel's HTTP layer does, with the adapter and no database."""

    account: WechatAccount
    delay: float = 0.0
    seen: list[InboundWechat] = field(default_factory=list)
    posts: int = 0

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/wx")
        def verify(request: Request) -> Response:
            try:
                return Response(echo(self.account, request.query_params, datetime.now(UTC)), media_type="text/plain")
            except SignatureError:
                return Response(status_code=403)

        @app.post("/wx")
        async def inbound(request: Request) -> Response:
            self.posts += 1
            params, now = request.query_params, datetime.now(UTC)
            try:
                message = parse_inbound(self.account, await request.body(), params, now)
            except SignatureError:
                return Response(status_code=403)
            except UnsupportedMessage:
                return Response(SUCCESS)
            except BadMessage as exc:
                return Response(str(exc), status_code=400)
            if self.delay:
                time.sleep(self.delay)  # on purpose: a handler that blocks
            self.seen.append(message)
            if message.kind != "text":
                return Response(SUCCESS)
            return Response(
                reply_xml(self.account, message, f"收到：{message.text}", params, now), media_type="text/xml"
            )

        return app


def poster_for(http: TestClient, aes_key: str | None = None, timeout: float = 5.0) -> FakeWechatPoster:
    return FakeWechatPoster(http, "/wx", TOKEN, aes_key=aes_key, timeout=timeout)


@pytest.fixture
def plain() -> Iterator[tuple[Callback, FakeWechatPoster]]:
    callback = Callback(PLAIN)
    with TestClient(callback.app()) as http:
        yield callback, poster_for(http)


@pytest.fixture
def safe() -> Iterator[tuple[Callback, FakeWechatPoster]]:
    callback = Callback(SAFE)
    with TestClient(callback.app()) as http:
        yield callback, poster_for(http, aes_key=AES_KEY)


# --- signatures -----------------------------------------------------------------------------------------


def test_the_url_verification_answers_echostr(plain: tuple[Callback, FakeWechatPoster]) -> None:
    _, poster = plain
    r = poster.verify("7340712345678901234")
    assert r.status_code == 200 and r.text == "7340712345678901234"


def test_a_forged_signature_is_refused(plain: tuple[Callback, FakeWechatPoster]) -> None:
    callback, poster = plain
    poster.token = "not_the_token"
    assert poster.verify("123").status_code == 403
    assert poster.text(OPENID, "你好").status_code == 403
    assert callback.seen == []
    now = datetime.now(UTC)
    with pytest.raises(SignatureError):
        check_signature(PLAIN, "0" * 40, str(int(now.timestamp())), "42", now)


def test_a_stale_or_future_timestamp_is_refused_even_well_signed() -> None:
    now = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
    sent = str(int(now.timestamp()))
    poster = FakeWechatPoster(httpx.Client(), "/", TOKEN, clock=lambda: float(sent))
    query = poster._query(None)
    check_signature(PLAIN, query["signature"], sent, query["nonce"], now + timedelta(seconds=300))
    for then in (now + timedelta(seconds=301), now - timedelta(seconds=301)):
        with pytest.raises(SignatureError, match="replay"):
            check_signature(PLAIN, query["signature"], sent, query["nonce"], then)
    with pytest.raises(SignatureError, match="replay"):
        check_signature(
            PLAIN, query["signature"], sent, query["nonce"], now + timedelta(seconds=61), max_skew_seconds=60
        )


def test_a_plain_callback_to_an_account_in_safe_mode_is_refused(safe: tuple[Callback, FakeWechatPoster]) -> None:
    callback, poster = safe
    poster.aes_key = None  # a replayed query string with a body of the attacker's choosing
    assert poster.text(OPENID, "你好").status_code == 403
    assert callback.seen == []


def test_a_message_encrypted_for_another_appid_is_refused(safe: tuple[Callback, FakeWechatPoster]) -> None:
    callback, poster = safe
    poster.appid = "wx_someone_else"
    assert poster.text(OPENID, "你好").status_code == 403
    assert callback.seen == []


def test_a_tampered_encrypted_body_is_refused(safe: tuple[Callback, FakeWechatPoster]) -> None:
    _, poster = safe
    query, body = poster.request(message_xml("gh_fake_account", OPENID, "text", {"Content": "x"}, 1), openid=OPENID)
    now = datetime.now(UTC)
    with pytest.raises(SignatureError, match="msg_signature"):
        parse_inbound(SAFE, body.replace("<![CDATA[", "<![CDATA[A", 2).encode(), query, now)


# --- round trips ----------------------------------------------------------------------------------------


def test_a_text_message_and_its_reply_round_trip_in_plain_mode(plain: tuple[Callback, FakeWechatPoster]) -> None:
    callback, poster = plain
    r = poster.text(OPENID, "我家停水了", msg_id=6_954_312_345_678_901_234)
    (message,) = callback.seen
    assert (message.kind, message.text, message.openid, message.account_id) == (
        "text",
        "我家停水了",
        OPENID,
        "gh_fake_account",
    )
    assert message.dedup_key == "6954312345678901234" and message.created_at.tzinfo is UTC
    assert abs((datetime.now(UTC) - message.created_at).total_seconds()) < 5
    reply = poster.read_reply(r)
    assert reply is not None
    assert reply["MsgType"] == "text" and reply["Content"] == "收到：我家停水了"
    assert (reply["ToUserName"], reply["FromUserName"]) == (OPENID, "gh_fake_account")


def test_a_text_message_and_its_reply_round_trip_encrypted_in_safe_mode(
    safe: tuple[Callback, FakeWechatPoster],
) -> None:
    callback, poster = safe
    r = poster.text(OPENID, "燃气表不走字")
    assert [m.text for m in callback.seen] == ["燃气表不走字"]
    assert "<Encrypt>" in r.text and "燃气表" not in r.text and "<MsgSignature>" in r.text
    reply = poster.read_reply(r)
    assert reply is not None and reply["Content"] == "收到：燃气表不走字" and reply["ToUserName"] == OPENID


def test_compatible_mode_takes_the_encrypted_part_not_the_plain_copy() -> None:
    poster = FakeWechatPoster(httpx.Client(), "/", TOKEN, aes_key=AES_KEY, compatible=True)
    xml = message_xml("gh_fake_account", OPENID, "text", {"Content": "真的", "MsgId": 1}, int(time.time()))
    query, body = poster.request(xml, openid=OPENID)
    assert "<Content><![CDATA[真的]]></Content>" in body and "<Encrypt>" in body
    forged = body.replace("真的", "伪造")  # the plain copy is not signed
    message = parse_inbound(SAFE, forged.encode(), query, datetime.now(UTC))
    assert message.text == "真的"


def test_a_reply_holding_cdata_end_or_control_characters_stays_valid_xml(
    plain: tuple[Callback, FakeWechatPoster],
) -> None:
    callback, poster = plain
    poster.text(OPENID, "a]]>b")
    (message,) = callback.seen
    assert message.text == "a]]>b"
    xml = reply_xml(PLAIN, message, "x]]>y\x00z", {}, datetime.now(UTC))
    r = httpx.Response(200, text=xml)
    reply = poster.read_reply(r)
    assert reply is not None and reply["Content"] == "x]]>yz"


def test_success_and_an_empty_answer_are_no_reply(plain: tuple[Callback, FakeWechatPoster]) -> None:
    _, poster = plain
    assert poster.read_reply(httpx.Response(200, text=SUCCESS)) is None
    assert poster.read_reply(httpx.Response(200, text="")) is None


# --- parsing --------------------------------------------------------------------------------------------


def test_an_image_message_gives_its_url_and_media_id(plain: tuple[Callback, FakeWechatPoster]) -> None:
    callback, poster = plain
    r = poster.image(OPENID, "http://mmbiz.qpic.cn/x.jpg", "media_123", msg_id=42)
    assert r.text == SUCCESS
    (message,) = callback.seen
    assert (message.kind, message.pic_url, message.media_id, message.dedup_key) == (
        "image",
        "http://mmbiz.qpic.cn/x.jpg",
        "media_123",
        "42",
    )


def test_a_location_message_gives_latitude_longitude_and_label(safe: tuple[Callback, FakeWechatPoster]) -> None:
    callback, poster = safe
    poster.location(OPENID, 31.2304, 121.4737, "上海市黄浦区人民大道200号")
    (message,) = callback.seen
    assert (message.kind, message.latitude, message.longitude) == ("location", 31.2304, 121.4737)
    assert message.label == "上海市黄浦区人民大道200号"


def test_events_are_lower_case_and_deduplicated_by_openid_time_and_event(
    plain: tuple[Callback, FakeWechatPoster],
) -> None:
    callback, poster = plain
    poster.event(OPENID, "CLICK", "CHAT")
    poster.event(OPENID, "subscribe", "qrscene_outlet_17")
    poster.event(OPENID, "LOCATION", Latitude=23.137466, Longitude=113.352425, Precision=119.385040)
    poster.event(OPENID, "unsubscribe")
    click, subscribe, location, unsubscribe = callback.seen
    assert (click.kind, click.event, click.event_key, click.text) == ("event", "click", "CHAT", None)
    assert click.dedup_key == f"{OPENID}:{click.raw['CreateTime']}:click"
    assert (subscribe.event, subscribe.event_key) == ("subscribe", "outlet_17")
    assert (location.event, location.latitude, location.longitude) == ("location", 23.137466, 113.352425)
    assert (unsubscribe.event, unsubscribe.event_key) == ("unsubscribe", None)
    assert [m.opens_window for m in callback.seen] == [True, True, False, False]


def test_a_voice_message_carries_its_recognition_as_text(plain: tuple[Callback, FakeWechatPoster]) -> None:
    callback, poster = plain
    poster.message(OPENID, "voice", {"MediaId": "v1", "Format": "amr", "Recognition": "查电费"})
    poster.message(OPENID, "shortvideo", {"MediaId": "v2", "ThumbMediaId": "t2"})
    voice, video = callback.seen
    assert (voice.kind, voice.media_id, voice.text) == ("voice", "v1", "查电费")
    assert (video.kind, video.media_id, video.raw["ThumbMediaId"]) == ("video", "v2", "t2")


def test_an_oversized_body_is_a_bad_message(plain: tuple[Callback, FakeWechatPoster]) -> None:
    _, poster = plain
    xml = message_xml("gh_fake_account", OPENID, "text", {"Content": "水" * MAX_BODY, "MsgId": 1}, 1)
    r = poster.post_raw(xml, openid=OPENID)
    assert r.status_code == 400 and "over the" in r.text


@pytest.mark.parametrize(
    ("xml", "why"),
    [
        ("<xml><ToUserName>gh</ToUserName><FromUser", "malformed XML"),
        ("", "malformed XML"),
        ("<message><a>1</a></message>", "root"),
        ("<xml>just text</xml>", "root"),
        ("<xml><ToUserName>gh_a</ToUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>", "FromUserName"),
        ("<xml><ToUserName>gh_a</ToUserName><FromUserName>o a;b</FromUserName></xml>", "FromUserName"),
        (
            "<xml><ToUserName>gh_a</ToUserName><FromUserName>oA</FromUserName><MsgType>text</MsgType></xml>",
            "CreateTime",
        ),
        (
            '<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            "<xml><FromUserName>&b;</FromUserName></xml>",
            "entities",
        ),
    ],
)
def test_a_malformed_body_is_a_bad_message(xml: str, why: str) -> None:
    poster = FakeWechatPoster(httpx.Client(), "/", TOKEN)
    query, body = poster.request(xml)
    with pytest.raises(BadMessage, match=why):
        parse_inbound(PLAIN, body.encode(), query, datetime.now(UTC))


def test_a_message_type_we_do_not_take_is_answered_success(plain: tuple[Callback, FakeWechatPoster]) -> None:
    callback, poster = plain
    r = poster.message(OPENID, "miniprogrampage", {"Title": "小程序"})
    assert (r.status_code, r.text, callback.seen) == (200, SUCCESS, [])


def test_a_slow_answer_makes_wechat_post_the_same_message_three_times() -> None:
    callback = Callback(PLAIN, delay=0.25)
    with TestClient(callback.app()) as http:
        poster = poster_for(http, timeout=0.1)
        xml = message_xml("gh_fake_account", OPENID, "text", {"Content": "慢", "MsgId": 77}, int(time.time()))
        responses = poster.deliver(xml, openid=OPENID)
        assert len(responses) == 3 and callback.posts == 3
        assert [m.dedup_key for m in callback.seen] == ["77", "77", "77"]
        callback.delay = 0
        assert len(poster.deliver(xml, openid=OPENID)) == 1


# --- the API against the fake ---------------------------------------------------------------------------


@dataclass
class Served:
    url: str
    app: FastAPI

    def get(self, path: str) -> Any:
        return httpx.get(f"{self.url}{path.lstrip('/')}").json()

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        r = httpx.post(f"{self.url}{path.lstrip('/')}", **kwargs)
        r.raise_for_status()
        return r


@pytest.fixture
def fake() -> Iterator[Served]:
    """The fake's API on a free port in a thread (wechatpy uses ``requests``, which cannot use ASGI)."""
    app = create_fake_wechat()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the fake WeChat did not start"
        time.sleep(0.01)
    try:
        yield Served(f"http://127.0.0.1:{sock.getsockname()[1]}/", app)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def api_for(fake: Served, secret: str = "fake_secret") -> WechatApi:
    return WechatApi(WechatAccount(token=TOKEN, appid=APPID, secret=secret, api_base=fake.url))


def test_the_api_sends_text_images_and_templates_as_wechat_records_them(fake: Served) -> None:
    api = api_for(fake)
    api.send_text(OPENID, "您的报修单 GD2025060100017 已派工")
    media_id = fake.post("/_media", content=b"\xff\xd8jpeg", headers={"Content-Type": "image/jpeg"}).json()["media_id"]
    api.send_image(OPENID, media_id)
    msgid = api.send_template(
        OPENID, "tpl_repair_done", {"first": "报修已完成", "keyword1": "GD17"}, url="https://x/o/17"
    )
    assert isinstance(msgid, int) and msgid > 0
    sent = fake.get("/_sent")
    assert [(m["msgtype"], m["touser"]) for m in sent] == [("text", OPENID), ("image", OPENID)]
    assert sent[0]["text"] == {"content": "您的报修单 GD2025060100017 已派工"}
    (template,) = fake.get("/_templates")
    assert template["data"] == {"first": {"value": "报修已完成"}, "keyword1": {"value": "GD17"}}
    assert (template["msgid"], template["url"]) == (msgid, "https://x/o/17")
    assert fake.get("/_stats") == {"tokens_issued": 1, "requests": 3}  # one token for every call


def test_the_workers_sends_share_one_token_until_shortly_before_it_expires(fake: Served) -> None:
    seconds = [1000.0]
    tokens = TokenStore(clock=lambda: seconds[0])
    account = WechatAccount(token=TOKEN, appid=APPID, secret="fake_secret", api_base=fake.url)
    for text in ("一", "二", "三"):  # each send as the worker makes it: a WechatApi of its own, the worker's store
        WechatApi(account, tokens=tokens).send_text(OPENID, text)
    assert fake.get("/_stats") == {"tokens_issued": 1, "requests": 3}  # not one fetch a message
    seconds[0] += 7200 - TOKEN_MARGIN - 1  # WeChat's 2 hours, less the margin, not yet
    WechatApi(account, tokens=tokens).send_text(OPENID, "三½")
    assert fake.get("/_stats") == {"tokens_issued": 1, "requests": 4}
    seconds[0] += 2
    WechatApi(account, tokens=tokens).send_text(OPENID, "四")
    assert fake.get("/_stats") == {"tokens_issued": 2, "requests": 5}  # fetched anew before WeChat refuses it
    WechatApi(account).send_text(OPENID, "五")  # no store given (the menu command): a token of its own
    assert fake.get("/_stats")["tokens_issued"] == 3


def test_the_api_downloads_media_with_its_content_type(fake: Served) -> None:
    api = api_for(fake)
    fake.post("/_media", params={"media_id": "m1"}, content=b"\xff\xd8photo", headers={"Content-Type": "image/jpeg"})
    fake.post("/_media", params={"media_id": "v1"}, content=b"\x00\x00mp4", headers={"Content-Type": "video/mp4"})
    assert api.download_media("m1") == (b"\xff\xd8photo", "image/jpeg")
    assert api.download_media("v1") == (b"\x00\x00mp4", "video/mp4")  # through the video_url WeChat answers
    with pytest.raises(WechatApiError) as raised:
        api.download_media("gone")
    assert (raised.value.errcode, raised.value.permanent) == (40007, True)


def test_an_expired_token_is_fetched_again_once(fake: Served) -> None:
    api = api_for(fake)
    api.send_text(OPENID, "一")
    fake.post("/_control", json={"expire_token": True})
    api.send_text(OPENID, "二")
    assert fake.get("/_stats") == {"tokens_issued": 2, "requests": 3}
    fake.post("/_control", json={"fail_next": 5, "errcode": 42001})
    with pytest.raises(WechatApiError) as raised:
        api.send_text(OPENID, "三")
    assert (raised.value.errcode, raised.value.permanent) == (42001, False)
    assert fake.get("/_stats") == {"tokens_issued": 3, "requests": 5}  # refreshed once, tried twice, gave up


def test_out_of_the_48_hour_window_is_permanent_and_system_busy_is_not(fake: Served) -> None:
    api = api_for(fake)
    old = (datetime.now(UTC) - timedelta(hours=49)).isoformat()
    fake.post("/_users", json={"openid": OPENID, "last_inbound_at": old})
    with pytest.raises(WechatApiError) as raised:
        api.send_text(OPENID, "迟到的回复")
    assert (raised.value.errcode, raised.value.permanent) == (45015, True)
    fake.post(
        "/_users", json={"openid": "o_gone", "last_inbound_at": datetime.now(UTC).isoformat(), "subscribed": False}
    )
    with pytest.raises(WechatApiError) as raised:
        api.send_template("o_gone", "tpl", {"first": "x"})
    assert (raised.value.errcode, raised.value.permanent) == (43004, True)
    fake.post("/_control", json={"fail_next": 1, "errcode": -1})
    with pytest.raises(WechatApiError) as raised:
        api.send_text("o_new", "忙")
    assert (raised.value.errcode, raised.value.permanent) == (-1, False)
    assert fake.get("/_sent") == []


def test_a_wrong_secret_and_an_unreachable_wechat_are_errors_that_name_no_credential(fake: Served) -> None:
    wrong = api_for(fake, secret="wrong_secret_value")
    with pytest.raises(WechatApiError) as raised:
        wrong.send_text(OPENID, "x")
    assert (raised.value.errcode, raised.value.permanent) == (40125, True)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    unreachable = WechatApi(
        WechatAccount(token=TOKEN, appid=APPID, secret="fake_secret", api_base=f"http://127.0.0.1:{port}/"), timeout=2
    )
    with pytest.raises(WechatApiError) as raised:
        unreachable.send_text(OPENID, "x")
    assert (raised.value.errcode, raised.value.permanent) == (None, False)
    assert "fake_secret" not in str(raised.value) and "secret=[redacted]" in str(raised.value)


def test_the_default_menu_is_one_wechat_accepts(fake: Served) -> None:
    menu = default_menu("https://kf.example-gas.cn/")
    api_for(fake).create_menu(menu)
    assert fake.get("/_menus") == [menu]
    names = [b["name"] for b in menu["button"]]
    assert names == ["自助服务", "缴费服务", "联系我们"]
    keys = {s.get("key") for b in menu["button"] for s in b["sub_button"]} - {None}
    assert keys == {"CHAT", "BIND"}
    assert all(s["url"].startswith("https://kf.example-gas.cn/wechat/") for s in menu["button"][1]["sub_button"])
    four = {"button": [*menu["button"], {"type": "click", "name": "多", "key": "X"}]}
    with pytest.raises(WechatApiError) as raised:
        api_for(fake).create_menu(four)
    assert raised.value.errcode == 40016 and menu_error(four) == 40016


def test_the_48_hour_window() -> None:
    now = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)
    assert in_window(now - timedelta(hours=47, minutes=59), now)
    assert not in_window(now - timedelta(hours=48), now)
    assert not in_window(None, now)


def test_the_fake_serves_media_as_wechat_does_a_file_or_a_json_error(fake: Served) -> None:
    api = api_for(fake)
    fake.post("/_media", params={"media_id": "m2"}, content=b"\xff\xd8photo", headers={"Content-Type": "image/jpeg"})
    fake.post("/_media", params={"media_id": "a2"}, content=b"#!AMR\n\x00", headers={"Content-Type": "audio/amr"})
    token = api.client.access_token
    got = httpx.get(f"{fake.url}cgi-bin/media/get", params={"access_token": token, "media_id": "m2"})
    assert (got.status_code, got.headers["content-type"], got.content) == (200, "image/jpeg", b"\xff\xd8photo")
    assert got.headers["content-disposition"] == 'attachment; filename="m2.jpg"'
    voice = httpx.get(f"{fake.url}cgi-bin/media/get", params={"access_token": token, "media_id": "a2"})
    assert voice.headers["content-disposition"] == 'attachment; filename="a2.amr"'
    gone = httpx.get(f"{fake.url}cgi-bin/media/get", params={"access_token": token, "media_id": "gone"})
    assert (gone.status_code, gone.headers["content-type"]) == (200, "application/json; encoding=utf-8")
    assert gone.json()["errcode"] == 40007 and gone.json()["errmsg"].startswith("invalid media_id")
    assert api.download_media("a2") == (b"#!AMR\n\x00", "audio/amr")
    fake.post("/_control", json={"fail_next": 1, "http_status": 503})
    with pytest.raises(WechatApiError) as raised:
        api.download_media("m2")
    assert (raised.value.errcode, raised.value.permanent) == (None, False) and "503" in str(raised.value)
    with pytest.raises(WechatApiError) as raised:  # over the size the caller allows: permanent, not retried
        WechatApi(
            WechatAccount(token=TOKEN, appid=APPID, secret="fake_secret", api_base=fake.url), max_media_bytes=4
        ).download_media("m2")
    assert (raised.value.errcode, raised.value.permanent) == (None, True)


def test_huiyin_wechat_menu_creates_the_account_s_menu_and_says_wechat_s_refusal(
    fake: Served, sqlite_template: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from typer.testing import CliRunner

    from huiyin import cli
    from huiyin.channels.accounts import do_create_account
    from huiyin.settings import Settings, get_settings
    from huiyin.wiring import open_database

    url = f"sqlite:///{tmp_path / 'huiyin.db'}"
    shutil.copy(sqlite_template, tmp_path / "huiyin.db")
    db = open_database(Settings(database_url=url))
    with db.session() as s:
        base = {"token": "huiyintoken", "appid": APPID, "api_base": fake.url}
        do_create_account(s, "wechat", "yuzhou", {**base, "secret": "fake_secret"})
        do_create_account(s, "wechat", "wrong", {**base, "secret": "not_the_secret"})
        do_create_account(s, "wechat", "plain", {"token": "huiyintoken"})
        s.commit()
    db.dispose()
    monkeypatch.setenv("HUIYIN_DATABASE_URL", url)
    monkeypatch.setenv("HUIYIN_SURVEYS__PUBLIC_URL", "https://kf.example-gas.cn/")
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        done = runner.invoke(cli.app, ["wechat", "menu", "yuzhou"])
        assert done.exit_code == 0, done.output
        assert '{"errcode": 0, "errmsg": "ok"}' in done.output
        assert fake.get("/_menus") == [default_menu("https://kf.example-gas.cn/")]  # what WeChat got
        refused = runner.invoke(cli.app, ["wechat", "menu", "wrong"])
        assert refused.exit_code == 1 and "errcode 40125" in refused.output
        assert "not_the_secret" not in refused.output
        fake.post("/_control", json={"fail_next": 1, "errcode": -1})
        busy = runner.invoke(cli.app, ["wechat", "menu", "yuzhou"])
        assert busy.exit_code == 1 and "errcode -1" in busy.output
        for name in ("plain", "nobody"):
            failed = runner.invoke(cli.app, ["wechat", "menu", name])
            assert failed.exit_code == 1 and "error:" in failed.output
        shown = runner.invoke(cli.app, ["wechat", "menu", "plain", "--dry-run"])
        assert shown.exit_code == 0 and "在线客服" in shown.output
        assert len(fake.get("/_menus")) == 1
    finally:
        get_settings.cache_clear()
