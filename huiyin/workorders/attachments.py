"""Photos and files on work orders: checks, sniffing, filenames, and the blob-then-row write.

Checks run in the loop's fixed order: visibility (404: anyone who can see the order may attach, and
a unit handler cannot learn another unit's order exists), state (409: nothing is added to a closed
order), content (422: empty, too large, a type not allowed, or bytes that are not what they claim).

The write stores the blob first and the row second: a row never points at a missing blob. If the row
cannot be written the blob is deleted again, best effort; a blob left behind by a crash in between is
unreferenced and harmless. Attaching is not a state change, so it writes no work-order event; the row
records who and when, and ``event_id`` can tie a file to the event it documents.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.core.actor import Actor
from huiyin.errors import Conflict, Invalid, NotFound
from huiyin.storage import BlobNotFound, Storage
from huiyin.workorders.models import Attachment
from huiyin.workorders.service import get_visible_order
from huiyin.workorders.states import OrderState

log = logging.getLogger(__name__)

MAX_FILENAME = 200

EXTENSIONS: dict[str, tuple[str, ...]] = {
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/webp": (".webp",),
    "image/gif": (".gif",),
    "application/pdf": (".pdf",),
}
ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/x-png": "image/png"}
UNTYPED = {"", "application/octet-stream"}
"""Declared types that say nothing; the sniffed type is used for these."""

_UNSAFE_IN_NAMES = set('<>:"/\\|?*')


def sniff_content_type(data: bytes) -> str | None:
    """The type the leading bytes (the file's signature) show, among the types attachments may have."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def normalize_content_type(declared: str | None) -> str:
    base = (declared or "").split(";", 1)[0].strip().lower()
    return ALIASES.get(base, base)


def sanitize_filename(name: str | None, content_type: str) -> str:
    """A display name safe in a header and on any disk: the last path component, NFC, no control or
    reserved characters, no leading dots, at most 200 characters, ending in an extension of its type."""
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join("_" if ch in _UNSAFE_IN_NAMES else ch for ch in text if not unicodedata.category(ch).startswith("C"))
    text = " ".join(text.split()).lstrip(".").strip()
    extensions = EXTENSIONS.get(content_type, ())
    stem, dot, ext = text.rpartition(".")
    if dot and f".{ext.lower()}" in extensions:
        suffix = f".{ext}"
    else:
        stem, suffix = text, extensions[0] if extensions else ""
    stem = stem.rstrip(" .") or "file"
    return stem[: MAX_FILENAME - len(suffix)].rstrip(" .") + suffix


@dataclass(frozen=True)
class UploadRules:
    max_bytes: int
    allowed_types: frozenset[str]

    @classmethod
    def of(cls, max_bytes: int, allowed_types: Iterable[str]) -> UploadRules:
        return cls(max_bytes, frozenset(allowed_types))


@dataclass(frozen=True)
class AttachPlan:
    order_id: int
    filename: str
    content_type: str
    data: bytes
    sha256: str
    storage_key: str


def check_attach(
    session: Session,
    user: Actor,
    order_id: int,
    data: bytes,
    filename: str | None,
    declared_type: str | None,
    rules: UploadRules,
) -> AttachPlan:
    """What to store, or the right refusal. ``data`` holds at most ``max_bytes + 1`` bytes of the upload."""
    order = get_visible_order(session, user, order_id, lock=True)
    if order.state == OrderState.closed:
        raise Conflict(
            f"order {order.number} is closed; files can no longer be attached",
            code="orders.attach_closed",
            state=order.state,
            number=order.number,
        )
    if not data:
        raise Invalid("the file is empty", code="orders.file_empty")
    if len(data) > rules.max_bytes:
        mib = rules.max_bytes // (1024 * 1024)
        raise Invalid(f"the file is larger than {mib} MB", code="orders.file_too_large", mib=mib)
    allowed = sorted(rules.allowed_types)
    formats = "/".join(EXTENSIONS[t][0].lstrip(".").upper() for t in allowed if t in EXTENSIONS)
    declared = normalize_content_type(declared_type)
    if declared not in UNTYPED and declared not in rules.allowed_types:
        raise Invalid(
            f"files of type {declared!r} cannot be attached; allowed: {allowed}",
            code="orders.file_type",
            formats=formats,
        )
    sniffed = sniff_content_type(data)
    if sniffed is None or sniffed not in rules.allowed_types:
        raise Invalid(
            f"the file's content is not one of the allowed types {allowed}", code="orders.file_type", formats=formats
        )
    if declared not in UNTYPED and declared != sniffed:
        raise Invalid(f"the file says it is {declared} but its content is {sniffed}", code="orders.file_mismatch")
    return AttachPlan(
        order_id=order.id,
        filename=sanitize_filename(filename, sniffed),
        content_type=sniffed,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=f"work-orders/{order.id}/{uuid.uuid4().hex}{EXTENSIONS[sniffed][0]}",
    )


def do_attach(session: Session, user: Actor, plan: AttachPlan, storage: Storage) -> Attachment:
    """Store the blob, then the row; if the row fails, delete the blob again (best effort).

    Blocking (disk or network): async handlers run it in the thread pool."""
    storage.put(plan.storage_key, plan.data, plan.content_type)
    try:
        attachment = Attachment(
            order_id=plan.order_id,
            filename=plan.filename,
            content_type=plan.content_type,
            size=len(plan.data),
            sha256=plan.sha256,
            storage_key=plan.storage_key,
            uploaded_by=user.id,
        )
        session.add(attachment)
        session.flush()
    except BaseException:
        forget_blob(storage, plan.storage_key)
        raise
    return attachment


def forget_blob(storage: Storage, key: str) -> None:
    try:
        storage.delete(key)
    except Exception:  # best effort: an orphan blob is harmless, a second error would hide the first
        log.warning("could not delete orphan blob %s", key, exc_info=True)


def order_attachments(session: Session, order_ids: Sequence[int]) -> list[Attachment]:
    """The orders' attachments, oldest first, in one query."""
    if not order_ids:
        return []
    stmt = select(Attachment).where(Attachment.order_id.in_(order_ids)).order_by(Attachment.id)
    return list(session.scalars(stmt))


def list_attachments(session: Session, user: Actor, order_id: int) -> list[Attachment]:
    order = get_visible_order(session, user, order_id)
    return order_attachments(session, [order.id])


def get_visible_attachment(session: Session, user: Actor, attachment_id: int) -> Attachment:
    """The attachment, or 404 when it does not exist or its order is hidden from the user."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is not None:
        try:
            get_visible_order(session, user, attachment.order_id)
        except NotFound:
            pass
        else:
            return attachment
    raise NotFound(f"attachment {attachment_id} does not exist", code="orders.no_attachment")


def read_blob(storage: Storage, attachment: Attachment) -> bytes:
    """The attachment's bytes (blocking). A row whose blob is gone is a 404, logged as an error."""
    try:
        return storage.get(attachment.storage_key)
    except BlobNotFound:
        log.error("attachment %s: blob %s is missing from %r", attachment.id, attachment.storage_key, storage)
        raise NotFound(
            f"the file of attachment {attachment.id} is missing from storage", code="orders.attachment_missing"
        ) from None
