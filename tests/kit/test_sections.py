"""The data version: a hash of exactly what the kit prints."""

from django.utils import timezone

from medir.contacts.services import save_call_tree_link
from medir.kit.sections import collect_contacts, current_data_version
from medir.network.services import add_segment
from medir.organisation.models import System
from medir.organisation.services import append_maintenance_log_entry, create_person


def test_the_same_data_gives_the_same_version(manager_phone):
    assert current_data_version() == current_data_version()
    assert len(current_data_version()) == 12


def test_a_changed_phone_number_changes_the_version(manager_phone):
    before = current_data_version()
    manager_phone.value = "0120-000-556"
    manager_phone.save()

    assert current_data_version() != before


def test_a_changed_public_url_changes_the_version(db, settings):
    before = current_data_version()
    settings.PUBLIC_URL = "https://medir.other.example.jp"

    assert current_data_version() != before


def test_work_the_kit_does_not_print_leaves_the_version_alone(ehr_vendor):
    system = System.objects.create(name="電子カルテ", kind="ehr", vendor=ehr_vendor)
    before = current_data_version()
    append_maintenance_log_entry(
        system,
        actor=None,
        performed_at=timezone.now(),
        performed_by="保守担当",
        summary="月例パッチ",
    )

    assert current_data_version() == before


def test_a_new_network_segment_changes_the_version(db):
    before = current_data_version()
    add_segment(actor=None, name="検査系", purpose="medical_devices")

    assert current_data_version() != before


def test_a_new_call_in_the_call_tree_changes_the_version(manager, director):
    before = current_data_version()
    save_call_tree_link(
        None,
        actor=None,
        caller=manager.person,
        callee_person=director.person,
        position=1,
        when="always",
    )

    assert current_data_version() != before


def test_deputies_follow_the_person_they_stand_in_for(manager, director):
    create_person(
        actor=None,
        display_name="代理F",
        roles=["security_manager"],
        deputy_for=manager.person,
    )
    create_person(actor=None, display_name="安全管理者A", roles=["security_manager"])

    names = [p["name"] for p in collect_contacts()["security_managers"]]

    assert names == ["安全管理者A", "情報システム責任者B", "代理F"]
