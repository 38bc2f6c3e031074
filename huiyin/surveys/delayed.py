"""The delayed survey (延时调查): some days after an order is closed, a short questionnaire by SMS link.

**Sampling.** When an order closes, the rule for its category (else its type) says the share sampled and
the delay: every complaint and emergency, three repairs in ten, no inquiry by default (``SurveyRule``,
editable). Whether an order is drawn is a fixed function of its id (a hash spread evenly over [0, 1)), so
a closed, reopened and closed-again order is drawn the same way, and a sample of 10,000 holds its share
to within a percent or two. No customer (or, without one, number) is surveyed twice in 30 days: an order
whose customer has a survey due, sent or answered in the 30 days before this one's due day is skipped.

**Sending.** The worker sends each survey on its day (an SMS with the signed link to the mobile page
``/s/<token>``), reminds once after ``survey_reminder_days`` if it is unanswered, and lets it expire after
``survey_expire_days``. **Answering.** The page posts the answers once (a second answer is a 409); the
overall answer is also a ``delayed`` rating of the order through ``web``, so the satisfaction figures show
instant and delayed apart, and an unsatisfied one opens a care task like any rating. The answers rate
the unit handler who worked the order (``handler_id``): each handler has a rating history.

**Versions.** The questions are a ``Questionnaire`` version: a change makes a new version, the surveys
already scheduled keep theirs, and results are counted per version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from huiyin.core.phones import is_mobile
from huiyin.errors import Conflict, Invalid, NotFound
from huiyin.notify.service import do_queue_sms
from huiyin.settings import SurveySettings
from huiyin.surveys.links import sign
from huiyin.surveys.models import Questionnaire, Survey, SurveyRule, SurveyStaff
from huiyin.surveys.service import Contact, do_rate
from huiyin.workorders.service import on_site_staff

CODE = "delayed"
ONCE_PER_DAYS = 30
KINDS = ("result", "score", "yesno", "text")
RESULTS = ("satisfied", "basically_satisfied", "unsatisfied")
DEFAULT_QUESTIONS: list[dict[str, Any]] = [
    {"key": "overall", "kind": "result", "text": "您对本次服务总体是否满意？", "required": True},
    {"key": "timeliness", "kind": "score", "text": "处理是否及时？（1–5 分，5 分最好）", "required": True},
    {
        "key": "attitude",
        "kind": "score",
        "text": "上门人员的服务态度如何？（1–5 分，5 分最好）",
        "required": True,
        "about": "handler",
    },
    {"key": "solved", "kind": "yesno", "text": "您反映的问题是否已经解决？", "required": True},
    {"key": "comment", "kind": "text", "text": "您还有什么意见或建议？", "required": False},
]
DEFAULT_RULES = (  # order type, share, days after the close
    ("complaint", 1.0, 3),
    ("emergency", 1.0, 2),
    ("repair", 0.3, 3),
    ("service_request", 0.1, 3),
    ("inquiry", 0.0, 3),
    ("suggestion", 0.0, 3),
    ("praise", 0.0, 3),
)


def draw(order_id: int) -> float:
    """Where the order falls in [0, 1): the same for the same order, spread evenly over orders."""
    digest = hashlib.sha256(f"huiyin-survey:{order_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


# ---------------------------------------------------------------- questionnaires and rules


def check_questions(questions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """3–6 questions, unique keys, known kinds, an ``overall`` question of kind ``result`` (it is the rating)."""
    if not 3 <= len(questions) <= 6:
        raise Invalid("a survey has 3 to 6 questions", code="surveys.question_count", field="questions")
    keys = [q["key"] for q in questions]
    if len(set(keys)) != len(keys):
        raise Invalid("each question has its own key", code="surveys.question_key_twice", field="questions")
    for q in questions:
        if q["kind"] not in KINDS:
            raise Invalid(
                f"unknown question kind {q['kind']!r}; one of {list(KINDS)}",
                code="surveys.unknown_question_kind",
                field="questions",
            )
    if not any(q["key"] == "overall" and q["kind"] == "result" for q in questions):
        raise Invalid(
            "a survey asks 'overall' (kind 'result'): it is the order's delayed rating",
            code="surveys.overall_missing",
            field="questions",
        )
    return [dict(q) for q in questions]


def current_questionnaire(session: Session) -> Questionnaire:
    found = session.scalar(select(Questionnaire).where(Questionnaire.code == CODE, Questionnaire.is_current.is_(True)))
    if found is None:
        raise NotFound(
            "no delayed survey questionnaire: run huiyin db upgrade (the seed makes one)",
            code="surveys.no_current_questionnaire",
        )
    return found


def questionnaires(session: Session) -> list[Questionnaire]:
    return list(
        session.scalars(select(Questionnaire).where(Questionnaire.code == CODE).order_by(Questionnaire.version))
    )


def do_new_version(
    session: Session, name: str, questions: list[dict[str, Any]], *, by: int | None, at: datetime
) -> Questionnaire:
    """A new version becomes current; the old one stays for the surveys sent with it and their results."""
    top = session.scalar(select(func.max(Questionnaire.version)).where(Questionnaire.code == CODE)) or 0
    session.execute(update(Questionnaire).where(Questionnaire.code == CODE).values(is_current=False))
    q = Questionnaire(
        code=CODE, version=top + 1, name=name, questions=questions, is_current=True, created_at=at, created_by=by
    )
    session.add(q)
    session.flush()
    return q


def rules(session: Session) -> list[SurveyRule]:
    return list(session.scalars(select(SurveyRule).order_by(SurveyRule.order_type, SurveyRule.category_id)))


def do_set_rule(
    session: Session, order_type: str, category_id: int | None, share: float, delay_days: int, is_active: bool
) -> SurveyRule:
    """The rule of a type (or a category of it), made or changed."""
    rule = session.scalar(
        select(SurveyRule).where(
            SurveyRule.order_type == order_type,
            SurveyRule.category_id.is_(None) if category_id is None else SurveyRule.category_id == category_id,
        )
    )
    if rule is None:
        rule = SurveyRule(order_type=order_type, category_id=category_id)
        session.add(rule)
    rule.share, rule.delay_days, rule.is_active = share, delay_days, is_active
    session.flush()
    return rule


def ensure_defaults(session: Session, at: datetime) -> None:
    """The first questionnaire and the default rules, once (an admin edits them afterwards)."""
    if session.scalar(select(Questionnaire.id).where(Questionnaire.code == CODE).limit(1)) is None:
        session.add(
            Questionnaire(
                code=CODE, version=1, name="服务回访调查", questions=DEFAULT_QUESTIONS, is_current=True, created_at=at
            )
        )
    have = set(session.scalars(select(SurveyRule.order_type).where(SurveyRule.category_id.is_(None))))
    session.add_all(
        SurveyRule(order_type=t, category_id=None, share=share, delay_days=days, is_active=True)
        for t, share, days in DEFAULT_RULES
        if t not in have
    )


def rule_for(session: Session, order_type: str, category_id: int | None) -> SurveyRule | None:
    """The category's rule if it has one, else the type's."""
    found = session.scalars(
        select(SurveyRule).where(
            SurveyRule.order_type == order_type,
            SurveyRule.is_active.is_(True),
            or_(SurveyRule.category_id.is_(None), SurveyRule.category_id == category_id),
        )
    ).all()
    return sorted(found, key=lambda r: r.category_id is None)[0] if found else None


# ---------------------------------------------------------------- scheduling (the order's close)


def do_schedule(session: Session, order: Any, *, at: datetime) -> Survey | None:
    """The delayed survey of an order just closed, when its rule draws it, its contact is a mobile, and its
    customer has no survey within 30 days of this one's day; None otherwise. Flushes nothing (it runs in
    the close)."""
    with session.no_autoflush:
        rule = rule_for(session, order.type, order.category_id)
        if rule is None or rule.share <= 0 or draw(order.id) >= rule.share or not is_mobile(order.contact_phone):
            return None
        if session.scalar(select(Survey.id).where(Survey.order_id == order.id)) is not None:
            return None  # closed again after a reopen: surveyed once
        due = at + timedelta(days=rule.delay_days)
        who = Survey.customer_id == order.customer_id if order.customer_id else Survey.phone == order.contact_phone
        recent = select(Survey.id).where(
            who,
            Survey.due_at > due - timedelta(days=ONCE_PER_DAYS),
            Survey.due_at < due + timedelta(days=ONCE_PER_DAYS),
        )
        if session.scalar(recent.limit(1)) is not None:
            return None
        questionnaire = current_questionnaire(session)
    survey = Survey(
        order_id=order.id,
        questionnaire_id=questionnaire.id,
        phone=order.contact_phone,
        customer_id=order.customer_id,
        handler_id=order.handler_id,
        unit_id=order.unit_id or getattr(order, "last_unit_id", None),
        category_id=order.category_id,
        order_type=order.type,
        agent_id=order.owner_agent_id,
        state="scheduled",
        due_at=due,
    )
    session.add(survey)
    staff = on_site_staff(session, order.id)
    if staff:  # who went on site: the answers rate them too
        survey.staff = [SurveyStaff(staff_id=i) for i in staff]
    return survey


# ---------------------------------------------------------------- sending (the worker)


def survey_link(survey_id: int, *, at: datetime, settings: SurveySettings, secret: str) -> str:
    token = sign(f"survey:{survey_id}", at + timedelta(days=settings.survey_expire_days), secret)
    return f"{settings.public_url.rstrip('/')}/s/{token}"


def send_due(session: Session, at: datetime, *, settings: SurveySettings, secret: str, limit: int) -> int:
    """Sends the surveys due, reminds the unanswered ones once, expires the old ones; how many it touched.
    Each message goes through the outbox with a key of its own, so a repeated run sends nothing twice."""
    due = session.scalars(
        select(Survey)
        .where(Survey.state == "scheduled", Survey.due_at <= at)
        .order_by(Survey.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for s in due:
        link = survey_link(s.id, at=at, settings=settings, secret=secret)
        do_queue_sms(session, to=s.phone, text=f"{settings.survey_text}{link}", key=f"survey:{s.id}", kind="survey")
        s.state, s.sent_at = "sent", at
    remind = session.scalars(
        select(Survey)
        .where(
            Survey.state == "sent",
            Survey.reminded_at.is_(None),
            Survey.due_at <= at - timedelta(days=settings.survey_reminder_days),
        )
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for s in remind:
        assert s.sent_at is not None
        if s.sent_at > at - timedelta(days=settings.survey_reminder_days):
            continue
        link = survey_link(s.id, at=s.sent_at, settings=settings, secret=secret)  # the same link, not a new one
        do_queue_sms(
            session,
            to=s.phone,
            text=f"{settings.survey_reminder_text}{link}",
            key=f"survey-reminder:{s.id}",
            kind="survey",
        )
        s.reminded_at = at
    old = session.scalars(
        select(Survey)
        .where(Survey.state == "sent", Survey.due_at <= at - timedelta(days=settings.survey_expire_days))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for s in old:
        s.state = "expired"
    expired = len(old)
    session.flush()
    return len(due) + len(remind) + int(expired or 0)


# ---------------------------------------------------------------- answering (the mobile page)


def get_survey(session: Session, survey_id: int, *, lock: bool = False) -> Survey:
    stmt = select(Survey).where(Survey.id == survey_id)
    found = session.scalar(stmt.with_for_update() if lock else stmt)
    if found is None:
        raise NotFound("this survey link is not valid", code="surveys.link_invalid")
    return found


def check_answers(questionnaire: Questionnaire, answers: dict[str, Any]) -> dict[str, Any]:
    """Every required question answered, each answer of its question's kind, no answer to a question not asked."""
    asked = {q["key"]: q for q in questionnaire.questions}
    strangers = sorted(set(answers) - set(asked))
    if strangers:
        raise Invalid(f"no such question: {strangers}", code="surveys.no_such_question", field="answers")
    out: dict[str, Any] = {}
    for key, q in asked.items():
        value = answers.get(key)
        if value is None or value == "":
            if q.get("required"):
                raise Invalid(
                    f"question {key!r} needs an answer",
                    code="surveys.answer_required",
                    field=key,
                    question=q.get("text") or key,
                )
            continue
        kind = q["kind"]
        ok = (
            (kind == "result" and value in RESULTS)
            or (kind == "score" and isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5)
            or (kind == "yesno" and isinstance(value, bool))
            or (kind == "text" and isinstance(value, str) and len(value) <= 500)
        )
        if not ok:
            raise Invalid(
                f"question {key!r} ({kind}) cannot be answered {value!r}",
                code="surveys.answer_invalid",
                field=key,
                question=q.get("text") or key,
            )
        out[key] = value
    return out


def do_answer(
    session: Session, survey: Survey, answers: dict[str, Any], *, at: datetime, tz: str, care_hours: int
) -> Survey:
    """The answers, once; the overall answer as the order's delayed rating (an unsatisfied one opens care)."""
    if survey.state == "answered":
        raise Conflict("this survey has been answered already: thank you", code="surveys.answered_already")
    if survey.state == "expired":
        raise Conflict("this survey has closed", code="surveys.closed")
    score = answers.get("attitude") if isinstance(answers.get("attitude"), int) else None
    contact = Contact(
        f"survey:{survey.id}",
        None,
        survey.order_id,
        survey.agent_id,
        survey.unit_id,
        survey.category_id,
        survey.order_type,
        survey.customer_id,
    )
    rating, _ = do_rate(
        session,
        contact,
        channel="web",
        result=answers["overall"],
        score=score,
        comment=answers.get("comment"),
        at=at,
        tz=tz,
        kind="delayed",
        care_hours=care_hours,
    )
    survey.state, survey.answered_at, survey.answers, survey.rating_id = "answered", at, answers, rating.id
    session.flush()
    return survey


# ---------------------------------------------------------------- results


@dataclass
class QuestionResult:
    key: str
    kind: str
    text: str
    answered: int
    counts: dict[str, int]  # a result's or yes/no's answers counted; a score's 1–5
    mean: float | None  # a score's average


def results(
    session: Session, questionnaire: Questionnaire, *, start: datetime, end: datetime
) -> tuple[int, int, list[QuestionResult]]:
    """Surveys sent and answered with this version in ``start``..``end`` (by sending), and each question's
    answers counted: only this version's surveys, so a changed questionnaire does not mix with the old one."""
    sent = (
        session.scalar(
            select(func.count()).where(
                Survey.questionnaire_id == questionnaire.id, Survey.sent_at >= start, Survey.sent_at < end
            )
        )
        or 0
    )
    rows = session.scalars(
        select(Survey.answers).where(
            Survey.questionnaire_id == questionnaire.id,
            Survey.state == "answered",
            Survey.sent_at >= start,
            Survey.sent_at < end,
        )
    ).all()
    out = []
    for q in questionnaire.questions:
        values = [a[q["key"]] for a in rows if a and q["key"] in a]
        counts: dict[str, int] = {}
        if q["kind"] != "text":
            for v in values:
                counts[str(v).lower()] = counts.get(str(v).lower(), 0) + 1
        mean = round(sum(values) / len(values), 2) if q["kind"] == "score" and values else None
        out.append(QuestionResult(q["key"], q["kind"], q["text"], len(values), counts, mean))
    return int(sent), len(rows), out


@dataclass(frozen=True)
class HandlerRow:
    handler_id: int
    surveys: int
    satisfied: int
    basically_satisfied: int
    unsatisfied: int
    attitude_mean: float | None
    solved: int


def handler_figures(
    session: Session, *, start: datetime, end: datetime, unit_ids: Sequence[int] | None
) -> list[HandlerRow]:
    """客户评优评级: each unit handler's answered surveys in the period (by answer time), their results, the
    field staff's attitude score on average, and how many said the problem was solved; best first."""
    stmt = select(Survey.handler_id, Survey.answers).where(
        Survey.state == "answered",
        Survey.answered_at >= start,
        Survey.answered_at < end,
        Survey.handler_id.is_not(None),
    )
    if unit_ids is not None:
        stmt = stmt.where(Survey.unit_id.in_(unit_ids))
    acc: dict[int, list[dict[str, Any]]] = {}
    for handler, answers in session.execute(stmt):
        acc.setdefault(handler, []).append(answers or {})
    return _ranked(acc)


def _ranked(acc: dict[int, list[dict[str, Any]]]) -> list[HandlerRow]:
    """Each person's answers counted (results, attitude on average, solved), best first."""
    rows = []
    for handler, answers in acc.items():
        scores = [a["attitude"] for a in answers if isinstance(a.get("attitude"), int)]
        rows.append(
            HandlerRow(
                handler,
                len(answers),
                sum(a.get("overall") == "satisfied" for a in answers),
                sum(a.get("overall") == "basically_satisfied" for a in answers),
                sum(a.get("overall") == "unsatisfied" for a in answers),
                round(sum(scores) / len(scores), 2) if scores else None,
                sum(a.get("solved") is True for a in answers),
            )
        )
    return sorted(rows, key=lambda r: (-(r.attitude_mean or 0), -r.surveys, r.handler_id))


def staff_figures(
    session: Session, *, start: datetime, end: datetime, unit_ids: Sequence[int] | None
) -> list[HandlerRow]:
    """客户评优评级 of the field staff: each person named as having gone on site, their answered surveys in
    the period (by answer time) counted as ``handler_figures`` counts a handler's (``handler_id`` is the
    staff id here); best first."""
    stmt = (
        select(SurveyStaff.staff_id, Survey.answers)
        .join(Survey, Survey.id == SurveyStaff.survey_id)
        .where(Survey.state == "answered", Survey.answered_at >= start, Survey.answered_at < end)
    )
    if unit_ids is not None:
        stmt = stmt.where(Survey.unit_id.in_(unit_ids))
    acc: dict[int, list[dict[str, Any]]] = {}
    for person, answers in session.execute(stmt):
        acc.setdefault(person, []).append(answers or {})
    return _ranked(acc)


def staff_history(session: Session, staff_id: int, *, limit: int) -> list[Survey]:
    """One field staff member's answered surveys (those they went on site for), latest first."""
    stmt = (
        select(Survey)
        .join(SurveyStaff, SurveyStaff.survey_id == Survey.id)
        .where(SurveyStaff.staff_id == staff_id, Survey.state == "answered")
        .order_by(Survey.answered_at.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def handler_history(session: Session, handler_id: int, *, limit: int) -> list[Survey]:
    """One handler's answered surveys, latest first."""
    stmt = (
        select(Survey)
        .where(Survey.handler_id == handler_id, Survey.state == "answered")
        .order_by(Survey.answered_at.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def surveys_of_order(session: Session, order_id: int) -> list[Survey]:
    return list(session.scalars(select(Survey).where(Survey.order_id == order_id)))


@dataclass(frozen=True)
class TopAnswer:
    order_id: int
    handler_id: int | None
    answered_at: datetime
    staff_ids: list[int]  # who went on site, when the resolve named them


def top_answers(session: Session, start: datetime, end: datetime) -> list[TopAnswer]:
    """Surveys answered in ``[start, end)`` whose customer was satisfied and gave the staff who came the top
    attitude score (5): what the accountability ledger rewards (complaints.ledger). Oldest first."""
    rows = session.execute(
        select(Survey.id, Survey.order_id, Survey.handler_id, Survey.answered_at, Survey.answers)
        .where(Survey.state == "answered", Survey.answered_at >= start, Survey.answered_at < end)
        .order_by(Survey.answered_at, Survey.id)
    ).all()
    top = [r for r in rows if r.answers and r.answers.get("overall") == "satisfied" and r.answers.get("attitude") == 5]
    staff: dict[int, list[int]] = {}
    if top:
        links = select(SurveyStaff.survey_id, SurveyStaff.staff_id).where(
            SurveyStaff.survey_id.in_([r.id for r in top])
        )
        for survey_id, person in session.execute(links.order_by(SurveyStaff.staff_id)):
            staff.setdefault(survey_id, []).append(person)
    return [
        TopAnswer(r.order_id, r.handler_id, r.answered_at, staff.get(r.id, []))
        for r in top
        if r.handler_id is not None or staff.get(r.id)
    ]
