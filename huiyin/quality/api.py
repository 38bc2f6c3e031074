"""The automatic analysis of a call (issue 17's API contract): ``GET /calls/{id}/analysis`` once a recording
is stored (``POST /calls/{id}/recording`` queues it), ``POST /calls/{id}/transcript`` from the centre's
speech-recognition service adds the phrase flags."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from huiyin.calls import service as calls
from huiyin.clock import now
from huiyin.core.actor import SignedIn
from huiyin.core.deps import SessionDep, require_roles
from huiyin.core.roles import CENTER, MANAGERS, Role
from huiyin.core.schemas import PathId
from huiyin.errors import Invalid
from huiyin.quality import service
from huiyin.quality.schemas import CallAnalysisPublic, TranscriptIn

router = APIRouter(tags=["quality"])
CenterUser = Annotated[SignedIn, Depends(require_roles(*CENTER))]
TranscriptWriter = Annotated[SignedIn, Depends(require_roles(*MANAGERS, Role.qa_inspector, Role.admin))]


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
    it): the agent's forbidden and shirking phrases become flags, timed within their segment."""
    if any(seg.end < seg.start for seg in body.segments):
        raise Invalid("segments: a segment ends before it starts", field="segments")
    call = calls.get_call(session, call_pk, lock=True)
    row = service.do_transcript(session, call, [s.model_dump() for s in body.segments], now())
    return CallAnalysisPublic.model_validate(service.public(row))
