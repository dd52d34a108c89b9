"""The operator is warned before posters with a local-only QR code go up."""

import subprocess
import sys

import pytest

from medir.kit.checks import check_public_url
from tests.processes import child_env


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


def test_the_deployment_check_names_a_local_public_url(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "medir", "manage", "check", "--deploy"],
        env=child_env(tmp_path, MEDIR_PUBLIC_URL="http://127.0.0.1:8000"),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert "medir.W001" in result.stderr + result.stdout
