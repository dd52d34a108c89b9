"""Production settings pass Django's deployment checks, and every page
carries the security headers and the session lifetime."""

import os
import subprocess
import sys

from django.conf import settings as django_settings


def medir(tmp_path, *args, **env):
    return subprocess.run(
        [sys.executable, "-m", "medir", "manage", *args],
        env={
            **{
                key: value
                for key, value in os.environ.items()
                # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for
                # themselves; a production server never has it.
                if not key.startswith("MEDIR_")
                and key not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
            },
            "MEDIR_DATA_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_an_https_public_url(tmp_path):
    result = medir(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        MEDIR_PUBLIC_URL="https://medir.hospital.example.jp",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_session_lasts_medir_session_hours(tmp_path):
    result = medir(
        tmp_path,
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SESSION_COOKIE_AGE)",
        MEDIR_SESSION_HOURS="3",
    )

    assert result.stdout.strip().splitlines()[-1] == str(3 * 3600), result.stderr


def test_pages_carry_the_csp_and_the_session_expiry(client_for, manager):
    response = client_for(manager).get("/incidents/")

    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == django_settings.SESSION_COOKIE_AGE == 12 * 3600
    assert response["X-Frame-Options"] == "DENY"


def test_the_two_factor_pages_carry_the_csp_too(client, manager):
    client.post("/login/", {"username": "manager", "password": "x"})
    response = client.get("/break-glass/")

    assert "default-src 'self'" in response["Content-Security-Policy"]
