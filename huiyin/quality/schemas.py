from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class ChannelFigures(BaseModel):
    speech_seconds: float
    speech_rate_cpm: float | None = Field(description="characters (syllables) per minute of speaking time")
    rms_dbfs: float | None = Field(description="AES17: a full-scale sine reads 0 dBFS")
    lufs: float | None = Field(description="integrated loudness, ITU-R BS.1770-4")
    active_rms_dbfs: float | None = None
    syllables: int = 0
    pitch_median_hz: float | None = None
    pitch_spread_st: float | None = None


class Span(BaseModel):
    start: float
    end: float


class AnalysisFlag(BaseModel):
    kind: str = Field(description="fast_speech | slow_speech | dead_air | talk_over | loud | monotone | forbidden …")
    start: float = Field(description="seconds from the start of the recording")
    end: float
    value: float | str | None = Field(description="the measure, or the phrase found")
    severity: str
    verdict: str | None = Field(default=None, description="a phrase's: hit, or hint (inside a polite sentence)")


class Segment(BaseModel):
    channel: Literal["agent", "customer"]
    start: float = Field(ge=0, le=86400)
    end: float = Field(ge=0, le=86400)
    text: str = Field(max_length=5000)


class TranscriptIn(BaseModel):
    segments: list[Segment] = Field(max_length=20000)


class CallAnalysisPublic(BaseModel):
    state: Literal["pending", "done", "unreadable"]
    reason: str | None = Field(description="why the recording could not be analysed")
    analysed_at: datetime | None
    channels: dict[str, ChannelFigures] | None = Field(description="agent and customer; a mono file: mixed")
    dead_air: list[Span] | None
    talk_over: list[Span] | None
    talk_ratio: float | None
    flags: list[AnalysisFlag]
    transcript: list[Segment] | None
