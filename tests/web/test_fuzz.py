"""Schemathesis fuzzes the API from its own OpenAPI schema: no 5xx, responses match it.

Every operation is fuzzed on both backends. The in-process run on SQLite takes 30 examples
an operation; the Lambda run on DynamoDB replays the same generator through the same
validation and takes 12, enough to reach each operation's store calls with valid and invalid
input. Logging in and adding crew spend an Argon2 hash (about half a second here) on every
example of a body of two to four short fields: 8 examples cover them on either backend.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

pytestmark = pytest.mark.slow

EXAMPLES = {"asgi": 30, "lambda": 12}
HASHING = {("POST", "/admin/login"), ("POST", "/api/crew")}
HASHING_EXAMPLES = 8


def test_api_conforms_to_its_schema(api, request: pytest.FixtureRequest) -> None:
    event = api.event()
    api.patron(event["id"])
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        examples = EXAMPLES[request.node.callspec.params["api"]]
        if (operation.method.upper(), operation.path) in HASHING:
            examples = HASHING_EXAMPLES

        @given(case=operation.as_strategy())
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case) -> None:
            # Every check but positive_data_acceptance: rules the schema cannot state (an event
            # ends after it starts, a payment fits the balance) refuse some schema-valid
            # requests with 422 on purpose.
            case.call_and_validate(
                headers=api.headers(), excluded_checks=[positive_data_acceptance]
            )

        check()
