"""The API, fuzzed from its own OpenAPI schema.

Schemathesis generates requests for every operation the schema describes,
valid and not, and sends them through the real WSGI application with a
security manager's token against an open incident. Whatever arrives, the
API answers without a server error and in the shape its schema promises.
The number of examples is bounded so the suite stays quick; raise
MEDIR_FUZZ_EXAMPLES for a deeper run.
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from medir.api.services import issue_api_token
from medir.playbook.schema import get_playbook
from medir.wsgi import application
from tests.incidents.factories import confirmed_attack

EXAMPLES = int(os.environ.get("MEDIR_FUZZ_EXAMPLES", "12"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def load_schema():
    return schemathesis.openapi.from_wsgi("/api/openapi.json", application)


def operations(schema) -> dict:
    return {
        operation.label: operation
        for operation in (result.ok() for result in schema.get_all_operations())
    }


# Collected once so that each operation is its own test.
LABELS = sorted(operations(load_schema()))


@pytest.fixture
def wsgi_in_test_transaction(db):
    # A real WSGI request ends by closing the database connection, which
    # would end the test's transaction too; Django's own test client
    # unhooks the same signal.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_every_api_operation_is_fuzzed():
    assert len(LABELS) >= 20
    assert "POST /api/reports" in LABELS


@pytest.mark.parametrize("label", LABELS)
def test_the_api_answers_generated_requests_without_a_server_error(
    label, wsgi_in_test_transaction, nurse, manager
):
    incident = confirmed_attack(nurse, manager)
    token = issue_api_token(manager, actor=None, label="fuzz").token
    operation = operations(load_schema())[label]

    # Random path parameters would almost always name no incident and only
    # ever reach the 404; most examples aim at the open incident instead.
    @given(
        case=operation.as_strategy(),
        aim=st.booleans(),
        step_id=st.sampled_from([step.id for step in get_playbook().steps]),
    )
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answers(case, aim, step_id):
        if aim and case.path_parameters:
            if "number" in case.path_parameters:
                case.path_parameters["number"] = incident.number
            if "step_id" in case.path_parameters:
                case.path_parameters["step_id"] = step_id
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
        case.call_and_validate(checks=CHECKS)

    answers()
