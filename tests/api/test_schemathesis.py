"""Schemathesis throws generated requests at every operation of the OpenAPI spec: no 500, ever.

It signs in as a user holding every role, so requests get past authorisation and reach the services.
(The hypothesis loop is driven here rather than through schemathesis' pytest plugin, which does not
work with this pytest version.)
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.personas import World

EXAMPLES = 20


@pytest.mark.slow
def test_no_generated_request_gets_a_server_error(app: FastAPI, world: World) -> None:
    boss = world.persona(
        "boss", "agent", "dispatcher", "unit_handler", "duty_manager", "supervisor", "admin", unit=world.company
    )
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) > 30
    for operation in operations:

        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            case.headers = {**(case.headers or {}), **boss.headers}
            case.call_and_validate(checks=[not_a_server_error])

        try:
            run()
        except Exception as exc:  # collect every failing operation, then report them all
            failures.append(f"{operation.label}: {str(exc)[:800]}")
    assert not failures, "\n\n".join(failures)
