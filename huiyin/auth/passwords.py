"""The password policy (OWASP ASVS level 2, V2.1): long enough, not common, not the username.

The length is the admin's setting (``HUIYIN_AUTH__PASSWORD_MIN_LENGTH``, 12 by default; a passphrase of
a few words passes easily); no composition rules (ASVS 2.1.9 advises against them); a password on the list
of common ones (``common_passwords.COMMON``), containing the username, or one character repeated is refused.
Applied where a person chooses a password through the API (creating a user, resetting a password); the demo
city's users and the tests' personas are made by the service directly.
"""

from __future__ import annotations

from huiyin.auth.common_passwords import COMMON
from huiyin.errors import Invalid


def check_password(password: str, username: str, *, min_length: int) -> str:
    if len(password) < min_length:
        raise Invalid(
            f"a password needs at least {min_length} characters (a few words make a good one)",
            code="auth.password_too_short",
            field="password",
            min_length=min_length,
        )
    lowered = password.lower()
    if lowered in COMMON:
        raise Invalid(
            "this password is one of the most common ones: choose another",
            code="auth.password_common",
            field="password",
        )
    if username and username.lower() in lowered:
        raise Invalid("a password must not contain the username", code="auth.password_has_username", field="password")
    if len(set(password)) == 1:
        raise Invalid(
            "a password must not be one character repeated", code="auth.password_one_character", field="password"
        )
    return password
