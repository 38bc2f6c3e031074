"""The e-mail adapter (``huiyin/channels/mail.py``): parsing what customers and machines really send, and
the IMAP/SMTP round trip against real servers on loopback (``tests/mailservers.py``: pymap and aiosmtpd)."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huiyin.channels.mail import (
    Attachment,
    MailAccount,
    MailError,
    MailTooLarge,
    build_reply,
    fetch_new,
    parse_mail,
    reply_subject,
    send,
    thread_keys,
    uidvalidity,
)
from tests.mailservers import (
    CENTRE,
    JPEG_BYTES,
    PDF_BYTES,
    TIFF_BYTES,
    MailWorld,
    free_port,
    mail_message,
    mail_servers,
)

# aiosmtpd itself sets the deprecated Session.login_data on every successful AUTH
pytestmark = pytest.mark.filterwarnings("ignore:Session.login_data is deprecated:DeprecationWarning")


@pytest.fixture
def world(tmp_path: Path) -> Iterator[MailWorld]:
    with mail_servers(tmp_path) as w:
        yield w


def _raw(headers: str, body: bytes = b"hello\r\n") -> bytes:
    return headers.replace("\n", "\r\n").encode("utf-8", "surrogateescape") + b"\r\n\r\n" + body


# ------------------------------------------------------------------------------------------------ parsing


def test_a_plain_utf8_mail_gives_its_sender_subject_text_and_date_in_utc() -> None:
    mail = parse_mail(mail_message("plain", message_id="m1@mail.example.com"))
    assert mail.message_id == "m1@mail.example.com"
    assert (mail.sender, mail.sender_name) == ("zhangsan@example.com", "张三")
    assert mail.to == (CENTRE,)
    assert mail.subject == "停水咨询"
    assert mail.text.startswith("你好，我家（幸福小区3栋2单元）从早上开始停水")
    assert mail.quoted == ""
    assert mail.received_at == datetime(2024, 5, 1, 2, 0, tzinfo=UTC)
    assert not (mail.auto_reply or mail.bounce or mail.fax or mail.attachments)


def test_the_sender_address_is_lower_cased() -> None:
    mail = parse_mail(mail_message("plain", sender="ZhangSan <ZhangSan@Example.COM>"))
    assert mail.sender == "zhangsan@example.com"
    assert mail.sender_name == "ZhangSan"


def test_a_gbk_mail_labelled_gb2312_keeps_the_characters_gb2312_lacks() -> None:
    mail = parse_mail(mail_message("gbk"))
    assert mail.sender_name == "王镕"  # 镕 is GBK, not GB2312: decoding as labelled would lose it
    assert mail.subject == "燃气表读数异常（堃园小区）"
    assert mail.text == "您好，堃园小区5栋的燃气表读数异常，王镕 反映。"


def test_a_big5_quoted_printable_mail_is_decoded() -> None:
    mail = parse_mail(mail_message("big5"))
    assert (mail.sender_name, mail.subject) == ("陳大文", "請問何時恢復供水")
    assert mail.text == "您好，請問何時恢復供水？謝謝。"


@pytest.mark.parametrize("charset", ["gb18030", "utf-8"])
def test_a_body_in_gb18030_or_utf8_decodes(charset: str) -> None:
    body = base64.b64encode("电费 𠀀 已缴".encode(charset)) + b"\r\n"
    raw = _raw(
        f"From: a@example.com\nContent-Type: text/plain; charset={charset}\nContent-Transfer-Encoding: base64", body
    )
    assert parse_mail(raw).text == "电费 𠀀 已缴"


def test_raw_8bit_gbk_headers_from_an_old_client_are_decoded() -> None:
    head = "From: 张三 <zs@example.com>\nSubject: 停水了\nContent-Type: text/plain; charset=gbk".encode("gbk")
    mail = parse_mail(head.replace(b"\n", b"\r\n") + b"\r\n\r\n" + "今天停水".encode("gbk"))
    assert (mail.sender_name, mail.subject, mail.text) == ("张三", "停水了", "今天停水")


def test_an_encoded_word_split_in_the_middle_of_a_character_still_decodes() -> None:
    data = "停水通知".encode("gbk")
    first, second = base64.b64encode(data[:3]).decode(), base64.b64encode(data[3:]).decode()
    mail = parse_mail(_raw(f"From: a@example.com\nSubject: =?GBK?B?{first}?=\n =?GBK?B?{second}?="))
    assert mail.subject == "停水通知"


def test_a_body_mislabelled_utf8_that_is_really_gbk_is_still_read() -> None:
    raw = _raw("From: a@example.com\nContent-Type: text/plain; charset=utf-8", "水压太低".encode("gbk"))
    assert parse_mail(raw).text == "水压太低"


def test_an_html_only_mail_becomes_plain_text_and_never_keeps_markup() -> None:
    mail = parse_mail(mail_message("html"))
    assert "我家的水表读数 <12345> 不对 & 账单偏高 200元。" in mail.text  # entities unescaped
    assert mail.text.startswith("您好：")
    assert mail.text.endswith("李四\n13900139000")
    for markup in ("<script", "alert", "<b>", "<p>", "color: red", "onerror", "&amp;", "&nbsp;", "邮件"):
        assert markup not in mail.text


def test_an_escaped_script_tag_in_html_text_is_not_handed_on_as_a_tag() -> None:
    html = "<p>看这个 &lt;script&gt;steal()&lt;/script&gt; 和 &lt;img src=x onerror=y&gt;</p>"
    mail = parse_mail(mail_message("html", text=html))
    assert "<script" not in mail.text.lower() and "<img" not in mail.text.lower()
    assert "看这个" in mail.text


def test_plain_text_is_preferred_over_its_html_alternative() -> None:
    boundary = "ALT"
    body = (
        f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n纯文本版本\r\n"
        f"--{boundary}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>HTML 版本</p>\r\n--{boundary}--\r\n"
    ).encode()
    raw = _raw(
        f'From: a@example.com\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary="{boundary}"', body
    )
    assert parse_mail(raw).text == "纯文本版本"


def test_an_html_blockquote_is_cut_off_as_quoted_history() -> None:
    html = "<div>已经修好了</div><blockquote><p>您好，请问维修好了吗？</p></blockquote>"
    mail = parse_mail(mail_message("html", text=html))
    assert mail.text == "已经修好了"
    assert mail.quoted == "> 您好，请问维修好了吗？"


def test_attachments_are_kept_byte_exact_with_their_chinese_file_names() -> None:
    mail = parse_mail(mail_message("attachment"))
    assert mail.text == "照片和账单见附件。"
    assert mail.attachments == (
        Attachment("IMG_0001.jpg", "image/jpeg", JPEG_BYTES, False),
        Attachment("电费单.pdf", "application/pdf", PDF_BYTES, False),
    )


def test_an_inline_image_with_a_content_id_is_an_inline_attachment() -> None:
    image = base64.b64encode(JPEG_BYTES).decode()
    body = (
        '--R\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>截图：<img src="cid:shot"></p>\r\n'
        f"--R\r\nContent-Type: image/png\r\nContent-ID: <shot>\r\nContent-Transfer-Encoding: base64\r\n\r\n{image}\r\n"
        "--R--\r\n"
    ).encode()
    mail = parse_mail(_raw('From: a@example.com\nContent-Type: multipart/related; boundary="R"', body))
    assert mail.text == "截图："
    (shot,) = mail.attachments
    assert (shot.filename, shot.content_type, shot.data, shot.inline) == (
        "attachment-1.png",
        "image/png",
        JPEG_BYTES,
        True,
    )


def test_a_reply_is_threaded_by_in_reply_to() -> None:
    mail = parse_mail(
        mail_message("reply", in_reply_to="ack-7@huiyin.test", references=["root@x", "ack-7@huiyin.test"])
    )
    assert mail.in_reply_to == "ack-7@huiyin.test"
    assert mail.references == ("root@x", "ack-7@huiyin.test")
    assert thread_keys(mail) == ["ack-7@huiyin.test", "root@x"]


def test_without_in_reply_to_the_references_thread_it_newest_first() -> None:
    raw = _raw("From: a@example.com\nReferences: <root@x>\n <second@x> <third@x>")
    assert thread_keys(parse_mail(raw)) == ["third@x", "second@x", "root@x"]


def test_a_new_mail_has_no_thread_keys() -> None:
    assert thread_keys(parse_mail(mail_message("plain"))) == []


def test_the_quoted_history_of_a_reply_is_cut_off_into_quoted() -> None:
    mail = parse_mail(mail_message("reply"))
    assert mail.text == "好的，现在已经来水了，谢谢！"
    assert mail.quoted.startswith("在 2024-05-01 10:00:00，“回音客服中心” <kefu@huiyin.test> 写道：")
    assert "工单号 WO-2024-0001" in mail.quoted


@pytest.mark.parametrize(
    ("history", "marker"),
    [
        ("-----Original Message-----\nFrom: 回音客服中心\nSent: Wednesday\n\n您好", "-----Original Message-----"),
        ("------------------ 原始邮件 ------------------\n发件人: 回音客服中心\n\n您好", "------------------ 原始邮件"),
        ("On Wed, May 1, 2024 at 10:00 AM 回音客服中心 <kefu@huiyin.test> wrote:\n> 您好", "On Wed, May 1"),
        ("On Wed, May 1, 2024 at 10:00 AM 回音客服中心 <\nkefu@huiyin.test> wrote:\n> 您好", "On Wed, May 1"),
        (
            "回音客服中心 <kefu@huiyin.test> 于2024年5月1日周三 10:00写道：\n> 您好",
            "回音客服中心 <kefu@huiyin.test> 于",
        ),
        ("发件人: 回音客服中心 <kefu@huiyin.test>\n发送时间: 2024年5月1日 10:00\n收件人: 张三\n\n您好", "发件人"),
        ("> 您好，请问维修好了吗？\n> 回音客服中心", "> 您好"),
    ],
    ids=["outlook-en", "qq-foxmail", "gmail-en", "gmail-en-wrapped", "gmail-zh", "outlook-zh", "quote-marks"],
)
def test_quoted_history_in_each_client_style_is_cut_off(history: str, marker: str) -> None:
    mail = parse_mail(mail_message("plain", text=f"已经修好了，谢谢。\n\n{history}\n"))
    assert mail.text == "已经修好了，谢谢。"
    assert mail.quoted.startswith(marker)


def test_an_answer_written_between_quoted_lines_is_kept() -> None:
    mail = parse_mail(mail_message("plain", text="> 请问地址？\n幸福小区3栋\n> 请问电话？\n13800138000"))
    assert mail.text == "幸福小区3栋\n13800138000"
    assert mail.quoted == "> 请问地址？\n> 请问电话？"


def test_a_bare_forward_keeps_its_text_rather_than_coming_out_empty() -> None:
    mail = parse_mail(mail_message("plain", text="-----Original Message-----\nFrom: 供电局\n\n停电通知：5月2日"))
    assert "停电通知：5月2日" in mail.text
    assert mail.quoted == ""


def test_an_out_of_office_answer_is_an_auto_reply_and_not_a_bounce() -> None:
    mail = parse_mail(mail_message("auto_reply"))
    assert mail.auto_reply
    assert not mail.bounce  # it comes from <> as RFC 3834 asks, yet it is no delivery failure


@pytest.mark.parametrize(
    "header",
    [
        "Auto-Submitted: auto-generated",
        "Auto-Submitted: auto-replied; owner-email=a@example.com",
        "X-Autoreply: yes",
        "X-Autorespond: Out of office",
        "Precedence: bulk",
        "Precedence: junk",
        "Precedence: auto_reply",
        "X-Auto-Response-Suppress: All",
    ],
)
def test_auto_reply_headers_are_recognised(header: str) -> None:
    name, value = header.split(": ", 1)
    assert parse_mail(mail_message("plain", headers={name: value})).auto_reply


@pytest.mark.parametrize(
    "subject", ["自动回复: 停水咨询", "Auto Reply: hello", "Automatic reply: 停水", "Out of Office", "休假中"]
)
def test_auto_reply_subjects_are_recognised(subject: str) -> None:
    assert parse_mail(mail_message("plain", subject=subject)).auto_reply


def test_auto_submitted_no_is_a_person_writing() -> None:
    assert not parse_mail(mail_message("plain", headers={"Auto-Submitted": "no"})).auto_reply


def test_a_postfix_bounce_names_the_failed_recipient_and_our_message() -> None:
    mail = parse_mail(
        mail_message("bounce", bounced_recipient="Nobody@Example.com", bounced_message_id="r-9@huiyin.test")
    )
    assert mail.bounce
    assert mail.sender == "mailer-daemon@mx.huiyin.test"
    assert mail.bounced_recipient == "nobody@example.com"
    assert mail.bounced_message_id == "r-9@huiyin.test"
    assert mail.text.startswith("This is the mail system at host mx.huiyin.test.")
    assert "您好，停水问题已处理" not in mail.text  # the returned original is not the bounce's text


def test_a_bounce_returning_only_the_headers_still_names_our_message() -> None:
    raw = mail_message("bounce", bounced_message_id="r-10@huiyin.test")
    raw = raw.replace(b"Content-Type: message/rfc822", b"Content-Type: text/rfc822-headers")
    mail = parse_mail(raw)
    assert (mail.bounce, mail.bounced_message_id) == (True, "r-10@huiyin.test")


@pytest.mark.parametrize(
    "headers", [{"From": "postmaster@mail.example.com"}, {"From": "x@example.com", "Return-Path": "<>"}]
)
def test_a_mailer_daemon_sender_or_a_null_return_path_is_a_bounce(headers: dict[str, str]) -> None:
    assert parse_mail(mail_message("plain", headers=headers)).bounce


def test_a_fax_from_the_gateway_is_recognised_with_its_scan() -> None:
    mail = parse_mail(mail_message("fax"))
    assert mail.fax
    assert mail.attachments == (Attachment("fax_20240501_100000.tif", "image/tiff", TIFF_BYTES, False),)


def test_the_fax_gateway_is_recognised_by_a_configured_sender_pattern() -> None:
    raw = mail_message("fax", subject="New document 0571-88886666", sender="gw01@scan.example.cn")
    assert not parse_mail(raw).fax
    assert parse_mail(raw, fax_senders=["*@scan.example.cn"]).fax
    assert parse_mail(raw, fax_senders=["GW01@scan.example.cn"]).fax


def test_a_fax_subject_without_a_scan_is_not_a_fax() -> None:
    assert not parse_mail(mail_message("plain", subject="传真号码是多少？")).fax
    assert parse_mail(mail_message("attachment", subject="Fax 0571-88886666")).fax  # a PDF is a scan too


def test_a_mail_without_a_message_id_gets_a_stable_synthetic_one() -> None:
    raw = _raw("From: a@example.com\nSubject: no id")
    first, again = parse_mail(raw), parse_mail(raw)
    assert first.message_id == again.message_id
    assert first.message_id.endswith("@synthetic.huiyin")
    assert parse_mail(raw + b"x").message_id != first.message_id


def test_an_oversized_mail_is_refused() -> None:
    raw = mail_message("plain")
    with pytest.raises(MailTooLarge) as refused:
        parse_mail(raw, max_bytes=len(raw) - 1)
    assert (refused.value.size, refused.value.limit) == (len(raw), len(raw) - 1)
    assert parse_mail(raw, max_bytes=len(raw)).subject == "停水咨询"


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff garbage without headers",
        _raw("From: <<<@@@>>>\nTo: ,,,\nDate: not a date\nMessage-ID: \nSubject: =?x-unknown?B?5L2g5aW9?="),
        _raw("From: a@example.com\nSubject: =?utf-8?B?not base64!!?= =?utf-8?Q?=E4=BD?="),
        _raw(
            "From: a@example.com\nContent-Type: text/plain; charset=x-no-such\nContent-Transfer-Encoding: base64",
            b"@@@",
        ),
        _raw("From: a@example.com\nContent-Type: multipart/mixed", b"no boundary at all\r\n"),
        _raw('From: a@example.com\nContent-Type: multipart/mixed; boundary="B"', b"--B\r\nContent-Type: image/png\r\n"),
        _raw("From: a@example.com\nDate: Thu, 31 Feb 2024 25:61:00 +9999"),
    ],
)
def test_malformed_mail_does_not_crash(raw: bytes) -> None:
    mail = parse_mail(raw)
    assert isinstance(mail.text, str) and isinstance(mail.subject, str)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_any_bytes_parse_without_an_exception(raw: bytes) -> None:
    parse_mail(b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" + raw)
    parse_mail(raw)


# ---------------------------------------------------------------------------------------------- building


def _account() -> MailAccount:
    return MailAccount("imap.example.com", 993, True, "smtp.example.com", 465, False, True, "kefu", "pw", CENTRE)


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("停水咨询", "Re: 停水咨询"),
        ("Re: 停水咨询", "Re: 停水咨询"),
        ("RE: re: 停水咨询", "Re: 停水咨询"),
        ("回复：Re: 停水咨询", "Re: 停水咨询"),
        ("Re[2]: 停水咨询", "Re: 停水咨询"),
        ("Fw: 停水咨询", "Re: Fw: 停水咨询"),
        ("Review: 账单", "Re: Review: 账单"),
    ],
)
def test_re_is_added_once(subject: str, expected: str) -> None:
    assert reply_subject(subject) == expected


def test_a_reply_carries_threading_headers_and_a_chinese_display_name() -> None:
    msg = build_reply(
        _account(),
        to="zs@example.com",
        subject="Re: 停水",
        text="您好",
        in_reply_to="<m2@x>",
        references=["m1@x", "m2@x"],
    )
    assert msg["In-Reply-To"] == "<m2@x>"
    assert msg["References"] == "<m1@x> <m2@x>"
    assert msg["Subject"] == "Re: 停水"
    assert msg["Message-ID"].endswith("@huiyin.test>")
    assert msg["Auto-Submitted"] is None
    wire = msg.as_bytes()
    assert wire.isascii()  # RFC 2047 headers and a base64 body: safe through any relay
    assert b"From: =?utf-8?b?" in wire and b"<kefu@huiyin.test>" in wire
    assert msg["From"].addresses[0].display_name == "回音客服中心"


def test_only_our_automatic_acknowledgements_are_marked_auto_submitted() -> None:
    msg = build_reply(
        _account(), to="zs@example.com", subject="停水", text="已收到", in_reply_to=None, references=(), auto=True
    )
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["In-Reply-To"] is None and msg["References"] is None
    assert parse_mail(msg.as_bytes()).auto_reply  # and our own parser would never answer it


# ------------------------------------------------------------------------------------------ real servers


def test_fetch_new_returns_delivered_mails_in_order_and_nothing_after_the_last_uid(world: MailWorld) -> None:
    for n in range(3):
        world.deliver(mail_message("plain", subject=f"第{n + 1}封", message_id=f"seq-{n + 1}@mail.example.com"))
    fetched = fetch_new(world.account, 0)
    uids = [uid for uid, _ in fetched]
    assert uids == sorted(uids) and len(uids) == 3
    assert [parse_mail(raw).subject for _, raw in fetched] == ["第1封", "第2封", "第3封"]
    assert fetch_new(world.account, uids[-1]) == []  # "UID n:*" matches the last mail even when n is beyond it
    assert [uid for uid, _ in fetch_new(world.account, uids[0])] == uids[1:]
    assert [uid for uid, _ in fetch_new(world.account, 0, limit=2)] == uids[:2]


def test_uidvalidity_is_a_stable_number(world: MailWorld) -> None:
    first = uidvalidity(world.account)
    world.deliver(mail_message("plain"))
    assert first > 0 and uidvalidity(world.account) == first


def test_attachments_survive_delivery_and_fetch_byte_exact(world: MailWorld) -> None:
    world.deliver(mail_message("attachment"))
    [(_, raw)] = fetch_new(world.account, 0)
    assert [(a.filename, a.data) for a in parse_mail(raw).attachments] == [
        ("IMG_0001.jpg", JPEG_BYTES),
        ("电费单.pdf", PDF_BYTES),
    ]


def test_a_bounce_delivered_from_the_null_sender_is_recognised_after_fetch(world: MailWorld) -> None:
    world.deliver(mail_message("bounce", bounced_message_id="r-1@huiyin.test"))
    [(_, raw)] = fetch_new(world.account, 0)
    assert raw.startswith(b"Return-Path: <>\r\n")  # written by the delivering server from the envelope
    mail = parse_mail(raw)
    assert (mail.bounce, mail.bounced_recipient, mail.bounced_message_id) == (
        True,
        "nobody@example.com",
        "r-1@huiyin.test",
    )


def test_a_reply_built_and_sent_arrives_threaded_with_the_same_chinese_text(world: MailWorld) -> None:
    world.deliver(mail_message("reply", message_id="cust-2@mail.example.com"))
    [(_, raw)] = fetch_new(world.account, 0)
    customer = parse_mail(raw)
    text = "张三您好：\n\n您反映的停水问题已经解决，工单 WO-2024-0001 已办结。\n\n回音客服中心"
    reply = build_reply(
        world.account,
        to=customer.sender,
        subject=customer.subject,
        text=text,
        in_reply_to=customer.message_id,
        references=customer.references,
        attachments=[Attachment("回执.pdf", "application/pdf", PDF_BYTES, False)],
    )
    send(world.account, reply)

    [sent] = world.wait_sent(1)
    assert sent["To"] == "zhangsan@example.com"
    assert sent["Subject"] == "Re: 停水咨询"  # not "Re: 回复：Re: …"
    assert sent["In-Reply-To"] == "<cust-2@mail.example.com>"
    references = " ".join(sent["References"].split())  # long: folded onto a line of its own
    assert references == "<case-root@mail.example.com> <ack-1@huiyin.test> <cust-2@mail.example.com>"
    assert sent["From"].addresses[0].display_name == "回音客服中心"
    body = sent.get_body(preferencelist=("plain",))
    assert body is not None and body.get_content().rstrip("\n") == text

    again = parse_mail(sent.as_bytes())  # what the customer's client receives threads back to their mail
    assert thread_keys(again)[0] == "cust-2@mail.example.com"
    assert again.text == text
    assert again.attachments == (Attachment("回执.pdf", "application/pdf", PDF_BYTES, False),)


def test_a_wrong_imap_password_is_a_permanent_error(world: MailWorld) -> None:
    wrong = dataclasses.replace(world.account, password="not-the-password")
    with pytest.raises(MailError) as failed:
        fetch_new(wrong, 0)
    assert failed.value.permanent
    with pytest.raises(MailError) as failed_again:
        uidvalidity(wrong)
    assert failed_again.value.permanent


def test_a_missing_mailbox_is_a_permanent_error(world: MailWorld) -> None:
    with pytest.raises(MailError) as failed:
        fetch_new(dataclasses.replace(world.account, mailbox="收件箱"), 0)
    assert failed.value.permanent


def test_a_wrong_smtp_password_is_a_permanent_5xx_error(world: MailWorld) -> None:
    reply = build_reply(world.account, to="zs@example.com", subject="x", text="x", in_reply_to=None, references=())
    with pytest.raises(MailError) as failed:
        send(dataclasses.replace(world.account, password="not-the-password"), reply)
    assert failed.value.permanent and failed.value.code == 535
    assert world.sent == []


def test_a_server_that_does_not_answer_is_a_transient_error() -> None:
    closed = free_port()  # nothing listens there
    account = dataclasses.replace(_account(), imap_host="127.0.0.1", imap_port=closed, imap_ssl=False, timeout=3)
    with pytest.raises(MailError) as imap_failed:
        fetch_new(account, 0)
    assert not imap_failed.value.permanent
    account = dataclasses.replace(account, smtp_host="127.0.0.1", smtp_port=closed, smtp_ssl=False)
    reply = build_reply(account, to="zs@example.com", subject="x", text="x", in_reply_to=None, references=())
    with pytest.raises(MailError) as smtp_failed:
        send(account, reply)
    assert not smtp_failed.value.permanent
