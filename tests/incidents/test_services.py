import datetime as dt

import pytest
from django.utils import timezone, translation

from medir.audit.models import AuditRecord
from medir.audit.services import verify_audit_chain
from medir.incidents import services
from medir.incidents.models import (
    Decision,
    EntrySource,
    EventKind,
    IncidentState,
    TimelineEvent,
)
from medir.incidents.selectors import get_incident_picture
from medir.playbook.engine import Status
from tests.incidents.factories import (
    complete,
    confirmed_attack,
    report_ransom_note,
    report_slow_ehr,
)


@pytest.fixture(autouse=True)
def in_english():
    # Messages are asserted in English here; Japanese, the default, is
    # checked once below.
    with translation.override("en"):
        yield


def status_of(incident, step_id):
    return get_incident_picture(incident).statuses[step_id].status


def test_a_report_opens_a_reported_incident_with_every_step(nurse):
    incident = report_ransom_note(nurse)

    assert incident.state == IncidentState.REPORTED
    assert incident.steps.count() == 35
    assert incident.events.get().kind == EventKind.REPORTED
    assert status_of(incident, "1-1") == Status.READY


def test_every_change_writes_one_timeline_event_and_one_audit_record(nurse, manager):
    incident = report_ransom_note(nurse)
    events, audits = TimelineEvent.objects.count(), AuditRecord.objects.count()

    services.complete_step(incident, step_id="1-1", actor=nurse)

    assert TimelineEvent.objects.count() == events + 1
    assert AuditRecord.objects.count() == audits + 1
    record = AuditRecord.objects.last()
    assert record.action == "step.completed"
    assert record.before["state"] == "pending"
    assert record.after["state"] == "done"
    assert record.actor == nurse


def test_the_audit_record_of_a_report_holds_no_name_or_phone_number(nurse):
    report_ransom_note(nurse)

    record = AuditRecord.objects.get(action="report.filed")
    assert "看護師A" not in str(record.after)
    assert "090-0000-0000" not in str(record.after)


def test_a_second_report_can_be_attached_to_the_open_incident(nurse, manager):
    incident = report_slow_ehr(nurse)

    services.file_report(
        actor=None,
        reporter_name="保守ベンダ",
        signs=["files_encrypted"],
        incident=incident,
    )

    assert incident.reports.count() == 2
    assert get_incident_picture(incident).facts["infection_signs"] is True


def test_confirming_opens_the_incident_and_records_the_decision(nurse, manager):
    incident = report_ransom_note(nurse)

    services.confirm_incident(incident, actor=manager, title="ランサムウェア感染")

    incident.refresh_from_db()
    assert incident.state == IncidentState.OPEN
    assert incident.title == "ランサムウェア感染"
    decision = Decision.objects.get(incident=incident)
    assert (decision.decision_id, decision.outcome) == ("confirmation", "confirmed")
    assert decision.decided_role == "security_manager"


def test_dismissing_a_false_alarm_needs_a_reason_and_ends_the_incident(nurse, manager):
    incident = report_slow_ehr(nurse)

    with pytest.raises(services.IncidentError, match="reason"):
        services.dismiss_incident(incident, actor=manager, reason="  ")
    services.dismiss_incident(incident, actor=manager, reason="プリンタの紙詰まり")

    incident.refresh_from_db()
    assert incident.state == IncidentState.DISMISSED
    with pytest.raises(services.IncidentError, match="can no longer be changed"):
        services.complete_step(incident, step_id="1-1", actor=manager)


def test_merging_moves_reports_and_timeline_into_the_open_incident(nurse, manager):
    main = report_ransom_note(nurse)
    services.confirm_incident(main, actor=manager)
    duplicate = report_ransom_note(nurse)

    services.merge_incident(duplicate, into=main, actor=manager, reason="同じ事象")

    duplicate.refresh_from_db()
    assert duplicate.state == IncidentState.MERGED
    assert duplicate.merged_into == main
    assert main.reports.count() == 2
    assert main.events.filter(kind=EventKind.MERGED_IN).exists()
    assert duplicate.events.get().kind == EventKind.MERGED


def test_an_incident_cannot_be_merged_into_itself(nurse, manager):
    incident = report_ransom_note(nurse)

    with pytest.raises(services.IncidentError, match="itself"):
        services.merge_incident(incident, into=incident, actor=manager, reason="x")


def test_a_step_not_yet_due_needs_a_reason_and_is_marked_out_of_order(nurse, manager):
    incident = confirmed_attack(nurse, manager)
    events = incident.events.count()

    with pytest.raises(services.IncidentError, match="give a reason"):
        services.complete_step(incident, step_id="2-13", actor=manager)
    assert incident.events.count() == events

    services.complete_step(
        incident, step_id="2-13", actor=manager, reason="院長判断で初日に厚労省へ連絡"
    )
    event = incident.events.latest("id")
    assert event.out_of_order is True
    assert status_of(incident, "2-13") == Status.DONE


def test_a_ready_step_needs_no_reason(nurse, manager):
    incident = confirmed_attack(nurse, manager)

    services.start_step(incident, step_id="2-6", actor=manager)
    services.complete_step(incident, step_id="2-6", actor=manager, checklist=[])

    assert status_of(incident, "2-6") == Status.DONE
    assert not incident.events.filter(out_of_order=True).exists()


def test_checklist_and_records_are_kept_on_the_step(nurse, manager):
    incident = confirmed_attack(nurse, manager)
    complete(incident, manager, "2-6", "2-7", "2-8")
    found = "2022-10-31T08:30:00+09:00"

    services.complete_step(
        incident,
        step_id="2-10",
        actor=manager,
        records={"found_at": found, "attacker": "不明", "spread_risk": "高い"},
    )

    row = incident.steps.get(step_id="2-10")
    assert row.records["attacker"] == "不明"
    assert row.records["found_at"] == found


def test_unknown_record_fields_and_checklist_items_are_refused(nurse, manager):
    incident = confirmed_attack(nurse, manager)

    with pytest.raises(services.IncidentError, match="Unknown record field"):
        services.complete_step(
            incident, step_id="2-6", actor=manager, records={"patient_name": "x"}
        )
    with pytest.raises(services.IncidentError, match="Unknown checklist item"):
        services.complete_step(incident, step_id="2-6", actor=manager, checklist=["x"])
    assert status_of(incident, "2-6") == Status.READY


def test_skipping_needs_a_reason(nurse, manager):
    incident = confirmed_attack(nurse, manager)

    with pytest.raises(services.IncidentError):
        services.skip_step(incident, step_id="2-4", actor=manager, reason="")
    services.skip_step(incident, step_id="2-4", actor=manager, reason="停電ではない")

    assert status_of(incident, "2-4") == Status.SKIPPED


def test_attack_signs_can_be_revised_only_with_a_reason(nurse, manager):
    incident = confirmed_attack(nurse, manager)

    with pytest.raises(services.IncidentError, match="reason"):
        services.record_decision(
            incident, decision_id="attack_signs", outcome="absent", actor=manager
        )
    services.record_decision(
        incident,
        decision_id="attack_signs",
        outcome="absent",
        actor=manager,
        reason="ベンダ作業の誤設定と判明",
    )

    revision = Decision.objects.filter(decision_id="attack_signs").latest("id")
    assert revision.supersedes is not None
    assert status_of(incident, "2-6") == Status.NOT_APPLICABLE
    assert incident.events.filter(kind=EventKind.DECISION_REVISED).exists()


def test_a_decision_that_is_not_revisable_stays(nurse, manager, director):
    incident = confirmed_attack(nurse, manager)
    services.record_decision(
        incident, decision_id="response_team", outcome="form_team", actor=director
    )

    with pytest.raises(services.IncidentError, match="cannot be revised"):
        services.record_decision(
            incident,
            decision_id="response_team",
            outcome="no_team",
            actor=director,
            reason="x",
        )


def test_tracks_take_several_outcomes_and_refuse_unknown_ones(nurse, manager, director):
    incident = confirmed_attack(nurse, manager)

    with pytest.raises(services.IncidentError, match="not an outcome"):
        services.record_decision(
            incident, decision_id="tracks", outcome=["2-13", "9-9"], actor=director
        )
    services.record_decision(
        incident, decision_id="tracks", outcome=["2-13", "2-18"], actor=director
    )

    picture = get_incident_picture(incident)
    assert picture.decisions["tracks"].outcome == ["2-13", "2-18"]
    assert picture.statuses["4-9"].status == Status.NOT_APPLICABLE


def test_closing_is_refused_while_steps_are_open_and_names_them(nurse, manager):
    incident = confirmed_attack(nurse, manager)

    with pytest.raises(services.IncidentError, match="2-2"):
        services.close_incident(incident, actor=manager)
    incident.refresh_from_db()
    assert incident.state == IncidentState.OPEN


def test_an_ordinary_failure_runs_to_closure(nurse, manager, director):
    incident = report_slow_ehr(nurse)
    complete(incident, nurse, "1-1", "1-3")
    services.confirm_incident(incident, actor=manager)
    complete(incident, manager, "1-4", "2-1")
    services.record_decision(
        incident, decision_id="attack_signs", outcome="absent", actor=manager
    )
    complete(incident, manager, "2-2", "2-3", "2-4", "3-2", "3-3", "3-4")
    complete(incident, manager, "4-1", records={"personal_data_affected": "no"})
    services.record_decision(
        incident, decision_id="prevention_order", outcome="ordered", actor=director
    )
    complete(incident, director, "4-2")
    complete(incident, manager, "4-5", "4-6", "4-8")
    complete(incident, nurse, "4-7")

    services.close_incident(incident, actor=director, reason="復旧済み")

    incident.refresh_from_db()
    assert incident.state == IncidentState.CLOSED
    assert verify_audit_chain().ok


def test_a_live_entry_in_the_future_is_refused(nurse):
    tomorrow = timezone.now() + dt.timedelta(days=1)

    with pytest.raises(services.IncidentError, match="future"):
        services.file_report(
            actor=nurse, reporter_name="A", signs=["other"], happened_at=tomorrow
        )


def test_a_transcribed_entry_keeps_its_paper_time(nurse, manager):
    incident = confirmed_attack(nurse, manager)
    on_paper = timezone.now() - dt.timedelta(hours=5)

    event = services.add_note(
        incident,
        actor=manager,
        text="紙の記録: 08:30 ベンダ到着",
        happened_at=on_paper,
        source=EntrySource.TRANSCRIBED,
    )

    assert event.happened_at == on_paper
    assert event.recorded_at > on_paper
    assert event.source == "transcribed"


def test_a_naive_time_is_refused(nurse):
    with pytest.raises(services.IncidentError, match="time zone"):
        services.file_report(
            actor=nurse,
            reporter_name="A",
            signs=["other"],
            happened_at=dt.datetime(2026, 1, 1, 9, 0),  # noqa: DTZ001 - on purpose
        )


def test_a_report_without_any_sign_or_with_an_unknown_one_is_refused(nurse):
    with pytest.raises(services.IncidentError):
        services.file_report(actor=nurse, reporter_name="A", signs=[])
    with pytest.raises(services.IncidentError, match="Unknown sign"):
        services.file_report(actor=nurse, reporter_name="A", signs=["<script>"])
    assert TimelineEvent.objects.count() == 0


def test_a_recorded_time_without_offset_is_read_as_japan_time(nurse, manager):
    incident = confirmed_attack(nurse, manager)
    complete(incident, manager, "2-6", "2-7", "2-8")

    with pytest.raises(services.IncidentError, match="not a date and time"):
        services.complete_step(
            incident, step_id="2-10", actor=manager, records={"found_at": "昨日の朝"}
        )
    services.complete_step(
        incident,
        step_id="2-10",
        actor=manager,
        records={"found_at": "2022-10-31T08:30"},
    )

    found = incident.steps.get(step_id="2-10").records["found_at"]
    assert found == "2022-10-31T08:30:00+09:00"


def test_messages_are_in_japanese_by_default(nurse, manager):
    incident = confirmed_attack(nurse, manager)

    with translation.override("ja"), pytest.raises(services.IncidentError) as caught:
        services.complete_step(incident, step_id="2-13", actor=manager)

    assert "理由" in str(caught.value)
    assert "2-13" in str(caught.value)


def test_the_out_of_order_message_says_what_the_step_waits_for(nurse, manager):
    incident = confirmed_attack(nurse, manager)

    with pytest.raises(services.IncidentError) as caught:
        services.complete_step(incident, step_id="2-13", actor=manager)

    assert "Waiting for step 2-12" in str(caught.value)
    assert "(2-12)" in str(caught.value)


def test_a_name_longer_than_the_column_is_refused_before_the_database(nurse):
    with pytest.raises(services.IncidentError, match="at most 100"):
        services.file_report(actor=nurse, reporter_name="長" * 101, signs=["other"])
    with pytest.raises(services.IncidentError, match="at most 40"):
        services.file_report(
            actor=nurse, reporter_name="A", signs=["other"], callback_number="0" * 41
        )


def test_incidents_are_numbered_per_year_in_japan_time(nurse):
    new_year_jst = dt.datetime(2025, 12, 31, 15, 30, tzinfo=dt.UTC)  # 00:30 JST

    paper = {"source": EntrySource.TRANSCRIBED}
    first = report_ransom_note(
        nurse, happened_at=new_year_jst - dt.timedelta(days=1), **paper
    )
    second = report_ransom_note(nurse, happened_at=new_year_jst, **paper)
    third = report_ransom_note(nurse, happened_at=new_year_jst, **paper)

    assert first.number.startswith("2025-")
    assert (second.number, third.number) == ("2026-0001", "2026-0002")


def test_the_default_title_is_japanese_whatever_the_reporters_language(nurse):
    incident = services.file_report(actor=nurse, reporter_name="A", signs=["other"])

    assert incident.incident.title == "異常の報告"


def test_a_live_entry_cannot_be_back_dated(nurse, manager):
    incident = confirmed_attack(nurse, manager)
    last_year = timezone.now() - dt.timedelta(days=365)

    with pytest.raises(services.IncidentError, match="transcribed from paper"):
        services.add_note(incident, actor=manager, text="x", happened_at=last_year)


@pytest.mark.parametrize("year", [1, 1989, 9999])
def test_a_year_no_record_can_have_is_refused(nurse, manager, year):
    incident = confirmed_attack(nurse, manager)
    moment = dt.datetime(year, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=9)))

    with pytest.raises(services.IncidentError, match="cannot be right"):
        services.add_note(
            incident,
            actor=manager,
            text="x",
            happened_at=moment,
            source=EntrySource.TRANSCRIBED,
        )
    with pytest.raises(services.IncidentError, match="cannot be right"):
        services.complete_step(
            incident,
            step_id="2-6",
            actor=manager,
            records={"network_cut_at": f"{year:04d}-01-01T00:00"},
        )


@pytest.mark.parametrize("value", [[], {"a": 1}, 3], ids=["list", "object", "number"])
def test_a_choice_record_must_be_one_of_its_keys(nurse, manager, value):
    incident = report_ransom_note(nurse)

    with pytest.raises(services.IncidentError, match="not a choice"):
        services.complete_step(
            incident,
            step_id="2-1",
            actor=manager,
            reason="x",
            records={"suspected_cause": value},
        )


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "12"])
def test_a_number_record_must_be_a_finite_number(nurse, manager, value):
    incident = confirmed_attack(nurse, manager)
    number_field = next(
        (step.id, field.key)
        for step in get_incident_picture(incident).playbook.steps
        for field in step.records
        if field.type == "number"
    )

    with pytest.raises(services.IncidentError, match="must be a number"):
        services.complete_step(
            incident,
            step_id=number_field[0],
            actor=manager,
            reason="x",
            records={number_field[1]: value},
        )


@pytest.mark.parametrize("text", ["\ud800", "a\x00b"], ids=["surrogate", "nul"])
def test_text_that_is_not_text_is_refused(nurse, text):
    with pytest.raises(services.IncidentError, match="not text"):
        services.file_report(
            actor=nurse, reporter_name="A", signs=["other"], description=text
        )
