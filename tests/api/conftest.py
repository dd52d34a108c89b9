"""API test helpers: a token per persona and a JSON client."""

import json
from contextlib import contextmanager

import pytest
from django.test import Client

from medir.api.services import issue_api_token
from medir.audit.models import AuditRecord
from medir.incidents import services
from medir.incidents.models import Incident, IncidentStep, TimelineEvent
from tests.incidents.factories import confirmed_attack


class ApiClient:
    """Calls the API as one person, with their token, and reads JSON."""

    def __init__(self, token: str | None, **headers):
        # CSRF is enforced as in production: a token caller needs none.
        self.client = Client(enforce_csrf_checks=True)
        self.headers = dict(headers)
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def get(self, url, **extra):
        return self.client.get(url, headers=self.headers, **extra)

    def post(self, url, body=None, **extra):
        return self.client.post(
            url,
            data=json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers=self.headers,
            **extra,
        )


@pytest.fixture
def token_for(db):
    def make(user, label="tests") -> str:
        return issue_api_token(user, actor=None, label=label).token

    return make


@pytest.fixture
def api_as(token_for):
    """``api_as(nurse)`` calls the API with the nurse's token;
    ``api_as(None)`` without any credentials."""

    def make(user, **headers) -> ApiClient:
        return ApiClient(token_for(user) if user is not None else None, **headers)

    return make


def _state_of_everything():
    return (
        AuditRecord.objects.count(),
        TimelineEvent.objects.count(),
        list(Incident.objects.order_by("id").values_list("state", flat=True)),
        list(IncidentStep.objects.order_by("id").values_list("state", flat=True)),
    )


@pytest.fixture
def nothing_changes(db):
    """``with nothing_changes(): ...`` fails if the block changed any
    incident, step, timeline or audit record."""

    @contextmanager
    def check():
        before = _state_of_everything()
        yield
        assert _state_of_everything() == before

    return check


@pytest.fixture
def shared_with_vendor(nurse, manager, ehr_vendor):
    """A confirmed ransomware incident shared with the EHR vendor."""
    incident = confirmed_attack(nurse, manager)
    services.share_incident(incident, actor=manager, organisation=ehr_vendor)
    return incident
