"""`medir demo`: the fictional demo hospital, loaded through the audited
services into an empty database."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from medir.audit.models import AuditRecord
from medir.audit.services import verify_audit_chain
from medir.organisation.demo import DEMO_PASSWORD, load_demo_hospital
from medir.organisation.models import (
    ChannelKind,
    ContactChannel,
    Department,
    Hospital,
    Organisation,
    OrganisationKind,
    Person,
    Role,
    System,
)

DEMO_USERS = {
    "director",
    "vicedirector",
    "manager",
    "deputy",
    "nurse",
    "nurse2",
    "doctor",
    "clerk",
    "vendor",
    "vendor2",
    "admin",
}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Eleven demo accounts with the real hasher take seconds per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db):
    return load_demo_hospital(actor=None)


def _person(username):
    return Person.objects.get(user__username=username)


def test_the_demo_is_a_fictional_demo_hospital(demo):
    hospital = Hospital.objects.get()
    assert hospital.name == "MedIR記念病院"
    assert hospital.is_demo
    assert hospital.operator_type == "medical_corporation"


def test_every_demo_log_in_is_returned_and_works_with_the_demo_password(demo):
    assert {username for username, _, _ in demo} == DEMO_USERS
    assert {password for _, password, _ in demo} == {"medir-demo-2026"}
    assert all(description for _, _, description in demo)
    for username in DEMO_USERS:
        # With the log-in lock-out, authenticate needs the request it counts.
        request = RequestFactory().post("/login/")
        assert authenticate(request, username=username, password=DEMO_PASSWORD), (
            username
        )


def test_the_demo_covers_every_role(demo):
    assigned = {
        role
        for person in Person.objects.prefetch_related("roles")
        for role in person.role_keys()
    }
    assert assigned == set(Role.values)
    assert _person("director").role_keys() == {Role.MANAGEMENT}
    assert _person("manager").role_keys() == {Role.SECURITY_MANAGER}
    assert _person("nurse").role_keys() == {Role.STAFF}
    assert _person("vendor").role_keys() == {Role.EXTERNAL}
    assert _person("admin").user.is_superuser


def test_the_vice_director_and_the_deputy_stand_in_for_their_principals(demo):
    assert _person("vicedirector").deputy_for == _person("director")
    assert _person("deputy").deputy_for == _person("manager")
    assert _person("deputy").role_keys() == {Role.SECURITY_MANAGER}


def test_the_two_vendor_engineers_work_for_different_vendors(demo):
    ehr, network = _person("vendor").organisation, _person("vendor2").organisation
    assert ehr is not None and network is not None
    assert ehr != network
    assert {ehr.kind, network.kind} == {OrganisationKind.VENDOR}


def test_the_demo_has_four_vendors_one_of_them_the_catering_contractor(demo):
    suppliers = Organisation.objects.exclude(kind=OrganisationKind.AUTHORITY)
    assert suppliers.count() == 4
    assert suppliers.filter(kind=OrganisationKind.VENDOR).count() == 3
    assert suppliers.filter(kind=OrganisationKind.CONTRACTOR).count() == 1


def test_the_demo_has_eight_systems_each_maintained_by_a_vendor(demo):
    systems = System.objects.select_related("vendor")
    assert systems.count() == 8
    assert all(system.vendor is not None for system in systems)
    assert {"ehr", "pacs", "lab", "pharmacy", "billing", "catering", "network"} <= {
        system.kind for system in systems
    }
    catering = systems.get(kind="catering")
    assert catering.vendor.kind == OrganisationKind.CONTRACTOR


def test_departments_include_wards_and_the_information_systems_office(demo):
    names = set(Department.objects.values_list("name", flat=True))
    assert len(names) >= 6
    assert {"情報システム室", "医事課", "薬剤部", "放射線科", "栄養科"} <= names
    assert any(name.endswith("病棟") for name in names)


def test_every_authority_contact_names_its_source_and_when_it_was_checked(demo):
    authorities = Organisation.objects.filter(kind=OrganisationKind.AUTHORITY)
    assert authorities.count() == 6
    channels = ContactChannel.objects.filter(organisation__in=authorities)
    for item in [*authorities, *channels]:
        assert item.source_url.startswith("https://"), item
        assert item.verified_on is not None, item


def test_unconfirmed_authority_details_are_flagged_to_be_verified(demo):
    mhlw = Organisation.objects.get(name__startswith="厚生労働省")
    assert mhlw.needs_verification
    placeholder = mhlw.channels.get(kind=ChannelKind.OTHER, needs_verification=True)
    assert "要確認" in placeholder.value

    ipa_email = ContactChannel.objects.get(value="cs-support@ipa.go.jp")
    assert ipa_email.kind == ChannelKind.EMAIL
    assert ipa_email.needs_verification
    assert ContactChannel.objects.get(value="03-5978-7509").needs_verification

    prefecture = Organisation.objects.get(name__startswith="架空県")
    assert prefecture.needs_verification

    ppc = Organisation.objects.get(name="個人情報保護委員会")
    assert not ppc.needs_verification
    assert ppc.channels.filter(
        value="https://www.ppc.go.jp/personalinfo/legal/leakAction/"
    ).exists()


def test_the_police_can_be_reached_online_by_phone_and_in_an_emergency(demo):
    police = Organisation.objects.get(name__startswith="警察")
    values = set(police.channels.values_list("value", flat=True))
    assert {"https://www.npa.go.jp/bureau/cyber/soudan.html", "#9110", "110"} <= values


def test_people_have_ordered_channels_and_someone_to_call_out_of_hours(demo):
    for person in Person.objects.prefetch_related("channels"):
        orders = [channel.order for channel in person.channels.all()]
        assert orders == list(range(1, len(orders) + 1)), person.pk
    for username in ("director", "manager", "deputy"):
        assert _person(username).channels.filter(out_of_hours=True).exists()


def test_demo_phone_numbers_are_obviously_fake(demo):
    people_numbers = ContactChannel.objects.filter(
        person__isnull=False, kind__in=[ChannelKind.PHONE, ChannelKind.MOBILE]
    ).values_list("value", flat=True)
    assert people_numbers
    assert all(
        number.startswith(("0120-000-", "090-0000-")) for number in people_numbers
    )


def test_every_demo_row_is_in_the_audit_chain(demo):
    audited = set(AuditRecord.objects.values_list("object_type", "object_id"))
    for model in (Hospital, Department, Organisation, ContactChannel, System, Person):
        for pk in model.objects.values_list("pk", flat=True):
            assert (model._meta.label_lower, str(pk)) in audited, (model, pk)
    assert AuditRecord.objects.filter(action="person.created").count() == len(
        DEMO_USERS
    )
    assert verify_audit_chain().ok


def test_the_demo_command_loads_the_demo_and_prints_the_log_ins(db, capsys):
    call_command("demo")
    out = capsys.readouterr().out
    assert Hospital.objects.get().is_demo
    for username in DEMO_USERS:
        assert username in out
    assert DEMO_PASSWORD in out
    assert (
        "director, vicedirector, manager, deputy, admin set up an authenticator "
        "app at their first log-in" in " ".join(out.split())
    )


def test_a_second_demo_run_refuses_and_changes_nothing(db, capsys):
    call_command("demo")
    records = AuditRecord.objects.count()
    with pytest.raises(CommandError, match="already has data"):
        call_command("demo")
    assert Hospital.objects.count() == 1
    assert AuditRecord.objects.count() == records


def test_the_demo_refuses_next_to_a_real_hospital(db):
    Hospital.objects.create(name="実在しない病院")
    with pytest.raises(CommandError, match="already has data"):
        call_command("demo")
    assert not Person.objects.exists()


def test_if_empty_loads_once_and_then_prints_the_log_ins_again(db, capsys):
    call_command("demo", "--if-empty")
    first = capsys.readouterr().out
    call_command("demo", "--if-empty")
    second = capsys.readouterr().out

    assert "medir-demo-2026" in first
    assert "already loaded" in second
    assert "medir-demo-2026" in second
    assert Hospital.objects.count() == 1
