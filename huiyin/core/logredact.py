"""Credentials stay out of the server's log.

``huiyin serve`` turns uvicorn's access log off, but uvicorn still writes one line per WebSocket
handshake on its error logger, with the path and query string (``"WebSocket /api/v1/ws?token=…"
[accepted]``). Integrations should send their token in the ``Authorization`` header of the handshake
(docs/api.md); for those that still put it in the URL, ``RedactCredentials`` sits on every handler of the
server's log configuration (``LOG_CONFIG``) and writes ``token=[redacted]`` in place of the value, in
any record that passes, whichever logger made it.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

_IN_URL = re.compile(r"([?&](?:token|access_token|password|secret)=)[^&\s\"']+", re.IGNORECASE)
_BEARER = re.compile(r"(\bBearer\s+)[A-Za-z0-9_\-.~+/]+")


def redact(text: str) -> str:
    return _BEARER.sub(r"\1[redacted]", _IN_URL.sub(r"\1[redacted]", text))


class RedactCredentials(logging.Filter):
    """Rewrites a record whose message holds a credential; lets every record through."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record that does not format is logging's own error to report
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration, with ``RedactCredentials`` on each of its handlers."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact"] = {"()": "huiyin.core.logredact.RedactCredentials"}
    for handler in config["handlers"].values():
        handler["filters"] = [*handler.get("filters", []), "redact"]
    return config
