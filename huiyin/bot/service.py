"""The FAQ bot (智能客服): answers a customer's written question from the published public FAQs and the live
outages, asks back with the best three when unsure, and hands the customer to a person when asked ("人工")
or after ``misses`` misses in a row. Its settings (busy-hours mode, thresholds) are a manager's to change.

Busy-hours mode decides whether the bot answers first on the channels where customers expect a person
(WeChat, e-mail, SMS); the web chat always starts with the bot. The mode is on:

- ``always`` / ``off``: always / never;
- ``busy``: on the schedule's hours, after hours (outside the centre's staffed hours), or when the queue is
  longer than ``queue_length`` or its longest wait longer than ``longest_wait_seconds``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, time
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiyin.bot import matcher as m
from huiyin.bot.models import BotConfig, BotQuestion, BotSession
from huiyin.bot.refs import matcher
from huiyin.clock import now
from huiyin.core.actor import Actor
from huiyin.errors import Invalid
from huiyin.outages.refs import live_outages
from huiyin.outages.service import area_names
from huiyin.outages.service import texts as outage_texts

HUMAN = re.compile(r"人工|真人|转客服|找客服|客服人员|接线员|坐席|人工服务|转接|有人吗|活人")
SUPPLY = re.compile(
    r"停气|没气|没得气|莫得气|停电|没电|没得电|停水|没水|没得水|来气|来电|来水|恢复供|复气|复电|停供|断气|断电|断水"
)
UTILITY_OF_SUPPLY = {"气": "gas", "电": "electricity", "水": "water"}


class Window(BaseModel):
    days: list[Annotated[int, Field(ge=1, le=7)]] = Field(
        default_factory=lambda: [1, 2, 3, 4, 5, 6, 7], max_length=7, description="ISO weekdays, 1 = Monday"
    )
    start: time
    end: time


class BotSettings(BaseModel):
    """What a manager sets on the bot's page (saved in ``bot_config``)."""

    mode: Literal["always", "busy", "off"] = "busy"
    schedule: list[Window] = Field(
        default_factory=lambda: [
            Window(start=time(11, 30), end=time(13, 30)),
            Window(start=time(17, 30), end=time(19, 0)),
        ],
        description="busy hours: the bot answers first",
    )
    staffed_from: time = Field(default=time(8, 0), description="outside staffed hours the bot answers first")
    staffed_to: time = Field(default=time(22, 0))
    queue_length: int = Field(default=5, ge=0, le=1000, description="more waiting than this: busy")
    longest_wait_seconds: int = Field(default=120, ge=0, le=7200, description="a wait longer than this: busy")
    threshold: float = Field(default=m.THRESHOLD, ge=0.05, le=1.0, description="answer only at this confidence")
    margin: float = Field(default=m.MARGIN, ge=0.0, le=0.5, description="… and this lead over the next FAQ")
    misses: int = Field(default=2, ge=1, le=5, description="misses in a row before a person takes over")
    greeting: str = Field(
        default="您好，我是回音智能客服，请直接输入您的问题；如需人工服务，请回复“人工”。", max_length=300
    )


def bot_settings(session: Session) -> BotSettings:
    row = session.get(BotConfig, 1)
    if row is None:
        return BotSettings()
    try:
        return BotSettings.model_validate(row.data)
    except ValidationError:  # saved by an older version: the defaults for what no longer fits
        return BotSettings()


def do_save_settings(session: Session, actor: Actor, data: dict[str, Any]) -> BotSettings:
    try:
        value = BotSettings.model_validate(data)
    except ValidationError as exc:
        raise Invalid(
            f"bot settings: {exc.errors()[0]['msg']}", code="bot.settings_invalid", field="settings"
        ) from None
    row = session.get(BotConfig, 1)
    if row is None:
        row = BotConfig(id=1)
        session.add(row)
    row.data, row.updated_by, row.updated_at = value.model_dump(mode="json"), actor.id, now()
    session.flush()
    return value


# ---------------------------------------------------------------- answering


@dataclass(frozen=True)
class Suggestion:
    article_id: int
    title: str
    confidence: float


@dataclass(frozen=True)
class Reply:
    text: str | None  # what the bot says (None: it stays silent, a person takes over)
    answer: str | None  # the FAQ's answer or the outage's preset, when it answered
    article_id: int | None
    outage_id: int | None
    confidence: float
    suggestions: list[Suggestion] = field(default_factory=list)
    handoff: bool = False
    reason: str | None = None  # asked | misses
    outcome: str = "answered"  # answered | suggested | missed | handoff

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _outage_answer(session: Session, text: str, area_id: int | None, tz: str) -> tuple[int, str] | None:
    """A question about supply (没气, 停电, 什么时候来水) answered from a live outage of the customer's area, or of
    an area the question names."""
    if not SUPPLY.search(text):
        return None
    live = live_outages(session)
    utility = next(
        (u for ch, u in UTILITY_OF_SUPPLY.items() if re.search(f"(停|没|没得|莫得|来|复|断){ch}", text)), None
    )
    candidates = list(live.in_area(area_id)) if area_id is not None else []
    if not candidates:
        for o in live.outages:
            names = [p for name in re.split(r"[、，,\s]+", area_names(session, o.area_ids)) for p in _parts(name)]
            if any(len(p) >= 2 and p in text for p in names):
                candidates.append(o)
    candidates = [o for o in candidates if utility is None or o.utility == utility]
    if not candidates:
        return None
    o = candidates[0]
    return o.id, outage_texts(session, o, o.area_ids, tz).preset


def _parts(name: str) -> list[str]:
    """An area's name and its shorter forms: 渝北区龙溪街道网格 → 龙溪街道, 龙溪."""
    out = [name]
    for suffix in ("网格", "台区", "片区", "小区"):
        name = name.removesuffix(suffix)
    out.append(name)
    for sep in ("区", "县", "市"):
        if sep in name[:-1]:
            name = name.split(sep, 1)[1]
            out.append(name)
    for suffix in ("街道", "镇", "乡"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            out.append(name[: -len(suffix)])
    return out


def ask(
    session: Session,
    text: str,
    *,
    misses_so_far: int = 0,
    area_id: int | None = None,
    channel: str = "api",
    conversation_id: int | None = None,
    tz: str = "Asia/Shanghai",
    record: bool = True,
) -> Reply:
    """The bot's reply to one question, and whether a person should take over. ``record``: a miss goes on
    the unanswered list (not a manager's 试一试)."""
    conf = bot_settings(session)
    text = text.strip()
    if HUMAN.search(text):
        return Reply(None, None, None, None, 1.0, handoff=True, reason="asked", outcome="handoff")
    outage = _outage_answer(session, text, area_id, tz)
    if outage is not None:
        return Reply(outage[1], outage[1], None, outage[0], 1.0)
    found = matcher(session).match(text, top=3)
    best = found[0] if found else None
    lead = best.score - (found[1].score if len(found) > 1 else 0.0) if best else 0.0
    if best is not None and best.score >= conf.threshold and lead >= conf.margin:
        return Reply(best.faq.answer, best.faq.answer, best.faq.article_id, None, best.score)
    suggestions = [Suggestion(x.faq.article_id, x.faq.title, x.score) for x in found if x.score >= conf.threshold / 2]
    misses = misses_so_far + 1
    confidence = best.score if best else 0.0
    if misses >= conf.misses:
        if record:
            _note(session, text, channel, conversation_id, best, "handoff")
        return Reply(None, None, None, None, confidence, suggestions, handoff=True, reason="misses", outcome="handoff")
    if record:
        _note(session, text, channel, conversation_id, best, "suggested" if suggestions else "missed")
    if suggestions:
        lines = "\n".join(f"{i + 1}. {s.title}" for i, s in enumerate(suggestions))
        say = f"您是不是想问：\n{lines}\n请回复序号，或换个说法描述您的问题；需要人工服务请回复“人工”。"
        return Reply(say, None, None, None, confidence, suggestions, outcome="suggested")
    say = "抱歉，我没有理解您的问题，请换个说法再试试；需要人工服务请回复“人工”。"
    return Reply(say, None, None, None, confidence, outcome="missed")


def _note(
    session: Session, text: str, channel: str, conversation_id: int | None, best: m.Match | None, outcome: str
) -> None:
    session.add(
        BotQuestion(
            text=text[:2000],
            channel=channel,
            conversation_id=conversation_id,
            best_article_id=best.faq.article_id if best else None,
            confidence=best.score if best else 0.0,
            outcome=outcome,
            asked_at=now(),
        )
    )


def choose_suggestion(text: str, suggestions: list[dict[str, Any]]) -> int | None:
    """A customer answering "您是不是想问" with its number (1, 2, 3, 第二个): the article they chose."""
    t = text.strip().rstrip("。.！!")
    numbers = {"1": 0, "2": 1, "3": 2, "一": 0, "二": 1, "三": 2, "第一个": 0, "第二个": 1, "第三个": 2}
    i = numbers.get(t)
    if i is not None and i < len(suggestions):
        return int(suggestions[i]["article_id"])
    return None


def ask_in_session(session: Session, text: str, key: str | None, tz: str, *, record: bool = True) -> Reply:
    """``POST /bot/ask``: a session key keeps the misses between questions (a new one without it)."""
    row = session.get(BotSession, key, with_for_update=True) if key else None
    reply = ask(session, text, misses_so_far=row.misses if row else 0, tz=tz, record=record)
    if key:
        if row is None:
            row = BotSession(key=key, misses=0, answers=0, handed_off=False, last_at=now())
            session.add(row)
        row.last_at = now()
        if reply.handoff:
            row.handed_off, row.misses = True, 0
        elif reply.answer is not None:
            row.answers, row.misses = row.answers + 1, 0
        else:
            row.misses += 1
        session.flush()
    return reply


# ---------------------------------------------------------------- busy hours


def busy(
    session: Session, conf: BotSettings, queued: int, longest_wait: float, tz: str, at: datetime | None = None
) -> bool:
    """Whether the bot answers first now (see the module's docstring)."""
    if conf.mode != "busy":
        return conf.mode == "always"
    local = (at or now()).astimezone(ZoneInfo(tz))
    t, day = local.time(), local.isoweekday()
    staffed = (
        conf.staffed_from <= t < conf.staffed_to
        if conf.staffed_from < conf.staffed_to
        else not (conf.staffed_to <= t < conf.staffed_from)
    )
    if not staffed:
        return True
    if any(day in w.days and w.start <= t < w.end for w in conf.schedule):
        return True
    return queued > conf.queue_length or longest_wait > conf.longest_wait_seconds


def unanswered(session: Session, limit: int = 200) -> list[BotQuestion]:
    """The questions the bot did not answer, newest first: what the knowledge team writes up next."""
    return list(
        session.scalars(
            select(BotQuestion).where(BotQuestion.resolved.is_(False)).order_by(BotQuestion.id.desc()).limit(limit)
        )
    )


def do_resolve_question(session: Session, question_id: int) -> None:
    q = session.get(BotQuestion, question_id)
    if q is not None:
        q.resolved = True


def counts_since(session: Session, since: datetime) -> dict[str, int]:
    rows = session.execute(
        select(BotQuestion.outcome, func.count()).where(BotQuestion.asked_at >= since).group_by(BotQuestion.outcome)
    )
    return {o: n for o, n in rows}


def expected_wait_text(position: int, average_wait: float | None) -> str:
    """What the bot tells a customer it hands over: their place in the queue and the wait to expect."""
    if position <= 0:
        return "正在为您转接人工客服，请稍候。"
    minutes = max(1, round(((average_wait or 60.0) * position) / 60))
    return f"正在为您转接人工客服，您前面还有{position}位客户，预计等待约{minutes}分钟，请稍候。"
