"""huiyin.quality.transcribe: the fake transcriber timed to espeak-ng speech placed at known times
(tests/audio_fixtures.py), the segment dicts of a stereo and a mono recording, and the sherpa-onnx and Vosk
adapters refusing a missing package or model file, and driven through tiny stand-in engines (neither
package is a dependency, and no model ships)."""

from __future__ import annotations

import io
import itertools
import json
import sys
import types
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import pytest
import soundfile as sf

from huiyin.quality import audio
from huiyin.quality.transcribe import (
    FakeTranscriber,
    Piece,
    SherpaOnnxTranscriber,
    TranscriberUnavailable,
    VoskTranscriber,
    group_words,
    join_words,
    make_transcriber,
    speech_intervals,
    transcribe_recording,
)
from tests.audio_fixtures import AGENT_LINES, CUSTOMER_LINES, ESPEAK, MISSING_ESPEAK, Call, Placed, build_call

A, C = AGENT_LINES, CUSTOMER_LINES
SCRIPT = [
    ("agent", 1.0, A[0]),
    ("customer", 7.0, C[0]),
    ("agent", 12.5, A[1]),
    ("customer", 25.0, C[1]),
    ("agent", 26.5, A[2]),
    ("customer", 34.0, C[2]),
]
TOLERANCE_S = 0.3


@pytest.fixture(scope="module")
def call() -> Call:
    if ESPEAK is None:
        pytest.skip(MISSING_ESPEAK)
    return build_call(SCRIPT, rate=8000)


def wav(y: npt.NDArray[np.float64], rate: int) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, y, rate, subtype="PCM_16", format="WAV")
    return buf.getvalue()


def placed(call: Call, channel: str) -> list[Placed]:
    return [p for p in call.placed if p.channel == channel]


def assert_on_speech(segments: list[dict[str, Any]], speech: list[Placed]) -> None:
    assert len(segments) == len(speech)
    for segment, line in zip(segments, speech, strict=True):
        assert abs(segment["start"] - line.start) <= TOLERANCE_S, (segment, line)
        assert abs(segment["end"] - line.end) <= TOLERANCE_S, (segment, line)


# ------------------------------------------------------------------------------------------ fake


def test_the_fake_transcribers_pieces_land_on_each_sides_speech(call: Call) -> None:
    texts = ["第一句", "第二句", "第三句", "第四句"]
    segments = transcribe_recording(FakeTranscriber(texts), wav(call.stereo(), call.rate))
    agent = [s for s in segments if s["channel"] == "agent"]
    customer = [s for s in segments if s["channel"] == "customer"]
    assert_on_speech(agent, placed(call, "agent"))
    assert_on_speech(customer, placed(call, "customer"))
    assert [s["text"] for s in agent] == texts[:3]
    assert [s["text"] for s in customer] == texts[:3]
    assert [s["start"] for s in segments] == sorted(s["start"] for s in segments)
    assert {tuple(sorted(s)) for s in segments} == {("channel", "end", "start", "text")}
    assert all(s["start"] == round(s["start"], 2) and s["end"] == round(s["end"], 2) for s in segments)


def test_a_sixteen_kilohertz_recording_is_timed_the_same(call: Call) -> None:
    if ESPEAK is None:
        pytest.skip(MISSING_ESPEAK)
    call16 = build_call(SCRIPT, rate=16000)
    segments = transcribe_recording(FakeTranscriber(["甲", "乙", "丙"]), wav(call16.stereo(), 16000))
    assert_on_speech([s for s in segments if s["channel"] == "agent"], placed(call16, "agent"))
    assert_on_speech([s for s in segments if s["channel"] == "customer"], placed(call16, "customer"))


def test_a_mono_recording_gives_one_mixed_channel(call: Call) -> None:
    segments = transcribe_recording(FakeTranscriber(["一", "二", "三"]), wav(call.agent, call.rate))
    assert {s["channel"] for s in segments} == {"mixed"}
    assert_on_speech(segments, placed(call, "agent"))


def test_when_the_texts_run_out_the_remaining_speech_gets_no_piece(call: Call) -> None:
    segments = transcribe_recording(FakeTranscriber(["只有一句"]), wav(call.stereo(), call.rate))
    assert [(s["channel"], s["text"]) for s in segments] == [("agent", "只有一句"), ("customer", "只有一句")]
    assert_on_speech(segments[:1], placed(call, "agent")[:1])
    assert_on_speech(segments[1:], placed(call, "customer")[:1])


def test_pieces_without_text_are_dropped(call: Call) -> None:
    segments = transcribe_recording(FakeTranscriber(["", "  ", "第三句"]), wav(call.agent, call.rate))
    assert [s["text"] for s in segments] == ["第三句"]
    assert_on_speech(segments, placed(call, "agent")[2:])


@pytest.mark.parametrize("source", [b"", b"this is not a recording", b"RIFF\x00\x00\x00\x00WAVEfmt "])
def test_unreadable_bytes_raise_unreadable(source: bytes) -> None:
    with pytest.raises(audio.Unreadable):
        transcribe_recording(FakeTranscriber(["一"]), source)


def test_silence_has_no_speech_and_a_long_utterance_is_cut_at_most_max_s(call: Call) -> None:
    silence = np.zeros(8000 * 3, dtype=np.float32)
    assert speech_intervals(silence, 8000) == []
    assert FakeTranscriber(["一"]).transcribe(silence, 8000) == []
    first = placed(call, "agent")[0]  # about 5.2 s of speech
    y = call.agent.astype(np.float32)
    parts = speech_intervals(y, call.rate, max_s=2.0)
    assert len(parts) >= 3
    assert all(b - a <= 2.0 + 1e-9 for a, b in parts)
    assert abs(parts[0][0] - first.start) <= TOLERANCE_S
    assert all(p[1] == q[0] for p, q in itertools.pairwise(parts) if q[0] < first.end)


def test_speech_at_an_unusual_rate_is_still_segmented(call: Call) -> None:
    from scipy import signal

    y = signal.resample_poly(call.agent, 11025, 8000).astype(np.float32)
    parts = speech_intervals(y, 11025)
    assert len(parts) == 3
    for (a, b), line in zip(parts, placed(call, "agent"), strict=True):
        assert abs(a - line.start) <= TOLERANCE_S and abs(b - line.end) <= TOLERANCE_S


# ------------------------------------------------------------------------------------------ packages


def test_sherpa_onnx_absent_is_refused_with_the_pip_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "sherpa_onnx", None)  # import raises ImportError, installed or not
    paraformer_dir(tmp_path)
    with pytest.raises(TranscriberUnavailable) as caught:
        SherpaOnnxTranscriber(tmp_path)
    assert "pip install sherpa-onnx" in caught.value.reason


def test_vosk_absent_is_refused_with_the_pip_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "vosk", None)
    vosk_dir(tmp_path)
    with pytest.raises(TranscriberUnavailable) as caught:
        VoskTranscriber(tmp_path)
    assert "pip install vosk" in caught.value.reason


# ------------------------------------------------------------------------------------------ sherpa-onnx


class FakeSherpaStream:
    def __init__(self) -> None:
        self.rate = 0
        self.samples = np.zeros(0, dtype=np.float32)
        self.result = types.SimpleNamespace(text="")

    def accept_waveform(self, rate: int, samples: npt.NDArray[np.float32]) -> None:
        self.rate, self.samples = rate, samples


class FakeSherpaRecognizer:
    """Stands in for sherpa_onnx.OfflineRecognizer: records how it was built, and "recognises" each
    utterance as the text of the next of `replies`."""

    built: ClassVar[list[tuple[str, dict[str, Any]]]] = []
    replies: ClassVar[list[str]] = []
    heard: ClassVar[list[FakeSherpaStream]] = []

    @classmethod
    def from_paraformer(cls, **kwargs: Any) -> FakeSherpaRecognizer:
        cls.built.append(("paraformer", kwargs))
        return cls()

    @classmethod
    def from_transducer(cls, **kwargs: Any) -> FakeSherpaRecognizer:
        cls.built.append(("transducer", kwargs))
        return cls()

    def create_stream(self) -> FakeSherpaStream:
        return FakeSherpaStream()

    def decode_stream(self, stream: FakeSherpaStream) -> None:
        type(self).heard.append(stream)
        stream.result.text = type(self).replies.pop(0) if type(self).replies else ""


@pytest.fixture
def fake_sherpa(monkeypatch: pytest.MonkeyPatch) -> type[FakeSherpaRecognizer]:
    module = types.ModuleType("sherpa_onnx")
    module.OfflineRecognizer = FakeSherpaRecognizer  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sherpa_onnx", module)
    monkeypatch.setattr(FakeSherpaRecognizer, "built", [])
    monkeypatch.setattr(FakeSherpaRecognizer, "replies", [])
    monkeypatch.setattr(FakeSherpaRecognizer, "heard", [])
    return FakeSherpaRecognizer


def touch(directory: Path, *names: str) -> Path:
    for name in names:
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_bytes(b"x")
    return directory


def paraformer_dir(directory: Path) -> Path:
    return touch(directory, "model.int8.onnx", "tokens.txt")


def test_a_model_directory_without_tokens_is_refused_naming_tokens_txt(
    fake_sherpa: type[FakeSherpaRecognizer], tmp_path: Path
) -> None:
    touch(tmp_path, "model.onnx")
    with pytest.raises(TranscriberUnavailable) as caught:
        SherpaOnnxTranscriber(tmp_path)
    assert "tokens.txt" in caught.value.reason and str(tmp_path) in caught.value.reason
    assert fake_sherpa.built == []


def test_a_transducer_without_its_joiner_is_refused_naming_the_joiner(
    fake_sherpa: type[FakeSherpaRecognizer], tmp_path: Path
) -> None:
    touch(tmp_path, "encoder-epoch-99-avg-1.onnx", "decoder-epoch-99-avg-1.onnx", "tokens.txt")
    with pytest.raises(TranscriberUnavailable) as caught:
        SherpaOnnxTranscriber(tmp_path)
    assert "joiner*.onnx" in caught.value.reason and str(tmp_path) in caught.value.reason


def test_a_directory_without_any_model_is_refused_naming_what_a_model_needs(
    fake_sherpa: type[FakeSherpaRecognizer], tmp_path: Path
) -> None:
    with pytest.raises(TranscriberUnavailable) as caught:
        SherpaOnnxTranscriber(tmp_path)
    assert "model.onnx" in caught.value.reason and "encoder*.onnx" in caught.value.reason
    with pytest.raises(TranscriberUnavailable) as missing:
        SherpaOnnxTranscriber(tmp_path / "nowhere")
    assert "does not exist" in missing.value.reason and "nowhere" in missing.value.reason


def test_a_paraformer_directory_is_loaded_with_its_files(
    fake_sherpa: type[FakeSherpaRecognizer], tmp_path: Path
) -> None:
    touch(tmp_path, "model.onnx", "model.int8.onnx", "tokens.txt")
    transcriber = SherpaOnnxTranscriber(tmp_path, num_threads=3)
    assert transcriber.kind == "paraformer"
    [(kind, kwargs)] = fake_sherpa.built
    assert kind == "paraformer"
    assert kwargs == {
        "paraformer": str(tmp_path / "model.int8.onnx"),
        "tokens": str(tmp_path / "tokens.txt"),
        "num_threads": 3,
        "sample_rate": 16000,
        "feature_dim": 80,
    }


def test_a_transducer_directory_is_loaded_with_its_three_parts(
    fake_sherpa: type[FakeSherpaRecognizer], tmp_path: Path
) -> None:
    names = ["encoder-epoch-12-avg-4.int8.onnx", "decoder-epoch-12-avg-4.onnx", "joiner-epoch-12-avg-4.int8.onnx"]
    touch(tmp_path, *names, "tokens.txt")
    assert SherpaOnnxTranscriber(tmp_path).kind == "transducer"
    [(kind, kwargs)] = fake_sherpa.built
    assert kind == "transducer"
    assert [kwargs["encoder"], kwargs["decoder"], kwargs["joiner"]] == [str(tmp_path / n) for n in names]


def test_sherpa_onnx_recognises_each_utterance_into_one_piece(
    fake_sherpa: type[FakeSherpaRecognizer], tmp_path: Path, call: Call
) -> None:
    transcriber = SherpaOnnxTranscriber(paraformer_dir(tmp_path))
    fake_sherpa.replies = ["您好这里是供电服务热线", "", "线路检修"]
    pieces = transcriber.transcribe(call.agent.astype(np.float32), call.rate)
    lines = placed(call, "agent")
    assert len(fake_sherpa.heard) == 3  # one utterance each, the empty answer dropped
    assert [p.text for p in pieces] == ["您好这里是供电服务热线", "线路检修"]
    for piece, line in zip(pieces, [lines[0], lines[2]], strict=True):
        assert abs(piece.start - line.start) <= TOLERANCE_S and abs(piece.end - line.end) <= TOLERANCE_S
    for stream, line in zip(fake_sherpa.heard, lines, strict=True):
        assert stream.rate == call.rate and stream.samples.dtype == np.float32
        assert len(stream.samples) / call.rate >= line.end - line.start  # the whole utterance, padded


# ------------------------------------------------------------------------------------------ Vosk


def vosk_dir(directory: Path, rate: int = 16000) -> Path:
    touch(directory, "am/final.mdl", "conf/model.conf", "graph/HCLr.fst")
    (directory / "conf" / "mfcc.conf").write_text(f"--use-energy=false\n--sample-frequency={rate}\n")
    return directory


class FakeKaldiRecognizer:
    """Stands in for vosk.KaldiRecognizer: says the utterance ended after every 10th chunk and answers with
    the next of `results` (the word lists a Chinese model gives)."""

    results: ClassVar[list[list[dict[str, Any]]]] = []
    made: ClassVar[list[FakeKaldiRecognizer]] = []

    def __init__(self, model: object, rate: float) -> None:
        self.rate, self.words, self.chunks, self.bytes = rate, False, 0, 0
        type(self).made.append(self)

    def SetWords(self, on: bool) -> None:
        self.words = on

    def AcceptWaveform(self, data: bytes) -> bool:
        self.chunks += 1
        self.bytes += len(data)
        return self.chunks % 10 == 0 and bool(type(self).results)

    def Result(self) -> str:
        return json.dumps({"result": type(self).results.pop(0), "text": "..."}, ensure_ascii=False)

    def FinalResult(self) -> str:
        words = type(self).results.pop(0) if type(self).results else []
        return json.dumps({"result": words, "text": "..."} if words else {"text": ""})


@pytest.fixture
def fake_vosk(monkeypatch: pytest.MonkeyPatch) -> type[FakeKaldiRecognizer]:
    module = types.ModuleType("vosk")
    module.Model = lambda path: ("model", path)  # type: ignore[attr-defined]
    module.KaldiRecognizer = FakeKaldiRecognizer  # type: ignore[attr-defined]
    module.SetLogLevel = lambda level: None  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "vosk", module)
    monkeypatch.setattr(FakeKaldiRecognizer, "results", [])
    monkeypatch.setattr(FakeKaldiRecognizer, "made", [])
    return FakeKaldiRecognizer


def word(text: str, start: float, end: float) -> dict[str, Any]:
    return {"conf": 1.0, "word": text, "start": start, "end": end}


def test_a_vosk_directory_without_the_acoustic_model_is_refused_naming_it(
    fake_vosk: type[FakeKaldiRecognizer], tmp_path: Path
) -> None:
    with pytest.raises(TranscriberUnavailable) as caught:
        VoskTranscriber(tmp_path)
    assert "final.mdl" in caught.value.reason and str(tmp_path) in caught.value.reason
    touch(tmp_path, "conf/model.conf")
    with pytest.raises(TranscriberUnavailable) as layout:
        VoskTranscriber(tmp_path)
    assert "final.mdl" in layout.value.reason and "mfcc.conf" in layout.value.reason


def test_vosk_words_are_grouped_at_pauses_and_chinese_joined_without_spaces(
    fake_vosk: type[FakeKaldiRecognizer], tmp_path: Path
) -> None:
    transcriber = VoskTranscriber(vosk_dir(tmp_path))
    fake_vosk.results = [
        [word("您好", 1.0, 1.4), word("这里", 1.5, 1.8), word("是", 1.8, 1.9), word("热线", 2.6, 3.0)],
        [word("户号", 7.0, 7.3), word("VIP", 7.4, 7.8), word("card", 7.9, 8.2)],
    ]
    pieces = transcriber.transcribe(np.zeros(8000 * 10, dtype=np.float32), 8000)
    assert pieces == [Piece(1.0, 1.9, "您好这里是"), Piece(2.6, 3.0, "热线"), Piece(7.0, 8.2, "户号VIP card")]
    [recognizer] = fake_vosk.made
    assert recognizer.rate == 16000 and recognizer.words  # 8 kHz resampled for the 16 kHz model
    assert recognizer.bytes == 16000 * 10 * 2


def test_an_eight_kilohertz_vosk_model_hears_the_call_at_its_own_rate(
    fake_vosk: type[FakeKaldiRecognizer], tmp_path: Path
) -> None:
    transcriber = VoskTranscriber(vosk_dir(tmp_path, rate=8000))
    assert transcriber.transcribe(np.zeros(8000, dtype=np.float32), 8000) == []
    assert fake_vosk.made[0].rate == 8000 and fake_vosk.made[0].bytes == 8000 * 2


def test_words_join_and_group() -> None:
    assert join_words(["您好", " 这里 ", "", "是"]) == "您好这里是"
    assert join_words(["please", "hold", "一下"]) == "please hold一下"
    assert group_words([]) == []
    assert group_words([word("好", 2.0, 2.2), word("你", 1.0, 1.4)], pause_s=0.5) == [
        Piece(1.0, 1.4, "你"),
        Piece(2.0, 2.2, "好"),
    ]


# ------------------------------------------------------------------------------------------ settings


def test_make_transcriber_builds_what_the_setting_names(
    fake_sherpa: type[FakeSherpaRecognizer], tmp_path: Path
) -> None:
    assert make_transcriber("none", None) is None
    assert make_transcriber("none", str(tmp_path)) is None
    assert isinstance(make_transcriber("sherpa-onnx", str(paraformer_dir(tmp_path))), SherpaOnnxTranscriber)
    for kind in ("sherpa-onnx", "vosk"):
        with pytest.raises(TranscriberUnavailable) as caught:
            make_transcriber(kind, None)
        assert "model directory" in caught.value.reason
    with pytest.raises(ValueError):
        make_transcriber("fake", None)
    with pytest.raises(ValueError):
        make_transcriber("whisper", str(tmp_path))
