"""What every HTTP request must pass before FastAPI sees it, checked once at the door (``app.HuiyinApp``; the
CTI endpoint, served ahead of it, asks ``check_body`` itself).

- Text with NUL characters is refused with a 422: PostgreSQL text cannot hold NUL, so it is refused here
  instead of failing in the database. The path and the query string are checked on every request.
- The body of a request that changes something is read here (it would be read anyway), checked and handed
  on: at most ``MAX_BODY_BYTES`` (a 413 beyond, without reading further), no NUL (raw, as a JSON escape, or
  percent-encoded in a form), and JSON nested at most ``MAX_DEPTH`` deep (deeper, Python's parser would
  recurse until it fails with a 500).
- Multipart bodies carry files, where NUL bytes are normal, and have their own size limit (the upload
  limit): their text parts are checked by the handler (an attachment's filename drops control characters).

A check at the door costs a few microseconds; as a FastAPI dependency on every router it cost a
dependency's solving on every request (docs/benchmarks.md, issue 13).
"""

from __future__ import annotations

import re

from starlette.types import Message, Receive, Scope, Send

from huiyin.errors import HuiyinError, Invalid, TooLarge, problem

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
NUL_REFUSED = "text must not contain NUL characters"
MAX_BODY_BYTES = 1 << 20
"""A JSON or form body: the largest a client of this API sends is a few kilobytes."""
MAX_BODY_MIB = MAX_BODY_BYTES >> 20
MAX_DEPTH = 32
"""JSON nesting: the API's own documents are three levels deep."""

_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))


def _content_type(scope: Scope) -> bytes:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return bytes(value).lower()
    return b""


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def url_has_nul(scope: Scope) -> bool:
    query: bytes = scope.get("query_string", b"")
    return "\x00" in scope["path"] or b"%00" in query or b"\x00" in query


def json_too_deep(body: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON text nests arrays and objects deeper than ``limit`` (brackets inside strings do not
    count). Without enough brackets to go that deep it answers at once."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for byte in _JSON_STRING.sub(b'""', body).translate(None, _NOT_BRACKETS):
        depth += 1 if byte in (0x5B, 0x7B) else -1
        if depth > limit:
            return True
    return False


def check_body(body: bytes, content_type: bytes) -> HuiyinError | None:
    """What is wrong with a (non-multipart) body, or None."""
    if len(body) > MAX_BODY_BYTES:
        return TooLarge(
            f"the body may hold at most {MAX_BODY_BYTES} bytes", code="core.body_too_large", mib=MAX_BODY_MIB
        )
    form = content_type.startswith(b"application/x-www-form-urlencoded")
    if b"\x00" in body or b"\\u0000" in body or (form and b"%00" in body):  # raw, a JSON escape, a form's
        return Invalid(NUL_REFUSED, code="core.nul")
    if not form and json_too_deep(body):
        return Invalid(f"JSON may nest at most {MAX_DEPTH} levels deep", code="core.json_too_deep", levels=MAX_DEPTH)
    return None


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, list[Message]]:
    """The whole body (or its first ``limit`` + 1 bytes), and any message that came instead of it (a
    disconnect) to hand on."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), [message]
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False) or size > limit:
            return b"".join(chunks), []


def _replay(body: bytes, rest: list[Message], receive: Receive) -> Receive:
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}, *rest]

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed


async def _refuse(error: HuiyinError, scope: Scope, receive: Receive, send: Send) -> None:
    coded = {"code": error.code} if error.code else {}
    await problem(error.status, error.title, error.detail, **coded, **error.extra)(scope, receive, send)


async def checked(scope: Scope, receive: Receive, send: Send) -> Receive | None:
    """The request's ``receive`` to go on with, or None when the request has been answered (refused)."""
    if url_has_nul(scope):
        await _refuse(Invalid(NUL_REFUSED, code="core.nul"), scope, receive, send)
        return None
    if scope["method"] in SAFE_METHODS:
        return receive
    content_type = _content_type(scope)
    if content_type.startswith(b"multipart/form-data"):
        return receive
    length = _content_length(scope)
    if length is not None and length > MAX_BODY_BYTES:
        too_large = TooLarge(
            f"the body may hold at most {MAX_BODY_BYTES} bytes", code="core.body_too_large", mib=MAX_BODY_MIB
        )
        await _refuse(too_large, scope, receive, send)
        return None
    body, rest = await _read_body(receive, MAX_BODY_BYTES)
    error = check_body(body, content_type)
    if error is not None:
        await _refuse(error, scope, receive, send)
        return None
    return _replay(body, rest, receive)
