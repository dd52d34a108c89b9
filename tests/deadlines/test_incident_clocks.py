"""Clocks of incidents in the database, the includes that show them and the
calendar file."""

import datetime as dt

import icalendar
import pytest
from django.template import Context, Template
from django.test import RequestFactory

from medir.authority.services import record_personal_data_facts
from medir.deadlines.selectors import (
    clocks_for_page,
    get_incident_clocks,
    open_clocks_for,
)
from medir.incidents import services
from medir.incidents.models import Incident
from medir.lib.dates import JAPAN
from medir.organisation.models import Hospital, OperatorType
from tests.deadlines.conftest import ransomware
from tests.incidents.factories import report_slow_ehr

D = dt.date


def by_key(clocks):
    return {clock.key: clock for clock in clocks}


@pytest.fixture
def incident(nurse, manager, director, aware_tuesday):
    return ransomware(nurse, manager, director, aware_at=aware_tuesday)


def render(template: str, user, **context) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return Template(template).render(Context({"request": request, **context}))


# --- Clocks from the database ------------------------------------------------


def test_a_ransomware_incident_runs_every_clock_with_60_days_for_the_final(
    incident,
):
    clocks = by_key(get_incident_clocks(incident, today=D(2026, 11, 11)))

    assert set(clocks) == {
        "preliminary_target",
        "preliminary_outer",
        "final",
        "notice_to_individuals",
        "mhlw",
        "police",
        "prefecture",
    }
    assert clocks["final"].due == D(2027, 1, 8)
    assert clocks["final"].applies == "mandatory"
    assert clocks["mhlw"].starts_on == D(2026, 11, 11)
    assert clocks["preliminary_target"].status == "due_soon"


def test_no_wrongful_purpose_gives_the_final_report_30_days(
    nurse, manager, director, aware_tuesday
):
    incident = ransomware(
        nurse, manager, director, aware_at=aware_tuesday, wrongful_purpose="no"
    )

    final = by_key(get_incident_clocks(incident, today=D(2026, 11, 11)))["final"]

    assert final.due == D(2026, 12, 9)


def test_the_awareness_date_is_the_japanese_calendar_day(nurse, manager, director):
    # 2026-11-09 22:00 UTC is already Tuesday 07:00 in Japan.
    aware_at = dt.datetime(2026, 11, 9, 22, 0, tzinfo=dt.UTC)
    incident = ransomware(nurse, manager, director, aware_at=aware_at)

    target = by_key(get_incident_clocks(incident, today=D(2026, 11, 10)))
    assert target["preliminary_target"].due == D(2026, 11, 12)


def test_a_sent_report_version_marks_its_clock_done(incident, sent_reports):
    sent_at = dt.datetime(2026, 11, 12, 17, 5, tzinfo=JAPAN)
    sent_reports[(incident.number, "ppc_preliminary")] = sent_at
    sent_reports[(incident.number, "mhlw")] = sent_at

    clocks = by_key(get_incident_clocks(incident, today=D(2026, 11, 20)))

    assert clocks["preliminary_outer"].status == "done"
    assert clocks["preliminary_outer"].sent_at == sent_at
    assert clocks["mhlw"].status == "done"
    assert clocks["police"].status == "due"


def test_a_track_not_chosen_at_2_12_runs_no_clock(
    nurse, manager, director, aware_tuesday
):
    incident = ransomware(
        nurse, manager, director, aware_at=aware_tuesday, tracks=("2-13",)
    )

    clocks = by_key(get_incident_clocks(incident, today=D(2026, 11, 20)))

    assert "mhlw" in clocks
    assert "police" not in clocks
    assert "prefecture" not in clocks


def test_an_ordinary_failure_with_no_personal_data_has_no_clocks(nurse, manager):
    incident = report_slow_ehr(nurse)
    services.confirm_incident(incident, actor=manager)
    record_personal_data_facts(
        incident, actor=manager, leaked="no", lost="no", damaged="no"
    )

    assert get_incident_clocks(incident) == []


def test_ppc_clocks_run_undecided_until_the_facts_are_recorded(nurse):
    incident = report_slow_ehr(nurse)

    clocks = get_incident_clocks(incident)

    assert {c.applies for c in clocks} == {"undecided"}


def test_a_public_hospital_before_april_2023_owed_no_ppc_report(nurse, db):
    Hospital.objects.create(
        name="架空市立病院", operator_type=OperatorType.LOCAL_INCORPORATED
    )
    incident = report_slow_ehr(nurse)
    Incident.objects.filter(pk=incident.pk).update(
        aware_at=dt.datetime(2022, 10, 31, 6, 38, tzinfo=JAPAN)
    )
    incident.refresh_from_db()

    assert get_incident_clocks(incident) == []


def test_a_dismissed_incident_has_no_clocks(nurse, manager):
    incident = report_slow_ehr(nurse)
    incident = services.dismiss_incident(
        incident, actor=manager, reason="プリンタの紙詰まり"
    )

    assert get_incident_clocks(incident) == []


# --- The incident page include ----------------------------------------------

CLOCKS_INCLUDE = (
    "{% load deadlines %}{% incident_clocks incident as deadline_clocks %}"
    '{% include "deadlines/_clocks.html" with deadline_clocks=deadline_clocks %}'
)


def test_the_incident_include_highlights_overdue_clocks_and_links_the_calendar(
    incident, director
):
    html = render(CLOCKS_INCLUDE, director, incident=incident)

    assert 'id="deadlines"' in html
    assert 'data-clock="preliminary_target" data-status="overdue"' in html
    assert 'class="badge clock-overdue"' in html
    assert "要確認" in html
    assert f"/incidents/{incident.number}/deadlines/calendar.ics" in html


def test_the_incident_include_shows_nothing_to_a_nurse(incident, nurse):
    assert render(CLOCKS_INCLUDE, nurse, incident=incident).strip() == ""


def test_the_incident_include_marks_a_replay(nurse, manager, director, aware_tuesday):
    replay = ransomware(nurse, manager, director, aware_at=aware_tuesday, replay=True)

    html = render(CLOCKS_INCLUDE, director, incident=replay)

    assert 'data-replay="yes"' in html
    assert 'class="badge replay"' in html


def test_clocks_for_page_gives_the_calendar_link_only_to_who_may_export(
    incident, manager, vendor
):
    assert clocks_for_page(manager, incident).calendar_url.endswith("calendar.ics")
    assert clocks_for_page(vendor, incident) is None


# --- The dashboard include ---------------------------------------------------

DASHBOARD_INCLUDE = (
    "{% load deadlines %}{% open_clocks as open_deadline_clocks %}"
    '{% include "deadlines/_open_clocks.html" with '
    "open_deadline_clocks=open_deadline_clocks %}"
)


def test_the_dashboard_lists_open_clocks_across_incidents_soonest_first(
    nurse, manager, director, aware_tuesday
):
    older = ransomware(nurse, manager, director, aware_at=aware_tuesday)
    newer = ransomware(
        nurse, manager, director, aware_at=aware_tuesday + dt.timedelta(days=7)
    )
    replay = ransomware(nurse, manager, director, aware_at=aware_tuesday, replay=True)

    items = open_clocks_for(director, today=D(2026, 11, 20))
    html = render(DASHBOARD_INCLUDE, director)

    dates = [item.clock.sort_date for item in items]
    assert dates == sorted(dates)
    assert {item.incident.number for item in items} == {
        older.number,
        newer.number,
        replay.number,
    }
    assert all(item.clock.is_open for item in items)
    assert f'data-incident="{replay.number}"' in html
    assert 'data-replay="yes"' in html
    assert html.index(older.number) < html.index(newer.number)


def test_the_dashboard_leaves_out_done_clocks_and_closed_incidents(
    nurse, manager, director, aware_tuesday, sent_reports
):
    running = ransomware(nurse, manager, director, aware_at=aware_tuesday)
    closed = ransomware(nurse, manager, director, aware_at=aware_tuesday)
    Incident.objects.filter(pk=closed.pk).update(
        state="closed", closed_at=aware_tuesday + dt.timedelta(days=20)
    )
    sent_reports[(running.number, "ppc_final")] = dt.datetime(
        2026, 11, 30, 10, 0, tzinfo=JAPAN
    )

    items = open_clocks_for(director, today=D(2026, 12, 1))

    assert {item.incident.number for item in items} == {running.number}
    assert "final" not in {item.clock.key for item in items}


def test_the_dashboard_include_shows_nothing_to_a_nurse_or_a_vendor(
    incident, nurse, vendor
):
    assert open_clocks_for(nurse) is None
    assert render(DASHBOARD_INCLUDE, nurse).strip() == ""
    assert render(DASHBOARD_INCLUDE, vendor).strip() == ""


# --- The calendar file -------------------------------------------------------


def test_the_calendar_has_one_all_day_event_per_dated_clock(
    incident, client_for, manager
):
    response = client_for(manager).get(
        f"/incidents/{incident.number}/deadlines/calendar.ics"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(event["uid"]): event for event in calendar.walk("VEVENT")}
    starts = {
        uid.split("-", 3)[-1].split("@")[0]: event.decoded("dtstart")
        for uid, event in events.items()
    }
    assert starts == {
        "preliminary_target": D(2026, 11, 12),
        "preliminary_outer": D(2026, 11, 16),
        "final": D(2027, 1, 8),
    }
    final = events[f"medir-{incident.number}-final@127.0.0.1"]
    assert final.decoded("dtend") == D(2027, 1, 9)
    assert (
        str(final["summary"]) == f"【{incident.number}】個人情報保護委員会への確報 期限"
    )


def test_the_calendar_uids_are_stable_and_carry_no_personal_data(
    incident, client_for, director
):
    url = f"/incidents/{incident.number}/deadlines/calendar.ics"
    first = icalendar.Calendar.from_ical(client_for(director).get(url).content)
    second = icalendar.Calendar.from_ical(client_for(director).get(url).content)

    assert [str(e["uid"]) for e in first.walk("VEVENT")] == [
        str(e["uid"]) for e in second.walk("VEVENT")
    ]
    text = client_for(director).get(url).content.decode()
    for private in ("山田", "看護師A", "090-0000-0000", "脅迫文", incident.title):
        assert private not in text


@pytest.mark.parametrize("persona", ["nurse", "vendor", "admin"])
def test_only_management_and_the_security_manager_may_download_the_calendar(
    incident, client_for, request, persona
):
    user = request.getfixturevalue(persona)

    response = client_for(user).get(
        f"/incidents/{incident.number}/deadlines/calendar.ics"
    )

    assert response.status_code == 403


def test_the_calendar_asks_an_anonymous_visitor_to_log_in(incident, client):
    response = client.get(f"/incidents/{incident.number}/deadlines/calendar.ics")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_calendar_of_an_unknown_incident_is_not_found(client_for, director):
    response = client_for(director).get("/incidents/1999-9999/deadlines/calendar.ics")

    assert response.status_code == 404


def test_a_version_recorded_as_sent_in_the_reports_app_stops_its_clock(
    incident, monkeypatch
):
    # The real query of the reports app, not the stand-in of conftest.py.
    from medir.authority.models import ReportDraft, ReportVersion

    monkeypatch.undo()
    sent_at = dt.datetime(2026, 12, 1, 15, 0, tzinfo=JAPAN)
    draft = ReportDraft.objects.create(incident=incident, kind="ppc_final")
    ReportVersion.objects.create(
        draft=draft, number=1, created_at=sent_at, updated_at=sent_at, sent_at=sent_at
    )

    final = by_key(get_incident_clocks(incident, today=D(2026, 12, 2)))["final"]

    assert final.status == "done"
    assert final.sent_at == sent_at
