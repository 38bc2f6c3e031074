"""What every HTTP request must pass before FastAPI sees it, checked once at the door (``app.HuiyinApp``).

Text with NUL characters is refused with a 422: PostgreSQL text cannot hold NUL, so it is refused here
instead of failing in the database. The path and the query string are checked on every request; the body
of a request that changes something is read here (it would be read anyway), checked, and handed on.
Multipart bodies carry files, where NUL bytes are normal: their text parts are checked by the handler (an
attachment's filename drops control characters).

A check at the door costs a few microseconds; as a FastAPI dependency on every router it cost a
dependency's solving on every request (docs/benchmarks.md, issue 13).
"""

from __future__ import annotations

from starlette.types import Message, Receive, Scope, Send

from huiyin.errors import problem

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
NUL_REFUSED = "text must not contain NUL characters"


def _content_type(scope: Scope) -> bytes:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return bytes(value).lower()
    return b""


def url_has_nul(scope: Scope) -> bool:
    query: bytes = scope.get("query_string", b"")
    return "\x00" in scope["path"] or b"%00" in query or b"\x00" in query


def body_has_nul(body: bytes, content_type: bytes) -> bool:
    if b"\x00" in body or b"\\u0000" in body:  # raw, or as a JSON escape
        return True
    return content_type.startswith(b"application/x-www-form-urlencoded") and b"%00" in body


async def _read_body(receive: Receive) -> tuple[bytes, list[Message]]:
    """The whole body, and any message that came instead of it (a disconnect) to hand on."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), [message]
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), []


def _replay(body: bytes, rest: list[Message], receive: Receive) -> Receive:
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}, *rest]

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed


async def checked(scope: Scope, receive: Receive, send: Send) -> Receive | None:
    """The request's ``receive`` to go on with, or None when the request has been answered (refused)."""
    if url_has_nul(scope):
        await problem(422, "Invalid input", NUL_REFUSED)(scope, receive, send)
        return None
    if scope["method"] in SAFE_METHODS:
        return receive
    content_type = _content_type(scope)
    if content_type.startswith(b"multipart/form-data"):
        return receive
    body, rest = await _read_body(receive)
    if body_has_nul(body, content_type):
        await problem(422, "Invalid input", NUL_REFUSED)(scope, receive, send)
        return None
    return _replay(body, rest, receive)
