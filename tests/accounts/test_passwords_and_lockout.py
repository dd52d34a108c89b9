"""Passwords are hashed with Argon2, and repeated wrong passwords lock one
user name from one address out for a while."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from medir import settings as medir_settings
from medir.audit.models import AuditRecord
from medir.audit.services import verify_audit_chain
from tests.conftest import PASSWORD

WARD_ADDRESS = "10.4.0.20"
OTHER_ADDRESS = "10.9.0.7"


@pytest.fixture
def real_hashers(settings):
    # conftest swaps in MD5 for speed; these tests are about the real list.
    settings.PASSWORD_HASHERS = medir_settings.PASSWORD_HASHERS


def log_in(client, username, password, address, path="/login/"):
    return client.post(
        path, {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_a_new_password_is_hashed_with_argon2(db, real_hashers):
    user = get_user_model().objects.create_user("newcomer", password=PASSWORD)

    assert user.password.startswith("argon2$")
    assert user.check_password(PASSWORD)


def test_an_old_pbkdf2_password_is_rehashed_with_argon2_at_log_in(
    db, client, real_hashers
):
    user = get_user_model().objects.create(
        username="veteran",
        password=make_password(PASSWORD, hasher="pbkdf2_sha256"),
    )
    assert user.password.startswith("pbkdf2_sha256$")

    response = log_in(client, "veteran", PASSWORD, WARD_ADDRESS)

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")


def test_ten_wrong_passwords_lock_that_user_name_from_that_address_only(
    client, nurse, manager
):
    for attempt in range(9):
        response = log_in(client, "nurse", "wrong", WARD_ADDRESS)
        assert response.status_code == 200, attempt
        assert "ユーザー名またはパスワードが正しくありません" in (
            response.content.decode()
        )

    response = log_in(client, "nurse", "wrong", WARD_ADDRESS)

    assert response.status_code == 429
    page = response.content.decode()
    assert "ログインを一時的に止めています" in page
    assert "15分後にもう一度お試しください" in page
    # Now even the right password is refused from that address …
    response = log_in(client, "nurse", PASSWORD, WARD_ADDRESS)
    assert response.status_code == 429
    # … while the same nurse elsewhere, and a colleague on the same ward
    # network, still log in.
    assert log_in(client, "nurse", PASSWORD, OTHER_ADDRESS).status_code == 302
    assert log_in(client, "manager", PASSWORD, WARD_ADDRESS).status_code == 302

    records = AuditRecord.objects.filter(action="account.locked_out")
    assert records.count() == 1
    record = records.get()
    assert record.object_id == "nurse"
    assert record.after["ip_address"] == WARD_ADDRESS
    assert record.after["failures"] == 10
    assert verify_audit_chain().ok


def test_the_lock_out_page_answers_in_english_to_whoever_chose_english(client, nurse):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(10):
        response = client.post(
            "/login/",
            {"username": "nurse", "password": "wrong"},
            REMOTE_ADDR=WARD_ADDRESS,
        )
    assert response.status_code == 429
    assert "Try again in 15 minutes" in response.content.decode()


def test_the_admin_log_in_is_locked_out_too(client, admin):
    for _ in range(10):
        response = log_in(client, "admin", "wrong", WARD_ADDRESS, "/admin/login/")

    assert response.status_code == 429
    assert (
        log_in(client, "admin", PASSWORD, WARD_ADDRESS, "/admin/login/").status_code
        == 429
    )
    assert AuditRecord.objects.filter(action="account.locked_out").count() == 1


def test_a_right_password_clears_earlier_failures(client, nurse):
    for _ in range(9):
        log_in(client, "nurse", "wrong", WARD_ADDRESS)
    assert log_in(client, "nurse", PASSWORD, WARD_ADDRESS).status_code == 302
    client.post("/logout/")

    response = log_in(client, "nurse", "wrong", WARD_ADDRESS)

    assert response.status_code == 200


def test_force_login_is_not_affected_by_the_lock_out(client_for, nurse, client):
    for _ in range(10):
        log_in(client, "nurse", "wrong", "127.0.0.1")

    assert client_for(nurse).get("/incidents/").status_code == 200
