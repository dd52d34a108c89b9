from medir.incidents import services
from medir.incidents.models import Incident, IncidentState, Report
from medir.playbook.schema import get_playbook
from tests.incidents.factories import confirmed_attack, report_ransom_note

RANSOM_REPORT = {
    "signs": ["ransom_note"],
    "description": "プリンタから脅迫文が出続けている",
    "callback_number": "090-1111-2222",
}


def test_a_nurse_files_a_report_that_opens_an_incident(api_as, nurse):
    response = api_as(nurse).post("/api/reports", RANSOM_REPORT)

    assert response.status_code == 201
    body = response.json()
    assert body["shows_infection_signs"] is True
    assert body["incident"]["state"] == "reported"
    report = Report.objects.get(pk=body["report_id"])
    assert report.reporter_name == "看護師A"  # the caller's own name
    assert report.department.name == "東4病棟"
    assert report.created_by == nurse


def test_a_report_can_be_attached_to_an_open_incident(api_as, nurse, manager):
    incident = confirmed_attack(nurse, manager)

    response = api_as(nurse).post(
        "/api/reports", {**RANSOM_REPORT, "incident": incident.number}
    )

    assert response.status_code == 201
    assert response.json()["incident"]["number"] == incident.number
    assert incident.reports.count() == 2


def test_a_report_for_an_unknown_incident_names_the_field(
    api_as, nurse, nothing_changes
):
    api = api_as(nurse)

    with nothing_changes():
        response = api.post("/api/reports", {**RANSOM_REPORT, "incident": "1999-9"})

    assert response.status_code == 400
    assert response.json()["field"] == "incident"


def test_a_report_with_an_unknown_sign_names_the_field(api_as, nurse, nothing_changes):
    api = api_as(nurse)

    with nothing_changes():
        response = api.post("/api/reports", {"signs": ["aliens"]})

    assert response.status_code == 400
    assert response.json()["detail"].startswith("signs.0: ")
    assert "ransom_note" in response.json()["detail"]


def test_each_person_lists_only_the_incidents_they_may_see(
    api_as, nurse, manager, director, vendor, admin, ehr_vendor
):
    reported = report_ransom_note(nurse)
    shared = confirmed_attack(nurse, manager)
    services.share_incident(shared, actor=manager, organisation=ehr_vendor)
    someone_elses = services.file_report(
        actor=None, reporter_name="事務員", signs=["slow_or_stopped"]
    ).incident

    def numbers(user):
        response = api_as(user).get("/api/incidents")
        assert response.status_code == 200
        return {incident["number"] for incident in response.json()}

    everything = {reported.number, shared.number, someone_elses.number}
    assert numbers(manager) == everything
    assert numbers(director) == everything
    assert numbers(nurse) == {reported.number, shared.number}
    assert numbers(vendor) == {shared.number}
    assert numbers(admin) == set()


def test_the_incident_list_filters_by_state(api_as, nurse, manager):
    report_ransom_note(nurse)
    opened = confirmed_attack(nurse, manager)

    response = api_as(manager).get("/api/incidents?state=open")

    assert [i["number"] for i in response.json()] == [opened.number]


def test_reporters_names_and_numbers_go_only_to_management_and_the_manager(
    api_as, nurse, manager, director, vendor, shared_with_vendor
):
    url = f"/api/incidents/{shared_with_vendor.number}"

    for user in (manager, director):
        report = api_as(user).get(url).json()["reports"][0]
        assert report["reporter_name"] == "看護師A"
        assert report["callback_number"] == "090-0000-0000"

    # The nurse filed the report and sees it without the contact data; the
    # vendor filed none and sees none.
    for user, count in ((nurse, 1), (vendor, 0)):
        response = api_as(user).get(url)
        assert response.status_code == 200
        assert len(response.json()["reports"]) == count
        assert "看護師A".encode() not in response.content
        assert b"090-0000-0000" not in response.content


def test_staff_see_only_their_own_reports(api_as, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    services.file_report(
        actor=manager,
        reporter_name="医事課D",
        signs=["slow_or_stopped"],
        incident=incident,
    )

    reports = api_as(nurse).get(f"/api/incidents/{incident.number}").json()["reports"]

    assert [r["signs"] for r in reports] == [["ransom_note"]]


def test_the_detail_says_what_the_caller_may_do(api_as, nurse, manager, director):
    incident = confirmed_attack(nurse, manager)
    url = f"/api/incidents/{incident.number}"

    assert "close" in api_as(director).get(url).json()["allowed_actions"]
    assert "close" not in api_as(manager).get(url).json()["allowed_actions"]
    assert api_as(nurse).get(url).json()["allowed_actions"] == ["view", "work"]


def test_an_unknown_incident_is_not_found(api_as, manager):
    response = api_as(manager).get("/api/incidents/1999-0001")

    assert response.status_code == 404
    assert response.json()["detail"] == "インシデント 1999-0001 はありません。"


def test_an_incident_not_shared_with_a_vendor_is_refused(
    api_as, nurse, manager, vendor, admin
):
    incident = confirmed_attack(nurse, manager)

    for user in (vendor, admin):
        response = api_as(user).get(f"/api/incidents/{incident.number}")
        assert response.status_code == 403


def test_the_security_manager_confirms_a_report(api_as, nurse, manager):
    incident = report_ransom_note(nurse)

    response = api_as(manager).post(
        f"/api/incidents/{incident.number}/confirm",
        {"title": "東4病棟 ランサムウェア"},
    )

    assert response.status_code == 200
    assert response.json()["state"] == "open"
    assert response.json()["title"] == "東4病棟 ランサムウェア"


def test_staff_vendors_and_administrators_may_not_confirm_dismiss_or_merge(
    api_as, nurse, manager, vendor, admin, nothing_changes
):
    incident = report_ransom_note(nurse)
    target = confirmed_attack(nurse, manager)
    callers = [api_as(user) for user in (nurse, vendor, admin)]

    with nothing_changes():
        for api in callers:
            base = f"/api/incidents/{incident.number}"
            assert api.post(f"{base}/confirm", {}).status_code == 403
            assert api.post(f"{base}/dismiss", {"reason": "誤報"}).status_code == 403
            merge = {"into": target.number, "reason": "同じ事象"}
            assert api.post(f"{base}/merge", merge).status_code == 403


def test_the_security_manager_dismisses_a_false_alarm(api_as, nurse, manager):
    incident = report_ransom_note(nurse)

    response = api_as(manager).post(
        f"/api/incidents/{incident.number}/dismiss", {"reason": "訓練用の印刷物"}
    )

    assert response.status_code == 200
    assert response.json()["state"] == "dismissed"


def test_dismissing_without_a_reason_names_the_field(
    api_as, nurse, manager, nothing_changes
):
    incident = report_ransom_note(nurse)
    api = api_as(manager)

    with nothing_changes():
        response = api.post(f"/api/incidents/{incident.number}/dismiss", {})

    assert response.status_code == 400
    assert response.json() == {
        "detail": "reason: この項目は必須です。",
        "field": "reason",
    }


def test_the_security_manager_merges_a_report_into_an_open_incident(
    api_as, nurse, manager
):
    target = confirmed_attack(nurse, manager)
    duplicate = report_ransom_note(nurse)

    response = api_as(manager).post(
        f"/api/incidents/{duplicate.number}/merge",
        {"into": target.number, "reason": "同じプリンタの件"},
    )

    assert response.status_code == 200
    assert response.json()["state"] == "merged"
    assert response.json()["merged_into"] == target.number


def test_merging_into_an_unknown_incident_names_the_field(
    api_as, nurse, manager, nothing_changes
):
    duplicate = report_ransom_note(nurse)
    api = api_as(manager)

    with nothing_changes():
        response = api.post(
            f"/api/incidents/{duplicate.number}/merge",
            {"into": "1999-0001", "reason": "同じ件"},
        )

    assert response.status_code == 400
    assert response.json()["field"] == "into"


def _finish_every_step(incident, user):
    for step in get_playbook().steps:
        row = incident.steps.get(step_id=step.id)
        if row.state in {"pending", "in_progress"}:
            services.skip_step(incident, step_id=step.id, actor=user, reason="訓練")


def test_management_closes_an_incident_once_every_step_is_finished(
    api_as, nurse, manager, director
):
    incident = confirmed_attack(nurse, manager)
    _finish_every_step(incident, manager)

    response = api_as(director).post(
        f"/api/incidents/{incident.number}/close", {"reason": "復旧完了"}
    )

    assert response.status_code == 200
    assert response.json()["state"] == "closed"
    assert response.json()["closed_at"].endswith("+00:00")
    assert response.json()["closed_at_local"].endswith("+09:00")


def test_only_management_may_close(api_as, nurse, manager, vendor, nothing_changes):
    incident = confirmed_attack(nurse, manager)
    _finish_every_step(incident, manager)
    callers = [api_as(user) for user in (manager, nurse, vendor)]

    with nothing_changes():
        for api in callers:
            response = api.post(f"/api/incidents/{incident.number}/close", {})
            assert response.status_code == 403


def test_closing_with_unfinished_steps_says_which(
    api_as, nurse, manager, director, nothing_changes
):
    incident = confirmed_attack(nurse, manager)
    api = api_as(director)

    with nothing_changes():
        response = api.post(f"/api/incidents/{incident.number}/close", {})

    assert response.status_code == 400
    assert "2-6" in response.json()["detail"]
    assert Incident.objects.get(pk=incident.pk).state == IncidentState.OPEN
