import pytest

from medir.authority.models import PersonalDataFacts
from medir.incidents.models import TimelineEvent
from medir.organisation.models import Hospital
from tests.incidents.factories import confirmed_attack

FACTS = {
    "leaked": "possibly",
    "lost": "no",
    "damaged": "unknown",
    "sensitive": "yes",
    "financial_risk": "no",
    "wrongful_purpose": "yes",
    "people_count": "85000",
    "people_count_kind": "estimated",
    "data_items": "氏名、診療記録",
}


def test_the_security_manager_records_facts_and_sees_the_assessment(
    client_for, nurse, manager
):
    Hospital.objects.create(name="テスト病院", operator_type="medical_corporation")
    incident = confirmed_attack(nurse, manager)
    client = client_for(manager)

    response = client.post(f"/incidents/{incident.number}/authority/facts/", FACTS)

    assert response.status_code == 302
    page = client.get(f"/incidents/{incident.number}/authority/facts/").content
    assert b'data-mandatory="yes"' in page
    incident_page = client.get(f"/incidents/{incident.number}/").content.decode()
    assert 'id="authority"' in incident_page
    assert 'data-mandatory="yes"' in incident_page


def test_a_bad_answer_is_refused_and_changes_nothing(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    events = TimelineEvent.objects.count()

    response = client_for(manager).post(
        f"/incidents/{incident.number}/authority/facts/",
        {**FACTS, "leaked": "maybe", "people_count": "-3"},
    )

    assert response.status_code == 400
    assert not PersonalDataFacts.objects.exists()
    assert TimelineEvent.objects.count() == events


def test_staff_and_vendors_cannot_open_the_facts(client_for, nurse, manager, vendor):
    incident = confirmed_attack(nurse, manager)

    for user in (nurse, vendor):
        response = client_for(user).get(
            f"/incidents/{incident.number}/authority/facts/"
        )
        assert response.status_code == 403


def test_correcting_the_awareness_time_needs_a_reason(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    client = client_for(manager)
    url = f"/incidents/{incident.number}/authority/awareness/"
    missing = client.post(url, {"aware_at": "2020-01-01T00:00", "reason": ""})
    done = client.post(url, {"aware_at": "2026-01-05T06:30", "reason": "夜勤記録"})

    assert missing.status_code == 400
    assert done.status_code == 302
    incident.refresh_from_db()
    assert incident.aware_at.isoformat() == "2026-01-04T21:30:00+00:00"


def test_a_future_awareness_time_is_refused_with_a_message(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)

    response = client_for(manager).post(
        f"/incidents/{incident.number}/authority/awareness/",
        {"aware_at": "2099-01-01T00:00", "reason": "誤入力"},
    )

    assert response.status_code == 400
    assert "未来" in response.content.decode()


@pytest.mark.parametrize("moment", ["0001-01-01T00:00", "1900-01-01T00:00"])
def test_an_awareness_time_of_a_year_no_record_can_have_is_refused(
    client_for, nurse, manager, moment
):
    incident = confirmed_attack(nurse, manager)
    before = incident.aware_at

    response = client_for(manager).post(
        f"/incidents/{incident.number}/authority/awareness/",
        {"aware_at": moment, "reason": "誤入力"},
    )

    assert response.status_code == 400
    assert "年は正しくないようです" in response.content.decode()
    incident.refresh_from_db()
    assert incident.aware_at == before
