"""The WeChat official account (公众号) adapter: what WeChat posts to us and what we call on WeChat, with no
database and no web framework, so the channel's service and HTTP layers stay thin and the wire rules live
in one place that ``tests/unit/test_wechat_adapter.py`` drives against ``fake_wechat``.

Inbound: WeChat signs every callback with the account's token (``check_signature``), verifies the URL
once with a GET (``echo``), and posts each message as XML (``parse_inbound``), encrypted in safe mode.
A passive reply (``reply_xml``) must be the HTTP answer within 5 s; otherwise answer ``SUCCESS`` and send
later through the customer-service API (``WechatApi``), which WeChat allows for 48 h after the customer's
last interaction (``in_window``).

wechatpy does the signing, XML and AES; where it falls short (it compares signatures with ``!=``, draws
the cipher's random prefix from ``random``, ignores its own API base for the token, retries an expired
token without end, never times out the token fetch) this module says so where it works around it.
"""

from __future__ import annotations

import hmac
import json
import math
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar, cast
from xml.parsers.expat import ExpatError

import requests
import xmltodict
from wechatpy import WeChatClient
from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, WeChatClientException
from wechatpy.replies import TextReply
from wechatpy.session import SessionStorage
from wechatpy.utils import WeChatSigner

MAX_BODY = 64 * 1024
"""WeChat's messages are a few hundred bytes; anything this big is not from WeChat."""

SUCCESS = "success"
"""The answer when we reply later through the customer-service API: WeChat shows the customer nothing
and does not retry (an empty body works too; anything else that is not a reply shows an error)."""

WINDOW = timedelta(hours=48)
"""How long after a customer's last interaction the customer-service API may write to them (45015 after)."""

MEDIA_KEPT = timedelta(days=3)
"""How long WeChat keeps a customer's image or voice (temporary media) for ``media/get``: 40007 after."""

MENU_CHAT = "CHAT"
MENU_BIND = "BIND"

_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # openids are 28 of these, account ids gh_ + 12; both key rows
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SECRET_IN_URL = re.compile(r"((?:access_token|secret)=)[^&\s\"']+")

Kind = Literal["text", "image", "voice", "video", "location", "link", "event"]
_KINDS: dict[str, Kind] = {
    "text": "text",
    "image": "image",
    "voice": "voice",
    "video": "video",
    "shortvideo": "video",
    "location": "location",
    "link": "link",
    "event": "event",
}
_WINDOW_EVENTS = frozenset({"subscribe", "scan", "click", "scancode_push", "scancode_waitmsg"})

T = TypeVar("T")


@dataclass(frozen=True)
class WechatAccount:
    """One official account as configured on mp.weixin.qq.com (基本配置 → 服务器配置).

    ``aes_key`` is the 43-character EncodingAESKey: set it when the account is in compatible or safe mode
    (then a plain callback is refused, see ``parse_inbound``). ``appid``/``secret`` are needed only to
    call WeChat (``WechatApi``) and to check whom an encrypted message is for.
    """

    token: str
    appid: str | None = None
    secret: str | None = None
    aes_key: str | None = None
    api_base: str = "https://api.weixin.qq.com/"


class SignatureError(Exception):
    """The callback is not from WeChat for this account, or is a stale replay: answer 403."""


class BadMessage(Exception):
    """The callback is signed but unreadable or not a message: answer 400 (WeChat never sends these)."""


class UnsupportedMessage(BadMessage):
    """A well-formed message of a type we do not take (mini-program card, file…): answer ``SUCCESS`` so
    that WeChat does not retry and does not show the customer an error."""


# --- signatures -----------------------------------------------------------------------------------------


def _sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return cast(str, signer.signature)


def _same(a: str, b: str) -> bool:
    # wechatpy's check_signature compares with != ; a constant-time comparison costs nothing
    return hmac.compare_digest(a.encode(), b.encode())


def _check_time(timestamp: str, now: datetime, max_skew_seconds: int) -> None:
    try:
        sent = int(timestamp)
    except ValueError:
        raise SignatureError("timestamp is not a number") from None
    if abs(now.timestamp() - sent) > max_skew_seconds:
        raise SignatureError(f"timestamp is more than {max_skew_seconds} s away from now: a stale replay?")


def check_signature(
    account: WechatAccount,
    signature: str,
    timestamp: str,
    nonce: str,
    now: datetime,
    *,
    max_skew_seconds: int = 300,
) -> None:
    """WeChat's callback signature: sha1 of the sorted token, timestamp and nonce.

    It does not cover the body and WeChat sets no time limit, so a captured query string (access logs keep
    them) could be replayed forever; we refuse timestamps more than ``max_skew_seconds`` from ``now``.
    """
    if not (signature and timestamp and nonce):
        raise SignatureError("signature, timestamp and nonce are required")
    if not _same(_sign(account.token, timestamp, nonce), signature):
        raise SignatureError("bad signature")
    _check_time(timestamp, now, max_skew_seconds)


def echo(account: WechatAccount, params: Mapping[str, str], now: datetime, *, max_skew_seconds: int = 300) -> str:
    """The GET WeChat sends once to verify the server URL: the answer is ``echostr``, as is, as text/plain.

    The official account's echostr is plain even in safe mode (WeCom's is encrypted; not this one).
    """
    check_signature(
        account,
        params.get("signature", ""),
        params.get("timestamp", ""),
        params.get("nonce", ""),
        now,
        max_skew_seconds=max_skew_seconds,
    )
    echostr = params.get("echostr")
    if not echostr:
        raise BadMessage("echostr is missing")
    return echostr


# --- inbound --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboundWechat:
    """One message or event a customer sent, as the channel service needs it.

    ``dedup_key``: WeChat posts a message again when we answer slowly (3 tries), so the service stores each
    key once. Messages carry MsgId; events do not, and WeChat's documented key for them is FromUserName +
    CreateTime (we add the event, as one second may hold a subscribe and a location event).
    ``raw`` holds every field as WeChat sent it (nested ones as ``Parent.Child``).
    """

    dedup_key: str
    openid: str
    account_id: str
    kind: Kind
    text: str | None
    pic_url: str | None
    media_id: str | None
    latitude: float | None
    longitude: float | None
    label: str | None
    event: str | None
    event_key: str | None
    created_at: datetime
    raw: dict[str, str]

    @property
    def opens_window(self) -> bool:
        """Whether this interaction opens WeChat's 48 h customer-service window: every message, and the
        events WeChat names (subscribe, scan, a click or scan menu); not view, location or unsubscribe."""
        return self.kind != "event" or self.event in _WINDOW_EVENTS


def _parse_xml(text: str | bytes) -> dict[str, Any]:
    try:
        doc = xmltodict.parse(text)  # expat; xmltodict >= 0.13 refuses entity declarations (billion laughs)
    except (ExpatError, ValueError) as exc:
        raise BadMessage(f"malformed XML: {exc}") from None
    root = doc.get("xml") if isinstance(doc, dict) else None
    if not isinstance(root, dict):
        raise BadMessage("not a WeChat message: the root element must be <xml> with fields")
    return root


def _flatten(value: Any, prefix: str, out: dict[str, str]) -> dict[str, str]:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _flatten(item, f"{prefix}.{i}", out)
    else:
        out[prefix] = "" if value is None else str(value)
    return out


def _decrypt(account: WechatAccount, outer: dict[str, Any], params: Mapping[str, str], now: datetime, skew: int) -> str:
    if not account.aes_key or not account.appid:
        raise SignatureError("an encrypted message for an account with no EncodingAESKey or appid")
    encrypt = outer.get("Encrypt")
    if not isinstance(encrypt, str) or not encrypt:
        raise BadMessage("encrypt_type=aes but the body has no Encrypt")
    timestamp, nonce = params.get("timestamp", ""), params.get("nonce", "")
    signature = params.get("msg_signature", "")
    if not (signature and timestamp and nonce):
        raise SignatureError("msg_signature, timestamp and nonce are required in safe mode")
    if not _same(_sign(account.token, timestamp, nonce, encrypt), signature):
        raise SignatureError("bad msg_signature")
    _check_time(timestamp, now, skew)
    key = _crypto(account).key
    try:
        return cast(str, PrpCrypto(key).decrypt(encrypt, account.appid))
    except InvalidAppIdException:
        raise SignatureError("the message is encrypted for another appid") from None
    except Exception as exc:  # wechatpy does not check the padding: garbage fails anywhere in unpacking
        raise BadMessage(f"cannot decrypt: {type(exc).__name__}") from None


def _float(fields: Mapping[str, str], name: str) -> float | None:
    value = fields.get(name)
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        raise BadMessage(f"{name} is not a number") from None
    if not math.isfinite(number):
        raise BadMessage(f"{name} is not a number")
    return number


def parse_inbound(
    account: WechatAccount,
    body: bytes,
    params: Mapping[str, str],
    now: datetime,
    *,
    max_skew_seconds: int = 300,
) -> InboundWechat:
    """Check and read one callback POST: ``body`` as received, ``params`` its query string.

    Plain mode: ``signature`` over token/timestamp/nonce. Safe and compatible modes (``encrypt_type=aes``):
    ``msg_signature`` over token/timestamp/nonce/Encrypt, then the AES part is decrypted and must name our
    appid; compatible mode's plain copy of the fields is ignored, as only the encrypted part is signed.
    An account with an ``aes_key`` refuses plain callbacks: WeChat encrypts in both modes, and the plain
    signature does not cover the body, so accepting one would let a replayed query carry any body.
    Raises ``SignatureError``, ``BadMessage`` or ``UnsupportedMessage``.
    """
    if len(body) > MAX_BODY:
        raise BadMessage(f"body of {len(body)} bytes: over the {MAX_BODY} a WeChat message can be")
    if params.get("encrypt_type", "raw").lower() == "aes":
        outer = _parse_xml(body)
        root = _parse_xml(_decrypt(account, outer, params, now, max_skew_seconds))
    else:
        if account.aes_key:
            raise SignatureError("a plain callback for an account in safe mode")
        check_signature(
            account,
            params.get("signature", ""),
            params.get("timestamp", ""),
            params.get("nonce", ""),
            now,
            max_skew_seconds=max_skew_seconds,
        )
        root = _parse_xml(body)
    raw = _flatten(root, "", {})
    return _read(raw)


def _read(raw: dict[str, str]) -> InboundWechat:
    openid = raw.get("FromUserName", "")
    if not _ID.match(openid):
        raise BadMessage("FromUserName is missing or not an openid")
    account_id = raw.get("ToUserName", "")
    if not _ID.match(account_id):
        raise BadMessage("ToUserName is missing or not an account id")
    try:
        create_time = int(raw.get("CreateTime", ""))
        created_at = datetime.fromtimestamp(create_time, UTC)
    except (ValueError, OverflowError, OSError):
        raise BadMessage("CreateTime is missing or not a Unix time") from None
    msg_type = raw.get("MsgType", "").lower()
    kind = _KINDS.get(msg_type)
    if kind is None:
        raise UnsupportedMessage(f"MsgType {msg_type or '(none)'} is not taken")

    def text_of(name: str) -> str | None:
        return raw.get(name) or None

    text = pic_url = media_id = label = event = event_key = None
    latitude = longitude = None
    if kind == "text":
        text = raw.get("Content", "")
    elif kind == "image":
        pic_url, media_id = text_of("PicUrl"), text_of("MediaId")
    elif kind == "voice":
        media_id, text = text_of("MediaId"), text_of("Recognition")  # speech-to-text when the account has it
    elif kind == "video":
        media_id = text_of("MediaId")
    elif kind == "location":
        # WeChat's Location_X is the latitude and Location_Y the longitude
        latitude, longitude, label = _float(raw, "Location_X"), _float(raw, "Location_Y"), text_of("Label")
    elif kind == "link":
        text = text_of("Title")
    else:
        event = (raw.get("Event") or "").lower() or None
        if event is None:
            raise BadMessage("an event without Event")
        event_key = text_of("EventKey")
        if event == "subscribe" and event_key is not None and event_key.startswith("qrscene_"):
            event_key = event_key.removeprefix("qrscene_")  # the same scene value a SCAN event carries
        if event == "location":
            latitude, longitude = _float(raw, "Latitude"), _float(raw, "Longitude")
    if kind == "event":
        dedup_key = f"{openid}:{create_time}:{event}"
    else:
        dedup_key = raw.get("MsgId") or f"{openid}:{create_time}:{kind}"
    return InboundWechat(
        dedup_key=dedup_key,
        openid=openid,
        account_id=account_id,
        kind=kind,
        text=text,
        pic_url=pic_url,
        media_id=media_id,
        latitude=latitude,
        longitude=longitude,
        label=label,
        event=event,
        event_key=event_key,
        created_at=created_at,
        raw=raw,
    )


# --- passive reply --------------------------------------------------------------------------------------


class _SecretPrpCrypto(PrpCrypto):  # type: ignore[misc]
    """wechatpy draws the 16 random bytes before each plaintext from ``random``; WeChat's CBC uses a fixed
    IV (the key's first 16 bytes), so those bytes are all that tells two replies apart: use ``secrets``."""

    def get_random_string(self) -> str:
        return secrets.token_hex(8)


class _Crypto(WeChatCrypto):  # type: ignore[misc]
    def encrypt_message(self, msg: str, nonce: str, timestamp: str | None = None) -> str:
        return cast(str, self._encrypt_message(msg, nonce, timestamp, _SecretPrpCrypto))


def _crypto(account: WechatAccount) -> _Crypto:
    if not account.aes_key or not account.appid:
        raise SignatureError("safe mode needs the account's EncodingAESKey and appid")
    try:
        return _Crypto(account.token, account.aes_key, account.appid)
    except (ValueError, AssertionError):
        raise SignatureError("the EncodingAESKey is not 43 characters of base64") from None


def _cdata_safe(text: str) -> str:
    # wechatpy puts text in CDATA as is: a "]]>" in it would end the section and break the XML
    return _XML_INVALID.sub("", text).replace("]]>", "]]]]><![CDATA[>")


def reply_xml(
    account: WechatAccount, inbound: InboundWechat, text: str, params: Mapping[str, str], now: datetime
) -> str:
    """A passive text reply to ``inbound``, the HTTP answer to WeChat's POST (within its 5 s), encrypted
    when the callback was (``encrypt_type=aes``), with a fresh nonce and ``now`` as its timestamp."""
    created = int(now.timestamp())
    xml = cast(
        str,
        TextReply(source=inbound.account_id, target=inbound.openid, content=_cdata_safe(text), time=created).render(),
    )
    if params.get("encrypt_type", "raw").lower() != "aes":
        return xml
    nonce = str(secrets.randbelow(10**10))
    return _crypto(account).encrypt_message(xml, nonce, str(created))


# --- the API --------------------------------------------------------------------------------------------

PERMANENT_ERRCODES: dict[int, str] = {
    45015: "out of the 48 h window: the customer has not written for too long",
    43004: "the customer has unsubscribed",
    40003: "not an openid of this account",
    45047: "too many messages since the customer last wrote",
    40037: "no such template",
}
"""Errors no retry will cure; ``WechatApiError.permanent`` is also true for any other code WeChat gives,
except ``RETRYABLE_ERRCODES`` (a malformed request does not get better by waiting)."""

RETRYABLE_ERRCODES = frozenset({-1, 45009, 40001, 40014, 42001})
"""System busy, the daily API limit, and a token still refused after one refresh."""

_TOKEN_ERRCODES = frozenset({40001, 40014, 42001})


class WechatApiError(Exception):
    """A call to WeChat failed. ``errcode`` is WeChat's code, None for network and HTTP errors.
    ``permanent``: whether retrying the same call can ever succeed (see ``PERMANENT_ERRCODES``)."""

    def __init__(self, errcode: int | None, errmsg: str, *, permanent: bool) -> None:
        super().__init__(f"WeChat API error {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg
        self.permanent = permanent


def _redact(text: str) -> str:
    # requests puts the URL (with access_token or secret) in its connection errors
    return _SECRET_IN_URL.sub(r"\1[redacted]", text)


TOKEN_MARGIN = 300.0
"""A token is used until this many seconds before WeChat said it expires (it keeps an old one 5 minutes after a
new fetch, so another process's fetch does not strand a send in the middle)."""


class TokenStore(SessionStorage):  # type: ignore[misc]
    """The access tokens of a process's WeChat accounts (wechatpy's session storage), kept until shortly before
    they expire. WeChat allows an account 2,000 token fetches a day and each fetch retires the previous token,
    so a worker holds one store for all its sends (``Worker.wechat_tokens``) instead of fetching a token per
    message. wechatpy's ``MemoryStorage`` ignores the lifetime: a token there outlives its 2 hours."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._data: dict[str, tuple[Any, float]] = {}
        self._clock = clock

    def get(self, key: str, default: Any = None) -> Any:
        found = self._data.get(key)
        if found is None or found[1] <= self._clock():
            return default
        return found[0]

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        if value is not None:
            self._data[key] = (value, self._clock() + max(0.0, (ttl or 7200) - TOKEN_MARGIN))

    def delete(self, key: str) -> None:
        self._data.pop(key, None)


class _Client(WeChatClient):  # type: ignore[misc]
    """wechatpy's client pointed at ``api_base`` for the token too (its ``fetch_access_token`` hard-codes
    api.weixin.qq.com), and with a timeout on the token fetch (wechatpy's has none)."""

    def __init__(self, appid: str, secret: str, api_base: str, timeout: float, tokens: TokenStore) -> None:
        super().__init__(appid, secret, session=tokens, timeout=timeout, auto_retry=False)
        self.api_base = api_base
        self.API_BASE_URL = f"{api_base}cgi-bin/"

    def fetch_access_token(self) -> dict[str, Any]:
        res = self._http.get(
            f"{self.api_base}cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
            timeout=self.timeout,
        )
        res.raise_for_status()
        try:
            result = res.json()
        except ValueError:
            raise WeChatClientException(None, "the token endpoint did not answer JSON") from None
        if result.get("errcode"):
            raise WeChatClientException(int(result["errcode"]), result.get("errmsg", ""))
        expires_in = int(result.get("expires_in", 7200))
        self.session.set(self.access_token_key, result["access_token"], expires_in)
        self.expires_at = int(time.time()) + expires_in
        return cast(dict[str, Any], result)


class WechatApi:
    """The calls Huiyin makes on WeChat, through wechatpy's client, with the access token from ``tokens`` (the
    worker's store, shared by its sends; a store of its own when none is given, as for a single call).

    Every method raises ``WechatApiError`` and nothing else. A token WeChat refuses as invalid or expired
    (40001/40014/42001) is fetched again once and the call retried once: wechatpy's own ``auto_retry``
    retries recursively with no limit, so it is off. Not thread-safe: one per worker thread.
    """

    def __init__(
        self,
        account: WechatAccount,
        *,
        timeout: float = 10.0,
        max_media_bytes: int = 20 * 1024 * 1024,
        tokens: TokenStore | None = None,
    ):
        if not account.appid or not account.secret:
            raise ValueError("calling WeChat needs the account's appid and secret")
        base = account.api_base if account.api_base.endswith("/") else f"{account.api_base}/"
        self.client = _Client(account.appid, account.secret, base, timeout, tokens or TokenStore())
        self.timeout = timeout
        self.max_media_bytes = max_media_bytes

    def _call(self, fn: Callable[[], T]) -> T:
        for attempt in (1, 2):
            try:
                return fn()
            except WeChatClientException as exc:
                if exc.errcode in _TOKEN_ERRCODES and attempt == 1:
                    try:
                        self.client.fetch_access_token()
                    except WeChatClientException as again:
                        raise _api_error(again) from None
                    except requests.RequestException as again:
                        raise _network_error(again) from None
                    continue
                raise _api_error(exc) from None
            except requests.RequestException as exc:
                raise _network_error(exc) from None
        raise AssertionError("unreachable")

    def send_text(self, openid: str, text: str) -> None:
        """A customer-service text message (only inside the 48 h window: ``in_window``)."""
        self._call(lambda: self.client.message.send_text(openid, text))

    def send_image(self, openid: str, media_id: str) -> None:
        self._call(lambda: self.client.message.send_image(openid, media_id))

    def send_template(self, openid: str, template_id: str, data: dict[str, str], url: str | None = None) -> int:
        """A template message (any time, to a subscriber): ``data`` maps the template's fields to their
        values, sent in WeChat's ``{"field": {"value": …}}`` shape. Returns WeChat's msgid."""
        body = {key: {"value": value} for key, value in data.items()}
        result = self._call(lambda: self.client.message.send_template(openid, template_id, body, url=url))
        return int(result["msgid"])

    def create_menu(self, menu: dict[str, Any]) -> dict[str, Any]:
        """Replace the account's custom menu (``default_menu``); the customers see it within minutes.
        Returns WeChat's answer (``{"errcode": 0, "errmsg": "ok"}``); a refusal raises ``WechatApiError``."""
        return cast(dict[str, Any], self._call(lambda: self.client.menu.create(menu)))

    def download_media(self, media_id: str) -> tuple[bytes, str]:
        """A customer's image/voice/video by MediaId (WeChat keeps them ``MEDIA_KEPT``): the bytes and their
        Content-Type. Written here rather than with wechatpy's ``media.download``, which guesses JSON from
        the bytes and reads any size; WeChat answers errors (40007: no such media_id, or expired) as JSON
        with HTTP 200, labelled application/json (text/plain in older answers), and a file as its type."""
        return self._call(lambda: self._download(media_id))

    def _download(self, media_id: str) -> tuple[bytes, str]:
        http: requests.Session = self.client._http  # wechatpy's session: its proxies and adapters
        params = {"access_token": self.client.access_token, "media_id": media_id}
        res = http.get(f"{self.client.API_BASE_URL}media/get", params=params, timeout=self.timeout, stream=True)
        content, ctype = self._read_capped(res)
        if ctype.startswith(("application/json", "text/plain")):
            try:
                answer = json.loads(content)
            except ValueError:
                answer = None
            if isinstance(answer, dict):
                if answer.get("errcode"):
                    raise WeChatClientException(int(answer["errcode"]), answer.get("errmsg", ""))
                if isinstance(answer.get("video_url"), str):  # a video: WeChat answers where to fetch it
                    video = http.get(answer["video_url"], timeout=self.timeout, stream=True)
                    return self._read_capped(video)
        return content, ctype

    def _read_capped(self, res: requests.Response) -> tuple[bytes, str]:
        with res:
            res.raise_for_status()
            chunks: list[bytes] = []
            size = 0
            for chunk in res.iter_content(64 * 1024):
                size += len(chunk)
                if size > self.max_media_bytes:
                    raise WechatApiError(None, f"media over {self.max_media_bytes} bytes", permanent=True)
                chunks.append(chunk)
            return b"".join(chunks), res.headers.get("Content-Type", "application/octet-stream")


def _api_error(exc: WeChatClientException) -> WechatApiError:
    errcode: int | None = exc.errcode
    if errcode is None:  # wechatpy's wrapper of an HTTP error status
        status = getattr(exc.response, "status_code", None)
        return WechatApiError(None, f"HTTP {status}", permanent=False)
    errmsg = _redact(str(exc.errmsg)) or PERMANENT_ERRCODES.get(errcode, "")
    return WechatApiError(errcode, errmsg, permanent=errcode not in RETRYABLE_ERRCODES)


def _network_error(exc: requests.RequestException) -> WechatApiError:
    return WechatApiError(None, _redact(f"{type(exc).__name__}: {exc}"), permanent=False)


def in_window(last_inbound_at: datetime | None, now: datetime) -> bool:
    """Whether the customer-service API may still write to a customer who last interacted at
    ``last_inbound_at`` (``InboundWechat.opens_window``); outside it, only template messages go."""
    return last_inbound_at is not None and now - last_inbound_at < WINDOW


def default_menu(public_url: str) -> dict[str, Any]:
    """The menu a utility's account starts with: self-service pages, payment pages, and ways to reach us.
    Pages are under ``public_url`` (Huiyin's public address); the click keys come back as CLICK events."""
    base = public_url.rstrip("/")

    def view(name: str, path: str) -> dict[str, str]:
        return {"type": "view", "name": name, "url": f"{base}/wechat/{path}"}

    return {
        "button": [
            {
                "name": "自助服务",
                "sub_button": [view("我要报修", "repair"), view("进度查询", "orders"), view("停气停电公告", "outages")],
            },
            {"name": "缴费服务", "sub_button": [view("缴费", "pay"), view("账单", "bills")]},
            {
                "name": "联系我们",
                "sub_button": [
                    {"type": "click", "name": "在线客服", "key": MENU_CHAT},
                    {"type": "click", "name": "绑定账户", "key": MENU_BIND},
                    view("服务网点", "offices"),
                ],
            },
        ]
    }
