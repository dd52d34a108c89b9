from medir.incidents import services
from medir.incidents.models import EntrySource, IncidentStep, TimelineEvent
from medir.playbook.schema import get_playbook
from tests.incidents.factories import confirmed_attack, report_ransom_note


def _lane(*roles, vendor_assists=False):
    return {
        step.id
        for step in get_playbook().steps
        if set(step.roles) & set(roles) or (vendor_assists and step.vendor_assists)
    }


def test_the_security_manager_sees_every_step_with_its_status(api_as, nurse, manager):
    incident = confirmed_attack(nurse, manager)

    response = api_as(manager).get(f"/api/incidents/{incident.number}/steps")

    assert response.status_code == 200
    steps = {step["id"]: step for step in response.json()}
    assert set(steps) == {step.id for step in get_playbook().steps}
    assert steps["2-1"]["status"] == "done"
    assert steps["2-6"]["status"] == "ready"
    assert steps["2-6"]["title"] == "被害拡大防止"
    assert steps["2-6"]["title_en"] == "Stopping the damage from spreading"
    assert steps["2-2"]["status"] == "ready"
    assert steps["2-10"]["status"] == "waiting"
    assert steps["2-10"]["roles"] == ["security_manager", "external"]


def test_a_nurse_sees_only_the_staff_lane(api_as, nurse, manager):
    incident = confirmed_attack(nurse, manager)

    response = api_as(nurse).get(f"/api/incidents/{incident.number}/steps")

    assert {step["id"] for step in response.json()} == _lane("staff")


def test_a_vendor_sees_the_outside_lane_and_the_steps_vendors_assist_with(
    api_as, vendor, shared_with_vendor
):
    number = shared_with_vendor.number

    response = api_as(vendor).get(f"/api/incidents/{number}/steps")

    expected = _lane("external", vendor_assists=True)
    assert {step["id"] for step in response.json()} == expected
    assert "2-6" in expected and "2-12" not in expected


def test_a_nurse_completes_a_staff_step_with_checklist_and_records(api_as, nurse):
    incident = report_ransom_note(nurse)

    response = api_as(nurse).post(
        f"/api/incidents/{incident.number}/steps/1-1/complete",
        {
            "checklist": ["symptom_noted", "infection_signs_checked"],
            "records": {"observed": "全プリンタから英文の脅迫文"},
            "note": "ナースステーションのPC",
        },
    )

    assert response.status_code == 200
    step = response.json()
    assert step["state"] == "done"
    assert step["status"] == "done"
    ticked = {item["key"] for item in step["checklist"] if item["checked"]}
    assert ticked == {"symptom_noted", "infection_signs_checked"}
    assert step["records"] == {"observed": "全プリンタから英文の脅迫文"}


def test_a_nurse_may_not_work_on_the_security_managers_steps(
    api_as, nurse, manager, nothing_changes
):
    incident = confirmed_attack(nurse, manager)
    api = api_as(nurse)
    base = f"/api/incidents/{incident.number}/steps/2-6"

    with nothing_changes():
        assert api.post(f"{base}/start", {}).status_code == 403
        assert api.post(f"{base}/complete", {}).status_code == 403
        assert api.post(f"{base}/skip", {"reason": "不要"}).status_code == 403
        assert api.post(f"{base}/note", {"text": "メモ"}).status_code == 403


def test_a_vendor_works_on_a_step_it_assists_with(api_as, vendor, shared_with_vendor):
    number = shared_with_vendor.number

    response = api_as(vendor).post(
        f"/api/incidents/{number}/steps/2-6/start", {"reason": ""}
    )

    assert response.status_code == 200
    assert response.json()["state"] == "in_progress"


def test_a_vendor_may_not_work_on_an_incident_no_longer_shared(
    api_as, vendor, manager, shared_with_vendor, nothing_changes
):
    services.unshare_incident(shared_with_vendor.shares.get(), actor=manager)
    api = api_as(vendor)

    with nothing_changes():
        response = api.post(
            f"/api/incidents/{shared_with_vendor.number}/steps/2-6/start", {}
        )

    assert response.status_code == 403


def test_a_step_not_yet_due_needs_a_reason(api_as, nurse, manager, nothing_changes):
    incident = confirmed_attack(nurse, manager)
    api = api_as(manager)
    url = f"/api/incidents/{incident.number}/steps/2-10/complete"

    with nothing_changes():
        refused = api.post(url, {})
    accepted = api.post(url, {"reason": "ベンダが先に調査を終えた"})

    assert refused.status_code == 400
    assert "2-10" in refused.json()["detail"]
    assert accepted.status_code == 200
    event = TimelineEvent.objects.filter(step_id="2-10").get()
    assert event.out_of_order


def test_the_security_manager_starts_and_skips_steps(api_as, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    api = api_as(manager)
    base = f"/api/incidents/{incident.number}/steps"

    started = api.post(f"{base}/2-6/start", {})
    skipped = api.post(f"{base}/2-5/skip", {"reason": "IPAには後で相談する"})

    assert started.status_code == 200
    assert started.json()["state"] == "in_progress"
    assert skipped.status_code == 200
    assert skipped.json()["status"] == "skipped"
    assert skipped.json()["reason"] == "IPAには後で相談する"


def test_skipping_without_a_reason_names_the_field(
    api_as, nurse, manager, nothing_changes
):
    incident = confirmed_attack(nurse, manager)
    api = api_as(manager)

    with nothing_changes():
        response = api.post(f"/api/incidents/{incident.number}/steps/2-5/skip", {})

    assert response.status_code == 400
    assert response.json()["field"] == "reason"


def test_an_unknown_step_is_not_found(api_as, nurse, manager, nothing_changes):
    incident = confirmed_attack(nurse, manager)
    api = api_as(manager)

    with nothing_changes():
        response = api.post(f"/api/incidents/{incident.number}/steps/9-9/start", {})

    assert response.status_code == 404
    assert response.json()["detail"] == "手順 9-9 はありません。"


def test_a_note_on_a_step_lands_in_the_timeline(api_as, nurse, manager):
    incident = confirmed_attack(nurse, manager)

    response = api_as(manager).post(
        f"/api/incidents/{incident.number}/steps/2-6/note",
        {"text": "基幹スイッチのポートを閉塞"},
    )

    assert response.status_code == 201
    assert response.json()["step_id"] == "2-6"
    assert response.json()["kind"] == "note"


def test_a_step_completed_from_paper_keeps_the_paper_time(api_as, nurse, manager):
    incident = confirmed_attack(nurse, manager)

    response = api_as(manager).post(
        f"/api/incidents/{incident.number}/steps/2-6/complete",
        {"source": "transcribed", "happened_at": "2026-10-31T07:10:00+09:00"},
    )

    assert response.status_code == 200
    assert response.json()["finished_at"] == "2026-10-30T22:10:00+00:00"
    row = IncidentStep.objects.get(incident=incident, step_id="2-6")
    event = TimelineEvent.objects.get(incident=incident, step_id="2-6")
    assert event.source == EntrySource.TRANSCRIBED
    assert row.finished_at == event.happened_at
