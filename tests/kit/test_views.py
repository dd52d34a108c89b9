"""The kit page /kit/ and its download /kit/download/."""

import pytest

from medir.audit.models import AuditRecord
from medir.kit.models import KitPrint
from medir.kit.services import record_kit_printed


@pytest.mark.parametrize("persona", ["manager", "director", "admin"])
def test_those_who_keep_the_kit_current_may_open_the_page(persona, request, client_for):
    user = request.getfixturevalue(persona)

    response = client_for(user).get("/kit/")

    assert response.status_code == 200
    assert b'id="download-kit"' in response.content
    assert b'id="never-printed"' in response.content


@pytest.mark.parametrize("persona", ["nurse", "vendor"])
def test_staff_and_outside_parties_may_not_print_the_kit(persona, request, client_for):
    client = client_for(request.getfixturevalue(persona))

    assert client.get("/kit/").status_code == 403
    assert client.post("/kit/download/").status_code == 403
    assert not KitPrint.objects.exists()


def test_it_asks_an_outsider_to_log_in(client, db):
    response = client.get("/kit/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_page_shows_the_last_print_and_its_data_version(
    manager, client_for, fake_kit
):
    kit = fake_kit()
    record_kit_printed(kit, actor=manager, via="web")

    page = client_for(manager).get("/kit/").content.decode()

    assert f'<code id="last-version">{kit.data_version}</code>' in page
    assert "令和" in page
    assert 'data-reason=""' in page


def test_the_download_is_a_post(manager, client_for):
    assert client_for(manager).get("/kit/download/").status_code == 405


def test_downloading_the_kit_records_the_print(manager, manager_phone, client_for):
    response = client_for(manager).post("/kit/download/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "attachment;" in response["Content-Disposition"]
    printed = KitPrint.objects.get()
    assert printed.printed_by == manager
    assert printed.via == "web"
    record = AuditRecord.objects.get(action="kit.printed")
    assert record.actor == manager
    assert record.after["data_version"] == printed.data_version


def test_the_page_and_the_reminder_are_in_japanese_by_default(manager, client_for):
    client = client_for(manager)

    assert "キットの PDF をダウンロード" in client.get("/kit/").content.decode()
    dashboard = client.get("/incidents/").content.decode()
    assert "紙運用キットがまだ印刷されていません" in dashboard
