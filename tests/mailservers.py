"""Real mail servers on loopback for the e-mail channel's tests, and realistic customer mails.

``mail_servers(tmp_path)`` starts an IMAP server (pymap, in-memory backend, in a subprocess) and an SMTP
server (aiosmtpd in a thread) and wires them like a small mail host: the SMTP server delivers mail for the
centre's address into the IMAP INBOX (by IMAP APPEND, with the ``Return-Path`` an MDA would add) and keeps
everything else it is asked to send in ``world.sent``. The adapter in ``huiyin/channels/mail.py`` then talks
to them over TCP exactly as it would to a provider, so the IMAP and SMTP code paths are really exercised.

Parallel-safe (pytest-xdist): free ports picked per world, retried when another worker took one first; the
password is new per world, so a login that succeeds proves the server is ours; logs go under ``tmp_path``.

``mail_message(kind, ...)`` builds the mails customers and machines really send: plain UTF-8, HTML-only,
GBK (labelled gb2312) and Big5, attachments, replies with quoted history, out-of-office answers, a Postfix
bounce (multipart/report DSN) and a fax from a fax-to-mail gateway.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import imaplib
import quopri
import re
import secrets
import smtplib
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from huiyin.channels.mail import MailAccount
from tests.logcheck import check_file, remember

CENTRE = "kefu@huiyin.test"
CENTRE_NAME = "回音客服中心"

# Attachment bodies that hold every byte value, so any re-encoding on the way shows up as a difference.
_ALL_BYTES = bytes(range(256)) * 4
JPEG_BYTES = bytes.fromhex("ffd8ffe000104a46494600010101004800480000") + _ALL_BYTES + b"\xff\xd9"
PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + _ALL_BYTES + b"\n%%EOF\n"
TIFF_BYTES = b"II*\x00\x08\x00\x00\x00" + _ALL_BYTES


# ------------------------------------------------------------------------------------------------ servers


@dataclass
class MailWorld:
    """The two servers and the centre's account on them."""

    account: MailAccount
    imap_log: Path
    sent: list[EmailMessage] = field(default_factory=list)
    _changed: threading.Condition = field(default_factory=threading.Condition, repr=False)

    def deliver(self, raw: bytes | EmailMessage, *, mail_from: str | None = None) -> None:
        """Delivers a mail to the centre as another MTA would: SMTP to our server, which appends it to the
        IMAP INBOX before it answers 250, so the mail is visible by IMAP when this returns.

        The envelope sender is ``mail_from``, else the mail's ``Return-Path`` (``<>`` for bounces and
        vacation answers: the null sender), else its From address.
        """
        data = raw.as_bytes(policy=email_policy.SMTP) if isinstance(raw, EmailMessage) else raw
        if mail_from is None:
            headers = message_from_bytes(data, policy=email_policy.compat32)
            return_path = headers.get("Return-Path")
            if return_path is not None:
                mail_from = parseaddr(str(return_path))[1]
            else:
                mail_from = parseaddr(str(headers.get("From", "")))[1]
        with smtplib.SMTP(self.account.smtp_host, self.account.smtp_port, local_hostname="mta.example.net") as mta:
            mta.sendmail(mail_from, [self.account.address], data)

    def wait_sent(self, n: int, timeout: float = 5) -> list[EmailMessage]:
        """Waits until at least ``n`` mails went out through the SMTP server; they, in order."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.sent) >= n, timeout):
                raise AssertionError(f"expected {n} sent mail(s) within {timeout}s, got {len(self.sent)}")
            return list(self.sent)

    def _record(self, message: EmailMessage) -> None:
        with self._changed:
            self.sent.append(message)
            self._changed.notify_all()


def free_port() -> int:
    """A port nothing listens on right now (another process may take it: callers retry)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _without_return_path(data: bytes) -> bytes:
    """The header block without Return-Path lines (an MDA replaces them with the envelope's)."""
    end = re.search(rb"\r?\n\r?\n", data)
    head, body = (data[: end.start()], data[end.start() :]) if end else (data, b"")
    head = re.sub(rb"(?im)^return-path:[^\n]*\n?(?:[ \t][^\n]*\n?)*", b"", head)
    return head + body


class _Relay:
    """aiosmtpd handler: the centre's own mail goes into its IMAP INBOX, the rest is "sent" (kept).

    Relaying to other domains needs AUTH, as on any real submission server, so a reply only leaves when
    the adapter logged in.
    """

    def __init__(self, world: MailWorld, imap_port: int) -> None:
        self.world = world
        self.imap_port = imap_port

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]) -> str:
        if address.lower() != self.world.account.address and not session.authenticated:
            return "554 5.7.1 Relay access denied"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        data: bytes = envelope.original_content or envelope.content
        local = [r for r in envelope.rcpt_tos if r.lower() == self.world.account.address]
        if local:
            sender = (envelope.mail_from or "").strip("<>")  # aiosmtpd keeps the null sender as "<>"
            stored = b"Return-Path: <" + sender.encode() + b">\r\n" + _without_return_path(data)
            try:
                await asyncio.to_thread(self._append, stored)
            except Exception as exc:
                return f"451 4.3.0 local delivery failed: {exc.__class__.__name__}"
        if len(local) < len(envelope.rcpt_tos):
            self.world._record(message_from_bytes(data, policy=email_policy.default))
        return "250 2.0.0 OK"

    def _append(self, data: bytes) -> None:
        account = self.world.account
        with imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=10) as imap:
            imap.login(account.username, account.password)
            imap.append("INBOX", None, None, data)


def _start_imap(log: Path, user: str, password: str) -> tuple[subprocess.Popen[bytes], int]:
    """pymap on a free port; waits until our user can log in (then the server on that port is ours)."""
    for _ in range(5):
        port = free_port()
        start = log.stat().st_size if log.exists() else 0
        with log.open("ab") as out:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "from pymap.main import main; main()",
                    "--pid-file",  # only used when the optional "pid" package is installed: never a shared name
                    f"huiyin-test-pymap-{uuid.uuid4().hex}.pid",
                    "--no-service",  # the admin service would open a socket at a fixed path
                    "admin",
                    "--no-service",
                    "managesieve",
                    "--no-service",
                    "swim",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--no-tls",
                    "dict",
                    f"--demo-user={user}",
                    f"--demo-password={password}",  # "=": a password may start with "-"
                ],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with imaplib.IMAP4("127.0.0.1", port, timeout=2) as probe:
                    probe.login(user, password)
                    return proc, port
            except (OSError, imaplib.IMAP4.error):
                time.sleep(0.05)
        _stop(proc)
        output = log.read_bytes()[start:].decode("utf-8", "replace")
        if "address already in use" not in output.lower():
            raise RuntimeError(f"pymap did not start on 127.0.0.1:{port}:\n{output[-2000:]}")
    raise RuntimeError("pymap: no free port after 5 tries")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def _login_ok(account: MailAccount) -> Any:
    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == account.username
            and auth_data.password.decode() == account.password
        )
        return AuthResult(success=ok, handled=False)

    return authenticator


@contextlib.contextmanager
def mail_servers(tmp_path: Path) -> Iterator[MailWorld]:
    """An IMAP and an SMTP server on loopback and the centre's account ``kefu@huiyin.test`` on both."""
    password = secrets.token_urlsafe(16)
    remember(password)  # and tests/conftest.py fails any test that logs it
    log = tmp_path / f"pymap-{uuid.uuid4().hex[:8]}.log"
    proc, imap_port = _start_imap(log, CENTRE, password)
    controller: Controller | None = None
    try:
        world = MailWorld(
            account=MailAccount(
                imap_host="127.0.0.1",
                imap_port=imap_port,
                imap_ssl=False,
                smtp_host="127.0.0.1",
                smtp_port=0,
                smtp_starttls=False,
                smtp_ssl=False,
                username=CENTRE,
                password=password,
                address=CENTRE,
                display_name=CENTRE_NAME,
                timeout=10,
            ),
            imap_log=log,
        )
        relay = _Relay(world, imap_port)
        for attempt in range(5):
            smtp_port = free_port()
            controller = Controller(
                relay,
                hostname="127.0.0.1",
                port=smtp_port,
                server_hostname="mx.huiyin.test",  # not getfqdn(): no DNS lookup in tests
                ready_timeout=15,
                authenticator=_login_ok(world.account),
                auth_require_tls=False,  # loopback without TLS, like the rest of the test servers
            )
            try:
                controller.start()
                break
            except OSError:  # another worker took the port between probe and bind
                controller = None
                if attempt == 4:
                    raise
        assert controller is not None
        world.account = dataclasses.replace(world.account, smtp_port=controller.port)
        yield world
    finally:
        if controller is not None:
            controller.stop()
        _stop(proc)
        check_file(log)


# ------------------------------------------------------------------------------------------- mail factory

MailKind = Literal["plain", "html", "gbk", "big5", "attachment", "reply", "auto_reply", "bounce", "fax"]

DEFAULT_TEXT = "你好，我家（幸福小区3栋2单元）从早上开始停水，请问什么时候恢复？\n联系电话 13800138000"
REPLY_TEXT = "好的，现在已经来水了，谢谢！"
QUOTED_HISTORY = (
    "在 2024-05-01 10:00:00，“回音客服中心” <kefu@huiyin.test> 写道：\n"
    "> 您好，您反映的停水问题已受理，工单号 WO-2024-0001。\n"
    "> 回音客服中心\n"
)
HTML_BODY = """<!DOCTYPE html><html><head><title>邮件</title>
<style>p { color: red; }</style>
<script>alert("xss")</script></head>
<body><p>您好：</p><div>我家的<b>水表</b>读数 &lt;12345&gt; 不对 &amp; 账单偏高&nbsp;200元。</div>
<img src="x" onerror="alert(1)" alt="">
<p>李四<br>13900139000</p></body></html>"""


def _b64(text: str, charset: str) -> str:
    return base64.b64encode(text.encode(charset)).decode("ascii")


def _word(text: str, charset: str) -> str:
    """An RFC 2047 encoded-word the way Chinese clients write them."""
    return f"=?{charset}?B?{_b64(text, charset)}?="


def _wrap(data: bytes) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return "\r\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))


def _ids(values: Sequence[str]) -> str:
    return " ".join(f"<{v.strip('<>')}>" for v in values)


def mail_message(
    kind: MailKind = "plain",
    *,
    sender: str | None = None,
    to: str = CENTRE,
    subject: str | None = None,
    text: str | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    date: str | None = None,
    headers: Mapping[str, str] | None = None,
    bounced_recipient: str = "nobody@example.com",
    bounced_message_id: str = "reply-1@huiyin.test",
) -> bytes:
    """A raw customer (or machine) mail of the given kind, as the wire carries it (CRLF, encoded headers).

    Built by hand where the real thing is not what Python's email package would write (GBK encoded-words,
    a Postfix DSN); ``headers`` adds or overrides headers (e.g. ``{"Precedence": "bulk"}``).
    """
    mid = f"<{(message_id or make_msgid(domain='mail.example.com')).strip('<>')}>"
    date = date or formatdate(1714528800, localtime=False)  # 2024-05-01 02:00 UTC
    extra = dict(headers or {})
    if kind == "reply" and in_reply_to is None:
        in_reply_to = "ack-1@huiyin.test"
        references = references or ("case-root@mail.example.com", "ack-1@huiyin.test")

    top: dict[str, str] = {}
    body: str

    if kind in ("plain", "reply", "auto_reply"):
        name = sender or f"{_word('张三', 'UTF-8')} <zhangsan@example.com>"
        if kind == "plain":
            subj, content = subject or "停水咨询", text if text is not None else DEFAULT_TEXT
        elif kind == "reply":
            subj, content = (
                subject or "回复：Re: 停水咨询",
                text if text is not None else REPLY_TEXT + "\n\n" + QUOTED_HISTORY,
            )
        else:
            subj = subject or "Out of Office: Re: 停水咨询"
            content = (
                text if text is not None else "我 5 月 1 日至 5 月 5 日休假，期间不处理邮件。\nI am out of office."
            )
            top.update({"Return-Path": "<>", "Auto-Submitted": "auto-replied", "X-Autoreply": "yes"})
        top.update({"From": name, "Subject": _word(subj, "UTF-8")})
        top.update({"Content-Type": 'text/plain; charset="utf-8"', "Content-Transfer-Encoding": "base64"})
        body = _wrap(content.encode("utf-8"))
    elif kind == "html":
        top["From"] = sender or f"{_word('李四', 'UTF-8')} <lisi@example.com>"
        top["Subject"] = _word(subject or "水费账单有误", "UTF-8")
        top["Content-Type"] = 'text/html; charset="utf-8"'
        top["Content-Transfer-Encoding"] = "quoted-printable"
        body = quopri.encodestring((text or HTML_BODY).encode("utf-8")).decode("ascii").replace("\n", "\r\n")
    elif kind == "gbk":
        # Foxmail/Outlook in China: everything labelled gb2312 even when a character needs GBK (镕, 堃)
        top["From"] = sender or f'"{_word("王镕", "gbk")}" <wangrong@163.com>'
        top["Subject"] = _word(subject or "燃气表读数异常（堃园小区）", "gbk")
        top["Content-Type"] = 'text/plain; charset="gb2312"'
        top["Content-Transfer-Encoding"] = "base64"
        body = _wrap((text or "您好，堃园小区5栋的燃气表读数异常，王镕 反映。").encode("gbk"))
    elif kind == "big5":
        top["From"] = sender or f"{_word('陳大文', 'big5')} <chan@example.com.tw>"
        top["Subject"] = _word(subject or "請問何時恢復供水", "big5")
        top["Content-Type"] = 'text/plain; charset="big5"'
        top["Content-Transfer-Encoding"] = "quoted-printable"
        body = quopri.encodestring((text or "您好，請問何時恢復供水？謝謝。").encode("big5")).decode("ascii")
    elif kind in ("attachment", "fax"):
        boundary = f"----=_Part_{uuid.uuid4().hex[:12]}"
        if kind == "attachment":
            top["From"] = sender or f"{_word('赵六', 'UTF-8')} <zhaoliu@example.com>"
            top["Subject"] = _word(subject or "漏水照片和账单", "UTF-8")
            content = text if text is not None else "照片和账单见附件。"
            files = [
                ("image/jpeg", '"IMG_0001.jpg"', JPEG_BYTES),
                # 2047 in the name parameter, as Foxmail and old Outlook write a Chinese file name
                ("application/pdf", f'"{_word("电费单.pdf", "gbk")}"', PDF_BYTES),
            ]
        else:
            top["From"] = sender or f"{_word('传真服务器', 'UTF-8')} <fax@fax-gw.example.com>"
            top["Subject"] = _word(subject or "传真 来自 0571-88886666 (2页)", "UTF-8")
            content = text if text is not None else "您收到一份传真，共 2 页，见附件。"
            files = [("image/tiff", '"fax_20240501_100000.tif"', TIFF_BYTES)]
        top["Content-Type"] = f'multipart/mixed; boundary="{boundary}"'
        chunks = [
            "This is a multi-part message in MIME format.\r\n",
            f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            f"{_wrap(content.encode('utf-8'))}\r\n",
        ]
        for ctype, quoted_name, data in files:
            chunks.append(
                f"--{boundary}\r\nContent-Type: {ctype}; name={quoted_name}\r\n"
                f"Content-Disposition: attachment; filename={quoted_name}\r\n"
                f"Content-Transfer-Encoding: base64\r\n\r\n{_wrap(data)}\r\n"
            )
        chunks.append(f"--{boundary}--\r\n")
        body = "".join(chunks)
    elif kind == "bounce":
        return _postfix_bounce(to, bounced_recipient, bounced_message_id, date, mid, extra)
    else:  # pragma: no cover - Literal guards it
        raise ValueError(kind)

    head: dict[str, str] = {
        **({"Return-Path": top.pop("Return-Path")} if "Return-Path" in top else {}),
        "From": top.pop("From"),
        "To": to,
        "Subject": top.pop("Subject"),
        "Date": date,
        "Message-ID": mid,
    }
    if in_reply_to:
        head["In-Reply-To"] = f"<{in_reply_to.strip('<>')}>"
    if references:
        head["References"] = _ids(references)
    head.update({"MIME-Version": "1.0", **top, "X-Mailer": "Foxmail 7.2.25.228[cn]"})
    head.update(extra)
    lines = [f"{k}: {v}" for k, v in head.items()]
    return ("\r\n".join(lines) + "\r\n\r\n" + body.rstrip("\r\n") + "\r\n").encode("ascii")


def _postfix_bounce(to: str, recipient: str, original_id: str, date: str, mid: str, extra: Mapping[str, str]) -> bytes:
    """A delivery status notification exactly as Postfix sends it (RFC 3464 multipart/report)."""
    queue_id = "3F6A2C0E41"
    boundary = f"{queue_id}.1714528800/mx.huiyin.test"
    original = (
        f"Return-Path: <{to}>\r\n"
        "Received: by mx.huiyin.test (Postfix, from userid 1000)\r\n"
        f"\tid {queue_id}; Wed,  1 May 2024 10:00:00 +0800 (CST)\r\n"
        f"From: {_word(CENTRE_NAME, 'utf-8')} <{to}>\r\n"
        f"To: {recipient}\r\n"
        f"Subject: {_word('Re: 停水咨询', 'utf-8')}\r\n"
        f"Message-ID: <{original_id.strip('<>')}>\r\n"
        "Date: Wed, 01 May 2024 02:00:00 +0000\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{_wrap('您好，停水问题已处理。'.encode())}\r\n"
    )
    headers = {
        "Return-Path": "<>",
        "Received": f"by mx.huiyin.test (Postfix)\r\n\tid 4B7D1C0E42; {date}",
        "Date": date,
        "From": "MAILER-DAEMON@mx.huiyin.test (Mail Delivery System)",
        "Subject": "Undelivered Mail Returned to Sender",
        "To": to,
        "Auto-Submitted": "auto-replied",
        "MIME-Version": "1.0",
        "Content-Type": f'multipart/report; report-type=delivery-status;\r\n\tboundary="{boundary}"',
        "Content-Transfer-Encoding": "8bit",
        "Message-Id": mid,
        **extra,
    }
    body = (
        "This is a MIME-encapsulated message.\r\n\r\n"
        f"--{boundary}\r\n"
        "Content-Description: Notification\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This is the mail system at host mx.huiyin.test.\r\n\r\n"
        "I'm sorry to have to inform you that your message could not\r\n"
        "be delivered to one or more recipients. It's attached below.\r\n\r\n"
        "For further assistance, please send mail to postmaster.\r\n\r\n"
        "If you do so, please include this problem report. You can\r\n"
        "delete your own text from the attached returned message.\r\n\r\n"
        "                   The mail system\r\n\r\n"
        f"<{recipient}>: host mx.example.com[203.0.113.5] said: 550 5.1.1\r\n"
        f"    <{recipient}>: Recipient address rejected: User unknown in virtual\r\n"
        "    mailbox table (in reply to RCPT TO command)\r\n\r\n"
        f"--{boundary}\r\n"
        "Content-Description: Delivery report\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.huiyin.test\r\n"
        f"X-Postfix-Queue-ID: {queue_id}\r\n"
        f"X-Postfix-Sender: rfc822; {to}\r\n"
        "Arrival-Date: Wed,  1 May 2024 10:00:00 +0800 (CST)\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        f"Original-Recipient: rfc822;{recipient}\r\n"
        "Action: failed\r\n"
        "Status: 5.1.1\r\n"
        "Remote-MTA: dns; mx.example.com\r\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected:\r\n"
        "    User unknown in virtual mailbox table\r\n\r\n"
        f"--{boundary}\r\n"
        "Content-Description: Undelivered Message\r\n"
        "Content-Type: message/rfc822\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
        f"{original}\r\n"
        f"--{boundary}--\r\n"
    )
    head = "\r\n".join(f"{k}: {v}" for k, v in headers.items())
    return (head + "\r\n\r\n" + body).encode("utf-8")
