"""The dashboard: where each incident stands and what is due from me."""

import re

from medir.incidents import services
from tests.incidents.factories import complete, confirmed_attack, report_ransom_note
from tests.incidents.web import make_outsider, page_text, share_with


def next_steps(page: str) -> list[tuple[str, str]]:
    section = page[page.index('id="next-steps"') :]
    section = section[: section.index("</section>")]
    return re.findall(r'<tr data-incident="([^"]+)" data-step="([^"]+)"', section)


def listed_incidents(page: str) -> list[str]:
    section = page[page.index('id="active-incidents"') :]
    if 'id="finished-incidents"' in section:
        section = section[: section.index('id="finished-incidents"')]
    return re.findall(r'<tr data-incident="([^"]+)"', section)


def test_the_security_manager_sees_the_steps_due_in_his_lane(
    client_for, nurse, manager
):
    incident = confirmed_attack(nurse, manager)

    page = page_text(client_for(manager).get("/incidents/"))

    due = next_steps(page)
    assert (incident.number, "2-6") in due
    assert (incident.number, "2-2") in due
    assert all(step not in {"2-9", "2-12"} for _number, step in due)


def test_next_steps_list_the_newest_incident_first(client_for, nurse, manager):
    older = confirmed_attack(nurse, manager)
    newer = confirmed_attack(nurse, manager)

    due = next_steps(page_text(client_for(manager).get("/incidents/")))

    numbers = [number for number, _step in due]
    assert numbers.index(newer.number) < numbers.index(older.number)
    assert f'href="/incidents/{newer.number}/steps/2-6/"' in page_text(
        client_for(manager).get("/incidents/")
    )


def test_the_nurse_sees_only_her_lane(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    complete(incident, manager, "2-6", "2-7")

    due = next_steps(page_text(client_for(nurse).get("/incidents/")))

    assert due == [(incident.number, "2-9")]


def test_a_shared_vendor_sees_the_steps_shared_with_them(
    client_for, nurse, manager, vendor, ehr_vendor
):
    incident = confirmed_attack(nurse, manager)
    share_with(incident, ehr_vendor, manager)

    page = page_text(client_for(vendor).get("/incidents/"))

    assert listed_incidents(page) == [incident.number]
    assert next_steps(page) == [(incident.number, "2-6")]


def test_an_unshared_vendor_sees_no_incident(client_for, nurse, manager):
    confirmed_attack(nurse, manager)

    page = page_text(client_for(make_outsider()).get("/incidents/"))

    assert listed_incidents(page) == []
    assert next_steps(page) == []


def test_each_incident_shows_its_state_and_progress(client_for, nurse, manager):
    reported = report_ransom_note(nurse)
    opened = confirmed_attack(nurse, manager)

    page = page_text(client_for(manager).get("/incidents/"))

    row = page[page.index(f'<tr data-incident="{opened.number}" data-state="open"') :]
    assert '<span class="count">5 / ' in row[: row.index("</tr>")]
    assert f'<tr data-incident="{reported.number}" data-state="reported"' in page


def test_finished_incidents_are_listed_apart(client_for, nurse, manager):
    incident = report_ransom_note(nurse)
    services.dismiss_incident(incident, actor=manager, reason="誤報")

    page = page_text(client_for(manager).get("/incidents/"))

    assert listed_incidents(page) == []
    finished = page[page.index('id="finished-incidents"') :]
    assert f'data-incident="{incident.number}" data-state="dismissed"' in finished


def test_an_administrator_sees_preparedness_and_a_note(client_for, admin, nurse):
    report_ransom_note(nurse)

    page = page_text(client_for(admin).get("/incidents/"))

    assert 'id="no-lane"' in page
    assert 'id="next-steps"' not in page
    assert 'id="preparedness"' in page


def test_the_dashboard_needs_a_log_in(client):
    response = client.get("/incidents/")

    assert response.status_code == 302
