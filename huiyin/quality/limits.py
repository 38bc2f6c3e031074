"""What the analysis of a recording accepts and the thresholds of its flags, apart from ``audio`` so that reading
or editing them (QA's rule table, the API) does not import numpy and scipy: the server starts without them and
the worker imports ``audio`` when it first analyses a recording. ``audio`` re-exports these names."""

from __future__ import annotations

from dataclasses import dataclass


class Unreadable(Exception):
    """The recording cannot be analysed: empty, corrupt, of an unsupported shape, or over the limits."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Limits:
    """What the decoder accepts. The decoded audio is held as 16-bit samples, so the memory an analysis
    needs is about max_seconds × rate × channels × 2 bytes (2 h of 8 kHz stereo: 230 MB)."""

    max_bytes: int = 300 * 1024 * 1024
    max_seconds: float = 3 * 3600.0


@dataclass(frozen=True)
class Rules:
    """Thresholds of the flags (editable by QA; the defaults are common QA practice, speech-analytics.md)."""

    fast_cpm: float = 280.0  # flag the agent faster than this many characters per minute
    slow_cpm: float = 120.0  # ... or slower than this
    slow_min_speech_s: float = 30.0  # ... over at least this much agent speech
    fast_min_speech_s: float = 10.0  # a rate over less speech than this is not flagged
    dead_air_s: float = 5.0  # neither side speaking this long (outside hold)
    talk_over_s: float = 1.0  # the agent starting over the customer, both speaking this long
    loudness_jump_db: float = 8.0  # the agent's level over 2 s this far above their own median level
    loudness_window_s: float = 2.0
    monotone_st: float = 1.0  # pitch spread (robust σ of the nuclei's F0, semitones) below this is monotone
    monotone_min_speech_s: float = 30.0
    min_pause_s: float = 0.3  # De Jong & Wempe: shorter pauses count as speaking time
    turn_gap_s: float = 1.5  # a customer turn goes on through pauses shorter than this if the agent is silent
    vad_mode: int = 2  # webrtcvad aggressiveness 0-3
    vad_floor_dbfs: float = -55.0  # 30 ms frames quieter than this are silence without asking the VAD
    silence_threshold_db: float = -25.0  # syllable nuclei: 0.99 intensity quantile + this
    min_dip_db: float = 2.0  # syllable nuclei: dip on both sides of a peak
    voicing_threshold: float = 0.45  # normalised autocorrelation for a voiced nucleus (Praat's default)
