"""The storage interface every backend implements, and the one rule for keys."""

from __future__ import annotations

import re
from typing import Protocol, runtime_checkable

_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}"
_KEY = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT})*")
MAX_KEY_LENGTH = 300


class StorageError(Exception):
    """A backend could not do what it was asked."""


class InvalidKey(StorageError, ValueError):
    """A key that is not a safe relative path (``..``, absolute, backslashes, odd characters)."""


class BlobNotFound(StorageError, LookupError):
    """No object is stored under the key."""


def check_key(key: str) -> str:
    """The key itself when it is safe: ``/``-separated segments of letters, digits, ``._-``, each
    starting with a letter or digit (so never ``.``, ``..`` or a hidden temp file), 300 characters at most."""
    if not isinstance(key, str) or len(key) > MAX_KEY_LENGTH or not _KEY.fullmatch(key):
        raise InvalidKey(f"unsafe storage key {key!r}")
    return key


@runtime_checkable
class Storage(Protocol):
    """Blobs under keys. Calls block (disk or network): async callers run them in the thread pool."""

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store ``data`` under ``key``, replacing what was there; readers never see half a blob."""
        ...

    def get(self, key: str) -> bytes:
        """The bytes stored under ``key``; ``BlobNotFound`` when there are none."""
        ...

    def delete(self, key: str) -> None:
        """Remove the blob; deleting a missing key is not an error."""
        ...

    def exists(self, key: str) -> bool: ...
