import datetime as dt

import pytest
from django.utils import timezone, translation

from medir.audit.models import AuditRecord
from medir.authority.selectors import get_ppc_assessment
from medir.authority.services import record_personal_data_facts, set_awareness_time
from medir.incidents import services
from medir.incidents.models import EventKind
from medir.incidents.selectors import get_incident_picture
from medir.organisation.models import Hospital
from medir.playbook.engine import Status
from tests.incidents.factories import complete, confirmed_attack, report_ransom_note


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def hospital(db):
    return Hospital.objects.create(
        name="テスト病院", operator_type="medical_corporation"
    )


def test_awareness_defaults_to_the_first_report(nurse):
    incident = report_ransom_note(nurse)

    assert incident.aware_at == incident.reported_at


def test_correcting_awareness_needs_a_reason_and_keeps_the_old_value(nurse, manager):
    incident = report_ransom_note(nurse)
    earlier = incident.reported_at - dt.timedelta(hours=3)

    with pytest.raises(services.IncidentError, match="reason"):
        set_awareness_time(incident, actor=manager, aware_at=earlier, reason="")
    set_awareness_time(
        incident, actor=manager, aware_at=earlier, reason="夜勤帯に既に気付いていた"
    )

    incident.refresh_from_db()
    assert incident.aware_at == earlier
    record = AuditRecord.objects.get(action="incident.awareness_set")
    assert record.before["aware_at"] is not None
    assert incident.events.filter(kind=EventKind.AWARENESS_SET).count() == 1


def test_awareness_in_the_future_is_refused(nurse, manager):
    incident = report_ransom_note(nurse)

    with pytest.raises(services.IncidentError, match="future"):
        set_awareness_time(
            incident,
            actor=manager,
            aware_at=timezone.now() + dt.timedelta(days=2),
            reason="x",
        )


def test_facts_are_recorded_and_bad_values_change_nothing(nurse, manager, hospital):
    incident = report_ransom_note(nurse)

    with pytest.raises(services.IncidentError):
        record_personal_data_facts(incident, actor=manager, leaked="perhaps")
    with pytest.raises(services.IncidentError):
        record_personal_data_facts(incident, actor=manager, people_count=-1)
    assert get_ppc_assessment(incident) is None

    record_personal_data_facts(
        incident,
        actor=manager,
        leaked="possibly",
        sensitive="yes",
        wrongful_purpose="yes",
        people_count=85000,
        people_count_kind="estimated",
    )

    assessment = get_ppc_assessment(incident)
    assert assessment.mandatory is True
    assert assessment.cases == (1, 3, 4)


def test_a_mandatory_ppc_report_proposes_4_3_after_2_12(
    nurse, manager, director, hospital
):
    incident = confirmed_attack(nurse, manager)
    complete(incident, manager, "2-6", "2-7", "2-8", "2-10", "2-11")
    services.record_decision(
        incident, decision_id="tracks", outcome=["2-13"], actor=director
    )
    complete(incident, director, "2-12")
    assert get_incident_picture(incident).statuses["4-3"].status == (
        Status.NOT_APPLICABLE
    )

    record_personal_data_facts(
        incident, actor=manager, leaked="possibly", sensitive="yes"
    )

    assert get_incident_picture(incident).statuses["4-3"].status == Status.READY
