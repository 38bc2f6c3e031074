"""Secrets at rest: a credential is stored as its SHA-256, never as itself."""

from __future__ import annotations

import hashlib


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
