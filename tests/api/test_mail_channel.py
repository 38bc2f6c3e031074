"""E-mail end to end against real servers on loopback (aiosmtpd and pymap, ``tests/mailservers.py``): a
customer's mail read by IMAP becomes a conversation (once, however often the mailbox is read); the agent's
answer leaves by SMTP threaded to it; the customer's reply joins the same conversation by In-Reply-To;
attachments are kept (their names and sizes), a fax is marked, an auto-reply is kept and not answered, a
bounce marks the answer it returns as failed."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from huiyin.channels.models import ChannelMessage, Conversation
from huiyin.settings import Settings
from huiyin.worker import Worker
from tests.mailservers import JPEG_BYTES, MailWorld, mail_message, mail_servers
from tests.personas import Api, World

CUSTOMER = "wangfang@mail.example.com"


@pytest.fixture
def mailbox(tmp_path: Path) -> Iterator[MailWorld]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # aiosmtpd's own login_data notice
        with mail_servers(tmp_path) as world:
            yield world


@pytest.fixture
def worker(world: World, settings: Settings) -> Worker:
    return Worker(
        world.db,
        settings.model_copy(update={"channels": settings.channels.model_copy(update={"mail_poll_seconds": 5})}),
    )


def connect(admin: Api, box: MailWorld) -> None:
    a = box.account
    admin.ok(
        "post",
        "/channels/mail-accounts",
        {
            "name": "kefu",
            "address": a.address,
            "imap_host": a.imap_host,
            "imap_port": a.imap_port,
            "imap_ssl": False,
            "smtp_host": a.smtp_host,
            "smtp_port": a.smtp_port,
            "smtp_ssl": False,
            "smtp_starttls": False,
            "username": a.username,
            "password": a.password,
        },
        201,
    )


def read_mail(worker: Worker) -> int:
    worker._mailed = None  # the round is due now
    return worker.channels_batch()


def conversations(world: World) -> list[Conversation]:
    with world.db.session() as s:
        return list(s.scalars(select(Conversation).order_by(Conversation.id)))


def test_a_mail_becomes_a_conversation_once_and_the_answer_is_threaded(
    world: World, admin: Api, agent: Api, mailbox: MailWorld, worker: Worker, manager: Api
) -> None:
    conf = manager.ok("get", "/bot/settings")
    manager.ok("put", "/bot/settings", {**conf, "mode": "off"})  # straight to the agents
    connect(admin, mailbox)
    mailbox.deliver(mail_message("plain", sender=CUSTOMER, message_id="case-root@mail.example.com", subject="停水咨询"))
    read_mail(worker)
    read_mail(worker)  # read again: nothing new
    convs = conversations(world)
    assert len(convs) == 1 and convs[0].channel == "email" and convs[0].subject == "停水咨询"
    cid = convs[0].id
    thread = agent.ok("get", f"/conversations/{cid}")
    assert thread["contact"] == CUSTOMER and "停水" in thread["messages"][0]["text"]
    agent.ok(
        "post", f"/conversations/{cid}/messages", {"text": "您好，幸福小区今天管网抢修，预计18点前恢复供水。"}, 201
    )
    worker.channels_batch()
    sent = mailbox.wait_sent(1)[0]
    assert sent["To"] == CUSTOMER and sent["In-Reply-To"] == "<case-root@mail.example.com>"
    assert str(sent["Subject"]).startswith("Re: ") and "预计18点前恢复供水" in sent.get_content()
    ours = str(sent["Message-ID"]).strip("<>")
    mailbox.deliver(
        mail_message(
            "reply",
            sender=CUSTOMER,
            in_reply_to=ours,
            references=("case-root@mail.example.com", ours),
            subject="Re: 停水咨询",
        )
    )
    read_mail(worker)
    assert [c.id for c in conversations(world)] == [cid]  # the same conversation
    texts = [m["text"] for m in agent.ok("get", f"/conversations/{cid}")["messages"] if m["direction"] == "in"]
    assert len(texts) == 2 and "已经来水了" in texts[1]


def test_attachments_and_a_fax_are_kept_an_auto_reply_is_not_answered_and_a_bounce_fails_the_answer(
    world: World, admin: Api, agent: Api, mailbox: MailWorld, worker: Worker, manager: Api
) -> None:
    conf = manager.ok("get", "/bot/settings")
    manager.ok("put", "/bot/settings", {**conf, "mode": "off"})
    connect(admin, mailbox)
    mailbox.deliver(mail_message("attachment", sender=CUSTOMER, message_id="photo-1@mail.example.com"))
    mailbox.deliver(mail_message("fax", message_id="fax-1@fax.example.com"))
    read_mail(worker)
    convs = conversations(world)
    assert len(convs) == 2
    with world.db.session() as s:
        first = s.scalars(select(ChannelMessage).where(ChannelMessage.external_id == "photo-1@mail.example.com")).one()
        fax = s.scalars(select(ChannelMessage).where(ChannelMessage.external_id == "fax-1@fax.example.com")).one()
    assert first.data["attachments"] and first.data["attachments"][0]["size"] > 0
    names = [a["filename"] for a in first.data["attachments"]]
    jpeg = names.index("IMG_0001.jpg")
    got = agent.get(f"/conversations/{first.conversation_id}/messages/{first.id}/attachments/{jpeg}")
    assert got.status_code == 200 and got.content == JPEG_BYTES  # kept byte for byte
    assert agent.get(f"/conversations/{first.conversation_id}/messages/{first.id}/attachments/9").status_code == 404
    assert fax.data.get("fax") is True and fax.kind == "file"
    cid = convs[0].id
    agent.ok("post", f"/conversations/{cid}/messages", {"text": "照片已收到，我们安排师傅上门。"}, 201)
    worker.channels_batch()
    ours = str(mailbox.wait_sent(1)[0]["Message-ID"]).strip("<>")
    mailbox.deliver(mail_message("auto_reply", sender=CUSTOMER, in_reply_to=ours))
    mailbox.deliver(mail_message("bounce", bounced_recipient=CUSTOMER, bounced_message_id=ours))
    read_mail(worker)
    thread = agent.ok("get", f"/conversations/{cid}")
    answer = next(m for m in thread["messages"] if m["sender"] == "agent")
    assert answer["delivery"] == "failed" and "退信" in answer["error"]
    auto = [m for m in thread["messages"] if m["direction"] == "in" and m["data"].get("auto_reply")]
    assert len(auto) == 1 and thread["unanswered_since"] is None  # kept, not waiting for anyone
    assert len(mailbox.sent) == 1  # nothing sent back to the auto-reply or the bounce


def test_a_mail_over_the_limit_is_taken_by_its_headers_and_says_so(
    world: World, admin: Api, agent: Api, mailbox: MailWorld, worker: Worker, manager: Api
) -> None:
    conf = manager.ok("get", "/bot/settings")
    manager.ok("put", "/bot/settings", {**conf, "mode": "off"})
    connect(admin, mailbox)
    small = worker.settings.channels.model_copy(update={"max_upload_bytes": 64 * 1024})  # a mail's limit: 192 KiB
    worker = Worker(world.db, worker.settings.model_copy(update={"channels": small}))
    huge = small.max_upload_bytes * 3 + 1024
    body = "附件是现场照片" + "图" * (huge // 3)
    mailbox.deliver(
        mail_message(
            "plain", sender=CUSTOMER, message_id="huge-1@mail.example.com", subject="现场照片（很多）", text=body
        )
    )
    read_mail(worker)
    read_mail(worker)  # not twice
    (conv,) = conversations(world)
    assert conv.subject == "现场照片（很多）"
    thread = agent.ok("get", f"/conversations/{conv.id}")
    (first,) = [m for m in thread["messages"] if m["direction"] == "in"]
    assert thread["contact"] == CUSTOMER and "超过" in first["text"] and "请在邮箱中查看原邮件" in first["text"]
    assert first["data"]["too_large"] > huge and "attachments" not in first["data"]


def test_an_order_is_registered_from_a_mail_once_with_the_number_the_agent_asked_for(
    world: World, admin: Api, agent: Api, mailbox: MailWorld, worker: Worker, manager: Api
) -> None:
    conf = manager.ok("get", "/bot/settings")
    manager.ok("put", "/bot/settings", {**conf, "mode": "off"})
    connect(admin, mailbox)
    mailbox.deliver(mail_message("plain", sender=CUSTOMER, message_id="order-1@mail.example.com", subject="停水咨询"))
    read_mail(worker)
    (conv,) = conversations(world)
    agent.ok("post", f"/conversations/{conv.id}/accept")
    body = {"type": "repair", "category": "RP-GAS-NOGAS", "description": "客户来信反映家中无气"}
    refused = agent.post(f"/conversations/{conv.id}/register", body)  # an address is no number to call back
    assert refused.status_code == 422 and "contact_phone" in refused.text
    assert agent.ok("get", f"/conversations/{conv.id}")["order_id"] is None  # nothing changed
    asked = {**body, "contact_phone": "13912345678", "customer_id": world.customer_id}  # the agent found them
    done = agent.ok("post", f"/conversations/{conv.id}/register", asked, 201)
    order = agent.ok("get", f"/work-orders/{done['order_id']}")
    assert order["channel"] == "email" and order["customer_id"] == world.customer_id
    assert [c["id"] for c in agent.ok("get", f"/conversations?order_id={order['id']}")["items"]] == [conv.id]
    assert agent.post(f"/conversations/{conv.id}/register", body).status_code == 409
