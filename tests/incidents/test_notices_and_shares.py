import pytest
from django.utils import translation

from medir.audit.models import AuditRecord
from medir.incidents import services
from medir.incidents.models import EventKind, StopUseNotice
from medir.incidents.permissions import Action, can, visible_step_ids
from medir.organisation.models import Organisation, System
from tests.incidents.factories import confirmed_attack, report_ransom_note


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def test_publishing_a_notice_records_the_systems_and_the_event(nurse, manager):
    incident = confirmed_attack(nurse, manager)
    ehr = System.objects.create(name="電子カルテ", kind="ehr")

    notice = services.publish_stop_use_notice(
        incident, actor=manager, message="電子カルテ端末を使わないこと", systems=[ehr]
    )

    assert notice.is_active
    assert list(notice.systems.all()) == [ehr]
    event = incident.events.get(kind=EventKind.NOTICE_PUBLISHED)
    assert event.data["systems"] == [ehr.pk]
    assert AuditRecord.objects.filter(action="notice.published").count() == 1


def test_a_notice_is_lifted_once_with_a_reason(nurse, manager):
    incident = confirmed_attack(nurse, manager)
    notice = services.publish_stop_use_notice(incident, actor=manager, message="停止")

    with pytest.raises(services.IncidentError):
        services.lift_stop_use_notice(notice, actor=manager, reason="")
    services.lift_stop_use_notice(notice, actor=manager, reason="復旧確認済み")
    with pytest.raises(services.IncidentError, match="already been lifted"):
        services.lift_stop_use_notice(notice, actor=manager, reason="again")

    assert not StopUseNotice.objects.get().is_active


def test_sharing_shows_a_vendor_its_lane_and_the_steps_it_assists_with(
    nurse, manager, vendor, ehr_vendor
):
    incident = confirmed_attack(nurse, manager)
    assert not can(vendor, Action.VIEW, incident)

    services.share_incident(incident, actor=manager, organisation=ehr_vendor)

    visible = visible_step_ids(vendor, incident)
    assert {"1-1", "1-3", "2-1", "2-10"} <= visible
    assert {"2-6", "2-15", "3-3"} <= visible
    assert "2-12" not in visible
    assert can(vendor, Action.WORK, incident, step_id="2-10")
    assert not can(vendor, Action.WORK, incident, step_id="2-12")
    assert not can(vendor, Action.SEE_DECISIONS, incident)


def test_sharing_extra_steps_and_ending_the_share(nurse, manager, vendor, ehr_vendor):
    incident = confirmed_attack(nurse, manager)

    share = services.share_incident(
        incident, actor=manager, organisation=ehr_vendor, extra_steps=["3-2"]
    )
    assert "3-2" in visible_step_ids(vendor, incident)
    services.unshare_incident(share, actor=manager)

    assert not can(vendor, Action.VIEW, incident)
    kinds = list(incident.events.values_list("kind", flat=True))
    assert EventKind.SHARED in kinds
    assert EventKind.UNSHARED in kinds


def test_sharing_refuses_unknown_steps(nurse, manager, ehr_vendor):
    incident = confirmed_attack(nurse, manager)

    with pytest.raises(services.IncidentError, match="Unknown step"):
        services.share_incident(
            incident, actor=manager, organisation=ehr_vendor, extra_steps=["7-7"]
        )
    assert not incident.shares.exists()


def test_a_vendor_of_another_organisation_sees_nothing(nurse, manager, vendor):
    incident = confirmed_attack(nurse, manager)
    other = Organisation.objects.create(name="別のベンダ", kind="vendor")

    services.share_incident(incident, actor=manager, organisation=other)

    assert visible_step_ids(vendor, incident) == set()


def test_staff_see_their_lane_of_open_incidents_and_no_decisions(nurse, manager):
    incident = confirmed_attack(nurse, manager)

    visible = visible_step_ids(nurse, incident)

    assert {"1-1", "1-2", "1-3", "2-9", "4-7"} == visible
    assert can(nurse, Action.WORK, incident, step_id="2-9")
    assert not can(nurse, Action.DECIDE, incident)
    assert not can(nurse, Action.SEE_DECISIONS, incident)


def test_staff_see_a_reported_incident_only_if_they_reported_it(nurse, manager):
    theirs = report_ransom_note(nurse)
    someone_elses = report_ransom_note(None)

    assert can(nurse, Action.VIEW, theirs)
    assert not can(nurse, Action.VIEW, someone_elses)


def test_only_management_closes_and_administrators_see_no_incident(
    nurse, manager, director, admin
):
    incident = confirmed_attack(nurse, manager)

    assert can(director, Action.CLOSE, incident)
    assert not can(manager, Action.CLOSE, incident)
    assert not can(admin, Action.VIEW, incident)


def test_dismissing_takes_the_notice_down(nurse, manager):
    incident = report_ransom_note(nurse)
    notice = services.publish_stop_use_notice(incident, actor=manager, message="停止")

    services.dismiss_incident(incident, actor=manager, reason="誤報")

    notice.refresh_from_db()
    assert not notice.is_active
    assert incident.events.filter(kind=EventKind.NOTICE_LIFTED).exists()


def test_merging_carries_the_notice_to_the_open_incident(nurse, manager):
    main = confirmed_attack(nurse, manager)
    duplicate = report_ransom_note(nurse)
    notice = services.publish_stop_use_notice(duplicate, actor=manager, message="停止")

    services.merge_incident(duplicate, into=main, actor=manager, reason="同一事象")

    notice.refresh_from_db()
    assert notice.incident == main
    assert notice.is_active
