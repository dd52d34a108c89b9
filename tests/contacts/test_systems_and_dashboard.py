"""The systems page with its work-log form, and the dashboard's card of
contacts to check."""

import pytest
from django.conf import settings

from medir.audit.models import AuditRecord
from medir.organisation.models import MaintenanceLogEntry, System
from medir.organisation.services import add_remote_access_device


@pytest.fixture
def ehr(ehr_vendor):
    system = System.objects.create(
        name="電子カルテ",
        kind="ehr",
        vendor=ehr_vendor,
        maintenance_contract="保守契約 KMS-1",
        support_hours="24時間 0120-000-202",
    )
    add_remote_access_device(
        system,
        actor=None,
        make="架空ネット機器",
        model="KVPN-500",
        firmware_version="7.2.8",
        owner="vendor",
        credentials_held_by="ベンダの保守担当",
    )
    return system


@pytest.mark.parametrize(
    "persona,status",
    [
        ("nurse", 403),
        ("vendor", 403),
        ("director", 200),
        ("manager", 200),
        ("admin", 200),
    ],
)
def test_who_reads_the_systems_page(request, client_for, ehr, persona, status):
    user = request.getfixturevalue(persona)

    assert client_for(user).get("/contacts/systems/").status_code == status


def test_the_systems_page_shows_contract_devices_and_support(client_for, director, ehr):
    text = client_for(director).get("/contacts/systems/").text

    for expected in (
        "保守契約 KMS-1",
        "24時間 0120-000-202",
        "KVPN-500",
        "7.2.8",
        "ベンダの保守担当",
    ):
        assert expected in text
    # Management reads; the security manager and administrators log work.
    assert "/work-log/" not in text


def test_the_manager_appends_work_to_the_log(client_for, manager, ehr, ehr_vendor):
    response = client_for(manager).post(
        f"/contacts/systems/{ehr.pk}/work-log/",
        {
            "performed_at": "2026-12-01T10:00",
            "kind": "maintenance",
            "performed_by_organisation": ehr_vendor.pk,
            "summary": "月例パッチ適用",
        },
    )

    assert response.status_code == 302
    entry = MaintenanceLogEntry.objects.get()
    assert entry.summary == "月例パッチ適用"
    assert AuditRecord.objects.filter(action="maintenance_log.appended").exists()


def test_work_without_a_performer_is_refused(client_for, manager, ehr):
    response = client_for(manager).post(
        f"/contacts/systems/{ehr.pk}/work-log/",
        {"performed_at": "2026-12-01T10:00", "kind": "maintenance", "summary": "作業"},
    )

    assert response.status_code == 400
    assert not MaintenanceLogEntry.objects.exists()


def test_a_director_cannot_append_to_the_work_log(
    client_for, director, ehr, ehr_vendor
):
    response = client_for(director).post(
        f"/contacts/systems/{ehr.pk}/work-log/",
        {
            "performed_at": "2026-12-01T10:00",
            "kind": "maintenance",
            "performed_by_organisation": ehr_vendor.pk,
            "summary": "作業",
        },
    )

    assert response.status_code == 403


@pytest.mark.parametrize(
    "persona,shown",
    [
        ("nurse", False),
        ("vendor", False),
        ("director", True),
        ("manager", True),
        ("admin", True),
    ],
)
def test_the_dashboard_card_of_contacts_to_check(request, client_for, persona, shown):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    text = client.get("/incidents/").text

    assert ('id="contact-gaps"' in text) is shown
    if shown:
        card = text.split('id="contact-gaps"')[1].split("</section>")[0]
        assert 'href="/contacts/"' in card
        assert "not verified within 180 days" in card
