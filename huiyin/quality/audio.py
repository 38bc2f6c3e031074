"""Measurements of a call recording without speech recognition (issue 17, 语音分析).

`analyse(source)` decodes a recording and measures, per channel: voice activity (webrtcvad), speaking
time, speech rate in characters (= syllables) per minute by syllable-nuclei peak picking after De Jong &
Wempe (2009), RMS in dBFS and integrated loudness in LUFS (ITU-R BS.1770-4), and the pitch spread of the
syllable nuclei; across channels: dead air, talk-over, talk ratio and the customer's longest turn; and
turns each finding into a timed flag against the thresholds of a `Rules` object. Times are seconds from
the start of the recording.

Conventions:
- dBFS follows AES17: a full-scale sine reads 0 dBFS, i.e. 20·log10(RMS) + 3.01 dB for samples scaled to
  [-1, 1). A full-scale square wave reads +3.01 dBFS.
- LUFS per BS.1770-4 (K-weighting designed for the file's own rate with pyloudnorm's filter design,
  400 ms blocks with 75 % overlap, gates at -70 LKFS and -10 LU), computed in 60 s chunks so that memory
  does not grow with the call; a channel shorter than 0.4 s or with no block above the absolute gate has
  no LUFS (None).
- Speech rate is the articulation rate: syllable nuclei ÷ speaking time, where speaking time is the voice
  activity with pauses shorter than `Rules.min_pause_s` (0.3 s) bridged.

Only the standard library, numpy, scipy, soundfile, webrtcvad and pyloudnorm are imported here.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

import numpy as np
import numpy.typing as npt
import soundfile as sf
import webrtcvad
from pyloudnorm.iirfilter import IIRfilter
from scipy import signal

from huiyin.quality.limits import Limits as Limits
from huiyin.quality.limits import Rules as Rules
from huiyin.quality.limits import Unreadable as Unreadable

FRAME_S = 0.01  # the analysis grid: masks and the intensity contour have one value per 10 ms
_VAD_FRAME_S = 0.03  # webrtcvad's longest frame: the fewest calls
_CHUNK_S = 60.0  # decoded audio is processed in chunks of this many seconds (a multiple of 30 and 100 ms)
_AES17_SINE_DB = 10.0 * math.log10(2.0)  # +3.01 dB: a full-scale sine reads 0 dBFS
_SUPPORTED_RATES = (8000, 16000)
_F0_MIN, _F0_MAX = 60.0, 400.0  # pitch search range (Hz) of the voicing check

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Interval:
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass
class ChannelMeasures:
    speech_seconds: float
    speech_rate_cpm: float | None
    rms_dbfs: float | None
    lufs: float | None
    active_rms_dbfs: float | None = None  # RMS over the speaking frames only
    syllables: int = 0
    pitch_median_hz: float | None = None
    pitch_spread_st: float | None = None
    segments: list[Interval] = field(default_factory=list)  # speaking, min-pause bridged

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("segments")
        return d


@dataclass
class Flag:
    kind: str
    start: float
    end: float
    value: float
    severity: Literal["low", "medium", "high"]


@dataclass
class Analysis:
    duration: float
    sample_rate: int
    mono: bool
    channels: dict[str, ChannelMeasures]  # "agent" and "customer"; a mono file has only "mixed"
    dead_air: list[Interval]
    talk_over: list[Interval]
    talk_ratio: float | None
    customer_longest_turn: Interval | None
    flags: list[Flag]

    def to_dict(self) -> dict[str, Any]:
        """The issue's API shape (times in seconds, rounded to 10 ms; values to 0.1)."""
        return {
            "duration": round(self.duration, 2),
            "sample_rate": self.sample_rate,
            "mono": self.mono,
            "channels": {name: _rounded(m.to_dict()) for name, m in self.channels.items()},
            "dead_air": [_interval(i) for i in self.dead_air],
            "talk_over": [_interval(i) for i in self.talk_over],
            "talk_ratio": None if self.talk_ratio is None else round(self.talk_ratio, 3),
            "customer_longest_turn": None
            if self.customer_longest_turn is None
            else _interval(self.customer_longest_turn),
            "flags": [_rounded(asdict(f)) for f in self.flags],
        }


def _interval(i: Interval) -> dict[str, float]:
    return {"start": round(i.start, 2), "end": round(i.end, 2)}


def _rounded(d: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, float):
            v = round(v, 2) if k in ("start", "end") else round(v, 1)
        out[k] = v
    return out


# ---------------------------------------------------------------------------------------------- decoding


@dataclass
class Decoded:
    samples: npt.NDArray[np.int16]  # (frames, channels)
    rate: int


def decode(source: str | os.PathLike[str] | bytes | BinaryIO, limits: Limits = Limits()) -> Decoded:
    """WAV (PCM 8/16/24/32-bit, float, A-law, µ-law), MP3, FLAC, Ogg… through libsndfile, to 16-bit samples.

    Rates other than 8 and 16 kHz are resampled to 16 kHz. Raises `Unreadable` for an empty, corrupt,
    too large or too long file, or one with more than two channels."""
    size = _size(source)
    if size == 0:
        raise Unreadable("empty file (0 bytes)")
    if size is not None and size > limits.max_bytes:
        raise Unreadable(f"file too large: {size} bytes > {limits.max_bytes}")
    handle: Any = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    try:
        with sf.SoundFile(handle) as f:
            rate, channels, frames = int(f.samplerate), int(f.channels), int(f.frames)
            if channels not in (1, 2):
                raise Unreadable(f"unsupported channel count: {channels}")
            if rate <= 0:
                raise Unreadable(f"invalid sample rate: {rate}")
            # MP3 and some streams report no or an estimated frame count: the limit is checked while reading too
            max_frames = int(limits.max_seconds * rate)
            if frames > 0 and frames > max_frames and frames < 2**62:
                raise Unreadable(f"recording too long: {frames / rate:.0f} s > {limits.max_seconds:.0f} s")
            samples = _read_limited(f, channels, max_frames, limits)
    except Unreadable:
        raise
    except Exception as exc:  # libsndfile's errors, truncated headers, unknown formats…
        raise Unreadable(f"cannot decode: {exc}".strip()) from exc
    if samples.shape[0] == 0:
        raise Unreadable("no audio frames")
    if rate not in _SUPPORTED_RATES:
        samples, rate = _resample(samples, rate, 16000), 16000
    return Decoded(samples=samples, rate=rate)


def _size(source: object) -> int | None:
    if isinstance(source, bytes | bytearray):
        return len(source)
    if isinstance(source, str | os.PathLike):
        try:
            return Path(source).stat().st_size
        except OSError as exc:
            raise Unreadable(f"cannot open: {exc}") from exc
    return None


def _read_limited(f: sf.SoundFile, channels: int, max_frames: int, limits: Limits) -> npt.NDArray[np.int16]:
    """All the frames as 16-bit samples, in one buffer when the header tells the length (a 2 h stereo call at
    8 kHz: 230 MB, no second copy); streams whose length is unknown or estimated (MP3) are read on in
    chunks and the limit is checked as they go."""
    known = int(f.frames) if 0 < f.frames <= max_frames else 0
    head = np.empty((known, channels), dtype=np.int16)
    got = f.read(known, dtype="int16", always_2d=True, out=head).shape[0] if known else 0
    parts: list[npt.NDArray[np.int16]] = [head[:got]]
    total = got
    block = int(_CHUNK_S * f.samplerate)
    while got == known:  # read to the end: nothing more for an exact header, the rest for an estimate
        part = f.read(block, dtype="int16", always_2d=True)
        if part.shape[0] == 0:
            break
        total += part.shape[0]
        if total > max_frames:
            raise Unreadable(f"recording too long: > {limits.max_seconds:.0f} s")
        parts.append(part)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _resample(x: npt.NDArray[np.int16], rate: int, to: int) -> npt.NDArray[np.int16]:
    g = math.gcd(rate, to)
    y = np.asarray(signal.resample_poly(x.astype(np.float32), to // g, rate // g, axis=0))
    out: npt.NDArray[np.int16] = np.clip(np.round(y), -32768, 32767).astype(np.int16)
    return out


# --------------------------------------------------------------------------------------- per channel


@dataclass
class _Channel:
    measures: ChannelMeasures
    speech: BoolArray  # per 10 ms frame, min-pause bridged
    level_db: FloatArray  # per 10 ms frame, dBFS (AES17) of the raw frame power


def _channel(x: npt.NDArray[np.int16], rate: int, rules: Rules) -> _Channel:
    n = x.shape[0]
    hop = int(rate * FRAME_S)
    n_frames = n // hop
    power = np.empty(n_frames, dtype=np.float64)  # mean square per 10 ms frame, full scale = 1
    vad_raw = np.zeros(n_frames, dtype=bool)
    lufs = _Loudness(rate)
    vad = webrtcvad.Vad(rules.vad_mode)
    vad_len = int(rate * _VAD_FRAME_S)
    per_vad = vad_len // hop
    floor = 10.0 ** ((rules.vad_floor_dbfs - _AES17_SINE_DB) / 10.0)
    chunk = int(rate * _CHUNK_S)
    total_sq = 0.0
    for start in range(0, n, chunk):
        raw = np.ascontiguousarray(x[start : start + chunk])
        y: FloatArray = np.multiply(raw, 1.0 / 32768.0, dtype=np.float64)
        total_sq += float(np.dot(y, y))
        lufs.feed(y)
        f0 = start // hop
        k = min(len(y) // hop, n_frames - f0)
        p = np.einsum("ij,ij->i", y[: k * hop].reshape(k, hop), y[: k * hop].reshape(k, hop)) / hop
        power[f0 : f0 + k] = p
        # webrtcvad on 30 ms frames, the quiet ones skipped
        m = len(raw) // vad_len
        if m:
            vp = p[: m * per_vad].reshape(m, per_vad).mean(axis=1)
            buf = raw[: m * vad_len].tobytes()
            step = vad_len * 2
            decisions = np.zeros(m, dtype=bool)
            for i in np.flatnonzero(vp > floor):
                decisions[i] = vad.is_speech(buf[i * step : (i + 1) * step], rate)
            vad_raw[f0 : f0 + m * per_vad] = np.repeat(decisions, per_vad)
    speech = _bridge(vad_raw, round(rules.min_pause_s / FRAME_S))
    segments = _runs(speech)
    speech_seconds = float(speech.sum()) * FRAME_S

    with np.errstate(divide="ignore"):
        level_db = 10.0 * np.log10(np.maximum(power, 1e-12)) + _AES17_SINE_DB
    rms_dbfs = _db(total_sq / n) if n else None
    active = power[speech]
    active_rms = _db(float(active.mean())) if active.size else None

    nuclei, f0s = _syllable_nuclei(x, rate, power, speech, rules)
    rate_cpm = len(nuclei) / speech_seconds * 60.0 if speech_seconds > 0 else None
    pitch_median = pitch_spread = None
    if len(f0s) >= 5:
        # spread in semitones, robust to octave errors: 1.4826 × median absolute deviation (= σ for a normal)
        st = 12.0 * np.log2(f0s / np.median(f0s))
        pitch_median, pitch_spread = float(np.median(f0s)), float(1.4826 * np.median(np.abs(st)))
    measures = ChannelMeasures(
        speech_seconds=speech_seconds,
        speech_rate_cpm=rate_cpm,
        rms_dbfs=rms_dbfs,
        lufs=lufs.integrated(),
        active_rms_dbfs=active_rms,
        syllables=len(nuclei),
        pitch_median_hz=pitch_median,
        pitch_spread_st=pitch_spread,
        segments=[Interval(a * FRAME_S, b * FRAME_S) for a, b in segments],
    )
    return _Channel(measures=measures, speech=speech, level_db=level_db)


def _db(mean_square: float) -> float | None:
    if mean_square <= 1e-14:
        return None
    return 10.0 * math.log10(mean_square) + _AES17_SINE_DB


def _syllable_nuclei(
    x: npt.NDArray[np.int16], rate: int, power: FloatArray, speech: BoolArray, rules: Rules
) -> tuple[npt.NDArray[np.intp], FloatArray]:
    """De Jong & Wempe (2009): peaks of the intensity contour above (0.99 quantile + silence_threshold_db),
    standing at least min_dip_db above the dips on both sides, in speech and voiced. Returns the frames of
    the nuclei and the F0 (Hz) of each."""
    if power.size < 3 or not speech.any():
        return np.zeros(0, dtype=np.intp), np.zeros(0)
    # Praat's intensity for a 50 Hz minimum pitch weighs ~64 ms around each point: smooth the 10 ms powers
    # with a 7-frame Hann window (a peak per syllable, not per pitch period)
    kernel = np.hanning(9)[1:-1]
    smooth = np.convolve(power, kernel / kernel.sum(), mode="same")
    intensity = 10.0 * np.log10(np.maximum(smooth, 1e-12))
    threshold = float(np.quantile(intensity, 0.99)) + rules.silence_threshold_db
    threshold = max(threshold, float(intensity.min()))
    peaks, _ = signal.find_peaks(intensity, height=threshold, prominence=rules.min_dip_db)
    peaks = peaks[speech[peaks]]
    if peaks.size == 0:
        return peaks, np.zeros(0)
    voiced, f0 = _voicing(x, rate, peaks, rules.voicing_threshold)
    return peaks[voiced], f0[voiced]


_VOICING_BATCH = 2048  # peaks judged at once: their windows and spectra take ~40 kB each, so memory stays flat


def _voicing(
    x: npt.NDArray[np.int16], rate: int, frames: npt.NDArray[np.intp], threshold: float
) -> tuple[BoolArray, FloatArray]:
    """`_voicing_batch` over the frames a batch at a time (a long call has tens of thousands of peaks)."""
    if len(frames) <= _VOICING_BATCH:
        return _voicing_batch(x, rate, frames, threshold)
    parts = [
        _voicing_batch(x, rate, frames[i : i + _VOICING_BATCH], threshold)
        for i in range(0, len(frames), _VOICING_BATCH)
    ]
    return np.concatenate([v for v, _ in parts]), np.concatenate([f for _, f in parts])


def _voicing_batch(
    x: npt.NDArray[np.int16], rate: int, frames: npt.NDArray[np.intp], threshold: float
) -> tuple[BoolArray, FloatArray]:
    """Normalised autocorrelation of a window of three periods of the lowest pitch (60 Hz: 50 ms) at each
    frame's centre: voiced where its maximum over lags for 60–400 Hz reaches `threshold`; F0 = rate / lag."""
    win = int(3.0 / _F0_MIN * rate)
    hop = int(rate * FRAME_S)
    centres = frames * hop + hop // 2
    starts = np.clip(centres - win // 2, 0, max(len(x) - win, 0))
    idx = starts[:, None] + np.arange(win)[None, :]
    seg = x[np.minimum(idx, len(x) - 1)].astype(np.float64)
    seg -= seg.mean(axis=1, keepdims=True)
    seg *= np.hanning(win)[None, :]
    nfft = 1 << (2 * win - 1).bit_length()
    spec = np.fft.rfft(seg, nfft, axis=1)
    ac = np.fft.irfft(spec.real**2 + spec.imag**2, nfft, axis=1)[:, :win]
    # divide by the window's own autocorrelation (Boersma 1993) so a periodic signal reads near 1
    w = np.fft.rfft(np.hanning(win), nfft)
    wac = np.fft.irfft(w.real**2 + w.imag**2, nfft)[:win]
    lo, hi = int(rate / _F0_MAX), min(int(rate / _F0_MIN), win - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (ac[:, lo : hi + 1] / np.maximum(ac[:, :1], 1e-9)) / (wac[lo : hi + 1] / wac[0])
    best = np.argmax(r, axis=1)
    rmax = r[np.arange(len(best)), best]
    return rmax >= threshold, rate / (best + lo).astype(np.float64)


class _Loudness:
    """BS.1770-4 integrated loudness of one channel, fed in chunks: K-weighting with pyloudnorm's filter
    design for this rate (filter state carried between chunks), mean squares per 100 ms, 400 ms blocks with
    75 % overlap, absolute gate -70 LKFS, relative gate -10 LU."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        stages = [
            IIRfilter(4.0, 1 / np.sqrt(2), 1500.0, rate, "high_shelf"),
            IIRfilter(0.0, 0.5, 38.0, rate, "high_pass"),
        ]
        # both biquads in one second-order-sections pass (half the time of two lfilter calls)
        self.sos = np.vstack([np.concatenate([st.b / st.a[0], st.a / st.a[0]]) for st in stages])
        self.gain = math.prod(float(st.passband_gain) for st in stages)
        self.state = np.zeros((len(stages), 2))
        self.sub = round(rate * 0.1)
        self.carry = np.zeros(0)
        self.sub_ms: list[FloatArray] = []

    def feed(self, y: FloatArray) -> None:
        y, self.state = signal.sosfilt(self.sos, y, zi=self.state)
        if self.gain != 1.0:
            y = self.gain * y
        y = np.concatenate([self.carry, y]) if self.carry.size else y
        k = len(y) // self.sub
        blocks = y[: k * self.sub].reshape(k, self.sub)
        self.sub_ms.append(np.einsum("ij,ij->i", blocks, blocks) / self.sub)
        self.carry = y[k * self.sub :]

    def integrated(self) -> float | None:
        subs = np.concatenate(self.sub_ms) if self.sub_ms else np.zeros(0)
        if subs.size < 4:
            return None  # shorter than one 400 ms block
        z = np.convolve(subs, np.ones(4) / 4, mode="valid")
        with np.errstate(divide="ignore"):
            block = -0.691 + 10.0 * np.log10(z)
        gated = z[block >= -70.0]
        if gated.size == 0:
            return None
        relative = -0.691 + 10.0 * math.log10(float(gated.mean())) - 10.0
        gated = z[(block >= -70.0) & (block > relative)]
        return -0.691 + 10.0 * math.log10(float(gated.mean()))


# ------------------------------------------------------------------------------------ frame helpers


def _runs(mask: BoolArray) -> list[tuple[int, int]]:
    """[start, end) frame index pairs of the True runs."""
    if mask.size == 0:
        return []
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True))


def _bridge(mask: BoolArray, max_gap: int) -> BoolArray:
    """Fill False runs shorter than max_gap frames that lie between two True runs."""
    out = mask.copy()
    runs = _runs(~mask)
    for a, b in runs:
        if a > 0 and b < mask.size and b - a < max_gap:
            out[a:b] = True
    return out


# ------------------------------------------------------------------------------------------- analysis


def analyse(
    source: str | os.PathLike[str] | bytes | BinaryIO,
    *,
    agent_channel: Literal["left", "right"] = "left",
    rules: Rules = Rules(),
    limits: Limits = Limits(),
    holds: Sequence[tuple[float, float]] = (),
) -> Analysis:
    """Decode and measure a recording. Stereo: the agent on `agent_channel`, the customer on the other.
    Mono: one "mixed" channel; dead air is measured, what needs the two sides apart is None.
    `holds` are (start, end) seconds the call was on hold: no dead air there. Raises `Unreadable`."""
    decoded = decode(source, limits)
    return analyse_samples(decoded.samples, decoded.rate, agent_channel=agent_channel, rules=rules, holds=holds)


def analyse_samples(
    samples: npt.NDArray[np.int16],
    rate: int,
    *,
    agent_channel: Literal["left", "right"] = "left",
    rules: Rules = Rules(),
    holds: Sequence[tuple[float, float]] = (),
) -> Analysis:
    if samples.ndim == 1:
        samples = samples[:, None]
    duration = samples.shape[0] / rate
    if samples.shape[1] == 1:
        mixed = _channel(samples[:, 0], rate, rules)
        dead = _dead_air(mixed.speech, rules, holds)
        return Analysis(
            duration=duration,
            sample_rate=rate,
            mono=True,
            channels={"mixed": mixed.measures},
            dead_air=dead,
            talk_over=[],
            talk_ratio=None,
            customer_longest_turn=None,
            flags=[_flag("dead_air", i, i.seconds, rules.dead_air_s) for i in dead],
        )
    a_idx = 0 if agent_channel == "left" else 1
    agent = _channel(samples[:, a_idx], rate, rules)
    customer = _channel(samples[:, 1 - a_idx], rate, rules)
    n = min(agent.speech.size, customer.speech.size)
    a_sp, c_sp = agent.speech[:n], customer.speech[:n]
    dead = _dead_air(a_sp | c_sp, rules, holds)
    over = _talk_over(a_sp, c_sp, rules)
    both = agent.measures.speech_seconds + customer.measures.speech_seconds
    ratio = agent.measures.speech_seconds / both if both > 0 else None
    turn = _longest_turn(c_sp, a_sp, rules)
    flags = _flags(agent, dead, over, rules)
    return Analysis(
        duration=duration,
        sample_rate=rate,
        mono=False,
        channels={"agent": agent.measures, "customer": customer.measures},
        dead_air=dead,
        talk_over=over,
        talk_ratio=ratio,
        customer_longest_turn=turn,
        flags=flags,
    )


def _dead_air(anyone: BoolArray, rules: Rules, holds: Iterable[tuple[float, float]]) -> list[Interval]:
    """Silences of both sides of at least dead_air_s between the first and the last speech, outside hold."""
    mask = ~anyone
    for h0, h1 in holds:
        mask[max(int(h0 / FRAME_S), 0) : max(math.ceil(h1 / FRAME_S), 0)] = False
    need = rules.dead_air_s / FRAME_S - 1e-9
    return [
        Interval(a * FRAME_S, b * FRAME_S)
        for a, b in _runs(mask)
        if b - a >= need and a > 0 and b < anyone.size  # leading and trailing silence is not dead air
    ]


def _talk_over(agent: BoolArray, customer: BoolArray, rules: Rules) -> list[Interval]:
    """The agent starts speaking while the customer speaks, and both go on for at least talk_over_s."""
    both = agent & customer
    need = rules.talk_over_s / FRAME_S - 1e-9
    out = []
    for a, _b in _runs(agent):
        if not customer[a]:
            continue
        end = a
        while end < both.size and both[end]:
            end += 1
        if end - a >= need:
            out.append(Interval(a * FRAME_S, end * FRAME_S))
    return out


def _longest_turn(customer: BoolArray, agent: BoolArray, rules: Rules) -> Interval | None:
    """Customer speech joined across pauses shorter than turn_gap_s in which the agent stays silent."""
    turns = _runs(customer)
    if not turns:
        return None
    gap = rules.turn_gap_s / FRAME_S
    merged = [list(turns[0])]
    for a, b in turns[1:]:
        _pa, pb = merged[-1]
        if a - pb < gap and not agent[pb:a].any():
            merged[-1][1] = b
        else:
            merged.append([a, b])
    a, b = max(merged, key=lambda t: t[1] - t[0])
    return Interval(a * FRAME_S, b * FRAME_S)


def _severity(value: float, threshold: float) -> Literal["low", "medium", "high"]:
    """How far past its threshold a value is, either way: under 1.2× low, under 1.5× medium, else high."""
    ratio = value / threshold if value >= threshold else threshold / max(value, 1e-9)
    return "low" if ratio < 1.2 else "medium" if ratio < 1.5 else "high"


def _flag(kind: str, i: Interval, value: float, threshold: float) -> Flag:
    return Flag(kind=kind, start=i.start, end=i.end, value=value, severity=_severity(value, threshold))


def _flags(agent: _Channel, dead: list[Interval], over: list[Interval], rules: Rules) -> list[Flag]:
    m = agent.measures
    flags: list[Flag] = []
    span = Interval(m.segments[0].start, m.segments[-1].end) if m.segments else Interval(0.0, 0.0)
    if m.speech_rate_cpm is not None:
        if m.speech_rate_cpm > rules.fast_cpm and m.speech_seconds >= rules.fast_min_speech_s:
            flags.append(_flag("fast_speech", span, m.speech_rate_cpm, rules.fast_cpm))
        if m.speech_rate_cpm < rules.slow_cpm and m.speech_seconds >= rules.slow_min_speech_s:
            flags.append(_flag("slow_speech", span, m.speech_rate_cpm, rules.slow_cpm))
    if (
        m.pitch_spread_st is not None
        and m.speech_seconds >= rules.monotone_min_speech_s
        and m.pitch_spread_st < rules.monotone_st
    ):
        flags.append(_flag("monotone", span, m.pitch_spread_st, rules.monotone_st))
    flags += [_flag("dead_air", i, i.seconds, rules.dead_air_s) for i in dead]
    flags += [_flag("talk_over", i, i.seconds, rules.talk_over_s) for i in over]
    flags += _loudness_jumps(agent, rules)
    flags.sort(key=lambda f: (f.start, f.kind))
    return flags


def _loudness_jumps(agent: _Channel, rules: Rules) -> list[Flag]:
    """Windows of loudness_window_s whose speech is loudness_jump_db above the agent's median windowed
    level (their own baseline): raised voice."""
    speech = agent.speech
    if speech.sum() * FRAME_S < 2 * rules.loudness_window_s:
        return []
    power = np.power(10.0, agent.level_db[: speech.size] / 10.0) * speech
    w = max(int(rules.loudness_window_s / FRAME_S), 1)
    ones = np.ones(w)
    num = np.convolve(power, ones, mode="same")
    cnt = np.convolve(speech.astype(np.float64), ones, mode="same")
    valid = cnt >= w / 2  # at least half the window is speech
    if not valid.any():
        return []
    level = np.full(speech.size, -np.inf)
    level[valid] = 10.0 * np.log10(np.maximum(num[valid] / cnt[valid], 1e-14))
    baseline = float(np.median(level[valid & speech]))
    loud = valid & speech & (level - baseline >= rules.loudness_jump_db)
    out = []
    for a, b in _runs(loud):
        excess = float(level[a:b].max() - baseline)
        out.append(
            Flag(
                kind="loudness_jump",
                start=a * FRAME_S,
                end=b * FRAME_S,
                value=excess,
                severity=_severity(excess, rules.loudness_jump_db),
            )
        )
    return out
