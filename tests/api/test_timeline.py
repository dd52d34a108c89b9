import datetime as dt

from django.utils import timezone

from medir.incidents import services
from medir.incidents.models import EntrySource, TimelineEvent
from tests.incidents.factories import complete, confirmed_attack

DECISION_KINDS = {"decision", "decision_revised"}


def test_the_security_manager_sees_every_event_in_order(api_as, nurse, manager):
    incident = confirmed_attack(nurse, manager)

    response = api_as(manager).get(f"/api/incidents/{incident.number}/timeline")

    events = response.json()
    assert len(events) == incident.events.count()
    assert DECISION_KINDS & {event["kind"] for event in events}
    times = [event["happened_at"] for event in events]
    assert times == sorted(times)


def test_staff_see_their_lane_and_never_decisions(api_as, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    services.add_note(
        incident, actor=manager, text="証拠保全の業者を手配", step_id="2-14"
    )

    response = api_as(nurse).get(f"/api/incidents/{incident.number}/timeline")

    assert response.status_code == 200
    events = response.json()
    assert not DECISION_KINDS & {event["kind"] for event in events}
    assert {event["step_id"] for event in events} <= {"1-1", "1-2", "1-3"}
    assert "証拠保全".encode() not in response.content


def test_vendors_see_their_lane_without_decisions_or_names(
    api_as, vendor, manager, shared_with_vendor
):
    complete(shared_with_vendor, manager, "2-6")
    number = shared_with_vendor.number

    response = api_as(vendor).get(f"/api/incidents/{number}/timeline")

    events = response.json()
    assert {"reported", "step_completed"} <= {event["kind"] for event in events}
    assert not DECISION_KINDS & {event["kind"] for event in events}
    assert "2-4" not in {event["step_id"] for event in events}
    assert "看護師A".encode() not in response.content
    assert "情報システム責任者B".encode() not in response.content
    assert {event["actor"] for event in events} == {None}


def test_staff_see_stop_use_notices_in_the_timeline(api_as, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    services.publish_stop_use_notice(
        incident, actor=manager, message="電子カルテ端末を使わないこと"
    )

    response = api_as(nurse).get(f"/api/incidents/{incident.number}/timeline")

    assert "notice_published" in {event["kind"] for event in response.json()}


def test_a_note_transcribed_from_paper_keeps_its_time_and_is_marked(
    api_as, nurse, manager
):
    incident = confirmed_attack(nurse, manager)
    api = api_as(manager)
    written_on_paper = "2026-10-31T03:12:00+09:00"

    response = api.post(
        f"/api/incidents/{incident.number}/timeline",
        {
            "text": "紙の記録: 03:12 サーバ室のLANケーブルを抜いた",
            "step_id": "2-6",
            "source": "transcribed",
            "happened_at": written_on_paper,
        },
    )

    assert response.status_code == 201
    entry = response.json()
    assert entry["source"] == "transcribed"
    assert entry["happened_at"] == "2026-10-30T18:12:00+00:00"
    assert entry["happened_at_local"] == written_on_paper
    assert entry["recorded_at"] > entry["happened_at"]
    event = TimelineEvent.objects.get(pk=entry["id"])
    assert event.source == EntrySource.TRANSCRIBED
    assert event.happened_at == dt.datetime.fromisoformat(written_on_paper)
    timeline = api.get(f"/api/incidents/{incident.number}/timeline").json()
    assert timeline[0]["id"] == entry["id"]  # the earliest thing that happened


def test_a_transcribed_note_needs_the_time_from_paper(
    api_as, nurse, manager, nothing_changes
):
    incident = confirmed_attack(nurse, manager)
    api = api_as(manager)

    with nothing_changes():
        response = api.post(
            f"/api/incidents/{incident.number}/timeline",
            {"text": "紙の記録", "source": "transcribed"},
        )

    assert response.status_code == 400
    assert response.json()["field"] == "happened_at"


def test_a_time_without_an_offset_names_the_field(
    api_as, nurse, manager, nothing_changes
):
    incident = confirmed_attack(nurse, manager)
    api = api_as(manager)

    with nothing_changes():
        response = api.post(
            f"/api/incidents/{incident.number}/timeline",
            {
                "text": "紙の記録",
                "source": "transcribed",
                "happened_at": "2026-10-31T03:12:00",
            },
        )

    assert response.status_code == 400
    assert response.json()["field"] == "happened_at"
    assert "+09:00" in response.json()["detail"]


def test_a_time_in_the_future_is_refused(api_as, nurse, manager, nothing_changes):
    incident = confirmed_attack(nurse, manager)
    api = api_as(manager)
    tomorrow = (timezone.now() + dt.timedelta(days=1)).isoformat()

    with nothing_changes():
        response = api.post(
            f"/api/incidents/{incident.number}/timeline",
            {"text": "紙の記録", "source": "transcribed", "happened_at": tomorrow},
        )

    assert response.status_code == 400
    assert "未来" in response.json()["detail"]


def test_a_nurse_adds_a_note_to_her_own_lane_but_not_to_others(
    api_as, nurse, manager, nothing_changes
):
    incident = confirmed_attack(nurse, manager)
    api = api_as(nurse)
    url = f"/api/incidents/{incident.number}/timeline"

    accepted = api.post(url, {"text": "LANケーブルを抜いた", "step_id": "1-2"})
    with nothing_changes():
        refused = api.post(url, {"text": "メモ", "step_id": "2-14"})

    assert accepted.status_code == 201
    assert accepted.json()["actor"] == "看護師A"  # her own entry
    assert refused.status_code == 403


def test_a_note_on_an_unknown_step_names_the_field(
    api_as, nurse, manager, nothing_changes
):
    incident = confirmed_attack(nurse, manager)
    api = api_as(manager)

    with nothing_changes():
        response = api.post(
            f"/api/incidents/{incident.number}/timeline",
            {"text": "メモ", "step_id": "9-9"},
        )

    assert response.status_code == 400
    assert response.json()["field"] == "step_id"


def test_an_outsider_may_not_read_the_timeline(api_as, nurse, manager, vendor):
    incident = confirmed_attack(nurse, manager)

    response = api_as(vendor).get(f"/api/incidents/{incident.number}/timeline")

    assert response.status_code == 403
