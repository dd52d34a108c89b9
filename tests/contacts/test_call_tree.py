"""The call tree: edited in MedIR, shown as a printable tree, and given to
the paper kit as plain data."""

import pytest

from medir.audit.models import AuditRecord
from medir.contacts import services
from medir.contacts.models import CallTreeLink
from medir.contacts.selectors import call_tree
from medir.organisation.models import ContactChannel


@pytest.fixture
def tree(nurse, manager, director, ehr_vendor):
    ContactChannel.objects.create(
        person=manager.person, kind="mobile", value="090-0000-1003", order=2
    )
    ContactChannel.objects.create(
        person=manager.person, kind="phone", value="0120-000-103", order=1
    )
    ContactChannel.objects.create(
        organisation=ehr_vendor, kind="phone", value="0120-000-202"
    )
    save = services.save_call_tree_link
    save(None, actor=manager, caller=nurse.person, callee_person=manager.person)
    save(
        None,
        actor=manager,
        caller=manager.person,
        callee_organisation=ehr_vendor,
        position=2,
        note="前日の保守作業を確認",
    )
    save(
        None,
        actor=manager,
        caller=manager.person,
        callee_person=director.person,
        position=1,
        when="attack",
    )


def test_call_tree_gives_plain_nested_data_in_order(tree):
    (root,) = call_tree()

    assert root["name"] == "看護師A"
    (to_manager,) = root["calls"]
    manager = to_manager["callee"]
    assert [c["value"] for c in manager["channels"]] == [
        "0120-000-103",
        "090-0000-1003",
    ]
    assert [
        (c["position"], c["when"], c["callee"]["name"]) for c in manager["calls"]
    ] == [
        (1, "attack", "病院長C"),
        (2, "always", "架空電子カルテ株式会社"),
    ]
    vendor = manager["calls"][1]["callee"]
    assert vendor["type"] == "organisation"
    assert vendor["calls"] == []
    assert manager["calls"][1]["note"] == "前日の保守作業を確認"


@pytest.mark.parametrize(
    "persona,status",
    [
        ("nurse", 200),
        ("manager", 200),
        ("director", 200),
        ("admin", 200),
        ("vendor", 403),
    ],
)
def test_who_reads_the_call_tree_page(request, client_for, persona, status):
    user = request.getfixturevalue(persona)

    assert client_for(user).get("/contacts/call-tree/").status_code == status


def test_the_call_tree_page_is_printable_and_shows_numbers(client_for, nurse, tree):
    text = client_for(nurse).get("/contacts/call-tree/").text

    assert 'id="call-tree"' in text
    assert "/static/contacts/print.css" in text
    assert "0120-000-202" in text
    assert 'id="call-tree-links"' not in text


def test_a_loop_in_the_call_tree_is_refused(manager, nurse, tree):
    with pytest.raises(services.ContactError, match="would go round"):
        services.save_call_tree_link(
            None, actor=manager, caller=manager.person, callee_person=nurse.person
        )


def test_a_link_needs_exactly_one_callee_and_nothing_is_stored(
    client_for, manager, director, ehr_vendor
):
    response = client_for(manager).post(
        "/contacts/call-tree/new/",
        {
            "caller": manager.person.pk,
            "callee_person": director.person.pk,
            "callee_organisation": ehr_vendor.pk,
            "position": 1,
            "when": "always",
        },
    )

    assert response.status_code == 400
    assert not CallTreeLink.objects.exists()


def test_the_manager_adds_and_removes_a_call_through_the_pages(
    client_for, manager, director
):
    client = client_for(manager)

    response = client.post(
        "/contacts/call-tree/new/",
        {
            "caller": manager.person.pk,
            "callee_person": director.person.pk,
            "position": 1,
            "when": "out_of_hours",
        },
    )
    assert response.status_code == 302
    link = CallTreeLink.objects.get()
    assert link.when == "out_of_hours"

    client.post(f"/contacts/call-tree/{link.pk}/delete/")
    assert not CallTreeLink.objects.exists()
    actions = AuditRecord.objects.filter(object_type="contacts.calltreelink")
    assert sorted(actions.values_list("action", flat=True)) == [
        "organisation.created",
        "organisation.deleted",
    ]


def test_the_demo_hospital_has_a_call_tree(db):
    from medir.organisation.demo import load_demo_hospital

    load_demo_hospital()

    roots = [node["name"] for node in call_tree()]
    assert roots == ["東 さくら", "西山 はるか"]
    assert CallTreeLink.objects.count() >= 10
