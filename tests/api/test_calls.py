"""Recording a call through the API, as the step page does."""

from medir.audit.models import AuditRecord
from medir.organisation.models import Organisation
from tests.incidents.factories import confirmed_attack


def test_the_api_records_a_call_in_the_timeline(api_as, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    police = Organisation.objects.create(
        name="警察", kind="authority", authority="police"
    )

    response = api_as(manager).post(
        f"/api/incidents/{incident.number}/steps/2-18/calls",
        {"callee_organisation_id": police.pk, "outcome": "no_answer"},
    )

    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "call_made"
    assert body["data"]["outcome"] == "no_answer"
    assert AuditRecord.objects.filter(action="call.recorded").count() == 1


def test_the_api_needs_exactly_one_callee(api_as, nurse, manager):
    incident = confirmed_attack(nurse, manager)

    response = api_as(manager).post(
        f"/api/incidents/{incident.number}/steps/2-18/calls", {"outcome": "reached"}
    )

    assert response.status_code == 400
    assert not incident.events.filter(kind="call_made").exists()


def test_an_outside_party_cannot_record_calls(
    api_as, nurse, manager, vendor, ehr_vendor
):
    from medir.incidents.services import share_incident

    incident = confirmed_attack(nurse, manager)
    share_incident(incident, actor=manager, organisation=ehr_vendor)

    response = api_as(vendor).post(
        f"/api/incidents/{incident.number}/steps/2-15/calls",
        {"callee_organisation_id": ehr_vendor.pk, "outcome": "reached"},
    )

    assert response.status_code == 403
