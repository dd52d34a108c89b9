from medir.incidents.models import Decision
from tests.incidents.factories import confirmed_attack


def test_management_and_the_security_manager_read_every_decision(
    api_as, nurse, manager, director
):
    incident = confirmed_attack(nurse, manager)

    for user in (manager, director):
        response = api_as(user).get(f"/api/incidents/{incident.number}/decisions")
        assert response.status_code == 200
        decisions = {d["decision_id"]: d for d in response.json()}
        assert decisions["attack_signs"]["outcome"] == "present"
        assert decisions["attack_signs"]["title"] == "サイバー攻撃の兆候"
        assert decisions["attack_signs"]["is_current"] is True
        assert decisions["confirmation"]["outcome"] == "confirmed"


def test_decisions_are_hidden_from_staff_and_vendors(
    api_as, nurse, vendor, shared_with_vendor, nothing_changes
):
    url = f"/api/incidents/{shared_with_vendor.number}/decisions"
    callers = [api_as(nurse), api_as(vendor)]

    with nothing_changes():
        for api in callers:
            assert api.get(url).status_code == 403
            decision = {"decision_id": "response_team", "outcome": "form_team"}
            assert api.post(url, decision).status_code == 403


def test_management_records_a_multiple_choice_decision(
    api_as, nurse, manager, director
):
    incident = confirmed_attack(nurse, manager)

    response = api_as(director).post(
        f"/api/incidents/{incident.number}/decisions",
        {"decision_id": "tracks", "outcome": ["2-13", "2-18"], "reason": "院長判断"},
    )

    assert response.status_code == 201
    assert response.json()["outcome"] == ["2-13", "2-18"]
    assert response.json()["decided_by"] == "病院長C"
    assert Decision.objects.filter(decision_id="tracks").count() == 1


def test_revising_a_decision_keeps_the_earlier_one(api_as, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    api = api_as(manager)
    url = f"/api/incidents/{incident.number}/decisions"

    response = api.post(
        url, {"decision_id": "attack_signs", "outcome": "absent", "reason": "誤検知"}
    )

    assert response.status_code == 201
    history = [d for d in api.get(url).json() if d["decision_id"] == "attack_signs"]
    assert [(d["outcome"], d["is_current"]) for d in history] == [
        ("present", False),
        ("absent", True),
    ]
    assert history[1]["supersedes"] == history[0]["id"]


def test_an_unknown_decision_is_refused_with_the_services_message(
    api_as, nurse, manager, nothing_changes
):
    incident = confirmed_attack(nurse, manager)
    api = api_as(manager)

    with nothing_changes():
        response = api.post(
            f"/api/incidents/{incident.number}/decisions",
            {"decision_id": "lunch", "outcome": "sushi"},
        )

    assert response.status_code == 400
    assert "lunch" in response.json()["detail"]


def test_an_outcome_of_the_wrong_type_names_the_field(
    api_as, nurse, manager, nothing_changes
):
    incident = confirmed_attack(nurse, manager)
    api = api_as(manager)

    with nothing_changes():
        response = api.post(
            f"/api/incidents/{incident.number}/decisions",
            {"decision_id": "attack_signs", "outcome": 1},
        )

    assert response.status_code == 400
    assert response.json()["field"] == "outcome"
    assert response.json()["detail"].startswith("outcome: ")
