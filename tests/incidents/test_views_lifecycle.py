"""Confirming, dismissing, merging and closing through the incident page."""

from django.utils import translation

from medir.incidents import services
from medir.incidents.models import Decision, EntrySource, Incident, IncidentState
from tests.incidents.factories import confirmed_attack, report_ransom_note
from tests.incidents.web import event_count, page_text


def japanese(message: str) -> str:
    with translation.override("ja"):
        return translation.gettext(message)


def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_the_security_manager_confirms_a_reported_incident(client_for, nurse, manager):
    incident = report_ransom_note(nurse)

    response = client_for(manager).post(
        f"/incidents/{incident.number}/confirm/",
        {"title": "病棟プリンタの脅迫文", "reason": "現地で確認"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{incident.number}/"
    incident.refresh_from_db()
    assert incident.state == IncidentState.OPEN
    assert incident.title == "病棟プリンタの脅迫文"


def test_the_confirm_panel_is_shown_only_while_reported(client_for, nurse, manager):
    incident = report_ransom_note(nurse)
    client = client_for(manager)

    before = page_text(client.get(f"/incidents/{incident.number}/"))
    services.confirm_incident(incident, actor=manager)
    after = page_text(client.get(f"/incidents/{incident.number}/"))

    assert f'action="/incidents/{incident.number}/confirm/"' in before
    assert f'action="/incidents/{incident.number}/dismiss/"' in before
    assert f'action="/incidents/{incident.number}/merge/"' in before
    assert 'id="confirmation"' not in after


def test_a_nurse_cannot_confirm_and_nothing_changes(client_for, nurse):
    incident = report_ransom_note(nurse)
    events = event_count()

    response = client_for(nurse).post(f"/incidents/{incident.number}/confirm/", {})

    assert response.status_code == 403
    assert event_count() == events
    incident.refresh_from_db()
    assert incident.state == IncidentState.REPORTED


def test_dismissing_needs_a_reason_shown_next_to_the_field(client_for, nurse, manager):
    incident = report_ransom_note(nurse)
    events = event_count()

    response = client_for(manager).post(
        f"/incidents/{incident.number}/dismiss/", {"reason": "  "}
    )

    assert response.status_code == 400
    page = page_text(response)
    form = page[page.index('id="dismiss-form"') :]
    form = form[: form.index("</form>")]
    assert japanese("This field is required.") in form
    assert event_count() == events
    incident.refresh_from_db()
    assert incident.state == IncidentState.REPORTED


def test_a_false_alarm_is_dismissed_with_its_reason(client_for, nurse, manager):
    incident = report_ransom_note(nurse)

    response = client_for(manager).post(
        f"/incidents/{incident.number}/dismiss/", {"reason": "訓練用の印刷だった"}
    )

    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.state == IncidentState.DISMISSED
    decision = Decision.objects.get(incident=incident)
    assert (decision.outcome, decision.reason) == ("dismissed", "訓練用の印刷だった")


def test_a_second_report_is_merged_into_the_open_incident(client_for, nurse, manager):
    open_incident = confirmed_attack(nurse, manager)
    second = report_ransom_note(nurse)

    response = client_for(manager).post(
        f"/incidents/{second.number}/merge/",
        {"into": open_incident.number, "reason": "同じプリンタの件"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{open_incident.number}/"
    second.refresh_from_db()
    assert second.state == IncidentState.MERGED
    assert second.merged_into == open_incident
    assert open_incident.reports.count() == 2


def test_merging_offers_only_other_open_incidents(client_for, nurse, manager):
    open_incident = confirmed_attack(nurse, manager)
    second = report_ransom_note(nurse)
    third = report_ransom_note(nurse)

    page = page_text(client_for(manager).get(f"/incidents/{second.number}/"))

    select = page[page.index('name="into"') :]
    select = select[: select.index("</select>")]
    assert f'value="{open_incident.number}"' in select
    assert f'value="{second.number}"' not in select
    assert f'value="{third.number}"' not in select


def test_merging_into_an_incident_not_offered_is_refused(client_for, nurse, manager):
    second = report_ransom_note(nurse)
    third = report_ransom_note(nurse)
    events = event_count()

    response = english(client_for(manager)).post(
        f"/incidents/{second.number}/merge/",
        {"into": third.number, "reason": "同じ件"},
    )

    assert response.status_code == 400
    assert "Select a valid choice" in page_text(response)
    assert event_count() == events


def test_closing_lists_the_unfinished_steps(client_for, nurse, manager, director):
    incident = confirmed_attack(nurse, manager)
    events = event_count()

    response = english(client_for(director)).post(
        f"/incidents/{incident.number}/close/", {}
    )

    assert response.status_code == 400
    page = page_text(response)
    assert "These steps are not finished yet: " in page
    assert "2-6" in page[page.index("These steps are not finished yet") :]
    assert event_count() == events
    assert Incident.objects.get(pk=incident.pk).state == IncidentState.OPEN


def test_only_management_may_close(client_for, nurse, manager, director):
    incident = confirmed_attack(nurse, manager)

    manager_page = page_text(client_for(manager).get(f"/incidents/{incident.number}/"))
    director_page = page_text(
        client_for(director).get(f"/incidents/{incident.number}/")
    )
    response = client_for(manager).post(f"/incidents/{incident.number}/close/", {})

    assert 'id="close-form"' not in manager_page
    assert 'id="close-form"' in director_page
    assert response.status_code == 403


def test_the_attack_signs_decision_is_recorded_and_revised_with_a_reason(
    client_for, nurse, manager
):
    incident = report_ransom_note(nurse)
    services.confirm_incident(incident, actor=manager)
    client = english(client_for(manager))
    url = f"/incidents/{incident.number}/decisions/attack_signs/"

    first = client.post(url, {"outcome": "present"})
    without_reason = client.post(url, {"outcome": "absent"})
    revised = client.post(url, {"outcome": "absent", "reason": "保守作業と判明"})

    assert first.status_code == 302
    assert first["Location"].endswith("#decision-attack_signs")
    assert without_reason.status_code == 400
    assert "This field is required." in page_text(without_reason)
    assert revised.status_code == 302
    outcomes = list(
        incident.decisions.filter(decision_id="attack_signs").values_list(
            "outcome", flat=True
        )
    )
    assert outcomes == ["present", "absent"]


def test_the_director_records_the_tracks_with_checkboxes(
    client_for, nurse, manager, director
):
    incident = confirmed_attack(nurse, manager)

    page = page_text(client_for(director).get(f"/incidents/{incident.number}/"))
    response = client_for(director).post(
        f"/incidents/{incident.number}/decisions/tracks/",
        {"outcome": ["2-13", "2-14", "2-18"]},
    )

    tracks = page[page.index('id="decision-tracks"') :]
    tracks = tracks[: tracks.index("</section>")]
    assert tracks.count('type="checkbox" name="outcome"') == 6
    assert response.status_code == 302
    decision = incident.decisions.get(decision_id="tracks")
    assert decision.outcome == ["2-13", "2-14", "2-18"]


def test_a_decision_shows_who_took_it_when_and_why(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    services.record_decision(
        incident,
        decision_id="attack_signs",
        outcome="absent",
        actor=manager,
        reason="<b>保守作業</b>",
    )

    page = page_text(client_for(manager).get(f"/incidents/{incident.number}/"))

    panel = page[page.index('id="decision-attack_signs"') :]
    panel = panel[: panel.index("</section>")]
    assert "兆候なし（通常の障害）" in panel
    assert "情報システム責任者B" in panel
    assert "&lt;b&gt;保守作業&lt;/b&gt;" in panel
    assert "<b>保守作業</b>" not in panel


def test_a_nurse_cannot_decide(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    events = event_count()

    response = client_for(nurse).post(
        f"/incidents/{incident.number}/decisions/tracks/", {"outcome": ["2-13"]}
    )

    assert response.status_code == 403
    assert event_count() == events


def test_an_unknown_decision_is_not_found(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)

    client = client_for(manager)
    unknown = client.post(f"/incidents/{incident.number}/decisions/nope/", {})
    confirmation = client.post(
        f"/incidents/{incident.number}/decisions/confirmation/", {}
    )

    assert unknown.status_code == 404
    assert confirmation.status_code == 404


def test_a_decision_copied_from_paper_keeps_the_paper_time(client_for, nurse, manager):
    incident = report_ransom_note(nurse)
    services.confirm_incident(incident, actor=manager)

    response = client_for(manager).post(
        f"/incidents/{incident.number}/decisions/attack_signs/",
        {"outcome": "present", "transcribed": "on", "paper_time": "2025-01-05T03:10"},
    )

    assert response.status_code == 302
    decision = incident.decisions.get(decision_id="attack_signs")
    assert decision.source == EntrySource.TRANSCRIBED
    assert decision.decided_at.isoformat() == "2025-01-04T18:10:00+00:00"


def test_get_is_not_allowed_on_actions(client_for, nurse, manager):
    incident = report_ransom_note(nurse)

    response = client_for(manager).get(f"/incidents/{incident.number}/confirm/")

    assert response.status_code == 405


def test_a_hostile_title_is_escaped_on_every_page(client_for, nurse, manager):
    incident = report_ransom_note(nurse)
    services.confirm_incident(
        incident, actor=manager, title='<script>alert("x")</script>'
    )
    client = client_for(manager)

    pages = [
        page_text(client.get("/incidents/")),
        page_text(client.get(f"/incidents/{incident.number}/")),
        page_text(client.get(f"/incidents/{incident.number}/steps/2-1/")),
    ]

    for page in pages:
        assert '<script>alert("x")</script>' not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_the_outcome_of_an_action_is_told_in_japanese(client_for, nurse, manager):
    incident = report_ransom_note(nurse)

    response = client_for(manager).post(
        f"/incidents/{incident.number}/confirm/", {}, follow=True
    )

    messages = page_text(response)[page_text(response).index('id="messages"') :]
    assert japanese("The incident is confirmed; the response starts.") in messages
    assert "インシデントを確認しました" in messages
