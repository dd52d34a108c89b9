import pytest

from medir.incidents import services
from medir.incidents.models import StopUseNotice
from medir.organisation.models import System, SystemKind
from tests.incidents.factories import confirmed_attack


@pytest.fixture
def ehr(db, ehr_vendor):
    return System.objects.create(
        name="電子カルテ", kind=SystemKind.EHR, vendor=ehr_vendor
    )


def test_the_security_manager_publishes_a_stop_use_notice(api_as, nurse, manager, ehr):
    incident = confirmed_attack(nurse, manager)

    response = api_as(manager).post(
        f"/api/incidents/{incident.number}/notices",
        {"message": "電子カルテ端末を使わないこと", "system_ids": [ehr.pk]},
    )

    assert response.status_code == 201
    assert response.json()["systems"] == ["電子カルテ"]
    assert response.json()["is_active"] is True


def test_staff_and_vendors_may_not_publish_or_lift_notices(
    api_as, nurse, manager, vendor, shared_with_vendor, nothing_changes
):
    notice = services.publish_stop_use_notice(
        shared_with_vendor, actor=manager, message="電子カルテ停止"
    )
    callers = [api_as(nurse), api_as(vendor)]

    with nothing_changes():
        for api in callers:
            published = api.post(
                f"/api/incidents/{shared_with_vendor.number}/notices",
                {"message": "使用停止"},
            )
            lifted = api.post(f"/api/notices/{notice.pk}/lift", {"reason": "復旧"})
            assert published.status_code == 403
            assert lifted.status_code == 403


def test_an_unknown_system_names_the_field(api_as, nurse, manager, nothing_changes):
    incident = confirmed_attack(nurse, manager)
    api = api_as(manager)

    with nothing_changes():
        response = api.post(
            f"/api/incidents/{incident.number}/notices",
            {"message": "使用停止", "system_ids": [999]},
        )

    assert response.status_code == 400
    assert response.json()["field"] == "system_ids"


def test_everyone_logged_in_sees_the_active_notices(
    api_as, nurse, manager, vendor, admin
):
    incident = confirmed_attack(nurse, manager)
    services.publish_stop_use_notice(incident, actor=manager, message="電子カルテ停止")

    for user in (nurse, vendor, admin):
        response = api_as(user).get("/api/notices/active")
        assert response.status_code == 200
        assert [n["message"] for n in response.json()] == ["電子カルテ停止"]
    assert api_as(None).get("/api/notices/active").status_code == 401


def test_the_incidents_notices_are_listed_for_those_who_see_it(api_as, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    services.publish_stop_use_notice(incident, actor=manager, message="電子カルテ停止")

    response = api_as(nurse).get(f"/api/incidents/{incident.number}/notices")

    assert response.status_code == 200
    assert response.json()[0]["incident"] == incident.number


def test_the_security_manager_lifts_a_notice(api_as, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    notice = services.publish_stop_use_notice(
        incident, actor=manager, message="電子カルテ停止"
    )

    response = api_as(manager).post(
        f"/api/notices/{notice.pk}/lift", {"reason": "復旧を確認"}
    )

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert response.json()["lift_reason"] == "復旧を確認"
    assert api_as(nurse).get("/api/notices/active").json() == []


def test_lifting_an_unknown_notice_is_not_found(api_as, manager):
    response = api_as(manager).post("/api/notices/999/lift", {"reason": "復旧"})

    assert response.status_code == 404
    assert not StopUseNotice.objects.exists()


def test_the_security_manager_shares_an_incident_with_a_vendor(
    api_as, nurse, manager, vendor, ehr_vendor
):
    incident = confirmed_attack(nurse, manager)
    assert api_as(vendor).get(f"/api/incidents/{incident.number}").status_code == 403

    response = api_as(manager).post(
        f"/api/incidents/{incident.number}/shares",
        {"organisation_id": ehr_vendor.pk, "extra_steps": ["2-14"]},
    )

    assert response.status_code == 201
    assert response.json()["organisation"] == "架空電子カルテ株式会社"
    assert response.json()["extra_steps"] == ["2-14"]
    assert api_as(vendor).get(f"/api/incidents/{incident.number}").status_code == 200
    steps = api_as(vendor).get(f"/api/incidents/{incident.number}/steps").json()
    assert "2-14" in {step["id"] for step in steps}


def test_only_management_and_the_security_manager_handle_sharing(
    api_as, nurse, vendor, director, ehr_vendor, shared_with_vendor, nothing_changes
):
    number = shared_with_vendor.number
    share = shared_with_vendor.shares.get()
    callers = [api_as(nurse), api_as(vendor)]

    with nothing_changes():
        for api in callers:
            assert api.get(f"/api/incidents/{number}/shares").status_code == 403
            created = api.post(
                f"/api/incidents/{number}/shares", {"organisation_id": ehr_vendor.pk}
            )
            assert created.status_code == 403
            assert api.post(f"/api/shares/{share.pk}/end").status_code == 403

    listed = api_as(director).get(f"/api/incidents/{number}/shares")
    assert [s["organisation_id"] for s in listed.json()] == [ehr_vendor.pk]


def test_ending_a_share_hides_the_incident_from_the_vendor(
    api_as, manager, vendor, shared_with_vendor
):
    share = shared_with_vendor.shares.get()

    response = api_as(manager).post(f"/api/shares/{share.pk}/end")

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    detail = api_as(vendor).get(f"/api/incidents/{shared_with_vendor.number}")
    assert detail.status_code == 403


def test_sharing_with_an_unknown_organisation_names_the_field(
    api_as, nurse, manager, nothing_changes
):
    incident = confirmed_attack(nurse, manager)
    api = api_as(manager)

    with nothing_changes():
        response = api.post(
            f"/api/incidents/{incident.number}/shares", {"organisation_id": 999}
        )

    assert response.status_code == 400
    assert response.json()["field"] == "organisation_id"


def test_ending_an_unknown_share_is_not_found(api_as, manager):
    assert api_as(manager).post("/api/shares/999/end").status_code == 404
