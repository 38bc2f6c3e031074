"""Quality inspection's API (issue 17): the automatic analysis of a call (``GET /calls/{id}/analysis`` once a
recording is stored, ``POST /calls/{id}/transcript`` from the centre's speech-recognition service), and the
manual inspection under ``/quality``: forms, the sampling plan and its samples, the workbench's contact,
evaluations, appeals, calibrations, the rule table, and the results per agent and month."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from huiyin.auth.refs import directory
from huiyin.calls import service as calls
from huiyin.channels import queries as conversations
from huiyin.clock import now
from huiyin.core.actor import SignedIn
from huiyin.core.deps import SessionDep, SettingsDep, require_roles
from huiyin.core.roles import CENTER, MANAGERS, Role
from huiyin.core.schemas import PathId, QueryId
from huiyin.errors import Forbidden, Invalid, NotFound
from huiyin.quality import chats, forms, phrases, results, rules, sampling, service
from huiyin.quality import evaluations as ev
from huiyin.quality.models import QaAppeal, QaEvaluation, QaSample
from huiyin.quality.schemas import (
    AgentResult,
    AppealIn,
    AppealPublic,
    CalibrationIn,
    CalibrationPublic,
    CallAnalysisPublic,
    ContactPublic,
    DecisionIn,
    DrawIn,
    DrawResult,
    EvaluationIn,
    EvaluationPublic,
    InspectorPublic,
    Month,
    PhraseIn,
    PhrasePatch,
    PhrasePublic,
    QaChatFlag,
    QaChatLine,
    QaConversationContact,
    QaFormIn,
    QaFormPublic,
    RulesPublic,
    SamplePublic,
    SamplingPlan,
    TextCheck,
    TextHit,
    TextIn,
    ThresholdsIn,
    TranscriptIn,
)
from huiyin.surveys import service as surveys
from huiyin.workorders import service as orders

router = APIRouter(tags=["quality"])
CenterUser = Annotated[SignedIn, Depends(require_roles(*CENTER))]
TranscriptWriter = Annotated[SignedIn, Depends(require_roles(*MANAGERS, Role.qa_inspector, Role.admin))]
Inspector = Annotated[SignedIn, Depends(require_roles(*ev.INSPECTORS))]
Lead = Annotated[SignedIn, Depends(require_roles(*ev.LEADS))]
QaReader = Annotated[SignedIn, Depends(require_roles(*ev.READERS))]
RuleEditor = Annotated[SignedIn, Depends(require_roles(Role.qa_inspector, Role.supervisor, Role.director, Role.admin))]
RuleReader = Annotated[SignedIn, Depends(require_roles(*ev.READERS, Role.admin))]
Agent = Annotated[SignedIn, Depends(require_roles(Role.agent))]


@router.get("/calls/{call_pk}/analysis", operation_id="quality-call_analysis")
def call_analysis(call_pk: PathId, _: CenterUser, session: SessionDep) -> CallAnalysisPublic:
    """The recording's measurements (speech rate, loudness per channel, dead air, talk-over, talk ratio) and
    every flag, the transcript's phrase flags among them; ``pending`` until the worker has analysed it,
    ``unreadable`` with the reason. 404 for a call with neither a recording nor a transcript."""
    calls.get_call(session, call_pk)
    return CallAnalysisPublic.model_validate(service.public(service.analysis_of(session, call_pk)))


@router.post("/calls/{call_pk}/transcript", operation_id="quality-call_transcript")
def call_transcript(
    call_pk: PathId, body: TranscriptIn, _: TranscriptWriter, session: SessionDep
) -> CallAnalysisPublic:
    """A transcript of the call (per channel, timed, as the centre's recogniser gives it; a later one replaces
    it): the agent's forbidden and shirking phrases become flags, timed within their segment, and a missing
    standard opening or closing is flagged."""
    if any(seg.end < seg.start for seg in body.segments):
        raise Invalid("segments: a segment ends before it starts", code="quality.segment_backwards", field="segments")
    call = calls.get_call(session, call_pk, lock=True)
    row = service.do_transcript(session, call, [s.model_dump() for s in body.segments], now())
    return CallAnalysisPublic.model_validate(service.public(row))


# ------------------------------------------------------------------------------------------------ forms


@router.get("/quality/forms", operation_id="quality-forms")
def list_forms(_: CenterUser, session: SessionDep, every_version: bool = False) -> list[QaFormPublic]:
    """The current form of each code (``every_version``: the earlier versions too)."""
    return [QaFormPublic.model_validate(f) for f in forms.forms(session, now(), every_version=every_version)]


@router.get("/quality/forms/{form_pk}", operation_id="quality-form")
def get_form(form_pk: PathId, _: CenterUser, session: SessionDep) -> QaFormPublic:
    return QaFormPublic.model_validate(forms.get_form(session, form_pk))


@router.post("/quality/forms", status_code=201, operation_id="quality-save_form")
def save_form(body: QaFormIn, user: RuleEditor, session: SessionDep) -> QaFormPublic:
    """Saves the next version of the form ``code`` (new evaluations use it; earlier ones keep theirs). The
    items' points add up to 100; a red-line item has none."""
    sections = forms.check_sections([s.model_dump() for s in body.sections])
    form = forms.do_save_form(session, body.code, body.name, body.contact_kind, sections, user.id, now())
    return QaFormPublic.model_validate(form)


# ------------------------------------------------------------------------------------------------ evaluations


def _names(session: Any, ids: set[int]) -> dict[int, str]:
    people = directory(session).users
    return {i: (people[i].full_name or people[i].username) for i in ids if i in people}


def _evaluations_out(session: Any, rows: list[QaEvaluation]) -> list[EvaluationPublic]:
    names = _names(session, {r.agent_id for r in rows} | {r.inspector_id for r in rows})
    appeals = ev.appeals_of(session, [r.id for r in rows])
    deciders = _names(session, {a.decided_by for rs in appeals.values() for a in rs if a.decided_by})
    return [
        EvaluationPublic(
            id=r.id,
            form_id=r.form_id,
            contact="call" if r.call_pk is not None else "conversation",
            call_id=r.call_pk,
            conversation_id=r.conversation_id,
            agent_id=r.agent_id,
            agent_name=names.get(r.agent_id, ""),
            inspector_id=r.inspector_id,
            inspector_name=names.get(r.inspector_id, ""),
            sample_id=r.sample_id,
            calibration_id=r.calibration_id,
            month=r.month,
            state=r.state,
            items=r.items,
            comments=r.comments,
            summary=r.summary,
            score=r.score,
            original_score=r.original_score,
            red_line=r.red_line,
            created_at=r.created_at,
            appeal_until=r.appeal_until,
            appeals=[_appeal_out(a, deciders) for a in appeals.get(r.id, [])],
        )
        for r in rows
    ]


def _appeal_out(a: QaAppeal, names: dict[int, str]) -> AppealPublic:
    out = AppealPublic.model_validate(a)
    out.decided_by_name = names.get(a.decided_by) if a.decided_by else None
    return out


def _conversation(session: Any, conversation_pk: int) -> conversations.ConversationFacts:
    facts = conversations.conversation_facts(session, [conversation_pk]).get(conversation_pk)
    if facts is None:
        raise NotFound(f"conversation {conversation_pk} not found", code="quality.no_such_conversation")
    return facts


@router.post("/quality/evaluations", status_code=201, operation_id="quality-evaluate")
def evaluate(body: EvaluationIn, user: Inspector, session: SessionDep, settings: SettingsDep) -> EvaluationPublic:
    """Scores a contact on a form: a call (``call_id``) or a closed written conversation (``conversation_id``,
    on the chat form; one answered by several agents is scored for the one who wrote most, or ``agent_id``).
    Every item, with the deduction taken (one of its steps) or, for a red line, whether it was violated (the
    contact then scores 0); comments pinned to times in the recording (a conversation: seconds from its first
    message). With ``sample_id`` it closes the inspector's sample; with ``calibration_id`` it is the inspector's
    blind score of a calibration (calls only). 403 for the contact's own agent; 409 for an open conversation."""
    if (body.call_id is None) == (body.conversation_id is None):
        raise Invalid(
            "give call_id or conversation_id: the one contact scored", code="quality.one_contact", field="call_id"
        )
    if body.call_id is not None:
        contact = ev.call_contact(calls.get_call(session, body.call_id))
    else:
        assert body.conversation_id is not None
        contact = ev.chat_contact(_conversation(session, body.conversation_id))
    contact = ev.for_agent(contact, body.agent_id)
    at = now()
    sample = ev.get_sample(session, body.sample_id, lock=True) if body.sample_id else None
    cal = ev.get_calibration(session, body.calibration_id) if body.calibration_id else None
    if cal is not None:
        if contact.call_pk is None:
            raise Invalid(
                "calibration_id: a calibration is of a call",
                code="quality.calibration_of_call",
                field="calibration_id",
            )
        form = forms.get_form(session, cal.form_id)
    elif body.form_id is not None:
        form = forms.get_form(session, body.form_id)
        if form.contact_kind != contact.kind:
            raise Invalid(
                f"form_id: the form is for {form.contact_kind}, the contact is {contact.kind}",
                code="quality.form_kind_mismatch",
            )
    else:
        form = forms.current_form(session, contact.kind, at)
    ev.check_evaluate(session, user, contact, sample, cal)
    scored = ev.check_scoring(form, [i.model_dump() for i in body.items])
    row = ev.do_evaluate(
        session, user, contact, form, scored,
        comments=[c.model_dump() for c in body.comments], summary=body.summary, sample=sample, calibration=cal,
        at=at, tz_name=settings.timezone, appeal_days=settings.quality.appeal_days,
    )  # fmt: skip
    return _evaluations_out(session, [row])[0]


@router.get("/quality/evaluations", operation_id="quality-evaluations")
def list_evaluations(
    user: CenterUser,
    session: SessionDep,
    agent_id: QueryId = None,
    inspector_id: QueryId = None,
    month: Annotated[Month | None, Query()] = None,
    state: Annotated[str | None, Query(pattern="^(scored|appealed|decided)$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[EvaluationPublic]:
    """Evaluations, newest first (calibrations' left out). An agent sees only their own."""
    if not user.has(*ev.READERS):
        if agent_id is not None and agent_id != user.id:
            raise Forbidden("an agent reads only their own evaluations", code="quality.own_evaluations_only")
        agent_id = user.id
    rows = ev.evaluations(
        session, agent_id=agent_id, inspector_id=inspector_id, month=month, state=state, limit=limit, offset=offset
    )
    return _evaluations_out(session, rows)


@router.get("/quality/evaluations/{evaluation_pk}", operation_id="quality-evaluation")
def get_evaluation(evaluation_pk: PathId, user: CenterUser, session: SessionDep) -> EvaluationPublic:
    row = ev.get_evaluation(session, evaluation_pk)
    ev.check_visible(session, user, row)
    return _evaluations_out(session, [row])[0]


@router.post("/quality/evaluations/{evaluation_pk}/appeal", status_code=201, operation_id="quality-appeal")
def appeal(evaluation_pk: PathId, body: AppealIn, user: Agent, session: SessionDep) -> AppealPublic:
    """The agent appeals items of their evaluation, each with a reason, within the appeal window, once."""
    row = ev.get_evaluation(session, evaluation_pk, lock=True)
    ev.check_visible(session, user, row)
    at = now()
    items = ev.check_appeal(user, row, [i.model_dump() for i in body.items], at)
    return _appeal_out(ev.do_appeal(session, row, items, at), {})


@router.get("/quality/appeals", operation_id="quality-appeals")
def list_appeals(
    user: CenterUser,
    session: SessionDep,
    state: Annotated[str | None, Query(pattern="^(open|decided)$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AppealPublic]:
    """Appeals, oldest first (the leads' queue: ``state=open``). An agent sees only their own."""
    agent_id = None if user.has(*ev.READERS) else user.id
    rows = ev.appeals(session, state=state, agent_id=agent_id, limit=limit)
    names = _names(session, {a.decided_by for a in rows if a.decided_by})
    return [_appeal_out(a, names) for a in rows]


@router.post("/quality/appeals/{appeal_pk}/decide", operation_id="quality-decide_appeal")
def decide_appeal(appeal_pk: PathId, body: DecisionIn, user: Lead, session: SessionDep) -> EvaluationPublic:
    """A QA lead decides an appeal: each appealed item listed gets the deduction decided (the others stand);
    the evaluation's score in force changes, the appeal keeps the scores before and after. 403 for the
    inspector who scored the call."""
    a = ev.get_appeal(session, appeal_pk, lock=True)
    row = ev.get_evaluation(session, a.evaluation_id, lock=True)
    form = forms.get_form(session, row.form_id)
    items = ev.check_decide(user, a, row, form, [i.model_dump() for i in body.items])
    ev.do_decide(session, user, a, row, items, body.note, now())
    return _evaluations_out(session, [row])[0]


# ------------------------------------------------------------------------------------------------ sampling


@router.get("/quality/sampling-plan", operation_id="quality-sampling_plan")
def get_plan(_: QaReader, session: SessionDep) -> SamplingPlan:
    return SamplingPlan.model_validate(sampling.plan(session))


@router.put("/quality/sampling-plan", operation_id="quality-set_sampling_plan")
def set_plan(body: SamplingPlan, user: Lead, session: SessionDep) -> SamplingPlan:
    value = sampling.check_plan(session, body.model_dump())
    return SamplingPlan.model_validate(sampling.do_set_plan(session, value, user.id, now()))


@router.post("/quality/samples/draw", operation_id="quality-draw_samples")
def draw(body: DrawIn, _: Lead, session: SessionDep, settings: SettingsDep) -> DrawResult:
    """Draws the month's samples of calls and conversations now (the worker does every hour): only what is new
    is added."""
    got = sampling.do_draw(session, body.month, now(), settings.timezone)
    n = len(sampling.CHAT)
    return DrawResult(
        drawn={k: v for k, v in got.items() if not k.startswith(sampling.CHAT)},
        drawn_chats={k[n:]: v for k, v in got.items() if k.startswith(sampling.CHAT)},
    )


def _samples_out(session: Any, rows: list[QaSample]) -> list[SamplePublic]:
    names = _names(session, {s.agent_id for s in rows} | {s.inspector_id for s in rows})
    call_pks = [s.call_pk for s in rows if s.call_pk is not None]
    facts = {c.id: c for c in calls.calls_by_pks(session, call_pks)}
    kinds = service.kinds_of(session, call_pks)
    checks = chats.checks_of(session, [s.conversation_id for s in rows if s.conversation_id is not None])
    out = []
    for s in rows:
        c = facts.get(s.call_pk) if s.call_pk is not None else None
        k = checks.get(s.conversation_id) if s.conversation_id is not None else None
        out.append(
            SamplePublic(
                id=s.id, month=s.month, contact="call" if s.call_pk is not None else "conversation",
                call_id=s.call_pk, conversation_id=s.conversation_id, agent_id=s.agent_id,
                agent_name=names.get(s.agent_id, ""), inspector_id=s.inspector_id,
                inspector_name=names.get(s.inspector_id, ""), reason=s.reason, state=s.state,
                drawn_at=s.drawn_at, evaluation_id=s.evaluation_id,
                answered_at=c.answered_at if c else None, talk_seconds=c.talk_seconds if c else None,
                direction=c.direction if c else None, channel=k.channel if k else None,
                closed_at=k.closed_at if k else None,
                flag_kinds=kinds.get(s.call_pk, []) if s.call_pk is not None else (list(k.kinds) if k else []),
            )
        )  # fmt: skip
    return out


@router.get("/quality/samples", operation_id="quality-samples")
def list_samples(
    user: QaReader,
    session: SessionDep,
    month: Annotated[Month | None, Query()] = None,
    inspector_id: QueryId = None,
    agent_id: QueryId = None,
    state: Annotated[str | None, Query(pattern="^(open|done)$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[SamplePublic]:
    """The drawn samples, open first; an inspector's worklist is ``inspector_id=<me>&state=open``."""
    rows = sampling.samples(
        session, month=month, inspector_id=inspector_id, agent_id=agent_id, state=state, limit=limit
    )
    return _samples_out(session, rows)


@router.get("/quality/inspectors", operation_id="quality-inspectors")
def inspectors(_: QaReader, session: SessionDep) -> list[InspectorPublic]:
    """Who scores calls: the active 质检员 and 业务主管 (the sampling plan's and a calibration's choices)."""
    d = directory(session)
    people = {p.id: p for role in ev.INSPECTORS for p in d.by_role.get(role, ())}
    return [
        InspectorPublic(id=p.id, name=p.full_name or p.username, qa_inspector=Role.qa_inspector in p.roles)
        for p in sorted(people.values(), key=lambda p: p.id)
    ]


# ------------------------------------------------------------------------------------------------ the workbench


@router.get("/quality/contacts/{call_pk}", operation_id="quality-contact")
def contact(call_pk: PathId, user: QaReader, session: SessionDep) -> ContactPublic:
    """Everything the inspector's workbench shows of a call: its facts, whether a recording is there, the
    automatic analysis (flags and transcript), its orders and rating, the form to score it on, its
    evaluations, and the inspector's open sample of it."""
    call = calls.get_call(session, call_pk)
    at = now()
    analysis = service.find_analysis(session, call_pk)
    order_ids = calls.order_ids_of(session, [call_pk]).get(call_pk, [])
    numbers = orders.order_numbers(session, order_ids)
    rating = surveys.call_ratings(session, [call_pk]).get(call_pk)
    rows = ev.evaluations(
        session, agent_id=None, inspector_id=None, month=None, state=None, limit=500, offset=0, call_pk=call_pk
    )
    mine = sampling.samples(
        session, month=None, inspector_id=user.id, agent_id=None, state="open", limit=1, call_pk=call_pk
    )
    names = _names(session, {call.agent_id} if call.agent_id else set())
    seen = CallAnalysisPublic.model_validate(service.public(analysis)) if analysis else None
    form = forms.current_form(session, ev.contact_kind(call), at)
    return ContactPublic(
        call_id=call.id,
        direction=call.direction,
        agent_id=call.agent_id,
        agent_name=names.get(call.agent_id) if call.agent_id else None,
        answered_at=call.answered_at,
        ended_at=call.ended_at,
        talk_seconds=call.talk_seconds,
        hold_seconds=call.hold_seconds,
        has_recording=bool(call.recording_key or call.recording_url),
        analysis=seen,
        orders=[{"id": i, "number": numbers.get(i, str(i))} for i in order_ids],
        rating={"result": rating.result, "score": rating.score, "channel": rating.channel} if rating else None,
        form=QaFormPublic.model_validate(form),
        evaluations=_evaluations_out(session, rows),
        sample=_samples_out(session, mine)[0] if mine else None,
        suggestions=ev.suggestions(form, [f.model_dump() for f in seen.flags] if seen else []),
    )


@router.get("/quality/conversations/{conversation_pk}", operation_id="quality-conversation")
def conversation_contact(
    conversation_pk: PathId, user: QaReader, session: SessionDep, settings: SettingsDep
) -> QaConversationContact:
    """Everything the inspector's workbench shows of a written conversation: its transcript (customer, bot and
    agent messages with their times), the first response and the longest wait for an agent's reply, the rating,
    the order registered from it, the phrase hits of the agents' messages (the rules a call's transcript is
    judged by; the customer's words are never judged) and slow replies as flags, what they suggest for the chat
    form, its evaluations, and the inspector's open sample of it."""
    facts = _conversation(session, conversation_pk)
    at = now()
    lines = conversations.transcript(session, conversation_pk)
    first, longest = chats.waits(facts, lines)
    limits = settings.channels
    wait_limit = (limits.escalate_minutes[0] if limits.escalate_minutes else 5) * 60
    flags = chats.flags_of(session, facts, lines, limits.first_response_seconds, wait_limit)
    form = forms.current_form(session, "chat", at)
    rows = ev.evaluations(
        session, agent_id=None, inspector_id=None, month=None, state=None, limit=500, offset=0,
        conversation_id=conversation_pk,
    )  # fmt: skip
    mine = sampling.samples(
        session, month=None, inspector_id=user.id, agent_id=None, state="open", limit=1,
        conversation_id=conversation_pk,
    )  # fmt: skip
    names = _names(session, set(facts.agent_ids))
    numbers = orders.order_numbers(session, [facts.order_id]) if facts.order_id else {}
    start = lines[0].at if lines else facts.created_at
    return QaConversationContact(
        conversation_id=facts.id, channel=facts.channel, state=facts.state, contact=facts.contact,
        subject=facts.subject, agent_id=facts.agent_id,
        agent_name=names.get(facts.agent_id) if facts.agent_id else None, agent_ids=list(facts.agent_ids),
        agent_names=[names.get(i, "") for i in facts.agent_ids], created_at=facts.created_at,
        queued_at=facts.queued_at, closed_at=facts.closed_at, close_reason=facts.close_reason,
        first_response_seconds=first, longest_wait_seconds=longest,
        messages=[
            QaChatLine(
                id=m.id, at=m.at, offset=round(max(0.0, (m.at - start).total_seconds()), 1),
                sender=m.sender if m.sender in ("customer", "bot", "agent") else "system", agent_id=m.agent_id,
                kind=m.kind, text=m.text,
            )
            for m in lines
        ],
        flags=[QaChatFlag.model_validate(f) for f in flags],
        order={"id": facts.order_id, "number": numbers.get(facts.order_id, str(facts.order_id))}
        if facts.order_id else None,
        rating=facts.rating, form=QaFormPublic.model_validate(form), evaluations=_evaluations_out(session, rows),
        sample=_samples_out(session, mine)[0] if mine else None,
        suggestions=ev.suggestions(form, flags),
    )  # fmt: skip


# ------------------------------------------------------------------------------------------------ calibration


def _calibration_out(session: Any, user: SignedIn, cal: Any) -> CalibrationPublic:
    evs = ev.calibration_evaluations(session, cal.id)
    mine = next((e.id for e in evs if e.inspector_id == user.id), None)
    blind = not (ev.is_lead_of(user, cal) or mine is not None)
    names = _names(session, set(cal.inspector_ids))
    form = forms.get_form(session, cal.form_id)
    return CalibrationPublic(
        id=cal.id, call_id=cal.call_pk, form_id=cal.form_id, inspector_ids=cal.inspector_ids,
        inspector_names=[names.get(i, "") for i in cal.inspector_ids], scored_by=[e.inspector_id for e in evs],
        note=cal.note, created_by=cal.created_by, created_at=cal.created_at, mine=mine, blind=blind,
        evaluations=[] if blind else _evaluations_out(session, evs),
        spread=None if blind else ev.spread(form, evs),
    )  # fmt: skip


@router.post("/quality/calibrations", status_code=201, operation_id="quality-calibrate")
def calibrate(body: CalibrationIn, user: Lead, session: SessionDep) -> CalibrationPublic:
    """Names a call for two or more inspectors to score blind (not the call's agent)."""
    call = calls.get_call(session, body.call_id)
    ids = ev.check_calibration(session, call, body.inspector_ids)
    form = forms.current_form(session, ev.contact_kind(call), now())
    return _calibration_out(session, user, ev.do_calibrate(session, user, call, form, ids, body.note, now()))


@router.get("/quality/calibrations", operation_id="quality-calibrations")
def list_calibrations(
    user: Lead, session: SessionDep, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[CalibrationPublic]:
    """The calibrations you lead or are one of the inspectors of, newest first."""
    return [_calibration_out(session, user, c) for c in ev.calibrations(session, user, limit=limit)]


@router.get("/quality/calibrations/{calibration_pk}", operation_id="quality-calibration")
def get_calibration(calibration_pk: PathId, user: Lead, session: SessionDep) -> CalibrationPublic:
    """One calibration: blind (no scores) to an inspector of it who has not scored it yet; then, and to its
    lead, every inspector's evaluation and the spread per item."""
    cal = ev.get_calibration(session, calibration_pk)
    if not ev.is_lead_of(user, cal) and user.id not in cal.inspector_ids:
        raise NotFound(f"calibration {cal.id} not found", code="quality.no_such_calibration")
    return _calibration_out(session, user, cal)


# ------------------------------------------------------------------------------------------------ rules


@router.get("/quality/rules", operation_id="quality-rules")
def get_rules(_: RuleReader, session: SessionDep) -> RulesPublic:
    """The thresholds of the automatic analysis and the phrase lists."""
    return RulesPublic(
        thresholds=rules.thresholds(session),
        phrases=[PhrasePublic.model_validate(p) for p in rules.phrase_list(session, now())],
    )


@router.put("/quality/rules/thresholds", operation_id="quality-set_thresholds")
def set_thresholds(body: ThresholdsIn, user: RuleEditor, session: SessionDep) -> RulesPublic:
    """Changes thresholds (the others keep theirs); recordings analysed from now on use them."""
    values = rules.check_thresholds(body.values)
    rules.do_set_thresholds(session, values, user.id, now())
    return get_rules(user, session)


@router.post("/quality/phrases", status_code=201, operation_id="quality-add_phrase")
def add_phrase(body: PhraseIn, _: RuleEditor, session: SessionDep) -> PhrasePublic:
    text = rules.check_phrase(body.kind, body.text, body.severity)
    return PhrasePublic.model_validate(rules.do_add_phrase(session, body.kind, text, body.severity, now()))


@router.patch("/quality/phrases/{phrase_pk}", operation_id="quality-update_phrase")
def update_phrase(phrase_pk: PathId, body: PhrasePatch, _: RuleEditor, session: SessionDep) -> PhrasePublic:
    """Switches a phrase off or on, or changes its severity (a phrase is never deleted: old flags name it)."""
    row = rules.get_phrase(session, phrase_pk)
    return PhrasePublic.model_validate(
        rules.do_update_phrase(session, row, active=body.active, severity=body.severity, at=now())
    )


@router.post("/quality/phrases/check", operation_id="quality-check_text")
def check_text(body: TextIn, _: CenterUser, session: SessionDep) -> TextCheck:
    """A written reply or a chat message through the same phrase rules as a transcript: its forbidden and
    shirking phrases (hits and hints) and where they sit in the text."""
    ruleset = rules.phrase_rules(session)
    severity = service.severities(ruleset)
    hits = [h for h in phrases.scan(body.text, ruleset) if h.kind in phrases.JUDGED_KINDS]
    return TextCheck(
        hits=[
            TextHit(
                kind=h.kind,
                phrase=h.phrase,
                start=h.start,
                end=h.end,
                verdict=h.verdict,
                why=h.why,
                severity=severity.get((h.kind, h.phrase), "major"),
            )
            for h in hits
            if h.verdict != "none"
        ]
    )


# ------------------------------------------------------------------------------------------------ results


@router.get("/quality/results", operation_id="quality-results")
def monthly_results(
    user: CenterUser,
    session: SessionDep,
    settings: SettingsDep,
    month: Annotated[Month, Query()],
    agent_id: QueryId = None,
) -> list[AgentResult]:
    """Per agent for the month: the QA score (mean of the final scores), red lines, appeals, the automatic
    flag rates per 100 analysed calls, and the QA score of the six months to it. An agent sees their own."""
    if not user.has(*ev.READERS):
        if agent_id is not None and agent_id != user.id:
            raise Forbidden("an agent reads only their own results", code="quality.own_results_only")
        agent_id = user.id
    rows = results.monthly(session, month, settings.timezone, agent_id)
    names = _names(session, {r["agent_id"] for r in rows})
    return [AgentResult(agent_name=names.get(r["agent_id"], ""), **r) for r in rows]
