"""Editing people, organisations and channels in MedIR's own pages."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from medir.audit.models import AuditRecord
from medir.contacts import services
from medir.organisation.models import ContactChannel, Organisation, Person

EDIT_URLS = [
    "/contacts/people/new/",
    "/contacts/organisations/new/",
    "/contacts/call-tree/new/",
]


@pytest.mark.parametrize("url", EDIT_URLS)
@pytest.mark.parametrize(
    "persona,status",
    [
        ("nurse", 403),
        ("director", 403),
        ("vendor", 403),
        ("manager", 200),
        ("admin", 200),
    ],
)
def test_only_the_security_manager_and_administrators_open_the_edit_pages(
    request, client_for, persona, status, url
):
    user = request.getfixturevalue(persona)

    assert client_for(user).get(url).status_code == status


def test_the_manager_adds_a_person_with_roles_and_a_deputy(client_for, manager, ward):
    response = client_for(manager).post(
        "/contacts/people/new/",
        {
            "display_name": "代理 花子",
            "job_title": "主任",
            "department": ward.pk,
            "roles": ["security_manager"],
            "deputy_for": manager.person.pk,
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    person = Person.objects.get(display_name="代理 花子")
    assert person.role_keys() == {"security_manager"}
    assert person.deputy_for == manager.person
    assert AuditRecord.objects.filter(action="person.created").count() == 2


def test_changing_roles_is_audited_role_by_role(manager, director):
    person = director.person

    services.save_person(
        person,
        actor=manager,
        display_name="病院長C",
        roles=["management", "staff"],
    )

    assert person.role_keys() == {"management", "staff"}
    changes = AuditRecord.objects.filter(actor=manager).values_list("action", flat=True)
    assert sorted(changes) == ["organisation.changed", "organisation.created"]


def test_a_person_cannot_be_their_own_deputy_and_nothing_changes(
    client_for, manager, director
):
    deputy = services.save_person(
        None,
        actor=manager,
        display_name="副院長",
        roles=["management"],
        deputy_for=director.person,
    )
    before = AuditRecord.objects.count()

    client = client_for(manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        f"/contacts/people/{director.person.pk}/",
        {"display_name": "病院長C", "roles": ["management"], "deputy_for": deputy.pk},
    )

    assert response.status_code == 400
    assert "病院長C cannot be their own deputy, even indirectly." in (
        response.content.decode()
    )
    director.person.refresh_from_db()
    assert director.person.deputy_for is None
    assert AuditRecord.objects.count() == before


def test_a_blank_name_is_refused_with_a_message(client_for, manager):
    response = client_for(manager).post(
        "/contacts/people/new/", {"display_name": "  ", "roles": ["staff"]}
    )

    assert response.status_code == 400
    assert Person.objects.count() == 1


def test_the_admin_adds_an_authority_with_its_source_and_flag(client_for, admin):
    response = client_for(admin).post(
        "/contacts/organisations/new/",
        {
            "name": "独立行政法人情報処理推進機構",
            "kind": "authority",
            "authority": "ipa",
            "source_url": "https://www.ipa.go.jp/security/support/soudan.html",
            "needs_verification": "on",
            "verified_on": "2026-11-30",
        },
    )

    assert response.status_code == 302
    ipa = Organisation.objects.get(authority="ipa")
    assert ipa.needs_verification
    assert ipa.verified_on == dt.date(2026, 11, 30)
    assert AuditRecord.objects.filter(
        action="organisation.created", object_type="organisation.organisation"
    ).exists()


def test_a_second_organisation_cannot_claim_the_same_authority(admin):
    services.save_organisation(
        None, actor=admin, name="警察", kind="authority", authority="police"
    )

    with pytest.raises(services.ContactError, match="already recorded as Police"):
        services.save_organisation(
            None, actor=admin, name="別の警察", kind="authority", authority="police"
        )
    assert Organisation.objects.filter(kind="authority").count() == 1


def test_a_vendor_cannot_be_an_authority(admin):
    with pytest.raises(services.ContactError, match="kind authority"):
        services.save_organisation(
            None, actor=admin, name="保守会社", kind="vendor", authority="mhlw"
        )


def test_a_bad_source_url_is_refused(client_for, admin):
    response = client_for(admin).post(
        "/contacts/organisations/new/",
        {"name": "県", "kind": "authority", "source_url": "not a url"},
    )

    assert response.status_code == 400
    assert not Organisation.objects.filter(name="県").exists()


def test_channels_are_added_last_and_move_up_and_down(client_for, manager, ehr_vendor):
    client = client_for(manager)
    url = f"/contacts/organisations/{ehr_vendor.pk}/channels/new/"
    for value in ("0120-000-001", "0120-000-002", "support@example.jp"):
        kind = "email" if "@" in value else "phone"
        assert client.post(url, {"kind": kind, "value": value}).status_code == 302

    night = ContactChannel.objects.get(value="0120-000-002")
    client.post(f"/contacts/channels/{night.pk}/move/", {"direction": "up"})

    values = list(ehr_vendor.channels.order_by("order").values_list("value", flat=True))
    assert values == ["0120-000-002", "0120-000-001", "support@example.jp"]
    assert list(
        ehr_vendor.channels.order_by("order").values_list("order", flat=True)
    ) == [1, 2, 3]


def test_a_channel_at_the_top_cannot_move_further_up(manager, ehr_vendor):
    channel = services.save_channel(
        None, actor=manager, owner=ehr_vendor, kind="phone", value="0120-000-001"
    )

    with pytest.raises(services.ContactError):
        services.move_channel(channel, actor=manager, direction="up")


def test_a_channel_needs_a_value_and_nothing_is_stored(client_for, manager, ehr_vendor):
    response = client_for(manager).post(
        f"/contacts/organisations/{ehr_vendor.pk}/channels/new/",
        {"kind": "phone", "value": ""},
    )

    assert response.status_code == 400
    assert not ehr_vendor.channels.exists()


def test_editing_and_removing_a_channel_are_audited(client_for, manager, ehr_vendor):
    channel = services.save_channel(
        None, actor=manager, owner=ehr_vendor, kind="phone", value="0120-000-001"
    )
    client = client_for(manager)

    client.post(
        f"/contacts/channels/{channel.pk}/",
        {
            "kind": "mobile",
            "value": "090-0000-0001",
            "label": "夜間",
            "out_of_hours": "on",
        },
    )
    channel.refresh_from_db()
    assert (channel.kind, channel.label, channel.out_of_hours) == (
        "mobile",
        "夜間",
        True,
    )

    client.post(f"/contacts/channels/{channel.pk}/delete/")
    assert not ContactChannel.objects.filter(pk=channel.pk).exists()
    assert AuditRecord.objects.filter(action="organisation.deleted").count() == 1


def test_mark_verified_today_dates_the_owner_and_every_channel(
    client_for, manager, ehr_vendor
):
    services.save_channel(
        None, actor=manager, owner=ehr_vendor, kind="phone", value="0120-000-001"
    )

    response = client_for(manager).post(
        f"/contacts/organisations/{ehr_vendor.pk}/verified/", {"next": "directory"}
    )

    assert response.status_code == 302
    today = timezone.localdate()
    ehr_vendor.refresh_from_db()
    assert ehr_vendor.verified_on == today
    assert list(ehr_vendor.channels.values_list("verified_on", flat=True)) == [today]


def test_a_nurse_cannot_mark_a_contact_verified(client_for, nurse, ehr_vendor):
    response = client_for(nurse).post(
        f"/contacts/organisations/{ehr_vendor.pk}/verified/"
    )

    assert response.status_code == 403
    ehr_vendor.refresh_from_db()
    assert ehr_vendor.verified_on is None
