"""Each step shows the contacts it needs, and calls made are recorded."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from medir.audit.models import AuditRecord
from medir.contacts.selectors import contacts_for_step
from medir.incidents import services
from medir.incidents.models import EventKind, TimelineEvent
from medir.organisation.models import ContactChannel, Organisation, System
from medir.organisation.services import create_person
from medir.playbook.schema import get_playbook
from tests.incidents.factories import confirmed_attack

AUTHORITIES = {
    "mhlw": "厚生労働省",
    "ppc": "個人情報保護委員会",
    "police": "警察",
    "ipa": "IPA",
    "jpcert": "JPCERT/CC",
    "prefecture": "架空県",
}


@pytest.fixture
def authorities(db):
    found = {}
    for number, (key, name) in enumerate(AUTHORITIES.items(), start=1):
        organisation = Organisation.objects.create(
            name=name, kind="authority", authority=key
        )
        ContactChannel.objects.create(
            organisation=organisation, kind="phone", value=f"03-0000-000{number}"
        )
        found[key] = organisation
    return found


@pytest.fixture
def incident(nurse, manager):
    return confirmed_attack(nurse, manager)


def _groups(incident, step_id):
    step = get_playbook().step(step_id)
    return {
        group.key: [callee.name for callee in group.callees]
        for group in contacts_for_step(incident, step)
    }


@pytest.mark.parametrize(
    "step_id,expected",
    [
        ("2-5", {"ipa": ["IPA"], "jpcert": ["JPCERT/CC"]}),
        ("2-13", {"mhlw": ["厚生労働省"]}),
        ("2-18", {"police": ["警察"]}),
        ("4-3", {"ppc": ["個人情報保護委員会"], "prefecture": ["架空県"]}),
        ("2-6", {}),
    ],
)
def test_each_step_lists_its_authorities(incident, authorities, step_id, expected):
    assert _groups(incident, step_id) == expected


def test_steps_1_2_and_1_3_list_the_security_manager_then_the_deputy(incident, manager):
    create_person(
        actor=None,
        display_name="代理D",
        roles=["security_manager"],
        deputy_for=manager.person,
    )

    for step_id in ("1-2", "1-3"):
        assert _groups(incident, step_id) == {
            "security_manager": ["情報システム責任者B", "代理D"]
        }


@pytest.mark.parametrize("step_id", ["2-2", "2-15", "3-2"])
def test_vendor_steps_list_the_vendor_of_the_affected_system_only(
    incident, ehr_vendor, step_id
):
    ehr = System.objects.create(name="電子カルテ", kind="ehr", vendor=ehr_vendor)
    other = Organisation.objects.create(name="別の保守会社", kind="vendor")
    System.objects.create(name="PACS", kind="pacs", vendor=other)
    incident.affected_systems.add(ehr)

    assert _groups(incident, step_id) == {"vendor": ["架空電子カルテ株式会社"]}


def test_without_affected_systems_every_systems_vendor_is_listed(incident, ehr_vendor):
    System.objects.create(name="電子カルテ", kind="ehr", vendor=ehr_vendor)
    other = Organisation.objects.create(name="別の保守会社", kind="vendor")
    System.objects.create(name="PACS", kind="pacs", vendor=other)

    assert _groups(incident, "2-2") == {
        "vendor": ["別の保守会社", "架空電子カルテ株式会社"]
    }


def test_the_step_page_shows_the_authoritys_number_and_a_call_form(
    client_for, manager, incident, authorities
):
    text = client_for(manager).get(f"/incidents/{incident.number}/steps/2-13/").text

    section = text.split('id="step-contacts"')[1]
    assert "厚生労働省" in section
    assert "03-0000-0001" in section
    assert 'class="call-form' in section


def test_a_missing_authority_is_pointed_out(client_for, manager, incident):
    client = client_for(manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    text = client.get(f"/incidents/{incident.number}/steps/2-18/").text

    assert "No organisation is recorded as this authority." in text


def test_a_nurse_at_1_3_sees_the_managers_number(client_for, nurse, manager, incident):
    ContactChannel.objects.create(
        person=manager.person, kind="mobile", value="090-0000-1003"
    )

    text = client_for(nurse).get(f"/incidents/{incident.number}/steps/1-3/").text

    assert "090-0000-1003" in text.split('id="step-contacts"')[1]


def test_a_vendor_sees_no_hospital_numbers_on_a_shared_step(
    client_for, manager, vendor, ehr_vendor, incident
):
    services.share_incident(incident, actor=manager, organisation=ehr_vendor)
    System.objects.create(name="電子カルテ", kind="ehr", vendor=ehr_vendor)

    response = client_for(vendor).get(f"/incidents/{incident.number}/steps/2-15/")

    assert response.status_code == 200
    assert 'id="step-contacts"' not in response.text


# --- Recording a call ------------------------------------------------------


def test_record_call_writes_the_timeline_event_and_the_audit_record(
    incident, manager, authorities
):
    event = services.record_call(
        incident,
        actor=manager,
        step_id="2-13",
        callee=authorities["mhlw"],
        outcome="left_message",
        note="折り返し待ち",
    )

    assert event.kind == EventKind.CALL_MADE
    assert event.step_id == "2-13"
    assert event.data == {
        "callee_type": "organisation",
        "callee_id": authorities["mhlw"].pk,
        "callee": "厚生労働省",
        "outcome": "left_message",
    }
    record = AuditRecord.objects.get(action="call.recorded")
    assert record.after["timeline_event_id"] == event.pk


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"outcome": "maybe"}, "Choose how the call went."),
        ({"step_id": "9-9"}, "Unknown step: 9-9"),
        (
            {"happened_at": timezone.now() + dt.timedelta(hours=1)},
            "The time lies in the future",
        ),
        (
            {"happened_at": timezone.now() - dt.timedelta(days=2)},
            "mark the entry as transcribed from paper",
        ),
    ],
)
def test_a_bad_call_is_refused_and_nothing_is_written(
    incident, manager, authorities, kwargs, message
):
    events, records = TimelineEvent.objects.count(), AuditRecord.objects.count()
    arguments = {
        "actor": manager,
        "step_id": "2-13",
        "callee": authorities["mhlw"],
        "outcome": "reached",
        **kwargs,
    }

    with pytest.raises(services.IncidentError, match=message):
        services.record_call(incident, **arguments)

    assert TimelineEvent.objects.count() == events
    assert AuditRecord.objects.count() == records


def test_a_call_posted_from_the_step_page_appears_in_the_timeline(
    client_for, manager, incident, authorities
):
    client = client_for(manager)
    called_at = timezone.localtime() - dt.timedelta(minutes=20)

    response = client.post(
        f"/contacts/incidents/{incident.number}/steps/2-18/call/",
        {
            "callee": f"organisation:{authorities['police'].pk}",
            "happened_at": called_at.strftime("%Y-%m-%dT%H:%M"),
            "outcome": "reached",
            "note": "受理番号を控えた",
        },
    )

    assert response.status_code == 302
    assert response["Location"].endswith("/steps/2-18/#step-contacts")
    event = incident.events.get(kind="call_made")
    assert timezone.localtime(event.happened_at).strftime("%H:%M") == (
        called_at.strftime("%H:%M")
    )
    assert AuditRecord.objects.filter(action="call.recorded").count() == 1
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/incidents/{incident.number}/steps/2-18/").text
    timeline = page.split('id="timeline"')[1]
    assert "Call made" in timeline
    assert "警察" in timeline
    assert "Reached" in timeline
    assert "受理番号を控えた" in timeline


def test_a_call_form_with_a_bad_outcome_shows_the_form_again(
    client_for, manager, incident, authorities
):
    response = client_for(manager).post(
        f"/contacts/incidents/{incident.number}/steps/2-18/call/",
        {"callee": f"organisation:{authorities['police'].pk}", "outcome": "maybe"},
    )

    assert response.status_code == 400
    assert not incident.events.filter(kind="call_made").exists()


@pytest.mark.parametrize("persona,status", [("director", 302), ("vendor", 403)])
def test_who_may_record_a_call_at_2_18(
    request, client_for, incident, authorities, persona, status
):
    user = request.getfixturevalue(persona)

    response = client_for(user).post(
        f"/contacts/incidents/{incident.number}/steps/2-18/call/",
        {"callee": f"organisation:{authorities['police'].pk}", "outcome": "reached"},
    )

    assert response.status_code == status


def test_a_nurse_cannot_record_a_call_at_a_step_outside_her_lane(
    client_for, nurse, incident, authorities
):
    response = client_for(nurse).post(
        f"/contacts/incidents/{incident.number}/steps/2-18/call/",
        {"callee": f"organisation:{authorities['police'].pk}", "outcome": "reached"},
    )

    assert response.status_code == 403
