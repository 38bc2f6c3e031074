"""No credential in any log line the tests produce (issue 14, defect 2).

``Watch`` is a logging handler on the root logger for the whole run (``tests/conftest.py`` installs it and
fails the test during which an offending line was logged); the servers the end-to-end and browser tests
start write their output to files that ``check_file`` reads when they stop. A line offends when it holds
a secret the tests made (every token and password they issue, ``remember``) or looks like one wherever it
came from: a ``token=``/``password=`` in a URL or form, a bearer header, a password in JSON, a session
cookie.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

PATTERNS = (
    re.compile(r"[?&](?:token|access_token|password|secret)=(?!\[redacted\])[^&\s\"']{6,}", re.IGNORECASE),
    re.compile(r"\bBearer\s+[A-Za-z0-9_\-.~+/]{12,}"),
    re.compile(r"[\"']password[\"']\s*:\s*[\"'][^\"']+[\"']", re.IGNORECASE),
    re.compile(r"\bhuiyin_(?:session|csrf)=[^;\s]{12,}"),
)
MIN_SECRET = 12
"""Secrets shorter than this are not looked for by value (a test's password "pw" is in many words)."""

_known: set[str] = set()


def remember(*secrets: str | None) -> None:
    """Secrets a test made (tokens, passwords): none of them may appear in a log line."""
    _known.update(s for s in secrets if s and len(s) >= MIN_SECRET)


def offences(text: str) -> list[str]:
    """What in ``text`` is a credential, shortened so that the report does not repeat it whole."""
    found = [m.group(0) for p in PATTERNS for m in p.finditer(text)]
    found += [s for s in _known if s in text]
    return [f"{f[:10]}…" for f in found]


class Watch(logging.Handler):
    """Collects the offending lines of every record logged, at the levels the loggers are set to."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a record whose arguments do not format: its template and arguments, raw
            text = f"{record.msg} {record.args}"
        if record.exc_info and record.exc_info[1] is not None:
            text += f" {record.exc_info[1]!r}"
        bad = offences(text)
        if bad:
            self.found.append(f"{record.name} {record.levelname}: {bad} in {text[:200]!r}")


def check_file(path: Path) -> None:
    """A server's output, when it stopped: no credential in any of its lines."""
    if not path.exists():
        return
    bad = [f"{i}: {offences(line)}" for i, line in enumerate(path.read_text(errors="replace").splitlines(), 1)]
    bad = [b for b in bad if not b.endswith(": []")]
    assert not bad, f"credentials in the server's log {path}: {bad[:10]}"
