"""Manual inspection (人工质检): evaluations, appeals, calibrations.

**An evaluation** is one inspector's scoring of one contact on the current form for its kind: a call (the form
for its direction) or a closed written conversation (the chat form); every item of the form, each with the
deduction taken (one of the item's steps, or none) or, for a red-line item, whether it was violated; comments
pinned to a time in the recording (a conversation: seconds from its first message); a summary. A violated red
line fails the contact (score 0). An inspector never scores their own contacts (a conversation is theirs when
they answered any of it). An evaluation drawn by the sampling plan closes its sample.

**An appeal** (申诉): the agent appeals items of their evaluation within ``appeal_days`` of it, once, each with
a reason. A QA lead (a 业务主管 or 中心领导, or another 质检员: never the one who scored it) decides: for each
appealed item the deduction stands or changes. The evaluation's score in force changes; the appeal keeps the
scores before and after, item by item, and ``original_score`` what the inspector gave.

**A calibration** (校准): a lead names a call and two or more inspectors, who score it blind; an inspector sees
the others' scores only once they have scored it themselves. The spread per item (lowest, highest, mean,
range) shows where the inspectors read the form differently. Calibration scores do not count for the agent.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.auth.refs import directory
from huiyin.calls.models import Call
from huiyin.channels.queries import ConversationFacts
from huiyin.core.actor import Actor
from huiyin.core.roles import Role
from huiyin.db import equal_where_given
from huiyin.errors import Conflict, Forbidden, Invalid, NotFound
from huiyin.quality import forms
from huiyin.quality.models import QaAppeal, QaCalibration, QaEvaluation, QaForm, QaSample
from huiyin.quality.states import EvaluationAction, EvaluationState, next_state

INSPECTORS = (Role.qa_inspector, Role.supervisor)
"""Who scores contacts."""
LEADS = (Role.supervisor, Role.director, Role.qa_inspector)
"""Who decides appeals and runs calibrations (a 质检员 never decides an appeal of their own evaluation)."""
READERS = (Role.qa_inspector, Role.supervisor, Role.director, Role.floor_manager, Role.duty_manager)
"""Who reads every evaluation (an agent reads their own)."""


def month_of(at: datetime, tz_name: str) -> str:
    return at.astimezone(ZoneInfo(tz_name)).strftime("%Y-%m")


def contact_kind(call: Call) -> str:
    return "outbound_call" if call.direction == "out" else "inbound_call"


@dataclass(frozen=True)
class Contact:
    """What is scored: a call or a conversation, the agent it is scored for, and everyone whose contact it is."""

    call_pk: int | None
    conversation_id: int | None
    agent_id: int | None
    agent_ids: tuple[int, ...]
    kind: str  # the form's contact kind: inbound_call | outbound_call | chat
    answered: bool  # an agent answered the call; the conversation is closed
    noun: str  # "call" | "conversation", for the messages


def call_contact(call: Call) -> Contact:
    return Contact(
        call_pk=call.id, conversation_id=None, agent_id=call.agent_id,
        agent_ids=(call.agent_id,) if call.agent_id else (), kind=contact_kind(call),
        answered=call.agent_id is not None and call.answered_at is not None, noun="call",
    )  # fmt: skip


def chat_contact(facts: ConversationFacts) -> Contact:
    """A conversation, scored for the agent it counts for (``for_agent``: another agent who answered it)."""
    return Contact(
        call_pk=None, conversation_id=facts.id, agent_id=facts.agent_id, agent_ids=facts.agent_ids,
        kind="chat", answered=facts.closed, noun="conversation",
    )  # fmt: skip


def for_agent(contact: Contact, agent_id: int | None) -> Contact:
    """The contact scored for ``agent_id`` (one of its agents), or as it is."""
    if agent_id is None or agent_id == contact.agent_id:
        return contact
    if agent_id not in contact.agent_ids:
        raise Invalid(
            f"agent_id: user {agent_id} is not the {contact.noun}'s agent",
            code="quality.not_its_agent",
            field="agent_id",
        )
    return replace(contact, agent_id=agent_id)


# ------------------------------------------------------------------------------------------------ scoring


def check_scoring(form: QaForm, given: Sequence[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], float, bool]:
    """Every item of the form scored once: ``(items as stored, score, red line failed)``; 422 naming the item."""
    by_key: dict[str, Mapping[str, Any]] = {}
    known = {i["key"]: i for i in forms.items_of(form)}
    for n, g in enumerate(given):
        key = str(g.get("key"))
        if key not in known:
            raise Invalid(
                f"items[{n}].key: “{key}” is not an item of form {form.code} v{form.version}",
                code="quality.not_a_form_item",
                field="items",
                key=key,
            )
        if key in by_key:
            raise Invalid(
                f"items[{n}].key: “{key}” is scored twice",
                code="quality.item_scored_twice",
                field="items",
                item=known[key]["title"],
            )
        by_key[key] = g
    missing = [k for k in known if k not in by_key]
    if missing:
        raise Invalid(
            f"items: every item is scored; missing {', '.join(missing)}",
            code="quality.items_missing",
            field="items",
            missing="、".join(str(known[k]["title"]) for k in missing),
        )
    out: list[dict[str, Any]] = []
    failed = False
    for key, item in known.items():
        g = by_key[key]
        note = str(g.get("note") or "")[:500]
        if item["red_line"]:
            violated = bool(g.get("violated"))
            failed = failed or violated
            out.append({"key": key, "deduction": 0, "points": 0, "violated": violated, "note": note})
            continue
        deduction = g.get("deduction") or 0
        _check_step(item, deduction, f"items: “{item['title']}” deducts one of {STEPS} (or nothing)")
        out.append(
            {
                "key": key,
                "deduction": deduction,
                "points": item["max_points"] - deduction,
                "violated": False,
                "note": note,
            }
        )
    score = 0.0 if failed else float(sum(i["points"] for i in out))
    return out, score, failed


def _rescore(items: Sequence[Mapping[str, Any]]) -> tuple[float, bool]:
    failed = any(i["violated"] for i in items)
    return (0.0 if failed else float(sum(i["points"] for i in items))), failed


# ------------------------------------------------------------------------------------------------ evaluations


def get_sample(session: Session, sample_id: int, *, lock: bool = False) -> QaSample:
    sample = session.get(QaSample, sample_id, with_for_update=lock)
    if sample is None:
        raise NotFound(f"sample {sample_id} not found", code="quality.no_such_sample")
    return sample


def get_calibration(session: Session, calibration_id: int, *, lock: bool = False) -> QaCalibration:
    cal = session.get(QaCalibration, calibration_id, with_for_update=lock)
    if cal is None:
        raise NotFound(f"calibration {calibration_id} not found", code="quality.no_such_calibration")
    return cal


def check_evaluate(
    session: Session, user: Actor, contact: Contact, sample: QaSample | None, calibration: QaCalibration | None
) -> None:
    if contact.conversation_id is not None:
        if not contact.answered:
            raise Conflict(
                "the conversation is still open: only closed conversations are scored", code="quality.conversation_open"
            )
        if contact.agent_id is None:
            raise Invalid(
                "conversation: no agent answered it; there is nothing to score",
                code="quality.conversation_unanswered",
                field="conversation_id",
            )
    elif contact.agent_id is None or not contact.answered:
        raise Invalid(
            "call: no agent answered it; there is nothing to score", code="quality.call_unanswered", field="call_id"
        )
    if user.id in contact.agent_ids:
        raise Forbidden(f"an inspector never scores their own {contact.noun}s", code="quality.own_contact")
    if sample is not None:
        if (sample.call_pk, sample.conversation_id) != (contact.call_pk, contact.conversation_id):
            raise Invalid(
                f"sample_id: the sample is another {contact.noun}", code="quality.sample_mismatch", field="sample_id"
            )
        if sample.inspector_id != user.id:
            raise Forbidden("the sample is assigned to another inspector", code="quality.sample_not_yours")
        if sample.state != "open":
            raise Conflict(
                "the sample is scored already", code="quality.sample_scored", evaluation_id=sample.evaluation_id
            )
    if calibration is not None:
        if calibration.call_pk != contact.call_pk:
            raise Invalid(
                "calibration_id: the calibration is of another call",
                code="quality.calibration_other_call",
                field="calibration_id",
            )
        if user.id not in calibration.inspector_ids:
            raise Forbidden("you are not one of the calibration's inspectors", code="quality.not_calibration_inspector")
        mine = select(QaEvaluation.id).where(
            QaEvaluation.calibration_id == calibration.id, QaEvaluation.inspector_id == user.id
        )
        if session.scalar(mine) is not None:
            raise Conflict("you have scored this calibration already", code="quality.calibration_scored")


def do_evaluate(
    session: Session,
    user: Actor,
    contact: Contact,
    form: QaForm,
    scored: tuple[list[dict[str, Any]], float, bool],
    *,
    comments: Sequence[Mapping[str, Any]],
    summary: str,
    sample: QaSample | None,
    calibration: QaCalibration | None,
    at: datetime,
    tz_name: str,
    appeal_days: int,
) -> QaEvaluation:
    items, score, failed = scored
    assert contact.agent_id is not None
    ev = QaEvaluation(
        form_id=form.id,
        call_pk=contact.call_pk,
        conversation_id=contact.conversation_id,
        agent_id=contact.agent_id,
        inspector_id=user.id,
        sample_id=sample.id if sample else None,
        calibration_id=calibration.id if calibration else None,
        month=month_of(at, tz_name),
        state=EvaluationState.scored,
        items=items,
        comments=sorted(({"at": float(c["at"]), "text": str(c["text"])} for c in comments), key=lambda c: c["at"]),
        summary=summary,
        score=score,
        original_score=score,
        red_line=failed,
        created_at=at,
        appeal_until=at + timedelta(days=appeal_days),
    )
    session.add(ev)
    session.flush()
    if sample is not None:
        sample.state, sample.evaluation_id = "done", ev.id
    return ev


def get_evaluation(session: Session, evaluation_id: int, *, lock: bool = False) -> QaEvaluation:
    ev = session.get(QaEvaluation, evaluation_id, with_for_update=lock)
    if ev is None:
        raise NotFound(f"evaluation {evaluation_id} not found", code="quality.no_such_evaluation")
    return ev


def check_visible(session: Session, user: Actor, ev: QaEvaluation) -> None:
    """An agent reads their own evaluations; the inspectors and managers read all, but a calibration's scores
    only once they have scored it themselves (or lead it)."""
    if ev.calibration_id is not None:
        check_calibration_open_to(session, user, get_calibration(session, ev.calibration_id))
        return
    if user.has(*READERS):
        return
    if ev.agent_id != user.id:
        raise NotFound(f"evaluation {ev.id} not found", code="quality.no_such_evaluation")


def evaluations(
    session: Session,
    *,
    agent_id: int | None,
    inspector_id: int | None,
    month: str | None,
    state: str | None,
    limit: int,
    offset: int,
    call_pk: int | None = None,
    conversation_id: int | None = None,
) -> list[QaEvaluation]:
    given = equal_where_given(
        QaEvaluation, call_pk=call_pk, conversation_id=conversation_id, agent_id=agent_id,
        inspector_id=inspector_id, month=month, state=state,
    )  # fmt: skip
    stmt = select(QaEvaluation).where(QaEvaluation.calibration_id.is_(None), *given)
    stmt = stmt.order_by(QaEvaluation.created_at.desc(), QaEvaluation.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(stmt))


def appeals_of(session: Session, evaluation_ids: Sequence[int]) -> dict[int, list[QaAppeal]]:
    out: dict[int, list[QaAppeal]] = {}
    if evaluation_ids:
        stmt = select(QaAppeal).where(QaAppeal.evaluation_id.in_(list(evaluation_ids))).order_by(QaAppeal.id)
        for a in session.scalars(stmt):
            out.setdefault(a.evaluation_id, []).append(a)
    return out


# ------------------------------------------------------------------------------------------------ appeals


def check_appeal(
    user: Actor, ev: QaEvaluation, given: Sequence[Mapping[str, Any]], at: datetime
) -> list[dict[str, str]]:
    if ev.agent_id != user.id:
        raise Forbidden("only the agent whose contact it is appeals an evaluation", code="quality.appeal_own_only")
    if ev.calibration_id is not None:
        raise Conflict("a calibration's scores are not appealed", code="quality.calibration_not_appealed")
    next_state(ev.state, EvaluationAction.appeal)
    if at > ev.appeal_until:
        raise Conflict(
            f"the appeal window closed at {ev.appeal_until.isoformat()}", code="quality.appeal_window_closed"
        )
    scored = {i["key"]: i for i in ev.items}
    out: list[dict[str, str]] = []
    for n, g in enumerate(given):
        key, reason = str(g.get("key")), str(g.get("reason") or "").strip()
        item = scored.get(key)
        if item is None:
            raise Invalid(
                f"items[{n}].key: “{key}” is not an item of the evaluation",
                code="quality.not_an_evaluation_item",
                field="items",
                key=key,
            )
        if not item["deduction"] and not item["violated"]:
            raise Invalid(
                f"items[{n}]: nothing was deducted for “{key}”", code="quality.nothing_deducted", field="items", key=key
            )
        if not reason:
            raise Invalid(f"items[{n}].reason: say why", code="quality.appeal_reason", field="items")
        if any(o["key"] == key for o in out):
            raise Invalid(
                f"items[{n}].key: “{key}” is appealed twice", code="quality.item_appealed_twice", field="items", key=key
            )
        out.append({"key": key, "reason": reason[:500]})
    if not out:
        raise Invalid("items: appeal at least one item", code="quality.appeal_no_items", field="items")
    return out


def do_appeal(session: Session, ev: QaEvaluation, items: list[dict[str, str]], at: datetime) -> QaAppeal:
    ev.state = next_state(ev.state, EvaluationAction.appeal)
    appeal = QaAppeal(
        evaluation_id=ev.id, agent_id=ev.agent_id, items=items, state="open", created_at=at, score_before=ev.score
    )
    session.add(appeal)
    session.flush()
    return appeal


def get_appeal(session: Session, appeal_id: int, *, lock: bool = False) -> QaAppeal:
    appeal = session.get(QaAppeal, appeal_id, with_for_update=lock)
    if appeal is None:
        raise NotFound(f"appeal {appeal_id} not found", code="quality.no_such_appeal")
    return appeal


def appeals(session: Session, *, state: str | None, agent_id: int | None, limit: int) -> list[QaAppeal]:
    stmt = select(QaAppeal).where(*equal_where_given(QaAppeal, state=state, agent_id=agent_id))
    return list(session.scalars(stmt.order_by(QaAppeal.created_at, QaAppeal.id).limit(limit)))


STEPS = "<steps>"  # where ``_check_step``'s detail names the item's steps


def _check_step(item: dict[str, Any], deduction: Any, detail: str) -> None:
    """422 unless ``deduction`` is nothing or one of the item's steps (``detail`` says so, ``STEPS`` in it)."""
    if deduction and deduction not in item["steps"]:
        steps = ", ".join(map(str, item["steps"]))
        raise Invalid(
            detail.replace(STEPS, steps),
            code="quality.deduction_not_a_step",
            field="items",
            item=item["title"],
            steps=steps,
        )


def check_decide(
    user: Actor, appeal: QaAppeal, ev: QaEvaluation, form: QaForm, given: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The evaluation's items with the lead's changes; 403 for the inspector who scored it or the agent."""
    if user.id == ev.inspector_id:
        raise Forbidden("the inspector who scored the call does not decide its appeal", code="quality.decide_own_score")
    if user.id == ev.agent_id:
        raise Forbidden("an agent does not decide their own appeal", code="quality.decide_own_appeal")
    if appeal.state != "open":
        raise Conflict("the appeal is decided already", code="quality.appeal_decided")
    next_state(ev.state, EvaluationAction.decide)
    appealed = {i["key"] for i in appeal.items}
    form_items = {i["key"]: i for i in forms.items_of(form)}
    items = [dict(i) for i in ev.items]
    by_key = {i["key"]: i for i in items}
    for n, g in enumerate(given):
        key = str(g.get("key"))
        if key not in appealed:
            raise Invalid(
                f"items[{n}].key: “{key}” was not appealed", code="quality.item_not_appealed", field="items", key=key
            )
        item, spec = by_key[key], form_items[key]
        if spec["red_line"]:
            item["violated"] = bool(g.get("violated"))
        else:
            deduction = g.get("deduction") or 0
            _check_step(spec, deduction, f"items[{n}].deduction: one of {STEPS} (or 0)")
            item["deduction"], item["points"] = deduction, spec["max_points"] - deduction
    return items


def do_decide(
    session: Session,
    user: Actor,
    appeal: QaAppeal,
    ev: QaEvaluation,
    items: list[dict[str, Any]],
    note: str,
    at: datetime,
) -> QaAppeal:
    before = {i["key"]: i for i in ev.items}
    changes = [
        {
            "key": i["key"],
            "before": {k: before[i["key"]][k] for k in ("deduction", "points", "violated")},
            "after": {k: i[k] for k in ("deduction", "points", "violated")},
        }
        for i in items
        if any(i[k] != before[i["key"]][k] for k in ("deduction", "violated"))
    ]
    score, failed = _rescore(items)
    ev.items, ev.score, ev.red_line = items, score, failed
    ev.state = next_state(ev.state, EvaluationAction.decide)
    appeal.state, appeal.decided_by, appeal.decided_at, appeal.note = "decided", user.id, at, note
    appeal.score_after, appeal.changes = score, changes
    session.flush()
    return appeal


# ------------------------------------------------------------------------------------------------ calibration


def check_calibration(session: Session, call: Call, inspector_ids: Sequence[int]) -> list[int]:
    people = directory(session).users
    ids = sorted(set(inspector_ids))
    if len(ids) < 2:
        raise Invalid(
            "inspector_ids: two or more inspectors", code="quality.calibration_two_inspectors", field="inspector_ids"
        )
    for i in ids:
        p = people.get(i)
        if p is None:
            raise Invalid(
                f"inspector_ids: user {i} is not an active inspector",
                code="quality.no_such_user",
                field="inspector_ids",
            )
        if not p.is_active or p.roles.isdisjoint(INSPECTORS):
            raise Invalid(
                f"inspector_ids: user {i} is not an active inspector",
                code="quality.not_an_inspector",
                field="inspector_ids",
                name=p.full_name,
            )
        if i == call.agent_id:
            raise Invalid(
                f"inspector_ids: user {i} is the call's agent",
                code="quality.inspector_is_agent",
                field="inspector_ids",
                name=p.full_name,
            )
    if call.agent_id is None or call.answered_at is None:
        raise Invalid(
            "call: no agent answered it; there is nothing to score", code="quality.call_unanswered", field="call_id"
        )
    return ids


def do_calibrate(
    session: Session, user: Actor, call: Call, form: QaForm, inspector_ids: list[int], note: str, at: datetime
) -> QaCalibration:
    cal = QaCalibration(
        call_pk=call.id, form_id=form.id, inspector_ids=inspector_ids, note=note, created_by=user.id, created_at=at
    )
    session.add(cal)
    session.flush()
    return cal


def calibration_evaluations(session: Session, calibration_id: int) -> list[QaEvaluation]:
    stmt = select(QaEvaluation).where(QaEvaluation.calibration_id == calibration_id).order_by(QaEvaluation.id)
    return list(session.scalars(stmt))


def is_lead_of(user: Actor, cal: QaCalibration) -> bool:
    return user.id == cal.created_by or user.has(Role.supervisor, Role.director)


def check_calibration_open_to(session: Session, user: Actor, cal: QaCalibration) -> None:
    """The scores are shown to the calibration's lead, and to an inspector of it once they have scored it."""
    if is_lead_of(user, cal):
        return
    if user.id not in cal.inspector_ids:
        raise NotFound(f"calibration {cal.id} not found", code="quality.no_such_calibration")
    if not any(e.inspector_id == user.id for e in calibration_evaluations(session, cal.id)):
        raise Forbidden("score the call first: a calibration is blind until you have", code="quality.calibration_blind")


def calibrations(session: Session, user: Actor, *, limit: int) -> list[QaCalibration]:
    rows = session.scalars(select(QaCalibration).order_by(QaCalibration.created_at.desc()).limit(limit * 4))
    return [c for c in rows if is_lead_of(user, c) or user.id in c.inspector_ids][:limit]


def spread(form: QaForm, evs: Sequence[QaEvaluation]) -> dict[str, Any]:
    """Per item: each inspector's points (a red line: 1 if violated), lowest, highest, mean, range; and the
    totals' spread (with the population standard deviation)."""
    items = []
    for spec in forms.items_of(form):
        values: list[float] = []
        for ev in evs:
            got = next((i for i in ev.items if i["key"] == spec["key"]), None)
            if got is not None:
                values.append(float(got["violated"]) if spec["red_line"] else float(got["points"]))
        items.append(
            {
                "key": spec["key"],
                "title": spec["title"],
                "red_line": spec["red_line"],
                "max_points": spec["max_points"],
                "values": values,
                "low": min(values) if values else None,
                "high": max(values) if values else None,
                "mean": round(statistics.fmean(values), 2) if values else None,
                "range": (max(values) - min(values)) if values else None,
            }
        )
    totals = [ev.score for ev in evs]
    return {
        "items": items,
        "total": {
            "values": totals,
            "low": min(totals) if totals else None,
            "high": max(totals) if totals else None,
            "mean": round(statistics.fmean(totals), 2) if totals else None,
            "stdev": round(statistics.pstdev(totals), 2) if totals else None,
            "range": (max(totals) - min(totals)) if totals else None,
        },
    }


def suggestions(form: QaForm, flags: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """What the automatic flags suggest for the form's items (the inspector decides): an item whose related
    kinds of flag are on the call gets its smallest deduction, a red-line item (服务禁语) is suggested
    violated by a phrase hit of severity red_line. A phrase's hint (inside a polite sentence) suggests
    nothing."""
    found: dict[str, list[Mapping[str, Any]]] = {}
    for f in flags:
        if f.get("verdict") == "hint":
            continue
        found.setdefault(str(f.get("kind")), []).append(f)
    out = []
    for item in forms.items_of(form):
        kinds = [k for k in item.get("flags", []) if k in found]
        if not kinds:
            continue
        if item["red_line"]:
            if any(f.get("severity") == "red_line" for k in kinds for f in found[k]):
                out.append({"key": item["key"], "deduction": 0, "violated": True, "because": kinds})
        else:
            out.append({"key": item["key"], "deduction": item["steps"][0], "violated": False, "because": kinds})
    return out
