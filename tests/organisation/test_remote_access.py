"""Remote-maintenance devices, the work log, and what step 2-2 shows."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from medir.audit.models import AuditRecord
from medir.audit.services import verify_audit_chain
from medir.organisation.models import (
    ChannelKind,
    ContactChannel,
    LogEntryAppendOnlyError,
    MaintenanceLogEntry,
    RemoteAccessDevice,
    System,
    SystemKind,
)
from medir.organisation.services import (
    add_remote_access_device,
    append_maintenance_log_entry,
)
from tests.incidents.factories import confirmed_attack


@pytest.fixture
def ehr(ehr_vendor):
    ContactChannel.objects.create(
        organisation=ehr_vendor,
        kind=ChannelKind.PHONE,
        value="0120-000-202",
        label="24時間障害受付",
    )
    ContactChannel.objects.create(
        organisation=ehr_vendor,
        kind=ChannelKind.EMAIL,
        value="support@kaku-medical.example.jp",
    )
    return System.objects.create(
        name="電子カルテシステム", kind=SystemKind.EHR, vendor=ehr_vendor
    )


@pytest.fixture
def old_vpn(ehr):
    return add_remote_access_device(
        ehr,
        actor=None,
        make="架空ネット機器",
        model="KVPN-100",
        firmware_version="5.6.3",
        owner="vendor",
        credentials_held_by="委託業者の情報システム担当",
        last_patched_on=timezone.localdate() - dt.timedelta(days=400),
    )


@pytest.fixture
def new_vpn(ehr):
    return add_remote_access_device(
        ehr,
        actor=None,
        make="別の機器",
        model="NEW-1",
        firmware_version="7.2.8",
        owner="hospital",
        last_patched_on=timezone.localdate() - dt.timedelta(days=5),
    )


def _dashboard_part(user) -> str:
    request = RequestFactory().get("/incidents/")
    request.user = user
    return render_to_string("organisation/_unpatched_devices.html", request=request)


def test_unpatched_devices_are_listed_for_the_manager_and_not_for_the_nurse(
    manager, nurse, old_vpn, new_vpn
):
    shown = _dashboard_part(manager)
    assert f'data-device="{old_vpn.pk}"' in shown
    assert f'data-device="{new_vpn.pk}"' not in shown
    assert "5.6.3" in shown

    assert "unpatched-devices" not in _dashboard_part(nurse)


def test_the_patch_age_comes_from_the_setting(settings, director, new_vpn):
    settings.MEDIR_PATCH_MAX_AGE_DAYS = 3

    assert f'data-device="{new_vpn.pk}"' in _dashboard_part(director)


def test_work_log_entries_are_append_only(ehr, ehr_vendor):
    entry = append_maintenance_log_entry(
        ehr,
        actor=None,
        performed_at=timezone.now(),
        performed_by_organisation=ehr_vendor,
        summary="月例パッチ適用",
    )

    entry.summary = "書き換え"
    with pytest.raises(LogEntryAppendOnlyError):
        entry.save()
    with pytest.raises(LogEntryAppendOnlyError):
        entry.delete()
    with pytest.raises(LogEntryAppendOnlyError):
        MaintenanceLogEntry.objects.all().delete()
    with pytest.raises(LogEntryAppendOnlyError):
        MaintenanceLogEntry.objects.update(summary="書き換え")
    assert MaintenanceLogEntry.objects.get().summary == "月例パッチ適用"
    assert AuditRecord.objects.filter(action="maintenance_log.appended").count() == 1


def test_a_work_log_entry_needs_an_aware_time(ehr, ehr_vendor):
    with pytest.raises(ValueError, match="aware"):
        append_maintenance_log_entry(
            ehr,
            actor=None,
            performed_at=dt.datetime(2026, 1, 1, 9, 0),  # noqa: DTZ001
            performed_by_organisation=ehr_vendor,
            summary="月例パッチ適用",
        )


def test_at_step_2_2_the_manager_sees_the_vendors_work_of_the_day_before(
    client_for, nurse, manager, ehr, ehr_vendor
):
    incident = confirmed_attack(nurse, manager)
    incident.affected_systems.add(ehr)
    append_maintenance_log_entry(
        ehr,
        actor=None,
        performed_at=incident.reported_at - dt.timedelta(days=1),
        performed_by_organisation=ehr_vendor,
        summary="データベースサーバに月例パッチを適用",
    )

    page = client_for(manager).get(f"/incidents/{incident.number}/steps/2-2/")

    text = page.content.decode()
    assert 'id="maintenance-before"' in text
    assert "データベースサーバに月例パッチを適用" in text
    assert "0120-000-202" in text
    # E-mail may be down with the network; only phones are offered beside
    # the work (the step's contact list below gives every channel).
    work = text.split('id="maintenance-before"')[1].split("</section>")[0]
    assert "0120-000-202" in work
    assert "support@kaku-medical.example.jp" not in work


def test_at_step_2_2_nothing_from_five_days_before_is_shown(
    client_for, nurse, manager, ehr, ehr_vendor
):
    incident = confirmed_attack(nurse, manager)
    append_maintenance_log_entry(
        ehr,
        actor=None,
        performed_at=incident.reported_at - dt.timedelta(days=5),
        performed_by_organisation=ehr_vendor,
        summary="旧データの移行",
        kind="data_migration",
    )

    page = client_for(manager).get(f"/incidents/{incident.number}/steps/2-2/")

    text = page.content.decode()
    assert 'id="no-maintenance-before"' in text
    assert "旧データの移行" not in text


def test_other_steps_do_not_show_the_work_log(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)

    page = client_for(manager).get(f"/incidents/{incident.number}/steps/2-3/")

    assert 'id="maintenance-before"' not in page.content.decode()


def test_adding_a_device_in_the_admin_is_audited(client_for, admin, ehr):
    response = client_for(admin).post(
        "/admin/organisation/remoteaccessdevice/add/",
        {
            "system": ehr.pk,
            "kind": "vpn",
            "make": "架空ネット機器",
            "model": "KVPN-500",
            "firmware_version": "7.2.8",
            "owner": "hospital",
            "credentials_held_by": "情報システム室長",
            "last_patched_on": "2026-11-01",
            "notes": "",
        },
    )

    assert response.status_code == 302
    device = RemoteAccessDevice.objects.get()
    record = AuditRecord.objects.get(
        action="organisation.created", object_type="organisation.remoteaccessdevice"
    )
    assert record.actor == admin
    assert record.object_id == str(device.pk)
    assert verify_audit_chain().ok


def test_adding_a_log_entry_in_the_admin_is_audited_and_cannot_be_changed(
    client_for, admin, ehr, ehr_vendor
):
    client = client_for(admin)
    response = client.post(
        "/admin/organisation/maintenancelogentry/add/",
        {
            "system": ehr.pk,
            "performed_at_0": "2026-11-30",
            "performed_at_1": "22:00:00",
            "performed_by_organisation": ehr_vendor.pk,
            "performed_by": "",
            "kind": "maintenance",
            "summary": "リモート保守で再起動",
        },
    )

    assert response.status_code == 302
    entry = MaintenanceLogEntry.objects.get()
    assert entry.recorded_by == admin
    record = AuditRecord.objects.get(action="maintenance_log.appended")
    assert record.actor == admin
    assert verify_audit_chain().ok

    client.post(
        f"/admin/organisation/maintenancelogentry/{entry.pk}/change/",
        {"system": ehr.pk, "kind": "other", "summary": "書き換え"},
    )
    client.post(
        f"/admin/organisation/maintenancelogentry/{entry.pk}/delete/", {"post": "yes"}
    )
    assert MaintenanceLogEntry.objects.get().summary == "リモート保守で再起動"
