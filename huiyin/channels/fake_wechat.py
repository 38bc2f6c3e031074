"""A fake WeChat for tests and demos, speaking WeChat's own wire formats in both directions.

``create_fake_wechat`` is the API side (api.weixin.qq.com): the access token, customer-service and template
messages, the custom menu and media downloads, with WeChat's JSON answers, error codes and rules (the 48 h
window, subscriptions, the menu's sizes). ``POST /_control`` makes the next calls fail or slow and expires
the tokens; ``POST /_users`` tells it when a customer last wrote; ``POST /_media`` gives it media to serve.

``FakeWechatPoster`` is the customer side: it posts messages and events to Huiyin's callback URL exactly
as WeChat does (XML, signed query string, AES in safe mode, three tries when the answer is slow) and reads
the passive reply. It signs and encrypts with wechatpy directly, not with ``channels.wechat``, so that a
mistake in the adapter does not cancel out against the same mistake here.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from xml.parsers.expat import ExpatError

import httpx
import xmltodict
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException
from wechatpy.utils import WeChatSigner

WINDOW = timedelta(hours=48)
TOKEN_TTL = 7200

ERRMSG = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40007: "invalid media_id",
    40008: "invalid message type",
    40013: "invalid appid",
    40016: "invalid button size",
    40017: "invalid button type",
    40018: "invalid button name size",
    40019: "invalid button key size",
    40020: "invalid button url size",
    40023: "invalid sub button size",
    40024: "invalid sub button type",
    40025: "invalid sub button name size",
    40026: "invalid sub button key size",
    40027: "invalid sub button url size",
    40037: "invalid template_id",
    40125: "invalid appsecret",
    41001: "access_token missing",
    42001: "access_token expired",
    43004: "require subscribe",
    44004: "empty content",
    45009: "reach max api daily quota limit",
    45015: "response out of time limit or subscription is canceled",
    45047: "out of response count limit",
    47001: "data format error",
}

MESSAGE_TYPES = frozenset(
    {"text", "image", "voice", "video", "music", "news", "mpnews", "msgmenu", "wxcard", "miniprogrampage"}
)
BUTTON_TYPES = frozenset(
    {
        "click",
        "view",
        "scancode_push",
        "scancode_waitmsg",
        "pic_sysphoto",
        "pic_photo_or_album",
        "pic_weixin",
        "location_select",
        "media_id",
        "article_id",
        "article_view_limited",
        "view_limited",
        "miniprogram",
    }
)
_KEYED = frozenset({"click", "scancode_push", "scancode_waitmsg", "pic_sysphoto", "pic_photo_or_album", "pic_weixin"})


class Control(BaseModel):
    fail_next: int = 0  # answer the next N API calls (not the token) with ``errcode``
    errcode: int = -1
    http_status: int = 200  # those N failures as this HTTP status instead (502, 503: WeChat's gateway down)
    delay_ms: int = 0  # every API call waits this long before answering
    expire_token: bool = False  # every token issued so far answers 42001 from now on


class UserIn(BaseModel):
    """A customer the fake knows: the 48 h window runs from ``last_inbound_at`` (None: never wrote)."""

    openid: str
    last_inbound_at: datetime | None = None
    subscribed: bool = True


JSON_TYPE = "application/json; encoding=utf-8"
"""The Content-Type of WeChat's JSON answers, errors included (``media/get``'s too: older answers said
text/plain; clients tell an error from a file by it)."""

MEDIA_EXTENSIONS = {"image/jpeg": "jpg", "audio/amr": "amr", "audio/mpeg": "mp3", "audio/x-speex": "speex"}
"""The file name's extension ``media/get`` gives in Content-disposition (else the subtype)."""


def _error(code: int) -> JSONResponse:
    """WeChat's error answer: HTTP 200, the code, its message and a request id."""
    rid = f"{secrets.token_hex(4)}-{secrets.token_hex(4)}-{secrets.token_hex(4)}"
    return JSONResponse({"errcode": code, "errmsg": f"{ERRMSG.get(code, 'error')} rid: {rid}"}, media_type=JSON_TYPE)


def _ok(**extra: Any) -> dict[str, Any]:
    return {"errcode": 0, "errmsg": "ok", **extra}


def _size(value: Any, low: int, high: int) -> bool:
    return isinstance(value, str) and low <= len(value.encode()) <= high


def menu_error(menu: Any) -> int | None:
    """The error code WeChat gives a menu, None when it takes it: at most 3 buttons of at most 16 bytes,
    each a button or a list of at most 5 sub-buttons of at most 60 bytes; keys up to 128, URLs up to 1024."""
    buttons = menu.get("button") if isinstance(menu, dict) else None
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        return 40016
    for button in buttons:
        if not isinstance(button, dict) or not _size(button.get("name"), 1, 16):
            return 40018
        subs = button.get("sub_button")
        if subs:
            if not isinstance(subs, list) or len(subs) > 5:
                return 40023
            for sub in subs:
                if not isinstance(sub, dict) or not _size(sub.get("name"), 1, 60):
                    return 40025
                code = _button_error(sub, 40024, 40026, 40027)
                if code:
                    return code
        else:
            code = _button_error(button, 40017, 40019, 40020)
            if code:
                return code
    return None


def _button_error(button: dict[str, Any], bad_type: int, bad_key: int, bad_url: int) -> int | None:
    kind = button.get("type")
    if kind not in BUTTON_TYPES:
        return bad_type
    if kind in _KEYED and not _size(button.get("key"), 1, 128):
        return bad_key
    if kind in ("view", "miniprogram") and not (
        _size(button.get("url"), 1, 1024) and str(button["url"]).startswith(("http://", "https://"))
    ):
        return bad_url
    return None


def create_fake_wechat(appid: str = "wx_fake_appid", secret: str = "fake_secret", *, custom_limit: int = 20) -> FastAPI:
    """The fake's API. ``custom_limit``: customer-service messages a known customer may get per message
    they send (45047 after). Its state is ``app.state.fake`` as well as at the ``/_`` endpoints."""
    app = FastAPI(title="fake WeChat")
    state: dict[str, Any] = {
        "tokens": {},  # token → expired
        "tokens_issued": 0,
        "requests": 0,
        "users": {},  # openid → {"last_inbound_at", "subscribed", "since_inbound"}
        "media": {},  # media_id → (bytes, content type)
        "sent": [],
        "templates": [],
        "menus": [],
        "control": Control(),
    }
    app.state.fake = state
    app_appid, app_secret = appid, secret  # the token endpoint's parameters have the same names
    msgids = itertools.count(2_000_000_001)

    async def gate(access_token: str | None) -> Response | None:
        """What every API call goes through first: the delay, the token, an injected failure."""
        control: Control = state["control"]
        state["requests"] += 1
        if control.delay_ms:
            await asyncio.sleep(control.delay_ms / 1000)
        if not access_token:
            return _error(41001)
        if access_token not in state["tokens"]:
            return _error(40001)
        if state["tokens"][access_token]:
            return _error(42001)
        if control.fail_next > 0:
            control.fail_next -= 1
            if control.http_status != 200:  # the gateway in front of the API, not the API: an HTML page
                page = f"<html><body><h1>{control.http_status}</h1></body></html>"
                return Response(page, control.http_status, media_type="text/html")
            return _error(control.errcode)
        return None

    async def json_body(request: Request) -> dict[str, Any] | None:
        try:
            body = await request.json()
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def user_error(openid: Any, *, custom: bool) -> int | None:
        if not isinstance(openid, str) or not openid:
            return 40003
        user = state["users"].get(openid)
        if user is None:  # a customer it was not told about: anything goes
            return None
        if not user["subscribed"]:
            return 43004
        if custom:
            last = user["last_inbound_at"]
            if last is None or datetime.now(UTC) - last > WINDOW:
                return 45015
            if user["since_inbound"] >= custom_limit:
                return 45047
        return None

    @app.get("/cgi-bin/token")
    async def token(grant_type: str = "", appid: str = "", secret: str = "") -> Response:
        if grant_type != "client_credential":
            return _error(40002)
        if appid != app_appid:
            return _error(40013)
        if secret != app_secret:
            return _error(40125)
        value = secrets.token_urlsafe(48)
        state["tokens"][value] = False
        state["tokens_issued"] += 1
        return JSONResponse({"access_token": value, "expires_in": TOKEN_TTL})

    @app.post("/cgi-bin/message/custom/send")
    async def custom_send(request: Request, access_token: str | None = None) -> Response:
        refused = await gate(access_token)
        if refused:
            return refused
        body = await json_body(request)
        if body is None:
            return _error(47001)
        kind = body.get("msgtype")
        if kind not in MESSAGE_TYPES:
            return _error(40008)
        if kind == "text" and not (body.get("text") or {}).get("content"):
            return _error(44004)
        if kind == "image" and (body.get("image") or {}).get("media_id") not in state["media"]:
            return _error(40007)
        code = user_error(body.get("touser"), custom=True)
        if code:
            return _error(code)
        if body["touser"] in state["users"]:
            state["users"][body["touser"]]["since_inbound"] += 1
        state["sent"].append({**body, "at": datetime.now(UTC).isoformat()})
        return JSONResponse(_ok())

    @app.post("/cgi-bin/message/template/send")
    async def template_send(request: Request, access_token: str | None = None) -> Response:
        refused = await gate(access_token)
        if refused:
            return refused
        body = await json_body(request)
        if body is None or not isinstance(body.get("data", {}), dict):
            return _error(47001)
        if not body.get("template_id"):
            return _error(40037)
        code = user_error(body.get("touser"), custom=False)
        if code:
            return _error(code)
        msgid = next(msgids)
        state["templates"].append({**body, "msgid": msgid, "at": datetime.now(UTC).isoformat()})
        return JSONResponse(_ok(msgid=msgid))

    @app.post("/cgi-bin/menu/create")
    async def menu_create(request: Request, access_token: str | None = None) -> Response:
        refused = await gate(access_token)
        if refused:
            return refused
        body = await json_body(request)
        if body is None:
            return _error(47001)
        code = menu_error(body)
        if code:
            return _error(code)
        state["menus"].append(body)
        return JSONResponse(_ok())

    @app.get("/cgi-bin/media/get")
    async def media_get(request: Request, media_id: str = "", access_token: str | None = None) -> Response:
        """A temporary media's bytes (a customer's image or voice, 3 days): HTTP 200 with its Content-Type and
        ``Content-disposition: attachment; filename="MEDIA_ID.jpg"``; an unknown or expired media_id is 40007
        as JSON, HTTP 200 too."""
        refused = await gate(access_token)
        if refused:
            return refused
        if media_id not in state["media"]:
            return _error(40007)
        content, ctype = state["media"][media_id]
        if ctype.startswith("video/"):  # WeChat gives a video's address instead of its bytes
            url = f"{str(request.base_url).rstrip('/')}/_video/{media_id}"
            return JSONResponse({"video_url": url}, media_type=JSON_TYPE)
        base = ctype.split(";")[0].strip()
        extension = MEDIA_EXTENSIONS.get(base, base.split("/")[-1])
        headers = {
            "Content-disposition": f'attachment; filename="{media_id}.{extension}"',
            "Cache-Control": "no-cache, must-revalidate",
        }
        return Response(content, media_type=ctype, headers=headers)

    @app.get("/_video/{media_id}")
    async def video(media_id: str) -> Response:
        if media_id not in state["media"]:
            return Response(status_code=404)
        content, ctype = state["media"][media_id]
        return Response(content, media_type=ctype)

    @app.post("/_media")
    async def upload(request: Request, media_id: str | None = None) -> dict[str, Any]:
        """A test's media for ``media/get`` and image messages: the body, its Content-Type."""
        media_id = media_id or secrets.token_urlsafe(24)
        ctype = request.headers.get("content-type", "application/octet-stream")
        state["media"][media_id] = (await request.body(), ctype)
        return {"type": ctype.split("/")[0], "media_id": media_id, "created_at": int(time.time())}

    @app.post("/_users")
    async def users(body: UserIn) -> dict[str, Any]:
        state["users"][body.openid] = {
            "last_inbound_at": body.last_inbound_at,
            "subscribed": body.subscribed,
            "since_inbound": 0,
        }
        return body.model_dump(mode="json")

    @app.post("/_control")
    async def control(body: Control) -> Control:
        if body.expire_token:
            state["tokens"] = dict.fromkeys(state["tokens"], True)
        state["control"] = body
        return body

    @app.get("/_sent")
    async def sent() -> list[dict[str, Any]]:
        return cast(list[dict[str, Any]], state["sent"])

    @app.get("/_templates")
    async def templates() -> list[dict[str, Any]]:
        return cast(list[dict[str, Any]], state["templates"])

    @app.get("/_menus")
    async def menus() -> list[dict[str, Any]]:
        return cast(list[dict[str, Any]], state["menus"])

    @app.get("/_stats")
    async def stats() -> dict[str, int]:
        return {"tokens_issued": state["tokens_issued"], "requests": state["requests"]}

    return app


# --- the customer's side: what WeChat posts to Huiyin ----------------------------------------------------


class BadReply(Exception):
    """Huiyin's answer is not one WeChat would take (WeChat shows the customer 该公众号暂时无法提供服务)."""


def _sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return cast(str, signer.signature)


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def message_xml(
    account_id: str, openid: str, msg_type: str, fields: dict[str, str | int | float], create_time: int
) -> str:
    """A message or event exactly as WeChat posts it: text in CDATA, numbers bare, one field a line."""
    lines = [
        f"<ToUserName>{_cdata(account_id)}</ToUserName>",
        f"<FromUserName>{_cdata(openid)}</FromUserName>",
        f"<CreateTime>{create_time}</CreateTime>",
        f"<MsgType>{_cdata(msg_type)}</MsgType>",
    ]
    for name, value in fields.items():
        lines.append(f"<{name}>{_cdata(value) if isinstance(value, str) else value}</{name}>")
    return "<xml>\n" + "\n".join(lines) + "\n</xml>"


def new_msg_id() -> int:
    """A MsgId as WeChat makes them: a 64-bit number of 19 digits."""
    return 10**18 + secrets.randbelow(8 * 10**18)


def _flat(value: Any, prefix: str, out: dict[str, str]) -> dict[str, str]:
    if isinstance(value, dict):
        for key, item in value.items():
            _flat(item, f"{prefix}.{key}" if prefix else str(key), out)
    else:
        out[prefix] = "" if value is None else str(value)
    return out


class FakeWechatPoster:
    """Posts to Huiyin's callback ``url`` as WeChat does, through any ``httpx.Client`` (a FastAPI
    ``TestClient`` in tests). With ``aes_key``, safe mode (only ``<Encrypt>``), or with ``compatible``,
    compatible mode (the plain fields and ``<Encrypt>``). ``clock`` gives the Unix time it signs with.

    ``timeout`` is WeChat's 5 s: an answer that took longer counts as none (``deliver``). It is measured, not
    imposed (a ``TestClient`` takes no timeouts); give a network client its own timeout a little above it.
    """

    def __init__(
        self,
        client: httpx.Client,
        url: str,
        token: str,
        *,
        appid: str = "wx_fake_appid",
        aes_key: str | None = None,
        account_id: str = "gh_fake_account",
        compatible: bool = False,
        timeout: float = 5.0,
        tries: int = 3,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.url = url
        self.token = token
        self.appid = appid
        self.aes_key = aes_key
        self.account_id = account_id
        self.compatible = compatible
        self.timeout = timeout
        self.tries = tries
        self.clock = clock

    # building what WeChat sends

    def _key(self) -> bytes:
        assert self.aes_key is not None
        return cast(bytes, WeChatCrypto(self.token, self.aes_key, self.appid).key)

    def _query(self, openid: str | None) -> dict[str, str]:
        timestamp, nonce = str(int(self.clock())), str(secrets.randbelow(10**10))
        query = {"signature": _sign(self.token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
        if openid is not None:
            query["openid"] = openid
        return query

    def request(self, xml: str, *, openid: str | None = None) -> tuple[dict[str, str], str]:
        """The query string and body WeChat would post for ``xml``."""
        query = self._query(openid)
        if self.aes_key is None:
            return query, xml
        encrypt = PrpCrypto(self._key()).encrypt(xml, self.appid).decode()
        query["encrypt_type"] = "aes"
        query["msg_signature"] = _sign(self.token, query["timestamp"], query["nonce"], encrypt)
        if self.compatible:
            body = xml.rstrip().removesuffix("</xml>") + f"<Encrypt>{_cdata(encrypt)}</Encrypt>\n</xml>"
        else:
            to = f"<ToUserName>{_cdata(self.account_id)}</ToUserName>"
            body = f"<xml>\n{to}\n<Encrypt>{_cdata(encrypt)}</Encrypt>\n</xml>"
        return query, body

    def _post(self, query: dict[str, str], body: str) -> httpx.Response:
        headers = {"Content-Type": "text/xml", "User-Agent": "Mozilla/4.0"}
        return self.client.post(self.url, params=query, content=body.encode(), headers=headers)

    # sending

    def post_raw(self, xml: str, *, openid: str | None = None) -> httpx.Response:
        """One POST of ``xml`` (any text: tests send malformed ones), signed and encrypted, no retry."""
        return self._post(*self.request(xml, openid=openid))

    def deliver(self, xml: str, *, openid: str | None = None) -> list[httpx.Response]:
        """WeChat's delivery: the same request again when the answer takes longer than ``timeout``, up
        to ``tries`` in all. Returns every answer received (a late one too, which WeChat ignores)."""
        query, body = self.request(xml, openid=openid)
        responses: list[httpx.Response] = []
        for attempt in range(1, self.tries + 1):
            started = time.monotonic()
            try:
                response = self._post(query, body)
            except httpx.TimeoutException:  # a network client's own timeout
                if attempt == self.tries:
                    raise
                continue
            responses.append(response)
            if time.monotonic() - started <= self.timeout:
                break
        return responses

    def message(
        self, openid: str, msg_type: str, fields: dict[str, str | int | float], msg_id: int | None = None
    ) -> httpx.Response:
        """Any message type (voice, video, link…): ``fields`` after MsgType, then MsgId."""
        fields = {**fields, "MsgId": msg_id if msg_id is not None else new_msg_id()}
        xml = message_xml(self.account_id, openid, msg_type, fields, int(self.clock()))
        return self.deliver(xml, openid=openid)[-1]

    def text(self, openid: str, content: str, msg_id: int | None = None) -> httpx.Response:
        return self.message(openid, "text", {"Content": content}, msg_id)

    def image(self, openid: str, pic_url: str, media_id: str, msg_id: int | None = None) -> httpx.Response:
        return self.message(openid, "image", {"PicUrl": pic_url, "MediaId": media_id}, msg_id)

    def location(self, openid: str, lat: float, lon: float, label: str, msg_id: int | None = None) -> httpx.Response:
        fields: dict[str, str | int | float] = {"Location_X": lat, "Location_Y": lon, "Scale": 15, "Label": label}
        return self.message(openid, "location", fields, msg_id)

    def event(self, openid: str, event: str, key: str | None = None, **extra: str | int | float) -> httpx.Response:
        """An event as WeChat names it (``subscribe``, ``CLICK``, ``VIEW``, ``SCAN``, ``LOCATION``…); the
        LOCATION event's Latitude/Longitude/Precision go in ``extra``."""
        fields: dict[str, str | int | float] = {"Event": event}
        if key is not None:
            fields["EventKey"] = key
        fields.update(extra)
        xml = message_xml(self.account_id, openid, "event", fields, int(self.clock()))
        return self.deliver(xml, openid=openid)[-1]

    def verify(self, echostr: str) -> httpx.Response:
        """The GET WeChat sends when the server URL is saved on mp.weixin.qq.com."""
        query = {**self._query(None), "echostr": echostr}
        return self.client.get(self.url, params=query)

    # reading Huiyin's answer

    def read_reply(self, response: httpx.Response) -> dict[str, str] | None:
        """The passive reply in ``response`` as its fields (``Content``, ``ToUserName``…), decrypted and
        its signature checked when encrypted; None for "success" or an empty answer (no reply).
        Raises ``BadReply`` for what WeChat would refuse."""
        if response.status_code != 200:
            raise BadReply(f"HTTP {response.status_code}")
        body = response.content.strip()
        if body in (b"", b"success"):
            return None
        root = self._xml(body)
        encrypt = root.get("Encrypt")
        if isinstance(encrypt, str):
            if self.aes_key is None:
                raise BadReply("an encrypted reply from an account in plain mode")
            timestamp, nonce = str(root.get("TimeStamp", "")), str(root.get("Nonce", ""))
            if _sign(self.token, timestamp, nonce, encrypt) != root.get("MsgSignature"):
                raise BadReply("the reply's MsgSignature does not match")
            try:
                inner = PrpCrypto(self._key()).decrypt(encrypt, self.appid)
            except InvalidAppIdException:
                raise BadReply("the reply is encrypted for another appid") from None
            root = self._xml(inner)
        elif self.aes_key is not None and not self.compatible:
            raise BadReply("a plain reply to an account in safe mode")
        return _flat(root, "", {})

    @staticmethod
    def _xml(text: str | bytes) -> dict[str, Any]:
        try:
            root = xmltodict.parse(text).get("xml")
        except (ExpatError, ValueError) as exc:
            raise BadReply(f"not XML: {exc}") from None
        if not isinstance(root, dict):
            raise BadReply("no <xml> root")
        return root
