"""Domain errors and their problem+json rendering (RFC 9457).

Service functions raise these; handlers never build error responses by hand.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM = "application/problem+json"


class HuiyinError(Exception):
    """``detail``: the English sentence for people reading the API (and the logs). ``code``: the error's stable
    name, ``<domain>.<name>`` (``self.code_wrong``), which the web app shows in the user's language
    (``web/src/locales/errors/<domain>.ts``, with ``extra``'s fields as its parameters); every code raised has
    its sentences there in both languages (``tests/unit/test_error_codes.py``). ``extra``: more fields of the
    problem document."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.extra = extra


class NotFound(HuiyinError):
    status = 404
    title = "Not found"


class Forbidden(HuiyinError):
    status = 403
    title = "Forbidden"


class Unauthorized(HuiyinError):
    status = 401
    title = "Not signed in"


class Conflict(HuiyinError):
    """A transition or change that the current state does not allow."""

    status = 409
    title = "Conflict"


class Invalid(HuiyinError):
    status = 422
    title = "Invalid input"


class TooLarge(HuiyinError):
    status = 413
    title = "Payload too large"


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if "retry_after" in extra:  # seconds, as the Retry-After header says them too (429, 503)
        headers["Retry-After"] = str(extra["retry_after"])
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers or None)


def _clean_errors(errors: Any) -> list[dict[str, Any]]:
    return [
        {
            "loc": list(e.get("loc", ())),
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
            **({"ctx": ctx} if (ctx := _plain_ctx(e.get("ctx"))) else {}),
        }
        for e in errors
    ]


def _plain_ctx(ctx: Any) -> dict[str, Any]:
    """The limits a validation error names (``max_length``, ``ge``…), as the web app words them; values that
    are not plain (an exception pydantic keeps there) are left out."""
    if not isinstance(ctx, dict):
        return {}
    return {k: v for k, v in ctx.items() if isinstance(v, (str, int, float, bool)) and not isinstance(v, Exception)}


def install(app: FastAPI) -> None:
    @app.exception_handler(HuiyinError)
    async def _huiyin(_: Request, exc: HuiyinError) -> JSONResponse:
        if exc.code:
            return problem(exc.status, exc.title, exc.detail, code=exc.code, **exc.extra)
        return problem(exc.status, exc.title, exc.detail, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _clean_errors(exc.errors())
        first = errors[0] if errors else {"loc": [], "msg": "invalid"}
        where = ".".join(str(p) for p in first["loc"])
        field = next((str(p) for p in reversed(first["loc"]) if isinstance(p, str)), "")
        return problem(
            422,
            "Invalid input",
            f"{where}: {first['msg']}",
            code="request.invalid",
            field=field,
            reason=first.get("type", ""),
            errors=errors,
        )

    @app.exception_handler(DataError)
    async def _data(_: Request, exc: DataError) -> JSONResponse:
        # A value the database cannot hold (a number out of range, say) that validation let through.
        return problem(
            422, "Invalid input", "a value is out of the range the database can store", code="request.out_of_range"
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        # A change the stored data refuses (a reference, a unique value written meanwhile), found by the
        # database, possibly only at commit: nothing of the request was kept.
        return problem(
            409, "Conflict", "the change conflicts with what is stored; nothing was saved", code="request.conflict"
        )

    @app.exception_handler(OperationalError)
    async def _operational(_: Request, exc: OperationalError) -> JSONResponse:
        # The database did not take the change (gone, locked, a serialization failure): nothing was kept.
        return problem(
            503,
            "Service unavailable",
            "the database did not take the change; nothing was saved, try again",
            code="request.unavailable",
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), str(exc.detail))
