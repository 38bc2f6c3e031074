"""The e-mail channel's adapter: mail in by IMAP, replies out by SMTP, and the parsing in between.

Pure on purpose: no database, no settings, no clock of ours. The channel service (conversations, messages,
cursors) calls these functions and keeps the state; that way this module can be tested against real mail
servers on loopback (``tests/mailservers.py``) and reasoned about without a session.

What real mail from Chinese customers looks like decides most of the code below: charsets labelled gb2312
that are really GBK, raw 8-bit GBK in headers, encoded-words split in the middle of a character, HTML-only
bodies from webmail, whole reply histories quoted under the new text, out-of-office answers and bounces that
must never open a new case or be answered (mail loops), and scanned faxes from a fax-to-mail gateway.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fnmatch
import hashlib
import html
import imaplib
import mimetypes
import quopri
import re
import smtplib
import ssl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, message_from_string
from email import policy as email_policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.utils import format_datetime, getaddresses, make_msgid, parsedate_to_datetime
from html.parser import HTMLParser

__all__ = [
    "Attachment",
    "InboundMail",
    "MailAccount",
    "MailError",
    "MailTooLarge",
    "build_reply",
    "fetch_new",
    "parse_mail",
    "reply_subject",
    "send",
    "thread_keys",
    "uidvalidity",
]

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
"""The usual ceiling of the big Chinese providers (QQ, 163) for a normal mail; bigger ones are refused."""

FAX_SUBJECT = re.compile(r"传真|傳真|\bfax\b|\be-?fax\b", re.IGNORECASE)
"""Subjects a fax-to-mail gateway uses ("传真 来自 0571…", "Fax from …"); with a TIFF/PDF it is a fax."""

_FAX_TYPES = frozenset({"image/tiff", "image/tif", "image/x-tiff", "application/pdf"})
_FAX_EXTENSIONS = (".tif", ".tiff", ".pdf")


# --------------------------------------------------------------------------------------------- data types


class MailTooLarge(Exception):
    """The raw message is bigger than the limit: refused before parsing, so a 300 MB mail cannot eat memory."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"message of {size} bytes is over the limit of {limit} bytes")
        self.size = size
        self.limit = limit


class MailError(Exception):
    """Talking to the IMAP or SMTP server failed.

    ``permanent`` tells the caller whether retrying can help: a refused login, a missing mailbox, a 5xx
    answer need a person (fix the account or the address); a dropped connection or a 4xx answer is retried.
    """

    def __init__(self, message: str, *, permanent: bool, code: int | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.code = code


@dataclass(frozen=True)
class Attachment:
    """A file carried by a mail; ``inline`` ones are shown in the body (pasted screenshots, logos)."""

    filename: str
    content_type: str
    data: bytes
    inline: bool


@dataclass(frozen=True)
class InboundMail:
    """One received mail, reduced to what the channel needs; the raw bytes stay the source of truth."""

    message_id: str
    in_reply_to: str | None
    references: tuple[str, ...]
    sender: str
    sender_name: str | None
    to: tuple[str, ...]
    subject: str
    text: str
    quoted: str
    attachments: tuple[Attachment, ...]
    auto_reply: bool
    bounce: bool
    bounced_recipient: str | None
    bounced_message_id: str | None
    fax: bool
    received_at: datetime | None


@dataclass(frozen=True)
class MailAccount:
    """The centre's mailbox: where mail is read (IMAP) and sent from (SMTP).

    ``imap_ssl`` is implicit TLS (port 993); without it the connection is plain, which is for loopback and
    trusted internal relays only. SMTP: ``smtp_ssl`` is implicit TLS (465), ``smtp_starttls`` upgrades a
    plain connection (587). The password is kept out of ``repr`` so an account in a log line leaks nothing.
    """

    imap_host: str
    imap_port: int
    imap_ssl: bool
    smtp_host: str
    smtp_port: int
    smtp_starttls: bool
    smtp_ssl: bool
    username: str
    password: str = field(repr=False)
    address: str
    display_name: str = "回音客服中心"
    mailbox: str = "INBOX"
    timeout: float = 30.0


# ---------------------------------------------------------------------------------------------- charsets

_SUPERSETS = {
    # Chinese mail labelled gb2312 is routinely GBK (or GB18030): decode with the superset, never lose a 镕.
    "gb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gb_2312": "gb18030",
    "euc-cn": "gb18030",
    "euccn": "gb18030",
    "x-euc-cn": "gb18030",
    "cn-gb": "gb18030",
    "csgb2312": "gb18030",
    "chinese": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "windows-936": "gb18030",
    "ms936": "gb18030",
    "hz-gb-2312": "hz",
    # Traditional Chinese: Windows' cp950 is what "big5" mail usually is; HKSCS for Hong Kong.
    "big5": "cp950",
    "x-big5": "cp950",
    "big-5": "cp950",
    "cn-big5": "cp950",
    "csbig5": "cp950",
    "big5-hkscs": "big5hkscs",
    # Western mail labelled latin-1 is usually Windows-1252 (curly quotes in 0x80-0x9f).
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
}


def _codec(charset: str | None) -> str | None:
    """The codec to decode a declared charset with (a superset where clients mislabel), or None if unknown."""
    if not charset:
        return None
    name = charset.strip().strip("\"'").lower().split("*", 1)[0]  # RFC 2231 language suffix: utf-8*zh
    name = _SUPERSETS.get(name, name)
    try:
        "".encode(name)
    except LookupError:
        return None
    return name


def _decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Text from bytes in whatever charset they claim, or the likely one when the claim is missing or false.

    Tried in turn: the declared charset (as its superset), UTF-8, GB18030 (covers GB2312/GBK), Big5; the
    last resort replaces what does not decode, so a broken mail is still shown rather than crashing.
    """
    declared = _codec(charset)
    tried: list[str] = []
    # cp1252 leaves five bytes undefined: real latin-1 then, not a guess at Chinese
    for name in (declared, "latin-1" if declared == "cp1252" else None, "utf-8", "gb18030", "cp950"):
        if name is None or name in tried:
            continue
        tried.append(name)
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode(tried[0] if tried else "utf-8", errors="replace")


def _unescape_8bit(value: str) -> str:
    """A header parsed from bytes keeps raw 8-bit octets as surrogates; decode them (raw GBK from old clients)."""
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        return _decode_bytes(value.encode("ascii", "surrogateescape"))
    return value


_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")


def _word_bytes(encoding: str, text: str) -> bytes:
    if encoding.lower() == "b":
        text = re.sub(r"[^A-Za-z0-9+/]", "", text)
        text += "=" * (-len(text) % 4)
        try:
            return base64.b64decode(text)
        except (binascii.Error, ValueError):
            return b""
    return quopri.decodestring(text.replace("_", " ").encode("ascii", "replace"), header=True)


def decode_words(value: str | None) -> str:
    """RFC 2047 decoding that survives what clients send: adjacent words with the same charset are joined as
    bytes before decoding (senders split a GBK or UTF-8 character across two words), whitespace between
    words is dropped, unknown charsets fall back to guessing, and raw 8-bit text is decoded too."""
    if not value:
        return ""
    value = _unescape_8bit(str(value))
    out: list[str] = []
    pending: list[bytes] = []
    pending_charset: str | None = None
    pos = 0

    def flush() -> None:
        nonlocal pending, pending_charset
        if pending:
            out.append(_decode_bytes(b"".join(pending), pending_charset))
        pending, pending_charset = [], None

    for match in _ENCODED_WORD.finditer(value):
        between = value[pos : match.start()]
        charset, encoding, text = match.groups()
        if between and not (pending and between.isspace()):  # whitespace between two words is not text
            flush()
            out.append(between)
        if pending and charset.lower() != (pending_charset or "").lower():
            flush()
        pending.append(_word_bytes(encoding, text))
        pending_charset = charset
        pos = match.end()
    flush()
    out.append(value[pos:])
    return "".join(out)


def _one_line(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


# ------------------------------------------------------------------------------------------------ headers


def _header(msg: Message, name: str) -> str:
    """A header's raw text (8-bit octets decoded, encoded-words left alone), "" when missing.

    Read from ``raw_items`` because ``compat32`` turns a header with raw 8-bit octets into a ``Header`` whose
    text is lost ("\ufffd" for every byte); the raw value keeps the bytes to decode as GBK or UTF-8.
    """
    wanted = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == wanted:
            return _unescape_8bit(str(value))
    return ""


def _addresses(raw: str) -> list[tuple[str, str]]:
    """(display name, lower-cased address) pairs; display names are RFC 2047-decoded after splitting, so a
    comma inside an encoded name cannot split an address in two."""
    if not raw:
        return []
    try:
        pairs = getaddresses([raw])
    except Exception:
        return []
    result = []
    for name, addr in pairs:
        addr = addr.strip().strip("<>").lower()
        if not addr:
            continue
        result.append((_one_line(decode_words(name)), addr))
    return result


_MSGID = re.compile(r"<([^<>\s]+)>")


def _message_ids(raw: str) -> list[str]:
    """The ids in a Message-ID/In-Reply-To/References header, without <>; bare ids (no brackets, as some
    broken clients write them) are taken word by word."""
    if not raw:
        return []
    found = _MSGID.findall(raw)
    if found:
        return found
    return [w.strip("<>,;") for w in raw.split() if "@" in w]


def _date(raw: str) -> datetime | None:
    if not raw:
        return None
    try:
        parsed = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:  # "-0000": the time is UTC with no zone information
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


# ---------------------------------------------------------------------------------------------- body text


class _HTMLText(HTMLParser):
    """HTML to plain text: script/style/head dropped with their content, block tags become line breaks,
    entities unescaped, and blockquotes prefixed with "> " so that quoted history is cut like in plain text."""

    _SKIP = frozenset({"script", "style", "head", "title", "template", "noscript", "object", "iframe", "svg"})
    _BLOCK = re.compile(r"p|div|br|li|tr|table|h[1-6]|hr|ul|ol|blockquote|pre|section|article|header|footer|d[ltd]")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.quote = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skip += 1
        elif self._BLOCK.fullmatch(tag):
            self.parts.append("\n")
            if tag == "blockquote":
                self.quote += 1
        elif tag in ("td", "th"):
            self.parts.append("\t")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt and not self.skip:
                self.parts.append(f"[{alt}]")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self._SKIP:  # <script/> opens nothing to skip
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skip = max(0, self.skip - 1)
        elif self._BLOCK.fullmatch(tag):
            self.parts.append("\n")
            if tag == "blockquote":
                self.quote = max(0, self.quote - 1)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        data = re.sub(r"[ \t\r\n\f]+", " ", data)
        if self.quote and data.strip():
            data = "\x00" * self.quote + data  # marks quoted text and its depth; html_to_text adds the "> "
        self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Plain text of an HTML body: what a reader sees, never markup (a ``<script>`` is dropped whole)."""
    parser = _HTMLText()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # HTMLParser is lenient, but never let a hostile body crash the intake
        markup = re.sub(r"(?is)<(script|style)\b.*?(</\1\s*>|$)", " ", markup)
        return re.sub(r"<[^>]*>", " ", html.unescape(re.sub(r"<[^>]*>", " ", markup))).strip()
    lines = []
    for line in "".join(parser.parts).replace("\xa0", " ").split("\n"):
        depth = max((len(run) for run in re.findall("\x00+", line)), default=0)
        line = re.sub(r"[ \t]+", " ", line.replace("\x00", "")).strip()
        lines.append("> " * depth + line if depth and line else line)
    text = _DANGEROUS_TAG.sub("", "\n".join(lines))  # "&lt;script&gt;" is text, yet never hand on a live tag
    return re.sub(r"\n{3,}", "\n\n", text).strip()


_DANGEROUS_TAG = re.compile(
    r"<\s*/?\s*(script|style|iframe|frame|object|embed|svg|math|link|meta|base|form|img|body|html)\b[^>\n]*>?", re.I
)


_SEPARATORS = (
    re.compile(r"^\s*-{2,}\s*(original message|原始邮件|原始郵件|原邮件|forwarded message|转发邮件)\s*-{2,}\s*$", re.I),
    re.compile(r"^\s*_{10,}\s*$"),  # Outlook's rule above "From: … Sent: …"
)
_WROTE_EN = re.compile(r"^\s*on\b.*\d.*\bwrote\s*:\s*$", re.IGNORECASE)
# 163/QQ: "在 2024-05-01 10:00，x <…> 写道："; Gmail: "x <…> 于2024年5月1日周三 10:00写道："
_WROTE_ZH = re.compile(r"^\s*(在|.*于\s*\d).*\d.*(写道|寫道)\s*[:：]\s*$")
_WROTE_START = re.compile(r"^\s*(on\s|在)|于\s*\d", re.IGNORECASE)
_HEADER_FROM = re.compile(r"^\s*\**\s*(from|发件人|寄件者|發件人)\s*\**\s*[:：]", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\s*\**\s*(sent|date|to|subject|发送时间|时间|日期|收件人|主题|寄件日期|傳送時間)\s*\**\s*[:：]", re.IGNORECASE
)


def _quote_start(lines: list[str]) -> int | None:
    """The index of the line where quoted history begins, or None."""
    for i, line in enumerate(lines):
        following = lines[i + 1 : i + 4]
        if any(p.match(line) for p in _SEPARATORS):
            if line.strip().startswith("_") and not any(_HEADER_FROM.match(x) for x in following):
                continue  # a line of underscores alone is just a rule
            return i
        if _WROTE_EN.match(line) or _WROTE_ZH.match(line):
            return i
        if following and _WROTE_START.search(line):  # Gmail and 163 wrap a long "On … wrote:" in two
            joined = f"{line} {following[0]}"
            if _WROTE_EN.match(joined) or _WROTE_ZH.match(joined):
                return i
        if _HEADER_FROM.match(line) and any(_HEADER_NEXT.match(x) for x in following):
            return i  # Outlook/Foxmail: a block of "发件人: … 发送时间: …" heads the quoted mail
    return None


def split_quoted(text: str) -> tuple[str, str]:
    """The new text and the quoted history under it, so the agent sees what the customer wrote this time.

    Everything from the first history marker down ("-----Original Message-----", "在 … 写道：",
    "On … wrote:", an Outlook "From:/Sent:" block) is history; above it, lines starting with ">" are too
    but the lines between them stay (an answer written between quoted lines is new text). When nothing
    would remain (a bare forward), the whole text is kept as new: an empty message helps no one.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    start = _quote_start(lines)
    head, tail = (lines, []) if start is None else (lines[:start], lines[start:])
    kept = [line for line in head if not line.lstrip().startswith(">")]
    quoted_above = [line for line in head if line.lstrip().startswith(">")]
    new = "\n".join(kept).strip()
    quoted = "\n".join([*quoted_above, *tail]).strip()
    if not new:
        return text.strip(), ""
    return new, quoted


# ------------------------------------------------------------------------------------------- MIME walking


def _payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    if isinstance(raw, str):
        return raw.encode("utf-8", "surrogateescape")
    return b""


def _part_text(part: Message) -> str:
    return _decode_bytes(_payload_bytes(part), part.get_content_charset())


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if not name or not isinstance(name, str):
        return None
    name = _one_line(decode_words(name))
    name = name.replace("/", "_").replace("\\", "_").strip(". ")  # never a path on anyone's disk
    return name or None


@dataclass
class _Parts:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    delivery_status: list[str] = field(default_factory=list)
    returned_headers: list[Message] = field(default_factory=list)


def _walk(part: Message, parts: _Parts, depth: int = 0) -> None:
    """Collects text, attachments and bounce material without descending into attached messages (a
    forwarded .eml or a bounce's returned original is not the customer's text)."""
    if depth > 30:  # a hostile nesting: stop rather than recurse forever
        return
    ctype = part.get_content_type()
    if part.is_multipart() and ctype.startswith("multipart/"):
        payload = part.get_payload()
        for child in payload if isinstance(payload, list) else []:
            if isinstance(child, Message):
                _walk(child, parts, depth + 1)
        return
    if ctype.startswith("multipart/"):  # no boundary found: the parser left the body as text; show it
        parts.plain.append(_part_text(part))
        return
    disposition = (part.get_content_disposition() or "").lower()
    name = _filename(part)
    if ctype == "message/delivery-status":
        parts.delivery_status.append(_delivery_status_text(part))
        return
    if ctype in ("message/rfc822", "message/global", "text/rfc822-headers", "message/rfc822-headers"):
        returned = _embedded_message(part)
        if returned is not None:
            parts.returned_headers.append(returned)
        if ctype.endswith("headers"):
            return
        try:
            data = returned.as_bytes() if returned is not None else _payload_bytes(part)
        except Exception:  # an embedded message that does not serialise again: keep its transfer form
            data = _payload_bytes(part)
        parts.attachments.append(Attachment(name or "message.eml", "message/rfc822", data, False))
        return
    if ctype in ("text/plain", "text/html") and name is None and disposition != "attachment":
        (parts.plain if ctype == "text/plain" else parts.html).append(_part_text(part))
        return
    data = _payload_bytes(part)
    if not name:
        ext = mimetypes.guess_extension(ctype) or ".bin"
        name = f"attachment-{len(parts.attachments) + 1}{ext}"
    inline = disposition == "inline" or (disposition == "" and part.get("Content-ID") is not None)
    parts.attachments.append(Attachment(name, ctype, data, inline))


def _delivery_status_text(part: Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list):  # the parser splits the DSN into blocks of fields
        return "\n\n".join(m.as_string() for m in payload if isinstance(m, Message))
    return _part_text(part)


def _embedded_message(part: Message) -> Message | None:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return payload[0]
    if isinstance(payload, str):
        try:
            return message_from_string(payload)
        except Exception:
            return None
    return None


# ------------------------------------------------------------------------------------ classification


_AUTO_SUBJECT = re.compile(
    r"自动回复|自動回覆|自动答复|自動回復|休假|不在办公室|"
    r"auto[\s_-]?reply|auto[\s_-]?response|automatic\s+reply|autoreply|out\s+of\s+(the\s+)?office|"
    r"abwesenheit|vacation\s+reply",
    re.IGNORECASE,
)
_BOUNCE_SENDER = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|maildaemon)@", re.IGNORECASE)
_RECIPIENT_FIELD = re.compile(
    r"^(original|final)-recipient\s*:\s*(?:[^;\n]*;)?\s*<?([^\s<>;]+@[^\s<>;]+)>?", re.I | re.M
)
_ACTION_FAILED = re.compile(r"^action\s*:\s*failed", re.IGNORECASE | re.MULTILINE)


def _is_auto_reply(msg: Message, subject: str) -> bool:
    """RFC 3834 and what the big clients and servers actually set; such a mail must not get our automatic
    acknowledgement (two robots answering each other is a mail loop)."""
    auto_submitted = _header(msg, "Auto-Submitted").split(";", 1)[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return True
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Response-Suppress"):
        value = _header(msg, name).strip().lower()
        if value and value not in ("no", "none", "false"):
            return True
    if _header(msg, "Precedence").strip().lower() in ("bulk", "junk", "auto_reply", "auto-reply"):
        return True
    return bool(_AUTO_SUBJECT.search(subject))


def _bounce_facts(msg: Message, sender: str, parts: _Parts, auto_reply: bool) -> tuple[bool, str | None, str | None]:
    """Whether the mail is a delivery failure report, and for which recipient and which of our messages."""
    ctype = msg.get_content_type()
    report_type = str(msg.get_param("report-type") or "").lower() if ctype == "multipart/report" else ""
    return_path = _header(msg, "Return-Path").strip()
    is_bounce = (
        report_type == "delivery-status"
        or bool(_BOUNCE_SENDER.match(sender))
        or bool(_header(msg, "X-Failed-Recipients"))
        # a null return path alone: a bounce, unless it is a vacation answer (RFC 3834 sends those from <>
        # too) or a read receipt
        or (return_path.replace(" ", "") == "<>" and not auto_reply and report_type != "disposition-notification")
    )
    if not is_bounce:
        return False, None, None
    recipient: str | None = None
    for status in parts.delivery_status:
        blocks = re.split(r"\n\s*\n", status)
        failed = [b for b in blocks if _ACTION_FAILED.search(b)] or blocks
        for block in failed:
            found = {m.group(1).lower(): m.group(2).lower() for m in _RECIPIENT_FIELD.finditer(block)}
            recipient = found.get("original") or found.get("final")
            if recipient:
                break
        if recipient:
            break
    if recipient is None:
        failed_header = _addresses(_header(msg, "X-Failed-Recipients"))
        recipient = failed_header[0][1] if failed_header else None
    message_id: str | None = None
    for returned in parts.returned_headers:
        ids = _message_ids(_header(returned, "Message-ID"))
        if ids:
            message_id = ids[0]
            break
    if message_id is None:  # a plain-text bounce that pastes the original's headers into its body
        for text in parts.plain:
            match = re.search(r"^\s*message-id\s*:\s*<([^<>\s]+)>", text, re.IGNORECASE | re.MULTILINE)
            if match:
                message_id = match.group(1)
                break
    return True, recipient, message_id


def _is_fax(
    sender: str,
    subject: str,
    attachments: Sequence[Attachment],
    fax_senders: Sequence[str],
    fax_subject: re.Pattern[str],
) -> bool:
    """A fax-to-mail gateway's delivery: its sender (configured, exact or glob) or a fax subject, and a scan."""
    has_scan = any(
        a.content_type.lower() in _FAX_TYPES or a.filename.lower().endswith(_FAX_EXTENSIONS) for a in attachments
    )
    if not has_scan:
        return False
    if any(fnmatch.fnmatchcase(sender, pattern.strip().lower()) for pattern in fax_senders if pattern.strip()):
        return True
    return bool(fax_subject.search(subject))


# ----------------------------------------------------------------------------------------------- parsing


HEAD_LIMIT = 64 * 1024


def parse_head(raw: bytes, *, fax_senders: Sequence[str] = ()) -> InboundMail:
    """A mail too large to take whole, as its headers alone (who, subject, Message-ID, threading): the centre
    still sees that it came and can answer it; its body and attachments stay in the mailbox."""
    head = raw[:HEAD_LIMIT]
    ends = [i for i in (head.find(b"\r\n\r\n"), head.find(b"\n\n")) if i >= 0]
    head = head[: min(ends)] if ends else head
    return parse_mail(head + b"\r\n\r\n", max_bytes=HEAD_LIMIT + 4, fax_senders=fax_senders)


def parse_mail(
    raw: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    fax_senders: Sequence[str] = (),
    fax_subject: re.Pattern[str] = FAX_SUBJECT,
) -> InboundMail:
    """One raw RFC 5322 message as an :class:`InboundMail`; never raises on malformed input (only on size).

    The parser runs with the lenient ``compat32`` policy on purpose: the modern policy raises on some broken
    headers when they are read, and mail from the wild has plenty. ``fax_senders`` are the addresses of the
    fax gateway (exact or glob, e.g. ``"*@fax.example.cn"``).
    """
    if len(raw) > max_bytes:
        raise MailTooLarge(len(raw), max_bytes)
    msg = message_from_bytes(raw, policy=email_policy.compat32)

    ids = _message_ids(_header(msg, "Message-ID"))
    message_id = ids[0] if ids else f"{hashlib.sha256(raw).hexdigest()[:32]}@synthetic.huiyin"
    reply_to_ids = _message_ids(_header(msg, "In-Reply-To"))
    references = tuple(_message_ids(_header(msg, "References")))

    senders = _addresses(_header(msg, "From")) or _addresses(_header(msg, "Sender"))
    sender_name, sender = senders[0] if senders else ("", "")
    to = tuple(addr for _, addr in _addresses(_header(msg, "To")) if addr)
    subject = _one_line(decode_words(_header(msg, "Subject")))

    parts = _Parts()
    _walk(msg, parts)
    plain = "\n\n".join(t.strip("\n") for t in parts.plain if t.strip())
    body = plain if plain else "\n\n".join(html_to_text(h) for h in parts.html if h.strip())
    text, quoted = split_quoted(body)

    auto_reply = _is_auto_reply(msg, subject)
    bounce, bounced_recipient, bounced_message_id = _bounce_facts(msg, sender, parts, auto_reply)
    attachments = tuple(parts.attachments)
    return InboundMail(
        message_id=message_id,
        in_reply_to=reply_to_ids[0] if reply_to_ids else None,
        references=references,
        sender=sender,
        sender_name=sender_name or None,
        to=to,
        subject=subject,
        text=text,
        quoted=quoted,
        attachments=attachments,
        auto_reply=auto_reply,
        bounce=bounce,
        bounced_recipient=bounced_recipient,
        bounced_message_id=bounced_message_id,
        fax=_is_fax(sender, subject, attachments, fax_senders, fax_subject),
        received_at=_date(_header(msg, "Date")),
    )


def thread_keys(mail: InboundMail) -> list[str]:
    """The ids that can tie a mail to an earlier one, best first: In-Reply-To (its parent), then References
    from the newest back (clients that drop In-Reply-To, e.g. some webmail, still keep References)."""
    keys: list[str] = []
    for key in [mail.in_reply_to, *reversed(mail.references)]:
        if key and key not in keys:
            keys.append(key)
    return keys


# ----------------------------------------------------------------------------------------------- IMAP


def _imap_utf7(name: str) -> str:
    """A mailbox name in IMAP's modified UTF-7 (RFC 3501 5.1.3): "收件箱" and friends on Chinese servers."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            encoded = base64.b64encode("".join(run).encode("utf-16-be")).decode("ascii").rstrip("=")
            out.append("&" + encoded.replace("/", ",") + "-")
            run.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            run.append(ch)
    flush()
    return "".join(out)


def _quote(name: str) -> str:
    encoded = _imap_utf7(name)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _imap_text(exc: BaseException) -> str:
    """imaplib raises with the server's bytes as the argument: show them as text, not as b'...'."""
    if exc.args and isinstance(exc.args[0], bytes):
        return exc.args[0].decode("utf-8", "replace")
    return str(exc)


def _imap_failure(exc: BaseException, during: str) -> MailError:
    """A library exception as a MailError: the permanent ones need a person, the rest are retried."""
    text = _imap_text(exc)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return MailError(
            f"IMAP {during}: the server's certificate is not trusted ({exc.verify_message})", permanent=True
        )
    if isinstance(exc, imaplib.IMAP4.abort | OSError | EOFError):
        return MailError(f"IMAP {during}: connection failed ({exc.__class__.__name__}: {text})", permanent=False)
    if isinstance(exc, imaplib.IMAP4.error):
        temporary = any(code in text.upper() for code in ("[UNAVAILABLE]", "[INUSE]", "[LIMIT]", "[SERVERBUG]"))
        return MailError(f"IMAP {during} refused: {text}", permanent=not temporary)
    return MailError(f"IMAP {during}: {exc.__class__.__name__}: {text}", permanent=False)


@contextlib.contextmanager
def _imap(account: MailAccount) -> Iterator[imaplib.IMAP4]:
    """A logged-in IMAP connection, closed on the way out whatever happens."""
    try:
        if account.imap_ssl:
            conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                account.imap_host, account.imap_port, ssl_context=ssl.create_default_context(), timeout=account.timeout
            )
        else:
            conn = imaplib.IMAP4(account.imap_host, account.imap_port, timeout=account.timeout)
    except Exception as exc:
        raise _imap_failure(exc, "connect") from exc
    try:
        try:
            conn.login(account.username, account.password)
        except imaplib.IMAP4.abort as exc:
            raise _imap_failure(exc, "login") from exc
        except imaplib.IMAP4.error as exc:
            failure = _imap_failure(exc, "login")
            raise MailError(
                f"IMAP login as {account.username} refused: {_imap_text(exc)}", permanent=failure.permanent
            ) from exc
        except Exception as exc:
            raise _imap_failure(exc, "login") from exc
        yield conn
    finally:
        with contextlib.suppress(Exception):
            conn.logout()


def _examine(conn: imaplib.IMAP4, mailbox: str) -> None:
    try:
        status, data = conn.select(_quote(mailbox), readonly=True)
    except Exception as exc:
        raise _imap_failure(exc, f"select {mailbox}") from exc
    if status != "OK":
        raise MailError(f"IMAP select {mailbox} refused: {data!r}", permanent=True)


def uidvalidity(account: MailAccount) -> int:
    """The mailbox's UIDVALIDITY: when it changes, every UID the caller kept is void and its cursor restarts."""
    with _imap(account) as conn:
        try:
            status, data = conn.status(_quote(account.mailbox), "(UIDVALIDITY)")
        except Exception as exc:
            raise _imap_failure(exc, "status") from exc
        if status != "OK":
            raise MailError(f"IMAP status of {account.mailbox} refused: {data!r}", permanent=True)
        text = b" ".join(d for d in data if isinstance(d, bytes)).decode("ascii", "replace")
        match = re.search(r"UIDVALIDITY\s+(\d+)", text, re.IGNORECASE)
        if not match:
            raise MailError(f"IMAP status of {account.mailbox} has no UIDVALIDITY: {text!r}", permanent=False)
        return int(match.group(1))


_FETCH_UID = re.compile(rb"\bUID\s+(\d+)", re.IGNORECASE)


def _fetched(data: list[object]) -> dict[int, bytes]:
    """imaplib's FETCH answer as {uid: raw}: the UID may come before the literal or after it."""
    result: dict[int, bytes] = {}
    for i, item in enumerate(data):
        if not isinstance(item, tuple) or len(item) < 2:
            continue
        head, body = item[0], item[1]
        if not isinstance(head, bytes) or not isinstance(body, bytes) or b"BODY[]" not in head.upper():
            continue
        match = _FETCH_UID.search(head)
        after = data[i + 1] if i + 1 < len(data) else None
        if match is None and isinstance(after, bytes):
            match = _FETCH_UID.search(after)
        if match is not None:
            result[int(match.group(1))] = body
    return result


def fetch_new(account: MailAccount, after_uid: int, *, limit: int = 100) -> list[tuple[int, bytes]]:
    """Messages with a UID above ``after_uid``, oldest first, at most ``limit``: (uid, raw bytes) pairs.

    Read-only (EXAMINE, BODY.PEEK): reading does not mark mail seen, so people looking at the same mailbox
    in a mail client see what is new. ``UID n:*`` always matches the last message even when its UID is
    below n (RFC 3501: "*" is the largest UID in use), so UIDs at or below the cursor are dropped here.
    """
    with _imap(account) as conn:
        _examine(conn, account.mailbox)
        try:
            status, data = conn.uid("SEARCH", f"UID {after_uid + 1}:*")
        except Exception as exc:
            raise _imap_failure(exc, "search") from exc
        if status != "OK":
            raise MailError(f"IMAP search refused: {data!r}", permanent=False)
        uids = sorted({int(u) for d in data if isinstance(d, bytes) for u in d.split() if u.isdigit()})
        uids = [u for u in uids if u > after_uid][: max(0, limit)]
        result: list[tuple[int, bytes]] = []
        for start in range(0, len(uids), 20):  # a bounded answer per round trip, not 100 mails in one
            chunk = uids[start : start + 20]
            try:
                status, data = conn.uid("FETCH", ",".join(map(str, chunk)), "(UID BODY.PEEK[])")
            except Exception as exc:
                raise _imap_failure(exc, "fetch") from exc
            if status != "OK":
                raise MailError(f"IMAP fetch refused: {data!r}", permanent=False)
            got = _fetched(list(data))
            result.extend((uid, got[uid]) for uid in chunk if uid in got)  # a UID expunged meanwhile is skipped
        return result


# ----------------------------------------------------------------------------------------------- SMTP

_REPLY_PREFIX = re.compile(r"^\s*((re|aw|sv|antw|回复|回覆|答复|答覆)\s*(\[\d+\]|\(\d+\))?\s*[:：]\s*)+", re.IGNORECASE)


def reply_subject(subject: str) -> str:
    """The subject with "Re: " exactly once, whatever prefixes the customer's client stacked up ("RE: 回复: …")."""
    base = _REPLY_PREFIX.sub("", _one_line(subject or ""))
    return f"Re: {base}" if base else "Re:"


def _bare_id(value: str) -> str:
    return value.strip().strip("<>").strip()


def build_reply(
    account: MailAccount,
    *,
    to: str,
    subject: str,
    text: str,
    in_reply_to: str | None,
    references: Sequence[str],
    attachments: Sequence[Attachment] = (),
    auto: bool = False,
) -> EmailMessage:
    """A reply the customer's client threads under their mail: In-Reply-To is their Message-ID, References is
    their References plus that id (RFC 5322 3.6.4), and the subject gets one "Re: ".

    ``auto=True`` marks our own automatic acknowledgements (``Auto-Submitted: auto-replied``, RFC 3834) and
    asks Exchange not to answer them with an out-of-office, so two robots cannot loop; replies written by
    an agent are not marked. The body is UTF-8 in base64 (safe through relays without 8BITMIME); the
    display name is RFC 2047-encoded by the email package.
    """
    domain = account.address.rsplit("@", 1)[-1] if "@" in account.address else None
    msg = EmailMessage()
    msg["From"] = Address(display_name=account.display_name or "", addr_spec=account.address)
    msg["To"] = to
    msg["Subject"] = reply_subject(subject)
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain=domain)
    chain = [_bare_id(r) for r in references if _bare_id(r)]
    parent = _bare_id(in_reply_to) if in_reply_to else ""
    if parent:
        msg["In-Reply-To"] = f"<{parent}>"
        if parent in chain:
            chain.remove(parent)
        chain.append(parent)
    if chain:
        if len(chain) > 20:  # keep the thread's root and the newest; some servers refuse endless headers
            chain = [chain[0], *chain[-19:]]
        msg["References"] = " ".join(f"<{r}>" for r in chain)
    if auto:
        msg["Auto-Submitted"] = "auto-replied"
        msg["X-Auto-Response-Suppress"] = "All"
    cte = "7bit" if text.isascii() and all(len(line) < 990 for line in text.splitlines()) else "base64"
    msg.set_content(text, subtype="plain", charset="utf-8", cte=cte)
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        if not maintype or not subtype:
            maintype, subtype = "application", "octet-stream"
        msg.add_attachment(
            attachment.data,
            maintype=maintype,
            subtype=subtype,
            filename=attachment.filename,
            disposition="inline" if attachment.inline else "attachment",
        )
    return msg


def _smtp_failure(exc: BaseException) -> MailError:
    """5xx is permanent (the address or the content is refused, retrying gives the same answer)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        permanent = bool(codes) and all(500 <= c < 600 for c in codes)
        detail = "; ".join(
            f"{rcpt}: {code} {msg.decode('utf-8', 'replace')}" for rcpt, (code, msg) in exc.recipients.items()
        )
        return MailError(f"SMTP recipients refused: {detail}", permanent=permanent, code=codes[0] if codes else None)
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        reply = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return MailError(f"SMTP refused: {code} {reply}", permanent=500 <= code < 600, code=code)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return MailError(f"SMTP: {exc} (check the account's TLS settings)", permanent=True)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return MailError(f"SMTP: the server's certificate is not trusted ({exc.verify_message})", permanent=True)
    if isinstance(exc, smtplib.SMTPException) and not isinstance(exc, smtplib.SMTPServerDisconnected):
        return MailError(f"SMTP: {exc}", permanent=True)  # e.g. no authentication method in common
    return MailError(f"SMTP: connection failed ({exc.__class__.__name__}: {exc})", permanent=False)


def send(account: MailAccount, message: EmailMessage) -> None:
    """Hands the message to the account's SMTP server (implicit TLS, STARTTLS or plain, as configured),
    logging in when the account has a username and the server offers AUTH.

    Raises MailError; when the server accepted some recipients and refused others the mail is out, so the
    error is permanent (a retry would send it twice to those who got it).
    """
    context = ssl.create_default_context()
    try:
        if account.smtp_ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                account.smtp_host, account.smtp_port, timeout=account.timeout, context=context
            )
        else:
            client = smtplib.SMTP(account.smtp_host, account.smtp_port, timeout=account.timeout)
    except (smtplib.SMTPException, OSError) as exc:
        raise _smtp_failure(exc) from exc
    try:
        client.ehlo()
        if account.smtp_starttls and not account.smtp_ssl:
            client.starttls(context=context)
            client.ehlo()
        if account.username and client.has_extn("auth"):
            client.login(account.username, account.password)
        refused = client.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise _smtp_failure(exc) from exc
    finally:
        # not ``with client``: a failed QUIT after the server took the mail must not look like a failed send
        with contextlib.suppress(smtplib.SMTPException, OSError):
            client.quit()
        client.close()
    if refused:
        detail = "; ".join(f"{rcpt}: {code}" for rcpt, (code, _) in refused.items())
        raise MailError(f"SMTP refused some recipients (the others got it): {detail}", permanent=True)
