"""Working a step: start, complete with checklist and records, skip, note."""

import datetime as dt

from django.utils import timezone, translation

from medir.incidents import services
from medir.incidents.models import EntrySource, IncidentStep, StepState, TimelineEvent
from tests.incidents.factories import complete, confirmed_attack, report_ransom_note
from tests.incidents.web import event_count, page_text


def japanese(message: str) -> str:
    with translation.override("ja"):
        return translation.gettext(message)


def english(client):
    client.cookies["django_language"] = "en"
    return client


def row(incident, step_id) -> IncidentStep:
    return incident.steps.get(step_id=step_id)


def test_the_step_page_renders_each_record_type(client_for, nurse, manager):
    incident = report_ransom_note(nurse)
    services.confirm_incident(incident, actor=manager)

    page = page_text(
        client_for(manager).get(f"/incidents/{incident.number}/steps/2-1/")
    )
    page_2_2 = page_text(
        client_for(manager).get(f"/incidents/{incident.number}/steps/2-2/")
    )
    page_2_15 = page_text(
        client_for(manager).get(f"/incidents/{incident.number}/steps/2-15/")
    )

    assert '<select name="record_suspected_cause"' in page
    assert '<textarea name="record_signs_observed"' in page
    assert 'type="checkbox" name="checklist" value="attack_signs_checked"' in page
    assert 'type="checkbox" name="record_maintenance_before"' in page_2_2
    assert 'type="number" name="record_quoted_cost"' in page_2_15
    assert 'type="datetime-local" name="paper_time"' in page
    assert 'type="checkbox" name="transcribed"' in page


def test_completing_a_step_keeps_checklist_and_records(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)

    response = client_for(manager).post(
        f"/incidents/{incident.number}/steps/2-10/complete/",
        {
            "checklist": ["logs_analysed", "leak_checked"],
            "record_found_at": "2026-10-31T06:38",
            "record_attacker": "不明",
            "record_cause": "VPN 機器の脆弱性",
            "note": "ベンダと共同で調査",
            "reason": "2-8 より先に調査を始めた",
        },
    )

    assert response.status_code == 302
    step = row(incident, "2-10")
    assert step.state == StepState.DONE
    assert step.checklist["logs_analysed"] is True
    assert step.checklist["tampering_checked"] is False
    assert step.records["found_at"] == "2026-10-31T06:38:00+09:00"
    assert step.records["attacker"] == "不明"
    assert "method" not in step.records


def test_a_done_step_shows_its_records_in_words(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    services.complete_step(
        incident,
        step_id="2-2",
        actor=manager,
        records={"maintenance_before": True},
    )

    page = page_text(
        client_for(manager).get(f"/incidents/{incident.number}/steps/2-2/")
    )

    record = page[page.index('data-record="maintenance_before"') :]
    assert record[: record.index("</tr>")].endswith("<td>はい</td>")
    assert 'id="complete-form"' not in page


def test_a_step_not_due_yet_asks_for_a_reason_and_says_why(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    client = english(client_for(manager))
    events = event_count()

    page = page_text(client.get(f"/incidents/{incident.number}/steps/2-13/"))
    refused = client.post(f"/incidents/{incident.number}/steps/2-13/complete/", {})
    accepted = client.post(
        f"/incidents/{incident.number}/steps/2-13/complete/",
        {"reason": "初日に厚労省へ第一報"},
    )

    assert 'id="out-of-order"' in page
    assert "Waiting for step 2-12" in page
    assert refused.status_code == 400
    form = page_text(refused)[page_text(refused).index('id="complete-form"') :]
    reason = form[form.index('data-field="reason"') :]
    assert "This field is required." in reason[: reason.index("</div>")]
    assert accepted.status_code == 302
    assert event_count() == events + 1
    assert TimelineEvent.objects.get(step_id="2-13").out_of_order is True
    assert row(incident, "2-13").reason == "初日に厚労省へ第一報"


def test_a_ready_step_needs_no_reason(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)

    page = page_text(
        client_for(manager).get(f"/incidents/{incident.number}/steps/2-6/")
    )
    response = client_for(manager).post(
        f"/incidents/{incident.number}/steps/2-6/complete/", {}
    )

    complete_form = page[page.index('id="complete-form"') :]
    complete_form = complete_form[: complete_form.index("</form>")]
    assert 'id="out-of-order"' not in page
    assert 'name="reason"' not in complete_form
    assert response.status_code == 302
    assert row(incident, "2-6").state == StepState.DONE


def test_starting_then_completing_keeps_both_times(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    client = client_for(manager)

    started = client.post(f"/incidents/{incident.number}/steps/2-6/start/", {})
    page = page_text(client.get(f"/incidents/{incident.number}/steps/2-6/"))
    done = client.post(f"/incidents/{incident.number}/steps/2-6/complete/", {})

    assert started.status_code == 302
    assert 'id="start-form"' not in page
    assert 'id="complete-form"' in page
    assert done.status_code == 302
    step = row(incident, "2-6")
    assert step.started_at <= step.finished_at


def test_skipping_needs_a_reason(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    client = client_for(manager)
    events = event_count()

    refused = client.post(f"/incidents/{incident.number}/steps/2-5/skip/", {})
    skipped = client.post(
        f"/incidents/{incident.number}/steps/2-5/skip/",
        {"reason": "IPA には相談不要と判断"},
    )

    assert refused.status_code == 400
    assert event_count() == events + 1
    assert skipped.status_code == 302
    assert row(incident, "2-5").state == StepState.SKIPPED


def test_a_note_is_added_to_the_steps_timeline(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)

    response = client_for(manager).post(
        f"/incidents/{incident.number}/steps/2-6/note/",
        {"text": "<img src=x onerror=alert(1)>"},
    )
    page = page_text(
        client_for(manager).get(f"/incidents/{incident.number}/steps/2-6/")
    )

    assert response.status_code == 302
    assert "<img src=x onerror=alert(1)>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_an_entry_transcribed_from_paper_keeps_its_time_and_is_marked(
    client_for, nurse, manager
):
    incident = confirmed_attack(nurse, manager)
    client = client_for(manager)

    response = client.post(
        f"/incidents/{incident.number}/steps/2-6/complete/",
        {"transcribed": "on", "paper_time": "2025-10-31T07:20"},
    )
    page = page_text(client.get(f"/incidents/{incident.number}/steps/2-6/"))

    assert response.status_code == 302
    event = TimelineEvent.objects.get(step_id="2-6", kind="step_completed")
    assert event.source == EntrySource.TRANSCRIBED
    assert event.happened_at == dt.datetime(2025, 10, 30, 22, 20, tzinfo=dt.UTC)
    assert row(incident, "2-6").finished_at == event.happened_at
    timeline = page[page.index('id="timeline"') :]
    assert '<time datetime="2025-10-31T07:20:00+09:00">2025-10-31 07:20</time>' in (
        timeline
    )
    assert 'class="badge transcribed"' in timeline


def test_a_paper_time_in_the_future_is_refused(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    events = event_count()

    response = english(client_for(manager)).post(
        f"/incidents/{incident.number}/steps/2-6/complete/",
        {"transcribed": "on", "paper_time": tomorrow.strftime("%Y-%m-%dT%H:%M")},
    )

    assert response.status_code == 400
    assert "The time lies in the future" in page_text(response)
    assert event_count() == events
    assert row(incident, "2-6").state == StepState.PENDING


def test_transcribed_needs_the_paper_time_and_the_time_needs_the_box(
    client_for, nurse, manager
):
    incident = confirmed_attack(nurse, manager)
    client = english(client_for(manager))
    events = event_count()

    no_time = client.post(
        f"/incidents/{incident.number}/steps/2-6/note/",
        {"text": "紙から転記", "transcribed": "on"},
    )
    no_box = client.post(
        f"/incidents/{incident.number}/steps/2-6/note/",
        {"text": "紙から転記", "paper_time": "2025-10-31T07:20"},
    )
    bad_time = client.post(
        f"/incidents/{incident.number}/steps/2-6/note/",
        {"text": "紙から転記", "transcribed": "on", "paper_time": "昨日の朝"},
    )

    assert "Give the time written on paper." in page_text(no_time)
    assert "Tick this box to record the time written on paper." in page_text(no_box)
    assert "昨日の朝 is not a date and time. Write it like" in page_text(bad_time)
    assert event_count() == events


def test_a_bad_record_value_is_shown_next_to_its_field(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    events = event_count()

    response = client_for(manager).post(
        f"/incidents/{incident.number}/steps/2-15/complete/",
        {"record_quoted_cost": "三百万円", "record_recovery_steps": "復旧作業一式"},
    )

    assert response.status_code == 400
    page = page_text(response)
    field = page[page.index('data-field="record_quoted_cost"') :]
    assert japanese("Enter a number.") in field[: field.index("</div>")]
    # What was typed is kept for the person to correct.
    assert "復旧作業一式" in page
    assert event_count() == events


def test_a_finished_step_cannot_be_completed_again(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    complete(incident, manager, "2-6")
    events = event_count()

    response = english(client_for(manager)).post(
        f"/incidents/{incident.number}/steps/2-6/complete/", {}
    )

    assert response.status_code == 400
    assert "Step 2-6 is already finished." in page_text(response)
    assert event_count() == events


def test_the_attack_signs_decision_can_be_taken_on_its_step_page(
    client_for, nurse, manager
):
    incident = report_ransom_note(nurse)
    services.confirm_incident(incident, actor=manager)
    client = client_for(manager)

    page = page_text(client.get(f"/incidents/{incident.number}/steps/2-1/"))
    response = client.post(
        f"/incidents/{incident.number}/decisions/attack_signs/",
        {"outcome": "present", "from_step": "1"},
    )

    assert 'id="decision-attack_signs"' in page
    assert 'type="radio" name="outcome" value="present"' in page
    assert response["Location"] == f"/incidents/{incident.number}/steps/2-1/"


def test_steps_of_a_closed_incident_offer_no_forms(client_for, nurse, manager):
    incident = report_ransom_note(nurse)
    services.dismiss_incident(incident, actor=manager, reason="誤報")

    page = page_text(
        client_for(manager).get(f"/incidents/{incident.number}/steps/1-1/")
    )

    assert 'id="complete-form"' not in page
    assert 'id="start-form"' not in page
