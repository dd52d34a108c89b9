"""Who to call out of hours, and people without channels flagged stale."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from medir.contacts.selectors import out_of_hours_contacts, stale_contacts
from medir.organisation.models import ContactChannel, System
from medir.organisation.services import create_person


def test_out_of_hours_lists_only_night_channels_and_the_deputies(director):
    ContactChannel.objects.create(person=director.person, kind="phone", value="0120-1")
    ContactChannel.objects.create(
        person=director.person, kind="mobile", value="090-1", out_of_hours=True
    )
    deputy = create_person(
        actor=None,
        display_name="副院長",
        roles=["management"],
        deputy_for=director.person,
    )
    ContactChannel.objects.create(
        person=deputy, kind="mobile", value="090-2", out_of_hours=True
    )

    management = out_of_hours_contacts()[0]

    assert [(c.name, c.is_deputy) for c in management.callees] == [
        ("病院長C", False),
        ("副院長", True),
    ]
    assert [ch.value for ch in management.callees[0].channels] == ["090-1"]


def test_the_directory_shows_out_of_hours_and_a_channels_source(
    client_for, nurse, ehr_vendor
):
    System.objects.create(name="電子カルテ", kind="ehr", vendor=ehr_vendor)
    ContactChannel.objects.create(
        organisation=ehr_vendor,
        kind="phone",
        value="0120-000-202",
        out_of_hours=True,
        source_url="https://vendor.example.jp/support",
    )
    client = client_for(nurse)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    text = client.get("/contacts/").content.decode()

    section = text.split('id="out-of-hours"')[1].split("</section>")[0]
    assert "0120-000-202" in section
    assert "架空電子カルテ株式会社" in section
    assert 'href="https://vendor.example.jp/support"' in text


def test_a_person_without_channels_is_stale_until_verified(director):
    assert [s.owner for s in stale_contacts()] == ["病院長C"]

    director.person.verified_on = timezone.localdate() - dt.timedelta(days=1)
    director.person.save()

    assert stale_contacts() == []
