"""What was recorded during an incident stays: the ORM refuses deletion."""

import pytest

from medir.incidents import services
from medir.incidents.models import (
    Decision,
    Incident,
    IncidentShare,
    IncidentStep,
    Report,
    StopUseNotice,
    TimelineEvent,
)
from medir.lib.models import DeletionRefused
from tests.incidents.factories import confirmed_attack

RECORDS = [
    Incident,
    Report,
    IncidentStep,
    Decision,
    TimelineEvent,
    StopUseNotice,
    IncidentShare,
]


@pytest.fixture
def attack(nurse, manager, ehr_vendor):
    incident = confirmed_attack(nurse, manager)
    services.publish_stop_use_notice(incident, actor=manager, message="電子カルテ停止")
    services.share_incident(incident, actor=manager, organisation=ehr_vendor)
    return incident


@pytest.mark.parametrize("model", RECORDS, ids=lambda model: model.__name__)
def test_a_record_of_an_incident_cannot_be_deleted_one_by_one(attack, model):
    record = model.objects.first()

    with pytest.raises(DeletionRefused, match="never deleted"):
        record.delete()

    assert model.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("model", RECORDS, ids=lambda model: model.__name__)
def test_a_record_of_an_incident_cannot_be_deleted_in_bulk(attack, model):
    count = model.objects.count()

    with pytest.raises(DeletionRefused, match="never deleted"):
        model.objects.all().delete()

    assert count > 0
    assert model.objects.count() == count
