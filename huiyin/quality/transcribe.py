"""Transcripts of call recordings from a local speech recogniser (issue 17 §3).

A `Transcriber` turns one channel of a recording into timed `Piece`s of text; `transcribe_recording`
decodes a recording with `audio.decode`, runs the transcriber over each channel (stereo: channel 0 is the
agent, channel 1 the customer; mono: one "mixed" channel) and returns the segment dicts
``{"channel", "start", "end", "text"}`` that `service.do_transcript` keeps and `phrases.scan_segments` scans.

Why these engines: sherpa-onnx (k2-fsa, Apache-2.0; offline Paraformer and transducer models run on
onnxruntime, CPU only) and Vosk (Alpha Cephei, Apache-2.0; Kaldi models) both recognise Mandarin on a
plain CPU without a network, so recordings never leave the centre. Neither is a dependency of the project:
the administrator installs the one they want (``pip install sherpa-onnx`` or ``pip install vosk``) and
supplies a model directory they have fetched and vetted themselves. Nothing here downloads anything, and no
model ships with Huiyin; a missing package or model file raises `TranscriberUnavailable` at construction,
saying what to install or which file is missing from which directory.

Segmenting: sherpa-onnx's offline models take one utterance at a time, so a channel is cut at its pauses
by `speech_intervals` (webrtcvad on 30 ms frames, pauses shorter than 0.5 s bridged, utterances at most
20 s, cut at their quietest point) and each utterance becomes one `Piece`. Vosk finds its own endpoints and
times every word; its words are grouped into pieces at pauses of 0.5 s or more. `FakeTranscriber` (tests
and the demo) answers with given texts timed by the same `speech_intervals`, in the shape a real engine
would.

Only the standard library, numpy, scipy and webrtcvad are imported at module level; the engines are
imported when a transcriber is built.
"""

from __future__ import annotations

import importlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import webrtcvad
from scipy import signal

from huiyin.quality import audio

Float32Array = npt.NDArray[np.float32]

_VAD_FRAME_S = 0.03  # webrtcvad's longest frame
_VAD_RATES = (8000, 16000, 32000, 48000)
_AES17_SINE_DB = 10.0 * math.log10(2.0)
_PAD_S = 0.25  # audio given to the recogniser on each side of an utterance (the VAD clips onsets and tails)
_WORD_PAUSE_S = 0.5  # Vosk: a pause this long between two words starts a new piece
_CHANNELS_STEREO = ("agent", "customer")


class TranscriberUnavailable(Exception):
    """The engine's package is not installed or its model directory lacks a file it needs."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Piece:
    """Text spoken from `start` to `end`, seconds from the start of the recording."""

    start: float
    end: float
    text: str


class Transcriber(Protocol):
    name: str

    def transcribe(self, samples: Float32Array, rate: int) -> list[Piece]:
        """The pieces of ONE channel: `samples` float32 in [-1, 1], `rate` samples a second."""
        ...


# ------------------------------------------------------------------------------------------ recording


def transcribe_recording(
    transcriber: Transcriber, source: bytes, limits: audio.Limits = audio.Limits()
) -> list[dict[str, Any]]:
    """The transcript of a recording: ``[{"channel", "start", "end", "text"}]`` sorted by start, channel
    "agent" (channel 0) and "customer" (channel 1) for stereo, "mixed" for mono; pieces without text are
    dropped, times are rounded to 10 ms. Raises `audio.Unreadable` for a recording `audio.decode` refuses."""
    decoded = audio.decode(source, limits)
    samples = decoded.samples if decoded.samples.ndim == 2 else decoded.samples[:, None]
    duration = samples.shape[0] / decoded.rate
    names = _CHANNELS_STEREO if samples.shape[1] == 2 else ("mixed",)
    segments: list[dict[str, Any]] = []
    for index, channel in enumerate(names):
        y = np.multiply(samples[:, index], 1.0 / 32768.0, dtype=np.float32)
        for piece in transcriber.transcribe(y, decoded.rate):
            text = piece.text.strip()
            if not text:
                continue
            start = min(max(piece.start, 0.0), duration)
            end = min(max(piece.end, start), duration)
            segments.append({"channel": channel, "start": round(start, 2), "end": round(end, 2), "text": text})
    segments.sort(key=lambda s: (s["start"], s["end"], s["channel"]))
    return segments


# ------------------------------------------------------------------------------------------ segmenting


def speech_intervals(
    samples: Float32Array,
    rate: int,
    *,
    vad_mode: int = 2,
    min_pause_s: float = 0.5,
    min_speech_s: float = 0.2,
    max_s: float = 20.0,
    floor_dbfs: float = -55.0,
) -> list[tuple[float, float]]:
    """(start, end) seconds of the utterances of one channel: webrtcvad (aggressiveness `vad_mode`) on 30 ms
    frames, frames quieter than `floor_dbfs` (AES17) silent without asking it, pauses shorter than
    `min_pause_s` bridged, speech shorter than `min_speech_s` dropped, and utterances longer than `max_s`
    cut at their quietest 0.3 s in the second half of each `max_s` stretch."""
    x = _pcm16(samples)
    vad_rate = rate
    if rate not in _VAD_RATES:
        x, vad_rate = _resample16(x, rate, 16000), 16000
    size = int(vad_rate * _VAD_FRAME_S)
    m = len(x) // size
    if m == 0:
        return []
    frames = np.ascontiguousarray(x[: m * size]).reshape(m, size)
    scaled = frames.astype(np.float64) / 32768.0
    power = np.einsum("ij,ij->i", scaled, scaled) / size
    floor = 10.0 ** ((floor_dbfs - _AES17_SINE_DB) / 10.0)
    vad = webrtcvad.Vad(vad_mode)
    buf = frames.tobytes()
    step = size * 2
    speech = np.zeros(m, dtype=bool)
    for i in np.flatnonzero(power > floor):
        speech[i] = vad.is_speech(buf[i * step : (i + 1) * step], vad_rate)
    speech = audio._bridge(speech, round(min_pause_s / _VAD_FRAME_S))
    longest = max(int(max_s / _VAD_FRAME_S), 2)
    out: list[tuple[float, float]] = []
    for a, b in audio._runs(speech):
        if (b - a) * _VAD_FRAME_S < min_speech_s:
            continue
        for c, d in _split_long(a, b, power, longest):
            out.append((c * _VAD_FRAME_S, d * _VAD_FRAME_S))
    return out


def _split_long(a: int, b: int, power: npt.NDArray[np.float64], longest: int) -> list[tuple[int, int]]:
    """[a, b) in frames, cut into parts of at most `longest` frames at the quietest 10 frames (0.3 s) of the
    second half of each stretch."""
    parts: list[tuple[int, int]] = []
    smooth = np.convolve(power, np.ones(10) / 10.0, mode="same")
    while b - a > longest:
        lo, hi = a + longest // 2, a + longest
        cut = lo + int(np.argmin(smooth[lo:hi]))
        cut = min(max(cut, a + 1), a + longest)
        parts.append((a, cut))
        a = cut
    parts.append((a, b))
    return parts


def _pcm16(samples: Float32Array) -> npt.NDArray[np.int16]:
    y = np.asarray(samples, dtype=np.float32).reshape(-1)
    out: npt.NDArray[np.int16] = np.clip(np.round(y * 32768.0), -32768, 32767).astype(np.int16)
    return out


def _resample16(x: npt.NDArray[np.int16], rate: int, to: int) -> npt.NDArray[np.int16]:
    g = math.gcd(rate, to)
    y = np.asarray(signal.resample_poly(x.astype(np.float32), to // g, rate // g))
    out: npt.NDArray[np.int16] = np.clip(np.round(y), -32768, 32767).astype(np.int16)
    return out


def _import(module: str, package: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise TranscriberUnavailable(
            f"the Python package {package} is not installed: pip install {package} (in Huiyin's environment)"
        ) from exc


def _model_dir(model_dir: str | Path) -> Path:
    path = Path(model_dir)
    if not path.is_dir():
        raise TranscriberUnavailable(f"the model directory {path} does not exist or is not a directory")
    return path


# ------------------------------------------------------------------------------------------ fake


class FakeTranscriber:
    """For tests and the demo: the i-th utterance `speech_intervals` finds in a channel gets the i-th text;
    when the texts run out the remaining utterances get none (no cycling). Each call starts again from the
    first text, as a real engine answers each channel on its own."""

    name = "fake"

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = list(texts)

    def transcribe(self, samples: Float32Array, rate: int) -> list[Piece]:
        intervals = speech_intervals(samples, rate)
        return [Piece(a, b, text) for (a, b), text in zip(intervals, self.texts, strict=False)]


# ------------------------------------------------------------------------------------------ sherpa-onnx


class SherpaOnnxTranscriber:
    """sherpa-onnx's offline recogniser over a model directory the administrator supplies: a Paraformer
    (``model.int8.onnx`` or ``model.onnx``, and ``tokens.txt``) or a transducer (``encoder*.onnx``,
    ``decoder*.onnx``, ``joiner*.onnx`` and ``tokens.txt``). Each utterance `speech_intervals` finds is
    recognised on its own and becomes one piece."""

    name = "sherpa-onnx"

    def __init__(
        self, model_dir: str | Path, *, num_threads: int = 2, max_utterance_s: float = 20.0, sample_rate: int = 16000
    ) -> None:
        sherpa_onnx = _import("sherpa_onnx", "sherpa-onnx")
        path = _model_dir(model_dir)
        self.model_dir = path
        self.max_utterance_s = max_utterance_s
        tokens = path / "tokens.txt"
        paraformer = _first(path, ["model.int8.onnx", "model.onnx"])
        parts = {part: _first(path, sorted(p.name for p in path.glob(f"{part}*.onnx"))) for part in _TRANSDUCER}
        common: dict[str, Any] = {"num_threads": num_threads, "sample_rate": sample_rate, "feature_dim": 80}
        if paraformer is not None:
            self.kind = "paraformer"
            _require(path, [tokens])
        elif any(parts.values()):
            self.kind = "transducer"
            _require(path, [tokens], also=[f"{part}*.onnx" for part, found in parts.items() if found is None])
        else:
            raise TranscriberUnavailable(
                f"the model directory {path} holds no sherpa-onnx model: a Paraformer needs model.onnx (or "
                "model.int8.onnx) and tokens.txt; a transducer needs encoder*.onnx, decoder*.onnx, joiner*.onnx "
                "and tokens.txt"
            )
        recognizer = sherpa_onnx.OfflineRecognizer
        try:
            if paraformer is not None:
                self.recognizer: Any = recognizer.from_paraformer(
                    paraformer=str(paraformer), tokens=str(tokens), **common
                )
            else:
                self.recognizer = recognizer.from_transducer(
                    encoder=str(parts["encoder"]),
                    decoder=str(parts["decoder"]),
                    joiner=str(parts["joiner"]),
                    tokens=str(tokens),
                    **common,
                )
        except Exception as exc:  # onnxruntime refusing a file, a wrong tokens.txt…
            raise TranscriberUnavailable(f"sherpa-onnx cannot load the {self.kind} model in {path}: {exc}") from exc

    def transcribe(self, samples: Float32Array, rate: int) -> list[Piece]:
        y = np.asarray(samples, dtype=np.float32).reshape(-1)
        pad = int(_PAD_S * rate)
        pieces: list[Piece] = []
        for start, end in speech_intervals(y, rate, max_s=self.max_utterance_s):
            a, b = max(int(start * rate) - pad, 0), min(int(end * rate) + pad, len(y))
            stream = self.recognizer.create_stream()
            stream.accept_waveform(rate, np.ascontiguousarray(y[a:b]))
            self.recognizer.decode_stream(stream)
            text = str(stream.result.text).strip()
            if text:
                pieces.append(Piece(start, end, text))
        return pieces


_TRANSDUCER = ("encoder", "decoder", "joiner")


def _first(path: Path, names: Sequence[str]) -> Path | None:
    """The first of `names` that is a file in `path`, an int8 one preferred."""
    ordered = sorted(names, key=lambda n: 0 if ".int8." in n else 1)
    for name in ordered:
        if (path / name).is_file():
            return path / name
    return None


def _require(path: Path, files: Sequence[Path], also: Sequence[str] = ()) -> None:
    missing = [f.name for f in files if not f.is_file()] + list(also)
    if missing:
        raise TranscriberUnavailable(f"the model directory {path} lacks {', '.join(missing)}")


# ------------------------------------------------------------------------------------------ Vosk


class VoskTranscriber:
    """Vosk (Kaldi) over a model directory the administrator supplies (``am/final.mdl`` and
    ``conf/mfcc.conf``, or the older ``final.mdl`` and ``mfcc.conf`` at the top). The channel is fed in
    0.2 s chunks at the model's rate (from mfcc.conf's --sample-frequency; 8 kHz calls are resampled for a
    16 kHz model); the timed words are grouped into pieces at pauses of 0.5 s or more, Chinese words joined
    without spaces."""

    name = "vosk"

    def __init__(self, model_dir: str | Path, *, word_pause_s: float = _WORD_PAUSE_S) -> None:
        vosk = _import("vosk", "vosk")
        path = _model_dir(model_dir)
        self.model_dir = path
        self.word_pause_s = word_pause_s
        if (path / "am").is_dir() or (path / "conf").is_dir():
            _require(path, [path / "am" / "final.mdl", path / "conf" / "mfcc.conf"])
            mfcc = path / "conf" / "mfcc.conf"
        else:
            if not (path / "final.mdl").is_file():
                raise TranscriberUnavailable(
                    f"the model directory {path} lacks am/final.mdl (or final.mdl): not a Vosk model"
                )
            _require(path, [path / "mfcc.conf"])
            mfcc = path / "mfcc.conf"
        self.model_rate = _mfcc_rate(mfcc)
        self.vosk = vosk
        set_log_level = getattr(vosk, "SetLogLevel", None)
        if set_log_level is not None:
            set_log_level(-1)
        try:
            self.model: Any = vosk.Model(str(path))
        except Exception as exc:  # Vosk raises a bare Exception("Failed to create a model")
            raise TranscriberUnavailable(f"Vosk cannot load the model in {path}: {exc}") from exc

    def transcribe(self, samples: Float32Array, rate: int) -> list[Piece]:
        x = _pcm16(samples)
        if rate != self.model_rate:
            x, rate = _resample16(x, rate, self.model_rate), self.model_rate
        recognizer = self.vosk.KaldiRecognizer(self.model, float(rate))
        recognizer.SetWords(True)
        data = x.astype("<i2").tobytes()
        chunk = int(rate * 0.2) * 2
        words: list[dict[str, Any]] = []
        for i in range(0, len(data), chunk):
            if recognizer.AcceptWaveform(data[i : i + chunk]):
                words += _words(recognizer.Result())
        words += _words(recognizer.FinalResult())
        return group_words(words, self.word_pause_s)


def _mfcc_rate(conf: Path) -> int:
    match = re.search(r"--sample-frequency\s*=\s*(\d+)", conf.read_text(encoding="utf-8", errors="replace"))
    return int(match.group(1)) if match else 16000


def _words(result: str) -> list[dict[str, Any]]:
    try:
        parsed = json.loads(result)
    except ValueError:
        return []
    words = parsed.get("result") if isinstance(parsed, dict) else None
    return [w for w in words or [] if isinstance(w, dict) and "word" in w and "start" in w and "end" in w]


def group_words(words: Sequence[dict[str, Any]], pause_s: float = _WORD_PAUSE_S) -> list[Piece]:
    """Timed words ``{"word", "start", "end"}`` into pieces, a new one after a pause of `pause_s` or more."""
    pieces: list[Piece] = []
    group: list[dict[str, Any]] = []
    for word in sorted(words, key=lambda w: float(w["start"])):
        if group and float(word["start"]) - float(group[-1]["end"]) >= pause_s:
            pieces.append(_piece(group))
            group = []
        group.append(word)
    if group:
        pieces.append(_piece(group))
    return [p for p in pieces if p.text]


def _piece(group: Sequence[dict[str, Any]]) -> Piece:
    return Piece(float(group[0]["start"]), float(group[-1]["end"]), join_words([str(w["word"]) for w in group]))


def _cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\u3000" <= ch <= "\u303f"


def join_words(words: Sequence[str]) -> str:
    """Words joined with a space only between two non-Chinese words ("您好 这里 是" → "您好这里是")."""
    out = ""
    for word in (w.strip() for w in words):
        if not word:
            continue
        if out and not (_cjk(out[-1]) or _cjk(word[0])):
            out += " "
        out += word
    return out


# ------------------------------------------------------------------------------------------ settings


def make_transcriber(kind: str, model_dir: str | None) -> Transcriber | None:
    """The transcriber a setting names: "none" → None; "sherpa-onnx" or "vosk" with their model directory
    (raises `TranscriberUnavailable` without one). "fake" is for tests and the demo, which build
    `FakeTranscriber` themselves: ValueError, as for any other kind."""
    if kind == "none":
        return None
    if kind in ("sherpa-onnx", "vosk"):
        if not model_dir:
            raise TranscriberUnavailable(f"the {kind} transcriber needs a model directory, and none is set")
        return SherpaOnnxTranscriber(model_dir) if kind == "sherpa-onnx" else VoskTranscriber(model_dir)
    if kind == "fake":
        raise ValueError("the fake transcriber is not built from settings: tests and the demo build it directly")
    raise ValueError(f"unknown transcriber {kind!r}: none, sherpa-onnx or vosk")
