"""Call recordings: a URL on the PBX, or a file uploaded and kept behind the storage interface.

Uploaded files are checked by their first bytes (a WAV, MP3, Ogg, WebM or MP4/M4A container), not only
by the type the client claims. Served with HTTP ranges, so the player can seek without loading it all.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from huiyin.calls.models import Call
from huiyin.errors import Invalid, NotFound
from huiyin.storage.base import BlobNotFound, Storage

KINDS = {
    "audio/wav": "wav",
    "audio/mpeg": "mp3",
    "audio/ogg": "ogg",
    "audio/webm": "webm",
    "audio/mp4": "m4a",
}


def sniff(data: bytes) -> str | None:
    """The audio type these bytes are, by their magic numbers."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    if data[:4] == b"OggS":
        return "audio/ogg"
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "audio/webm"
    if data[4:8] == b"ftyp":
        return "audio/mp4"
    return None


def check_recording(data: bytes, max_bytes: int) -> str:
    if not data:
        raise Invalid("the recording is empty", code="calls.recording_empty", field="file")
    if len(data) > max_bytes:
        mib = max_bytes // (1024 * 1024)
        raise Invalid(f"the recording is larger than {mib} MB", code="calls.recording_too_large", field="file", mib=mib)
    kind = sniff(data)
    if kind is None:
        raise Invalid(f"not an audio file this accepts ({', '.join(KINDS)})", code="calls.recording_kind", field="file")
    return kind


def do_store(storage: Storage, call: Call, data: bytes, kind: str) -> str:
    key = f"recordings/{call.id}/{uuid.uuid4().hex}.{KINDS[kind]}"
    storage.put(key, data, kind)
    return key


def read(storage: Storage, call: Call) -> bytes:
    if not call.recording_key:
        raise NotFound(f"call {call.id} has no stored recording", code="calls.no_recording")
    try:
        return storage.get(call.recording_key)
    except BlobNotFound as exc:
        raise NotFound(
            f"the recording of call {call.id} is missing from storage", code="calls.recording_missing"
        ) from exc


@dataclass(frozen=True)
class Span:
    start: int
    end: int  # inclusive


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str | None, size: int) -> Span | None:
    """One ``bytes=`` range (the only kind audio players ask for); None: the whole file. A range that
    cannot be satisfied raises ``ValueError`` (the handler answers 416)."""
    if not header:
        return None
    m = _RANGE.match(header.strip())
    if m is None or (not m.group(1) and not m.group(2)):
        return None  # a multi-range or malformed header: RFC 9110 lets us send the whole file
    if not m.group(1):  # the last N bytes
        n = int(m.group(2))
        if n == 0:
            raise ValueError("empty suffix range")
        return Span(max(0, size - n), size - 1)
    start = int(m.group(1))
    end = int(m.group(2)) if m.group(2) else size - 1
    if start >= size or end < start:
        raise ValueError("range not satisfiable")
    return Span(start, min(end, size - 1))
