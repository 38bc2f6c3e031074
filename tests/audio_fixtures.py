"""Test recordings the project makes itself (issue 17): espeak-ng speaking Mandarin at known rates, mixed
with numpy into stereo calls with silences and overlaps at known times, sines at known levels, and
files of every accepted (and refused) kind. Used by tests/unit/test_audio_analysis.py and
bench/audio_analysis.py; nothing here reads files the project does not write itself.

espeak-ng 1.51's `-v cmn` voice reads its own pinyin with the tone digits spelt in English ("ni55 two"),
two syllables per character; `cmn-latn-pinyin` (the same Mandarin voice, Latin read as pinyin) speaks one
syllable per character, so the fixtures use it.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf
from scipy import signal

ESPEAK = shutil.which("espeak-ng")
VOICE = "cmn-latn-pinyin"
MISSING_ESPEAK = "!! espeak-ng is not installed: apt-get install -y espeak-ng (the speech fixtures of issue 17 need it)"

# Customer-service sentences without punctuation inside, so that espeak speaks them in one breath.
AGENT_LINES = [
    "您好这里是供电服务热线请问有什么可以帮您",
    "请您提供一下户号和联系电话我帮您查询一下停电的原因",
    "这个地区正在进行线路检修预计下午五点以前恢复供电",
    "给您带来的不便非常抱歉请问还有其他可以帮您的吗",
]
CUSTOMER_LINES = [
    "我家从早上开始就没有电了冰箱里的东西都快坏了",
    "户号是一二三四五六七电话就是现在打的这个",
    "那好吧我再等一等谢谢你",
]


def chinese_chars(text: str) -> int:
    return sum(1 for c in text if "\u4e00" <= c <= "\u9fff")


def say(text: str, *, wpm: int = 175, pitch: int = 50, rate: int = 8000) -> npt.NDArray[np.float64]:
    """espeak-ng Mandarin at `wpm`, resampled to `rate`, leading and trailing silence trimmed, in [-1, 1)."""
    if ESPEAK is None:
        raise RuntimeError(MISSING_ESPEAK)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "say.wav"
        subprocess.run(
            [ESPEAK, "-v", VOICE, "-s", str(wpm), "-p", str(pitch), "-w", str(out), text],
            check=True,
            capture_output=True,
            timeout=60,
        )
        y, sr = sf.read(out, dtype="float64")
    g = math.gcd(int(sr), rate)
    y = np.asarray(signal.resample_poly(y, rate // g, int(sr) // g))
    level = _frame_db(y, rate)
    loud = np.flatnonzero(level > level.max() - 40.0)
    hop = rate // 100
    return y[loud[0] * hop : (loud[-1] + 1) * hop]


def _frame_db(y: npt.NDArray[np.float64], rate: int) -> npt.NDArray[np.float64]:
    hop = rate // 100
    n = len(y) // hop
    p = (y[: n * hop].reshape(n, hop) ** 2).mean(axis=1)
    return np.asarray(10.0 * np.log10(np.maximum(p, 1e-12)))


def speaking_seconds(y: npt.NDArray[np.float64], rate: int, min_pause_s: float = 0.3) -> float:
    """Ground truth speaking time of a clean TTS signal, independent of the VAD: 10 ms frames within 35 dB
    of the loudest, pauses shorter than min_pause_s counted as speaking."""
    level = _frame_db(y, rate)
    on = level > level.max() - 35.0
    idx = np.flatnonzero(on)
    if idx.size == 0:
        return 0.0
    gaps = np.diff(idx)
    total = 1 + sum(int(g) if g <= min_pause_s * 100 else 1 for g in gaps)
    return total / 100.0


def sine(seconds: float, *, dbfs: float, freq: float = 1000.0, rate: int = 8000) -> npt.NDArray[np.float64]:
    """A sine at `dbfs` under AES17 (a full-scale sine is 0 dBFS: amplitude 10^(dbfs/20))."""
    t = np.arange(int(seconds * rate)) / rate
    return np.asarray(10.0 ** (dbfs / 20.0) * np.sin(2 * np.pi * freq * t))


@dataclass
class Placed:
    channel: str  # "agent" | "customer"
    start: float
    end: float
    text: str = ""


@dataclass
class Call:
    rate: int
    agent: npt.NDArray[np.float64]
    customer: npt.NDArray[np.float64]
    placed: list[Placed] = field(default_factory=list)

    def stereo(self, agent_left: bool = True) -> npt.NDArray[np.float64]:
        cols = [self.agent, self.customer] if agent_left else [self.customer, self.agent]
        return np.stack(cols, axis=1)

    def write(self, path: Path, subtype: str = "PCM_16", fmt: str | None = None, agent_left: bool = True) -> Path:
        sf.write(path, self.stereo(agent_left), self.rate, subtype=subtype, format=fmt)
        return path


def build_call(
    script: Sequence[tuple[str, float, str]],
    *,
    rate: int = 8000,
    wpm: int = 175,
    tail: float = 1.0,
    noise_dbfs: float = -70.0,
    seed: int = 7,
) -> Call:
    """A stereo call from (channel, start seconds, text) lines: each line is spoken from its start; a
    line's end is known from the synthesised length. The customer speaks higher (espeak pitch 75)."""
    clips = []
    for channel, start, text in script:
        y = say(text, wpm=wpm, pitch=30 if channel == "agent" else 75, rate=rate)
        clips.append((channel, start, text, y))
    end = max(start + len(y) / rate for _, start, _, y in clips) + tail
    n = int(end * rate)
    rng = np.random.default_rng(seed)
    sigma = 10.0 ** ((noise_dbfs - 3.01) / 20.0)  # AES17: white noise RMS = sine level - 3.01 dB
    chans = {"agent": rng.normal(0.0, sigma, n), "customer": rng.normal(0.0, sigma, n)}
    placed = []
    for channel, start, text, y in clips:
        i = int(start * rate)
        chans[channel][i : i + len(y)] += 0.5 * y
        placed.append(Placed(channel, start, start + len(y) / rate, text))
    return Call(rate=rate, agent=chans["agent"], customer=chans["customer"], placed=placed)


def realistic_call(seconds: float = 300.0, *, rate: int = 8000, seed: int = 1) -> Call:
    """About `seconds` of alternating turns with pauses of 0.3-2 s, a dead-air gap now and then and an
    occasional overlap: the benchmark's call. Lines are synthesised once each and reused."""
    rng = np.random.default_rng(seed)
    cache: dict[tuple[str, str], npt.NDArray[np.float64]] = {}
    n = int(seconds * rate)
    sigma = 10.0 ** ((-65.0 - 3.01) / 20.0)
    chans = {"agent": rng.normal(0.0, sigma, n), "customer": rng.normal(0.0, sigma, n)}
    placed: list[Placed] = []
    t, who = 0.5, "agent"
    while True:
        lines = AGENT_LINES if who == "agent" else CUSTOMER_LINES
        text = lines[int(rng.integers(len(lines)))]
        key = (who, text)
        if key not in cache:
            cache[key] = say(text, wpm=175, pitch=30 if who == "agent" else 75, rate=rate)
        y = cache[key]
        i = int(t * rate)
        if i + len(y) > n:
            break
        chans[who][i : i + len(y)] += 0.5 * y
        placed.append(Placed(who, t, t + len(y) / rate, text))
        r = rng.random()
        gap = 6.0 if r < 0.05 else -1.5 if r < 0.12 else float(rng.uniform(0.3, 2.0))
        t = t + len(y) / rate + gap
        who = "customer" if who == "agent" else "agent"
    return Call(rate=rate, agent=chans["agent"], customer=chans["customer"], placed=placed)


def write_long(path: Path, seconds: float, *, rate: int = 8000, subtype: str = "ULAW") -> Path:
    """A long stereo file written a minute at a time (mostly low noise, a 1 kHz burst every 5 minutes):
    cheap to make, and never all in memory."""
    block = 60 * rate
    noise = np.random.default_rng(3).normal(0.0, 10 ** (-70 / 20), (block, 2))
    burst = 0.1 * np.sin(2 * np.pi * 1000 * np.arange(2 * rate) / rate)
    with sf.SoundFile(path, "w", samplerate=rate, channels=2, subtype=subtype, format="WAV") as f:
        for k in range(math.ceil(seconds / 60)):
            m = min(block, int(seconds * rate) - k * block)
            y = noise[:m].copy()
            if k % 5 == 0:
                n = min(m, len(burst))
                y[:n, 0] += burst[:n]
            f.write(y)
    return path
