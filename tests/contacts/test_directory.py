"""The contact directory page and the gaps it points out."""

import datetime

from django.conf import settings
from django.utils import timezone

from medir.organisation.models import ContactChannel, Organisation, System
from medir.organisation.services import create_person


def _in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _channel(owner, kind, value, **fields):
    key = "person" if owner.__class__.__name__ == "Person" else "organisation"
    return ContactChannel.objects.create(
        **{key: owner}, kind=kind, value=value, **fields
    )


def test_a_nurse_reads_the_directory_with_phone_numbers(client_for, nurse, director):
    _channel(director.person, "mobile", "090-0000-1111", out_of_hours=True)

    response = client_for(nurse).get("/contacts/")

    assert response.status_code == 200
    assert "090-0000-1111" in response.text
    assert 'id="admin-link"' not in response.text
    assert 'id="import"' not in response.text


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get("/contacts/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_an_account_without_a_role_is_refused(client_for, django_user_model):
    outsider = django_user_model.objects.create_user("outsider", password="x")

    assert client_for(outsider).get("/contacts/").status_code == 403


def test_an_administrator_sees_the_admin_link_and_the_import_form(client_for, admin):
    response = client_for(admin).get("/contacts/")

    assert 'id="admin-link"' in response.text
    assert 'id="import"' in response.text


def test_it_warns_of_a_manager_reachable_only_by_email(client_for, nurse, manager):
    _channel(manager.person, "email", "manager@example.jp")

    response = _in_english(client_for(nurse)).get("/contacts/")

    warnings = [w for w in response.context["warnings"] if w.kind == "no_phone"]
    assert [w.message for w in warnings] == [
        "情報システム責任者B (Security manager) has no way to be reached "
        "other than e-mail."
    ]


def test_it_warns_of_a_director_without_a_deputy_until_one_is_named(
    client_for, nurse, director
):
    client = _in_english(client_for(nurse))
    messages = [w.message for w in client.get("/contacts/").context["warnings"]]
    assert "病院長C (Management) has no deputy." in messages

    create_person(
        actor=None,
        display_name="副院長",
        roles=["management"],
        deputy_for=director.person,
    )

    messages = [w.message for w in client.get("/contacts/").context["warnings"]]
    assert "病院長C (Management) has no deputy." not in messages


def test_it_warns_of_a_vendor_reachable_only_by_email(client_for, nurse, ehr_vendor):
    System.objects.create(name="電子カルテ", kind="ehr", vendor=ehr_vendor)
    _channel(ehr_vendor, "email", "support@example.jp")

    response = _in_english(client_for(nurse)).get("/contacts/")

    assert any(
        w.kind == "no_phone" and w.message.startswith("架空電子カルテ株式会社")
        for w in response.context["warnings"]
    )


def test_it_flags_stale_and_never_verified_contacts(client_for, nurse, settings):
    settings.MEDIR_CONTACT_MAX_AGE_DAYS = 30
    today = timezone.localdate()
    old = Organisation.objects.create(
        name="古い保守会社",
        kind="vendor",
        verified_on=today - datetime.timedelta(days=31),
    )
    Organisation.objects.create(
        name="新しい保守会社",
        kind="vendor",
        verified_on=today - datetime.timedelta(days=30),
    )
    Organisation.objects.create(name="未確認の官庁", kind="authority")
    _channel(old, "phone", "03-0000-0000", verified_on=today)

    response = _in_english(client_for(nurse)).get("/contacts/")

    stale = [w.message for w in response.context["warnings"] if w.kind == "stale"]
    assert any(
        m.startswith("古い保守会社: ") and "more than 30 days" in m for m in stale
    )
    assert any(m.startswith("未確認の官庁: ") and "never verified" in m for m in stale)
    assert not any(m.startswith("新しい保守会社") for m in stale)
    assert not any("03-0000-0000" in m for m in stale)


def test_an_outside_party_cannot_read_the_hospitals_internal_numbers(
    client_for, vendor
):
    response = client_for(vendor).get("/contacts/")

    assert response.status_code == 403
