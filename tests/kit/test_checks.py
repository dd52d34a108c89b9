"""The operator is warned before posters with a local-only QR code go up."""

import pytest

from medir.kit.checks import check_public_url


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"]
)
def test_a_public_url_of_this_computer_only_is_warned_about(settings, url):
    settings.PUBLIC_URL = url

    warnings = check_public_url()

    assert [warning.id for warning in warnings] == ["medir.W001"]
    assert url in warnings[0].msg


def test_a_hospital_address_passes(settings):
    settings.PUBLIC_URL = "http://medir.hospital.local:8000"

    assert check_public_url() == []


def test_the_kit_page_warns_while_the_url_is_local(settings, manager, client_for):
    settings.PUBLIC_URL = "http://127.0.0.1:8000"
    local = client_for(manager).get("/kit/").content.decode()
    settings.PUBLIC_URL = "http://medir.hospital.local:8000"
    real = client_for(manager).get("/kit/").content.decode()

    assert 'id="public-url-warning"' in local
    assert "http://127.0.0.1:8000/report/" in local
    assert "このコンピュータの中だけのアドレス" in local
    assert 'id="public-url-warning"' not in real
