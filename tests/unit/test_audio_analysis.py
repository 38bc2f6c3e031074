"""huiyin.quality.audio against recordings the tests make themselves (tests/audio_fixtures.py): espeak-ng
Mandarin at known rates, silences and overlaps at known places, sines at known levels, and files of each
accepted and refused kind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyloudnorm
import pytest
import soundfile as sf

from huiyin.quality.audio import Limits, Rules, Unreadable, analyse, analyse_samples, decode
from tests.audio_fixtures import (
    AGENT_LINES,
    CUSTOMER_LINES,
    ESPEAK,
    MISSING_ESPEAK,
    Call,
    build_call,
    chinese_chars,
    say,
    sine,
    speaking_seconds,
    write_long,
)

needs_espeak = pytest.mark.skipif(ESPEAK is None, reason=MISSING_ESPEAK)
ROOT = Path(__file__).resolve().parents[2]

A, C = AGENT_LINES, CUSTOMER_LINES
# (channel, start, text): dead air after the agent's second line (placed from its end to 25.0 s), the agent
# starting over the customer at 26.5 s while the customer speaks until ~29.9 s.
SCRIPT = [
    ("agent", 1.0, A[0]),
    ("customer", 7.0, C[0]),
    ("agent", 12.5, A[1]),
    ("customer", 25.0, C[1]),
    ("agent", 26.5, A[2]),
    ("customer", 34.0, C[2]),
]


def pcm16(y: npt.NDArray[np.float64]) -> npt.NDArray[np.int16]:
    return np.clip(np.round(y * 32768), -32768, 32767).astype(np.int16)


@pytest.fixture(scope="module")
def call8k() -> Call:
    if ESPEAK is None:
        pytest.skip(MISSING_ESPEAK)
    return build_call(SCRIPT, rate=8000)


# ------------------------------------------------------------------------------------------ speech rate


@needs_espeak
@pytest.mark.parametrize("wpm", [110, 175, 260, 340])
@pytest.mark.parametrize("rate", [8000, 16000])
def test_speech_rate_within_15_percent_of_characters_over_speaking_time(wpm: int, rate: int) -> None:
    text = A[1] + A[2] + A[3]
    y = say(text, wpm=wpm, pitch=40, rate=rate)
    chars = chinese_chars(text)
    call = Call(rate=rate, agent=np.concatenate([np.zeros(rate), 0.5 * y, np.zeros(rate)]), customer=np.zeros(0))
    call.customer = np.zeros_like(call.agent)
    result = analyse_samples(pcm16(call.stereo()), rate)
    agent = result.channels["agent"]
    # espeak pauses between words: the speaking time is measured on the clean signal (10 ms frames within
    # 35 dB of the loudest, pauses under 0.3 s bridged), and the VAD's must agree with it
    truth_seconds = speaking_seconds(y, rate)
    assert agent.speech_seconds == pytest.approx(truth_seconds, rel=0.10)
    truth_cpm = chars / truth_seconds * 60.0
    assert agent.speech_rate_cpm is not None
    assert agent.speech_rate_cpm == pytest.approx(truth_cpm, rel=0.15), (agent.syllables, chars)
    assert agent.syllables == pytest.approx(chars, rel=0.15)


@needs_espeak
def test_fast_and_slow_speech_are_flagged_against_the_rules() -> None:
    text = "".join(A) * 2
    fast = say(text, wpm=340, rate=8000)
    result = analyse_samples(pcm16(np.stack([0.5 * fast, np.zeros_like(fast)], axis=1)), 8000)
    cpm = result.channels["agent"].speech_rate_cpm
    assert cpm is not None and cpm > 280
    assert [f.kind for f in result.flags if f.kind.endswith("_speech")] == ["fast_speech"]
    # the same call under rules that call 600 cpm fast and 500 slow, with a 5 s minimum of speech: slow
    relaxed = analyse_samples(
        pcm16(np.stack([0.5 * fast, np.zeros_like(fast)], axis=1)),
        8000,
        rules=Rules(fast_cpm=600, slow_cpm=500, slow_min_speech_s=5.0),
    )
    assert [f.kind for f in relaxed.flags if f.kind.endswith("_speech")] == ["slow_speech"]


# ---------------------------------------------------------------------------------- across the channels


@needs_espeak
def test_dead_air_talk_over_and_turns_where_they_were_placed(call8k: Call) -> None:
    result = analyse_samples(pcm16(call8k.stereo()), 8000)
    placed = call8k.placed
    agent_line2_end = placed[2].end
    assert len(result.dead_air) == 1
    gap = result.dead_air[0]
    assert gap.start == pytest.approx(agent_line2_end, abs=0.3)
    assert gap.end == pytest.approx(25.0, abs=0.3)
    assert len(result.talk_over) == 1
    over = result.talk_over[0]
    assert over.start == pytest.approx(26.5, abs=0.3)
    assert over.end == pytest.approx(placed[3].end, abs=0.3)  # the customer's line ends under the agent
    # the customer's longest turn is their first line
    turn = result.customer_longest_turn
    assert turn is not None
    assert turn.start == pytest.approx(placed[1].start, abs=0.3)
    assert turn.end == pytest.approx(placed[1].end, abs=0.3)
    # talk ratio: the agent's speaking time over both
    a, c = result.channels["agent"].speech_seconds, result.channels["customer"].speech_seconds
    assert result.talk_ratio == pytest.approx(a / (a + c))
    agent_truth = sum(p.end - p.start for p in placed if p.channel == "agent")
    assert a == pytest.approx(agent_truth, rel=0.1)
    kinds = sorted(f.kind for f in result.flags)
    assert kinds == ["dead_air", "talk_over"]
    d = result.to_dict()
    assert set(d["channels"]) == {"agent", "customer"}
    assert set(d["channels"]["agent"]) >= {"speech_seconds", "speech_rate_cpm", "rms_dbfs", "lufs"}
    assert {"kind", "start", "end", "value", "severity"} == set(d["flags"][0])
    json.dumps(d)


@needs_espeak
def test_thresholds_come_from_the_rules(call8k: Call) -> None:
    stricter = analyse_samples(pcm16(call8k.stereo()), 8000, rules=Rules(dead_air_s=7.0, talk_over_s=4.0))
    assert stricter.dead_air == [] and stricter.talk_over == []
    # a hold over the gap: no dead air there
    on_hold = analyse_samples(pcm16(call8k.stereo()), 8000, holds=[(19.0, 25.0)])
    assert on_hold.dead_air == []


@needs_espeak
def test_agent_channel_is_a_parameter(call8k: Call, tmp_path: Path) -> None:
    left = analyse(call8k.write(tmp_path / "l.wav"))
    right = analyse(call8k.write(tmp_path / "r.wav", agent_left=False), agent_channel="right")
    assert left.channels["agent"].speech_seconds == right.channels["agent"].speech_seconds
    assert left.talk_over == right.talk_over
    swapped = analyse(tmp_path / "r.wav")  # agent assumed left: the sides change places
    assert swapped.channels["agent"].speech_seconds == left.channels["customer"].speech_seconds


@needs_espeak
def test_a_raised_voice_is_a_loudness_jump() -> None:
    lines = [say(t, rate=8000) for t in A]
    quiet = 0.1
    parts = [quiet * lines[0], np.zeros(4000), quiet * lines[1], np.zeros(4000), 0.9 * lines[2]]
    parts += [np.zeros(4000), quiet * lines[3], np.zeros(4000), quiet * lines[0]]
    agent = np.concatenate(parts)
    loud_start = sum(len(p) for p in parts[:4]) / 8000
    loud_end = loud_start + len(lines[2]) / 8000
    result = analyse_samples(pcm16(np.stack([agent, np.zeros_like(agent)], axis=1)), 8000)
    jumps = [f for f in result.flags if f.kind == "loudness_jump"]
    assert jumps, result.flags
    assert all(loud_start - 1.5 <= f.start and f.end <= loud_end + 1.5 for f in jumps)
    assert max(f.value for f in jumps) == pytest.approx(20 * np.log10(0.9 / quiet), abs=3.0)


# ------------------------------------------------------------------------------------------- loudness


@pytest.mark.parametrize("rate", [8000, 16000])
@pytest.mark.parametrize("level", [-6.0, -20.0, -35.0])
def test_sine_reads_its_level_in_dbfs_and_lufs(rate: int, level: float) -> None:
    tone = sine(10.0, dbfs=level, rate=rate)
    customer = sine(10.0, dbfs=level - 10, freq=440.0, rate=rate)
    result = analyse_samples(pcm16(np.stack([tone, customer], axis=1)), rate)
    agent = result.channels["agent"]
    assert agent.rms_dbfs == pytest.approx(level, abs=0.5)  # AES17: a sine's dBFS is its peak level
    # BS.1770: a 1 kHz sine reads its raw RMS, i.e. 3.01 dB under its AES17 level (±0.2 LU at 8 kHz)
    assert agent.lufs == pytest.approx(level - 3.01, abs=0.5)
    assert result.channels["customer"].rms_dbfs == pytest.approx(level - 10, abs=0.5)
    # the streaming gate agrees with pyloudnorm on the whole signal
    expected = pyloudnorm.Meter(rate).integrated_loudness(pcm16(tone).astype(np.float64) / 32768)
    assert agent.lufs == pytest.approx(expected, abs=0.05)


@needs_espeak
def test_lufs_of_speech_agrees_with_pyloudnorm(call8k: Call) -> None:
    x = pcm16(call8k.stereo())
    result = analyse_samples(x, 8000)
    for i, name in enumerate(("agent", "customer")):
        expected = pyloudnorm.Meter(8000).integrated_loudness(x[:, i].astype(np.float64) / 32768)
        assert result.channels[name].lufs == pytest.approx(expected, abs=0.1)


def test_input_shorter_than_a_loudness_block_has_no_lufs_and_does_not_crash() -> None:
    short = sine(0.3, dbfs=-20.0)
    result = analyse_samples(pcm16(np.stack([short, short], axis=1)), 8000)
    assert result.channels["agent"].lufs is None
    assert result.channels["agent"].rms_dbfs == pytest.approx(-20.0, abs=0.5)


def test_digital_silence_measures_nothing() -> None:
    result = analyse_samples(np.zeros((8000 * 20, 2), dtype=np.int16), 8000)
    agent = result.channels["agent"]
    assert agent.speech_seconds == 0 and agent.speech_rate_cpm is None
    assert agent.rms_dbfs is None and agent.lufs is None
    assert result.talk_ratio is None and result.dead_air == [] and result.flags == []


# -------------------------------------------------------------------------------------------- formats


@needs_espeak
@pytest.mark.parametrize(
    ("name", "subtype", "fmt", "rms_tol"),
    [
        ("pcm.wav", "PCM_16", "WAV", 0.05),
        ("alaw.wav", "ALAW", "WAV", 0.5),
        ("ulaw.wav", "ULAW", "WAV", 0.5),
        ("call.mp3", "MPEG_LAYER_III", "MP3", 0.5),
    ],
)
def test_every_accepted_encoding_gives_the_same_measures(
    call8k: Call, tmp_path: Path, name: str, subtype: str, fmt: str, rms_tol: float
) -> None:
    reference = analyse_samples(pcm16(call8k.stereo()), 8000)
    path = call8k.write(tmp_path / name, subtype=subtype, fmt=fmt)
    result = analyse(path)
    assert result.sample_rate == 8000 and not result.mono
    assert result.duration == pytest.approx(reference.duration, abs=0.2)  # MP3 pads its frames
    for side in ("agent", "customer"):
        got, ref = result.channels[side], reference.channels[side]
        assert got.rms_dbfs == pytest.approx(ref.rms_dbfs, abs=rms_tol)
        assert got.speech_seconds == pytest.approx(ref.speech_seconds, rel=0.1)
        assert got.speech_rate_cpm == pytest.approx(ref.speech_rate_cpm, rel=0.1)
    shift = 0.2 if fmt == "MP3" else 0.0  # the encoder's delay
    assert len(result.dead_air) == 1
    assert result.dead_air[0].start == pytest.approx(reference.dead_air[0].start + shift, abs=0.3)
    assert len(result.talk_over) == 1
    # bytes in, same answer
    assert analyse(path.read_bytes()).channels["agent"].syllables == result.channels["agent"].syllables


@needs_espeak
def test_16k_file(tmp_path: Path) -> None:
    call = build_call(SCRIPT[:3], rate=16000)
    result = analyse(call.write(tmp_path / "wide.wav"))
    assert result.sample_rate == 16000
    agent = result.channels["agent"]
    chars = chinese_chars(A[0] + A[1])
    assert agent.syllables == pytest.approx(chars, rel=0.15)


def test_other_rates_are_resampled_to_16k(tmp_path: Path) -> None:
    path = tmp_path / "cd.wav"
    sf.write(path, np.stack([sine(2.0, dbfs=-12, rate=44100)] * 2, axis=1), 44100, subtype="PCM_16")
    result = analyse(path)
    assert result.sample_rate == 16000
    assert result.channels["agent"].rms_dbfs == pytest.approx(-12, abs=0.5)


@needs_espeak
def test_mono_is_marked_and_measured_as_far_as_it_can_be(call8k: Call, tmp_path: Path) -> None:
    path = tmp_path / "mono.wav"
    sf.write(path, call8k.agent + call8k.customer, 8000, subtype="PCM_16")
    result = analyse(path)
    assert result.mono
    assert set(result.channels) == {"mixed"}
    assert result.talk_ratio is None and result.talk_over == [] and result.customer_longest_turn is None
    assert len(result.dead_air) == 1
    assert result.dead_air[0].end == pytest.approx(25.0, abs=0.3)
    assert result.to_dict()["mono"] is True


# ------------------------------------------------------------------------------------- refused files


def test_a_zero_byte_file_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    with pytest.raises(Unreadable, match="empty"):
        analyse(path)
    with pytest.raises(Unreadable, match="empty"):
        analyse(b"")


@pytest.mark.parametrize(
    "payload",
    [
        np.random.default_rng(5).bytes(50_000),  # noise
        b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00",  # a header cut short
        b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 100,  # an MP3 tag and nothing after it
        b"<html>not a recording</html>",
    ],
)
def test_a_corrupt_file_is_unreadable_with_a_reason(tmp_path: Path, payload: bytes) -> None:
    path = tmp_path / "corrupt.wav"
    path.write_bytes(payload)
    with pytest.raises(Unreadable) as info:
        analyse(path)
    assert info.value.reason


def test_a_wav_whose_data_is_cut_short_is_read_as_far_as_it_goes(tmp_path: Path) -> None:
    path = tmp_path / "cut.wav"
    sf.write(path, np.stack([sine(4.0, dbfs=-20)] * 2, axis=1), 8000, subtype="PCM_16")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    result = analyse(path)
    assert result.duration == pytest.approx(2.0, abs=0.1)


def test_more_than_two_channels_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "six.wav"
    sf.write(path, np.zeros((8000, 6)), 8000, subtype="PCM_16")
    with pytest.raises(Unreadable, match="channel"):
        analyse(path)


def test_limits_refuse_large_and_long_files(tmp_path: Path) -> None:
    path = tmp_path / "minute.wav"
    sf.write(path, np.zeros((8000 * 60, 2)), 8000, subtype="PCM_16")
    with pytest.raises(Unreadable, match="too large"):
        analyse(path, limits=Limits(max_bytes=1_000_000))
    with pytest.raises(Unreadable, match="too long"):
        analyse(path, limits=Limits(max_seconds=30))
    mp3 = tmp_path / "minute.mp3"
    sf.write(mp3, np.stack([sine(60.0, dbfs=-20)] * 2, axis=1), 8000, format="MP3")
    with pytest.raises(Unreadable, match="too long"):
        analyse(mp3, limits=Limits(max_seconds=30))
    assert decode(path).samples.shape == (8000 * 60, 2)


_LONG_RUN = """
import json, resource, sys, time
from huiyin.quality.audio import Limits, Unreadable, analyse
path = sys.argv[1]
t = time.process_time()
result = analyse(path).to_dict()
cpu = time.process_time() - t
try:
    analyse(path, limits=Limits(max_seconds=3600))
    refused = None
except Unreadable as exc:
    refused = exc.reason
# the peak of this process image: VmHWM starts again at exec, where ru_maxrss keeps the forking pytest
# worker's peak (1.6 GB once, late in a full run)
hwm = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")]
rss = int(hwm[0].split()[1]) / 1024 if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"duration": result["duration"], "cpu": cpu, "rss_mb": rss, "refused": refused}))
"""


@pytest.mark.slow
def test_a_two_hour_file_is_analysed_in_bounded_memory_or_refused_by_the_limit(tmp_path: Path) -> None:
    """2 h of stereo 8 kHz µ-law (115 MB, G.711 as a PBX records it): analysed under the default limits with
    the decoded call held as 16-bit samples (230 MB), refused under a 1-hour limit. Runs in its own
    process so that its peak RSS is its own."""
    path = write_long(tmp_path / "two-hours.wav", 7200.0)
    out = subprocess.run(
        [sys.executable, "-c", _LONG_RUN, str(path)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["duration"] == pytest.approx(7200.0, abs=0.1)
    assert report["refused"] and "too long" in report["refused"]
    assert report["rss_mb"] < 600, report  # measured 390 MB: 230 MB of samples + the interpreter and numpy
