"""The network pages at their literal URLs, for each persona."""

import pytest
from django.conf import settings

from medir.audit.models import AuditRecord
from medir.network.models import AssetVersion, SegmentVersion
from medir.network.selectors import network_as_of


def _in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.parametrize(
    "url", ["/network/", "/network/history/", "/network/diagram.svg"]
)
def test_it_asks_an_anonymous_visitor_to_log_in(client, db, url):
    page = client.get(url)

    assert page.status_code == 302
    assert page["Location"].startswith("/login/")


@pytest.mark.parametrize("persona", ["manager", "director", "admin"])
@pytest.mark.parametrize(
    "url",
    ["/network/", "/network/history/", "/network/diagram.svg", "/network/export.csv"],
)
def test_management_the_manager_and_administrators_may_read(
    request, client_for, small_network, persona, url
):
    user = request.getfixturevalue(persona)

    page = client_for(user).get(url)

    assert page.status_code == 200


@pytest.mark.parametrize("persona", ["nurse", "vendor"])
@pytest.mark.parametrize(
    "url",
    ["/network/", "/network/history/", "/network/diagram.svg", "/network/export.csv"],
)
def test_staff_and_outside_parties_may_not_read(
    request, client_for, small_network, persona, url
):
    user = request.getfixturevalue(persona)

    assert client_for(user).get(url).status_code == 403


def test_the_page_shows_the_diagram_inline_and_the_tables(
    client_for, small_network, manager
):
    text = client_for(manager).get("/network/").content.decode()

    assert '<svg xmlns="http://www.w3.org/2000/svg"' in text
    assert 'id="segments"' in text
    assert "電子カルテサーバ" in text
    assert "インターネット" in text
    assert 'id="add-asset-form"' in text


def test_the_director_sees_the_page_without_forms(client_for, small_network, director):
    text = client_for(director).get("/network/").content.decode()

    assert "電子カルテサーバ" in text
    assert 'id="add-asset-form"' not in text
    assert "/remove/" not in text


def test_the_manager_adds_a_segment(client_for, small_network, manager):
    page = client_for(manager).post(
        "/network/segments/add/",
        {"name": "事務系", "purpose": "office", "name_en": "Office"},
    )

    assert page.status_code == 302
    assert SegmentVersion.objects.current().filter(name="事務系").exists()
    assert AuditRecord.objects.filter(
        action="network.segment.added", actor=manager
    ).exists()


def test_the_administrator_adds_an_asset_in_a_segment(client_for, small_network, admin):
    page = client_for(admin).post(
        "/network/assets/add/",
        {"kind": "server", "name": "PACSサーバ", "segment": small_network["ehr"].pk},
    )

    assert page.status_code == 302
    version = AssetVersion.objects.current().get(name="PACSサーバ")
    assert version.segment == small_network["ehr"]


@pytest.mark.parametrize("persona", ["director", "nurse", "vendor"])
def test_only_the_manager_and_administrators_may_change(
    request, client_for, small_network, persona
):
    user = request.getfixturevalue(persona)
    client = client_for(user)

    added = client.post("/network/segments/add/", {"name": "X", "purpose": "other"})
    removed = client.post(f"/network/external/{small_network['internet'].pk}/remove/")

    assert added.status_code == 403
    assert removed.status_code == 403
    assert not SegmentVersion.objects.filter(name="X").exists()
    assert len(network_as_of().externals) == 1


def test_a_duplicate_name_is_refused_beside_the_form(
    client_for, small_network, manager
):
    page = _in_english(client_for(manager)).post(
        "/network/segments/add/", {"name": "電子カルテ系", "purpose": "ehr"}
    )

    assert page.status_code == 400
    assert "taken; names must be unique" in page.content.decode()
    assert SegmentVersion.objects.filter(name="電子カルテ系").count() == 1


def test_the_manager_changes_an_asset_and_the_old_details_stay(
    client_for, small_network, manager
):
    server = small_network["server"]
    client = client_for(manager)

    form = client.get(f"/network/assets/{server.pk}/edit/")
    page = client.post(
        f"/network/assets/{server.pk}/edit/",
        {
            "kind": "server",
            "name": "電子カルテDBサーバ",
            "segment": small_network["ehr"].pk,
        },
    )

    assert form.status_code == 200
    assert "電子カルテサーバ" in form.content.decode()
    assert page.status_code == 302
    names = list(
        AssetVersion.objects.filter(asset=server)
        .order_by("valid_from")
        .values_list("name", flat=True)
    )
    assert names == ["電子カルテサーバ", "電子カルテDBサーバ"]


def test_removing_an_asset_with_connections_is_refused_with_a_reason(
    client_for, small_network, manager
):
    page = _in_english(client_for(manager)).post(
        f"/network/assets/{small_network['switch'].pk}/remove/"
    )

    assert page.status_code == 400
    assert "still has connections" in page.content.decode()
    assert AssetVersion.objects.current().count() == 3


def test_the_manager_removes_an_external_connection(client_for, small_network, manager):
    page = client_for(manager).post(
        f"/network/external/{small_network['internet'].pk}/remove/"
    )

    assert page.status_code == 302
    assert network_as_of().externals == []
    assert small_network["internet"].versions.get().removed


def test_an_unknown_kind_is_not_found(client_for, small_network, manager):
    assert client_for(manager).post("/network/toasters/add/", {}).status_code == 404


def test_as_of_an_earlier_day_shows_the_network_as_it_was(
    client_for, small_network, manager, long_ago
):
    client = client_for(manager)
    client.post("/network/assets/add/", {"kind": "remote_access", "name": "新VPN装置"})
    earlier = (long_ago.date()).isoformat()

    now = client.get("/network/").content.decode()
    then = client.get(f"/network/?as_of={earlier}").content.decode()

    assert "新VPN装置" in now
    assert "新VPN装置" not in then
    assert "電子カルテサーバ" in then
    assert 'id="as-of-note"' in then
    assert 'id="add-asset-form"' not in then


@pytest.mark.parametrize("value", ["2026-02-30", "yesterday", "2026-13-01T10:00"])
def test_a_malformed_as_of_says_so_in_japanese(
    client_for, small_network, manager, value
):
    page = client_for(manager).get(f"/network/?as_of={value}")

    assert page.status_code == 400
    text = page.content.decode()
    assert 'id="as-of-error"' in text
    assert "日付" in text


def test_a_malformed_as_of_says_so_in_english(client_for, small_network, manager):
    page = _in_english(client_for(manager)).get("/network/?as_of=31/12/2025")

    assert page.status_code == 400
    assert "is not a date like 2026-04-01" in page.content.decode()


def test_a_future_as_of_is_refused(client_for, small_network, manager):
    page = _in_english(client_for(manager)).get("/network/diagram.svg?as_of=2999-01-01")

    assert page.status_code == 400
    assert "in the future" in page.content.decode()


def test_the_svg_is_served_as_an_image(client_for, small_network, manager):
    page = client_for(manager).get("/network/diagram.svg")

    assert page["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert page.content.decode().startswith("<svg")


def test_the_history_page_says_who_changed_what(client_for, small_network, manager):
    client = client_for(manager)
    client.post(
        f"/network/assets/{small_network['server'].pk}/edit/",
        {"kind": "server", "name": "DBサーバ", "segment": small_network["ehr"].pk},
    )

    text = _in_english(client).get("/network/history/").content.decode()

    assert "manager" in text
    assert "電子カルテサーバ → DBサーバ" in text
    assert 'data-action="changed"' in text
    assert text.count('data-action="added"') == 8


def test_the_dashboard_links_the_diagram_for_the_manager(
    client_for, small_network, manager
):
    text = client_for(manager).get("/incidents/").content.decode()

    assert 'href="/network/"' in text


def test_the_dashboard_does_not_link_the_diagram_for_a_nurse(
    client_for, small_network, nurse
):
    text = client_for(nurse).get("/incidents/").content.decode()

    assert 'href="/network/"' not in text
