"""Organisation data edited in Django's admin is audited like any change."""

from medir.audit.models import AuditRecord
from medir.audit.services import verify_audit_chain
from medir.organisation.models import Organisation


def test_adding_an_organisation_in_the_admin_writes_an_audit_record(client_for, admin):
    response = client_for(admin).post(
        "/admin/organisation/organisation/add/",
        {
            "name": "架空ネットワーク保守株式会社",
            "name_en": "Fictional Network Care",
            "kind": "vendor",
            "notes": "",
            "source_url": "",
            "verified_on": "2026-11-30",
            "channels-TOTAL_FORMS": "1",
            "channels-INITIAL_FORMS": "0",
            "channels-0-kind": "phone",
            "channels-0-value": "0120-000-999",
            "channels-0-label": "保守窓口",
            "channels-0-order": "1",
        },
    )

    assert response.status_code == 302
    organisation = Organisation.objects.get(name="架空ネットワーク保守株式会社")
    actions = list(
        AuditRecord.objects.filter(actor=admin).values_list("action", "object_type")
    )
    assert ("organisation.created", "organisation.organisation") in actions
    assert ("organisation.created", "organisation.contactchannel") in actions
    assert organisation.channels.get().value == "0120-000-999"
    assert verify_audit_chain().ok


def test_changing_and_deleting_in_the_admin_keep_the_before_values(client_for, admin):
    organisation = Organisation.objects.create(name="旧社名", kind="vendor")
    client = client_for(admin)

    client.post(
        f"/admin/organisation/organisation/{organisation.pk}/change/",
        {
            "name": "新社名",
            "kind": "vendor",
            "channels-TOTAL_FORMS": "0",
            "channels-INITIAL_FORMS": "0",
        },
    )
    client.post(
        f"/admin/organisation/organisation/{organisation.pk}/delete/", {"post": "yes"}
    )

    changed = AuditRecord.objects.get(action="organisation.changed")
    assert (changed.before["name"], changed.after["name"]) == ("旧社名", "新社名")
    deleted = AuditRecord.objects.get(action="organisation.deleted")
    assert deleted.before["name"] == "新社名"
    assert not Organisation.objects.exists()


def test_a_nurse_cannot_open_the_admin(client_for, nurse):
    response = client_for(nurse).get("/admin/organisation/organisation/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_setting_a_password_in_the_admin_is_audited(client_for, admin, director):
    response = client_for(admin).post(
        f"/admin/auth/user/{director.pk}/password/",
        {"password1": "Taken-over-12345", "password2": "Taken-over-12345"},
    )

    assert response.status_code == 302
    record = AuditRecord.objects.get(action="account.password_set")
    assert record.actor == admin
    assert record.object_id == str(director.pk)
    assert "Taken-over" not in str(record.after)


def test_changing_an_account_in_the_admin_is_audited(client_for, admin, nurse):
    client_for(admin).post(
        f"/admin/auth/user/{nurse.pk}/change/",
        {
            "username": "nurse",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )

    record = AuditRecord.objects.filter(action="organisation.changed").last()
    assert record.object_type == "auth.user"
    assert "password" not in record.after
