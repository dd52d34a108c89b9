"""The Osaka 2022 scenario replays through the services to a closed
incident, with every step finished and the timeline marked as a replay."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from medir.audit.services import verify_audit_chain
from medir.incidents.models import (
    EntrySource,
    EventKind,
    Incident,
    IncidentState,
    TimelineEvent,
)
from medir.incidents.selectors import get_incident_picture
from medir.playbook.engine import FINISHED, Status
from medir.replay.scenario import BUILTIN_DIR, load_scenario_file
from medir.replay.services import replay_scenario

TOKYO = ZoneInfo("Asia/Tokyo")
SCENARIO_FILE = BUILTIN_DIR / "osaka-2022.yaml"


@pytest.fixture
def scenario():
    return load_scenario_file(SCENARIO_FILE)


@pytest.fixture
def replayed(db, scenario):
    incident = replay_scenario(scenario, actor=None)
    # The services re-read the incident under a lock, so the object handed
    # back may predate the last event; read it afresh.
    incident.refresh_from_db()
    return incident


def test_the_scenario_is_found_by_its_built_in_name(scenario):
    assert load_scenario_file(Path("osaka-2022")).key == scenario.key == "osaka-2022"


def test_the_scenario_starts_with_the_ward_nurses_report_at_0638(scenario):
    first = scenario.events[0]
    assert first.action == "report"
    assert first.role == "staff"
    assert first.at == dt.datetime(2022, 10, 31, 6, 38, tzinfo=TOKYO)
    assert first.fields["signs"] == ["slow_or_stopped"]
    assert not first.assumed


def test_the_scenario_names_roles_never_people(scenario):
    reporters = [e.fields["reporter"] for e in scenario.events if e.action == "report"]
    assert reporters == ["病棟看護師", "保守ベンダ技術者"]


def test_the_osaka_scenario_replays_to_a_closed_incident(replayed):
    assert replayed.state == IncidentState.CLOSED
    assert replayed.is_replay
    assert replayed.scenario == "osaka-2022"
    assert replayed.closed_at is not None


def test_the_vendors_ransom_report_is_attached_to_the_same_incident(replayed):
    assert Incident.objects.count() == 1
    reports = list(replayed.reports.order_by("received_at"))
    assert [r.signs for r in reports] == [
        ["slow_or_stopped"],
        ["files_encrypted", "ransom_note"],
    ]
    assert reports[1].received_at == dt.datetime(2022, 10, 31, 8, 30, tzinfo=TOKYO)


def test_every_step_of_the_playbook_is_finished(replayed):
    statuses = get_incident_picture(replayed).statuses
    unfinished = {
        s: st.status for s, st in statuses.items() if st.status not in FINISHED
    }
    assert unfinished == {}
    # Chosen tracks were followed; the lawyer track was left out on purpose.
    assert statuses["2-13"].status == Status.DONE
    assert statuses["2-18"].status == Status.DONE
    assert statuses["4-4"].status == Status.NOT_APPLICABLE


def test_skipped_steps_carry_their_reason(replayed):
    skipped = replayed.steps.filter(state="skipped")
    assert set(skipped.values_list("step_id", flat=True)) == {"2-2", "2-3", "2-4"}
    assert all(step.reason for step in skipped)


def test_the_damage_investigation_has_all_seven_records(replayed):
    records = replayed.steps.get(step_id="2-10").records
    assert set(records) == {
        "found_at",
        "location_and_care_impact",
        "spread_risk",
        "attacker",
        "method",
        "cause",
        "countermeasures",
    }


def test_the_scenario_follows_the_flowchart_without_out_of_order_records(replayed):
    assert not replayed.events.filter(out_of_order=True).exists()


def test_timeline_events_are_in_time_order_and_marked_as_replayed(replayed, scenario):
    events = list(replayed.events.order_by("id"))
    times = [event.happened_at for event in events]
    assert times == sorted(times)
    assert {event.source for event in events} == {EntrySource.REPLAY}
    assert events[0].kind == EventKind.REPORTED
    assert events[-1].kind == EventKind.CLOSED
    assert events[-1].happened_at == scenario.events[-1].at


def test_assumed_times_are_marked_and_public_times_are_not(replayed, scenario):
    assumed_times = {e.at for e in scenario.events if e.assumed}
    public_times = {e.at for e in scenario.events if not e.assumed}
    events = replayed.events.all()
    assert events.filter(time_assumed=True).exists()
    for event in events:
        expected = {True: assumed_times, False: public_times}[event.time_assumed]
        assert event.happened_at in expected, event
    # The published times stay unmarked.
    for hour, minute in ((6, 38), (7, 3), (8, 30), (12, 0)):
        at = dt.datetime(2022, 10, 31, hour, minute, tzinfo=TOKYO)
        assert not events.filter(happened_at=at, time_assumed=True).exists()
        assert events.filter(happened_at=at).exists()


def test_recovery_ends_on_day_73(replayed):
    confirmed = replayed.steps.get(step_id="3-4").finished_at
    assert confirmed.astimezone(TOKYO).date() == dt.date(2023, 1, 11)
    assert (confirmed.astimezone(TOKYO).date() - dt.date(2022, 10, 31)).days + 1 == 73


def test_start_moves_the_scenario_and_keeps_every_interval(db, scenario):
    start = dt.datetime(2026, 11, 20, 6, 38, tzinfo=TOKYO)
    incident = replay_scenario(scenario, actor=None, start=start)
    incident.refresh_from_db()
    assert incident.state == IncidentState.CLOSED
    assert incident.reported_at == start
    times = [e.happened_at for e in incident.events.order_by("happened_at", "id")]
    original = [e.at for e in scenario.events]
    offset = start - original[0]
    assert times[0] == start
    assert times[-1] == original[-1] + offset
    assert set(times) == {at + offset for at in original}


def test_the_audit_chain_verifies_after_a_replay(replayed):
    report = verify_audit_chain()
    assert report.ok, report.problem
    assert report.checked >= TimelineEvent.objects.count()


def test_the_replay_command_replays_the_built_in_scenario(db, capsys):
    call_command("replay", "osaka-2022", "--start", "2026-11-20T06:38")
    out = capsys.readouterr().out
    assert "osaka-2022" in out
    incident = Incident.objects.get()
    assert incident.state == IncidentState.CLOSED
    assert incident.reported_at == dt.datetime(2026, 11, 20, 6, 38, tzinfo=TOKYO)
    assert verify_audit_chain().ok


def test_the_replay_command_says_the_incident_is_closed(db, capsys):
    call_command("replay", str(SCENARIO_FILE))
    assert "(state: closed)" in capsys.readouterr().out


def test_the_vendors_report_is_recorded_in_the_external_lane(replayed):
    reported = replayed.events.filter(kind=EventKind.REPORTED).order_by("happened_at")
    assert [e.actor_role for e in reported] == ["staff", "external"]


def test_a_moved_replay_moves_the_dates_recorded_in_steps_too(db):
    call_command("replay", str(SCENARIO_FILE), "--start", "2026-11-20T06:38")

    records = Incident.objects.get().steps.get(step_id="2-10").records
    assert records["found_at"].startswith("2026-11-20T08:30")


def test_the_readme_scenario_example_replays_as_written(db, tmp_path, capsys):
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("```yaml\nscenario: readme-example")[1].split("```")[0]
    scenario = tmp_path / "readme.yaml"
    scenario.write_text("scenario: readme-example" + example, encoding="utf-8")

    call_command("replay", str(scenario))

    incident = Incident.objects.get(scenario="readme-example")
    assert incident.state == IncidentState.OPEN
    assert incident.events.filter(out_of_order=True, step_id="2-13").exists()
    assert f"/incidents/{incident.number}/" in capsys.readouterr().out
