"""The demo centre's written channels: the official account 渝州能源 (its callback for the fake WeChat), a week of
conversations from WeChat, the self-service site, SMS and e-mail — about two in five answered by the bot
alone, the rest handed to agents who answered within a minute or two and were mostly rated satisfied (the
customers' 1/2/3 rate them through ``channels.service.do_rate_conversation``, so they count in 满意率 by
channel and agent as in production) — a few waiting or being answered now, and the questions the bot could not
answer for the knowledge team."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.auth.models import User
from huiyin.bot.models import BotQuestion
from huiyin.channels.accounts import do_create_account
from huiyin.channels.models import ChannelContact, ChannelMessage, Conversation
from huiyin.channels.service import do_rate_conversation
from huiyin.clock import clock
from huiyin.customers.models import CustomerPhone
from huiyin.knowledge.models import KbFaq
from huiyin.settings import get_settings

CHANNELS = (("wechat", 0.55), ("web", 0.25), ("sms", 0.12), ("email", 0.08))
AGENT_OPENINGS = ("您好，我是客服{name}，很高兴为您服务。", "您好，请问有什么可以帮您？")
CLOSINGS = ("好的，谢谢！", "明白了，谢谢你们", "好的，辛苦了")
UNANSWERED = (
    "你们公司的年度用气报告在哪里看",
    "燃气公司有没有上门换锅炉的服务",
    "小区物业说要统一改造管道是真的吗",
    "能不能开个证明说我家没有欠费",
    "你们的维修师傅可以帮忙修热水器吗收费吗",
    "暖气片不热找你们吗",
)


def build_channels(s: Session, rng: random.Random, agents: list[User]) -> str:
    do_create_account(s, "wechat", "yuzhou", {"token": "yuzhoudemo", "appid": "wx_demo_appid", "secret": "demo"})
    faqs = list(s.scalars(select(KbFaq).order_by(KbFaq.article_id)))
    phones = list(s.execute(select(CustomerPhone.phone, CustomerPhone.customer_id).limit(400)))
    now = clock.now()
    settings = get_settings()
    made = {"bot": 0, "agents": 0, "open": 0}
    answers: list[tuple[Conversation, str, Any]] = []  # rated once every conversation is written
    contacts: dict[tuple[str, str], ChannelContact] = {}
    for i in range(280):
        channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
        start = now - timedelta(days=7) + timedelta(seconds=rng.uniform(0, 7 * 86400 - 3600))
        if i >= 272:  # the last few: now
            start = now - timedelta(minutes=rng.uniform(1, 12))
        phone, customer_id = rng.choice(phones) if phones else ("13800000000", None)
        address = {
            "wechat": f"o_demo_{i:04d}_{rng.randrange(10**8):08d}",
            "web": phone,
            "sms": phone,
            "email": f"user{i:03d}@mail.example.com",
        }[channel]
        contact = contacts.get((channel, address))
        if contact is None:
            contact = ChannelContact(
                channel=channel,
                account_id=0,
                address=address,
                customer_id=customer_id if channel != "email" else None,
                display_name=None,
                subscribed=True,
                last_inbound_at=start,
                created_at=start,
            )
            s.add(contact)
            s.flush()
            contacts[(channel, address)] = contact
        faq = rng.choice(faqs)
        question = rng.choice(list(faq.questions))
        to_bot = rng.random() < 0.42 and channel != "email"
        conv = Conversation(
            channel=channel,
            account_id=0,
            contact_id=contact.id,
            customer_id=contact.customer_id,
            state="closed",
            created_at=start,
            bot_misses=0,
            bot_answers=0,
            escalation_level=0,
            last_customer_at=start,
            subject="咨询" if channel == "email" else None,
        )
        s.add(conv)
        s.flush()
        msgs: list[dict[str, Any]] = [_msg(conv, channel, "in", "customer", question, start, f"demo-{i}-0")]
        t = start + timedelta(seconds=rng.uniform(1, 3))
        if to_bot:
            msgs.append(_msg(conv, channel, "out", "bot", faq.answer, t, None, {"article_id": faq.article_id}))
            conv.bot_answers, conv.close_reason = 1, "bot"
            conv.closed_at = t + timedelta(minutes=30)
            if rng.random() < 0.5:
                conv.rating_invited_at = conv.closed_at
                level = rng.choices(["satisfied", "basic", "unsatisfied"], [88, 9, 3])[0]
                answers.append((conv, level, conv.closed_at + timedelta(minutes=1 + i % 19)))
            made["bot"] += 1
        else:
            agent = rng.choice(agents[1:] or agents)  # the login "agent" starts with nothing open
            conv.handoff_reason = rng.choices(["asked", "misses", "no_bot", "media"], [45, 25, 25, 5])[0]
            conv.queued_at = t
            wait = rng.lognormvariate(3.0, 0.5)  # about 20 s, now and then a minute and more
            conv.assigned_at = t + timedelta(seconds=wait)
            conv.agent_id = agent.id
            # the agent's first words soon after taking it: nine in ten first responses within the 60 s target
            first = conv.assigned_at + timedelta(seconds=rng.uniform(4, 20))
            if i >= 275:  # a few answered right now, two still waiting
                conv.state = "assigned"  # none left in the queue: the router would hand it to a ready agent
                if conv.state == "queued":
                    conv.agent_id = conv.assigned_at = None
                    conv.unanswered_since = t
                    conv.escalate_at = t + timedelta(minutes=5)
                made["open"] += 1
            if conv.agent_id is not None:
                opening = rng.choice(AGENT_OPENINGS).format(name=agent.full_name)
                msgs.append(_msg(conv, channel, "out", "agent", opening, first, None, agent_id=agent.id))
                msgs.append(
                    _msg(
                        conv,
                        channel,
                        "out",
                        "agent",
                        faq.answer,
                        first + timedelta(seconds=50),
                        None,
                        agent_id=agent.id,
                    )
                )
                conv.first_response_at, conv.last_agent_at = first, first + timedelta(seconds=50)
            if conv.state == "closed":
                end = first + timedelta(minutes=rng.uniform(2, 8))
                msgs.append(_msg(conv, channel, "in", "customer", rng.choice(CLOSINGS), end, f"demo-{i}-1"))
                conv.closed_at, conv.close_reason, conv.rating_invited_at = end, "solved", end
                rated = rng.choices(["satisfied", "basic", "unsatisfied", None], [80, 9, 2, 9])[0]
                if rated is not None:
                    answers.append((conv, rated, end + timedelta(minutes=1 + i % 29)))
                made["agents"] += 1
        s.add_all(ChannelMessage(**m) for m in msgs)
    for conv, level, at in answers:  # 1/2/3 a few minutes after the close (no draw: the rest stays the same)
        do_rate_conversation(s, conv, level, min(at, now), settings)
    for k, text in enumerate(UNANSWERED):
        s.add(
            BotQuestion(
                text=text,
                channel=rng.choice(["wechat", "web"]),
                conversation_id=None,
                best_article_id=None,
                confidence=round(rng.uniform(0.05, 0.25), 3),
                outcome="handoff" if k % 2 else "missed",
                resolved=False,
                asked_at=now - timedelta(hours=rng.uniform(1, 120)),
            )
        )
    s.flush()
    return f"conversations: {made['bot']} by the bot, {made['agents']} by agents, {made['open']} open"


def _msg(
    conv: Conversation,
    channel: str,
    direction: str,
    sender: str,
    text: str,
    at: Any,
    ext: str | None,
    data: dict[str, Any] | None = None,
    agent_id: int | None = None,
) -> dict[str, Any]:
    return {
        "conversation_id": conv.id,
        "channel": channel,
        "direction": direction,
        "sender": sender,
        "agent_id": agent_id,
        "kind": "text",
        "text": text,
        "data": data or {},
        "external_id": ext,
        "delivery": None if direction == "in" else ("local" if channel == "web" else "sent"),
        "attempts": 0,
        "deliver_after": at,
        "created_at": at,
    }
