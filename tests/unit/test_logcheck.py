"""The log check itself (``tests/logcheck.py``) finds what it is there to find, and lets plain lines be."""

from __future__ import annotations

import logging
import secrets

import pytest

from tests.logcheck import Watch, offences


@pytest.mark.parametrize(
    "line",
    [
        'GET /ws?token=Zr3kQ9vX_2mLp8TnYw HTTP/1.1" 101',
        "POST /api/v1/auth/token body={'username': 'li', 'password': 'pw-li-2026'}",
        "headers: Authorization: Bearer 8Jc2nQ4xV7pLm0sTz9yA",
        "cookie: huiyin_session=Q1w2E3r4T5y6U7i8O9p0",
        "grant_type=password&username=li&password=hunter2-hunter2",
    ],
)
def test_a_credential_shaped_line_offends(line: str) -> None:
    assert offences(line)


def test_a_token_this_process_made_offends_wherever_it_is() -> None:
    token = secrets.token_urlsafe(24)  # remembered (tests/conftest.py wraps the function)
    assert offences(f"integration {token[:4]}… revoked") == []
    assert offences(f"could not reach the PBX at https://pbx/{token}/dial")


@pytest.mark.parametrize(
    "line",
    [
        "SMS and voice are off: no gateway is configured (HUIYIN_NOTIFY__SMS_URL)",
        "order GD20261206000123 escalated to level 3 (token bucket refilled)",
        "sign-in of li failed from 127.0.0.1 (2 of 5)",
    ],
)
def test_a_plain_line_does_not(line: str) -> None:
    assert offences(line) == []


def test_the_watch_reports_a_logged_credential() -> None:
    watch = Watch()
    log = logging.getLogger("huiyin.test.logcheck")
    log.addHandler(watch)
    log.propagate = False  # the run's own watch would fail this test for the line it logs on purpose
    try:
        log.warning("socket from %s", "/ws?token=abcdefghijklmnop")
        log.warning("a plain line")
    finally:
        log.removeHandler(watch)
    assert len(watch.found) == 1 and "huiyin.test.logcheck WARNING" in watch.found[0]


def test_a_redacted_line_does_not_offend() -> None:
    from huiyin.core.logredact import redact

    line = 'WebSocket /api/v1/ws?token=Zr3kQ9vX_2mLp8TnYw&x=1" [accepted] Authorization: Bearer 8Jc2nQ4xV7pLm0sTz9yA'
    assert offences(line) and offences(redact(line)) == []
    assert redact(line).count("[redacted]") == 2 and "&x=1" in redact(line)
