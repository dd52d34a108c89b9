from medir.incidents import services
from tests.incidents.factories import complete, confirmed_attack, report_ransom_note


def test_the_incident_page_needs_a_log_in(client, nurse):
    incident = report_ransom_note(nurse)

    response = client.get(f"/incidents/{incident.number}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_incident_page_draws_the_flowchart_with_each_steps_state(
    client_for, nurse, manager
):
    incident = confirmed_attack(nurse, manager)

    response = client_for(manager).get(f"/incidents/{incident.number}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert '<g class="step status-done" data-step="2-1" data-status="done">' in svg
    assert '<g class="step status-ready" data-step="2-6" data-status="ready">' in svg
    assert f'href="/incidents/{incident.number}/steps/2-6/"' in page


def test_the_step_list_shows_computed_states(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    services.record_decision(
        incident,
        decision_id="attack_signs",
        outcome="absent",
        actor=manager,
        reason="誤検知",
    )

    page = client_for(manager).get(f"/incidents/{incident.number}/").content.decode()

    assert '<tr class="status-done" data-step="2-1" data-status="done">' in page
    assert 'data-step="2-6" data-status="not_applicable"' in page
    assert 'data-step="2-2" data-status="ready"' in page


def test_the_timeline_is_in_the_order_things_happened(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    complete(incident, manager, "2-6")

    page = client_for(manager).get(f"/incidents/{incident.number}/").content.decode()

    timeline = page[page.index('id="timeline"') :]
    times = [chunk.split('"')[0] for chunk in timeline.split('<time datetime="')[1:]]
    assert times == sorted(times)
    assert len(times) == incident.events.count()


def test_free_text_is_escaped_on_the_page(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    services.add_note(incident, actor=manager, text="<script>alert(1)</script>")

    page = client_for(manager).get(f"/incidents/{incident.number}/").content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_step_page_shows_guidance_checklist_and_records(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)

    response = client_for(manager).get(f"/incidents/{incident.number}/steps/2-10/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "被害状況等調査" in page
    assert "発見日時" in page


def test_an_unknown_step_or_incident_is_not_found(client_for, nurse, manager):
    incident = report_ransom_note(nurse)
    client = client_for(manager)

    assert client.get(f"/incidents/{incident.number}/steps/9-9/").status_code == 404
    assert client.get("/incidents/1999-9999/").status_code == 404


def test_english_is_available_and_japanese_is_the_default(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    client = client_for(manager)

    japanese = client.get(f"/incidents/{incident.number}/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(f"/incidents/{incident.number}/").content.decode()

    assert '<html lang="ja">' in japanese
    assert "被害拡大防止" in japanese
    assert '<html lang="en">' in english
    assert "Stopping the damage from spreading" in english


def test_the_flowchart_is_also_served_as_an_svg_file(client_for, nurse, manager):
    incident = report_ransom_note(nurse)

    response = client_for(manager).get(f"/incidents/{incident.number}/flowchart.svg")

    assert response["Content-Type"].startswith("image/svg+xml")
    assert response.content.startswith(b"<svg")


def test_an_english_browser_still_gets_japanese_until_english_is_chosen(
    client_for, nurse, manager
):
    incident = report_ransom_note(nurse)
    client = client_for(manager)

    page = client.get(f"/incidents/{incident.number}/", HTTP_ACCEPT_LANGUAGE="en-US")

    assert '<html lang="ja">' in page.content.decode()


def test_the_dashboard_links_phase_0_to_medirs_own_pages(client_for, admin):
    page = client_for(admin).get("/incidents/").content.decode()

    preparedness = page[page.index('id="preparedness"') :]
    assert 'data-step="0-1"' in preparedness
    assert 'href="/contacts/"' in preparedness
    assert 'href="/contacts/call-tree/"' in preparedness
    assert 'href="/admin/organisation/department/"' in preparedness
    assert 'data-step="0-2"' in preparedness
    assert 'href="/network/"' in preparedness
    assert 'href="/contacts/systems/"' in preparedness


def test_the_dashboard_names_phase_0_data_a_nurse_may_not_open_without_links(
    client_for, nurse
):
    page = client_for(nurse).get("/incidents/").content.decode()

    preparedness = page[page.index('id="preparedness"') :]
    assert 'href="/network/"' not in preparedness
    assert 'href="/admin/' not in preparedness
