"""Schemathesis fuzzes the API from its own OpenAPI schema: no 5xx, responses match it.

Every operation is fuzzed on both backends. The in-process run on SQLite takes 30 examples
of an operation with a body or a query; the Lambda run on DynamoDB replays the same
generator through the same validation and takes 12, enough to reach each operation's store
calls with valid and invalid input. An operation whose only input is its path (44 of 74:
reads, and actions on one event or patron) gets 5 and 3: past a few identifiers, well-formed
or not, its examples repeat the same 404 or 422.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

pytestmark = pytest.mark.slow

EXAMPLES = {"asgi": 30, "lambda": 12}
PATH_ONLY_EXAMPLES = {"asgi": 5, "lambda": 3}


def test_api_conforms_to_its_schema(api, request: pytest.FixtureRequest) -> None:
    event = api.event()
    api.patron(event["id"])
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        backend = request.node.callspec.params["api"]
        path_only = not len(operation.body) and not len(operation.query)
        examples = (PATH_ONLY_EXAMPLES if path_only else EXAMPLES)[backend]

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
