"""Management, the security manager and administrators pass a code from
an authenticator app (or a recovery code) after their password; staff may
choose to."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from ninja.errors import HttpError

from medir.api.auth import SessionAuth
from medir.api.services import issue_api_token
from medir.audit.models import AuditRecord
from medir.audit.services import verify_audit_chain
from tests.conftest import PASSWORD, confirmed_device, totp_code

ENROL = "/accounts/two-factor/enrol/"
VERIFY = "/accounts/two-factor/verify/"


def log_in(username, client=None) -> Client:
    client = client or Client()
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def wrong_code(device) -> str:
    right = totp_code(device)
    return "000000" if right != "000000" else "111111"


def with_recovery_codes(user, *codes) -> None:
    device = StaticDevice.objects.create(user=user, name="recovery codes")
    for code in codes:
        StaticToken.objects.create(device=device, token=code)


def test_a_security_manager_without_an_app_is_sent_to_set_one_up(manager):
    client = log_in("manager")

    response = client.get("/incidents/")

    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=%2Fincidents%2F"
    page = client.get(response["Location"]).content.decode()
    assert "二要素認証の設定" in page
    assert "<svg" in page
    assert TOTPDevice.objects.filter(user=manager, confirmed=False).exists()
    secret = page.split('id="totp-secret">')[1].split("<")[0]
    assert len(secret.replace(" ", "")) == 32


def test_the_code_from_the_app_confirms_it_and_ten_recovery_codes_show_once(
    manager,
):
    client = log_in("manager")
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=manager, confirmed=False)

    response = client.post(ENROL, {"code": totp_code(device), "next": "/incidents/"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "リカバリーコード" in page
    codes = page.split('<ol class="recovery-codes">')[1].split("</ol>")[0]
    assert codes.count("<li>") == 10
    assert StaticToken.objects.filter(device__user=manager).count() == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/incidents/").status_code == 200
    # Never again: the set-up page now says it is done.
    again = client.get(ENROL, follow=True)
    assert '<ol class="recovery-codes">' not in again.content.decode()
    assert "すでに設定されています" in again.content.decode()
    record = AuditRecord.objects.get(action="two_factor.enrolled")
    assert record.actor == manager
    assert record.after == {"device": "totp", "recovery_codes": 10}
    assert verify_audit_chain().ok


def test_a_wrong_code_does_not_confirm_the_app(manager):
    client = log_in("manager")
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=manager, confirmed=False)

    response = client.post(ENROL, {"code": wrong_code(device)})

    assert response.status_code == 200
    assert "コードが正しくありません" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/incidents/").status_code == 302


def test_with_an_app_the_dashboard_needs_a_code(manager):
    device = confirmed_device(manager)
    client = log_in("manager")

    assert client.get("/incidents/")["Location"] == f"{VERIFY}?next=%2Fincidents%2F"
    assert client.get("/contacts/").status_code == 302
    assert client.get("/admin/").status_code == 302
    api = client.get("/api/me")
    assert api.status_code == 403
    assert "認証アプリのコード" in api.json()["detail"]

    response = client.post(VERIFY, {"code": totp_code(device), "next": "/contacts/"})

    assert response["Location"] == "/contacts/"
    assert client.get("/incidents/").status_code == 200
    assert client.get("/api/me").status_code == 200
    assert AuditRecord.objects.filter(action="two_factor.verified").count() == 1


def test_a_wrong_code_is_refused_with_a_message(manager):
    device = confirmed_device(manager)
    client = log_in("manager")

    response = client.post(VERIFY, {"code": wrong_code(device)})

    assert response.status_code == 200
    assert "コードが正しくありません" in response.content.decode()
    assert client.get("/incidents/").status_code == 302
    assert not AuditRecord.objects.filter(action="two_factor.verified").exists()


def test_codes_right_after_a_wrong_one_are_slowed_down(manager):
    device = confirmed_device(manager)
    client = log_in("manager")
    client.post(VERIFY, {"code": wrong_code(device)})

    response = client.post(VERIFY, {"code": totp_code(device)})

    assert "数秒待って" in response.content.decode()
    assert client.get("/incidents/").status_code == 302


def test_a_recovery_code_works_once_only(director):
    confirmed_device(director)
    with_recovery_codes(director, "abcdabcdabcdabcd", "efghefghefghefgh")
    client = log_in("director")

    response = client.post(VERIFY, {"code": "ABCD abcd ABCD abcd"}, follow=True)

    assert response.status_code == 200
    assert "リカバリーコードを使いました" in response.content.decode()
    assert "残りは1個" in response.content.decode()
    record = AuditRecord.objects.get(action="two_factor.recovery_code_used")
    assert record.after == {"method": "recovery", "recovery_codes_left": 1}

    client.post("/logout/")
    again = log_in("director")
    response = again.post(VERIFY, {"code": "abcdabcdabcdabcd"})
    assert "コードが正しくありません" in response.content.decode()
    assert again.get("/incidents/").status_code == 302


def test_a_nurse_is_not_asked_for_a_code(nurse):
    client = log_in("nurse")

    assert client.get("/incidents/").status_code == 200
    status = client.get("/accounts/two-factor/").content.decode()
    assert 'data-enabled="no"' in status


def test_a_nurse_who_chose_an_app_is_asked_for_its_code(nurse):
    client = log_in("nurse")
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=nurse)
    client.post(ENROL, {"code": totp_code(device)})
    client.post("/logout/")

    client = log_in("nurse")

    assert client.get("/incidents/").status_code == 302
    assert client.post(VERIFY, {"code": totp_code(device)}).status_code == 302
    assert client.get("/incidents/").status_code == 200


def test_the_administrator_is_asked_for_a_code_in_the_admin_too(admin):
    client = Client()
    client.post("/admin/login/", {"username": "admin", "password": PASSWORD})

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(ENROL)


def test_an_api_token_needs_no_code(manager):
    confirmed_device(manager)
    token = issue_api_token(manager, actor=None, label="tests").token
    client = log_in("manager")

    response = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.json()["username"] == "manager"


def test_a_wrong_api_token_with_an_unverified_session_is_still_refused(manager):
    confirmed_device(manager)
    client = log_in("manager")

    response = client.get("/api/me", headers={"Authorization": "Bearer medir_wrong"})

    assert response.status_code == 401


def test_ten_wrong_codes_lock_the_log_in_like_wrong_passwords(manager, settings):
    # Without django-otp's slowing down, to reach axes's limit at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    device = confirmed_device(manager)
    client = log_in("manager")
    code = wrong_code(device)
    for attempt in range(9):
        assert client.post(VERIFY, {"code": code}).status_code == 200, attempt

    response = client.post(VERIFY, {"code": code})

    assert response.status_code == 429
    page = response.content.decode()
    assert "2要素認証のコード" in page
    assert "15分後にもう一度お試しください" in page
    # Logged out, and the password is locked for that pair too.
    assert client.get("/incidents/").status_code == 302
    again = client.post("/login/", {"username": "manager", "password": PASSWORD})
    assert again.status_code == 429
    assert AuditRecord.objects.filter(action="account.locked_out").count() == 1


def test_reset_is_a_dry_run_unless_told(manager):
    confirmed_device(manager)
    with_recovery_codes(manager, "abcdabcdabcdabcd")
    out = io.StringIO()

    call_command("reset_two_factor", "manager", stdout=out)

    assert "Would remove manager: 1 authenticator app(s), 1 unused" in out.getvalue()
    assert TOTPDevice.objects.filter(user=manager).exists()
    assert not AuditRecord.objects.filter(action="two_factor.reset").exists()


def test_reset_removes_the_app_and_codes_and_asks_to_set_up_again(manager):
    device = confirmed_device(manager)
    with_recovery_codes(manager, "abcdabcdabcdabcd")
    client = log_in("manager")
    client.post(VERIFY, {"code": totp_code(device)})
    assert client.get("/incidents/").status_code == 200

    call_command("reset_two_factor", "manager", "--yes", stdout=io.StringIO())

    assert not TOTPDevice.objects.filter(user=manager).exists()
    assert not StaticDevice.objects.filter(user=manager).exists()
    assert client.get("/incidents/")["Location"].startswith(ENROL)
    record = AuditRecord.objects.get(action="two_factor.reset")
    assert record.before == {"totp_devices": 1, "recovery_codes": 1}
    assert verify_audit_chain().ok


def test_reset_names_an_unknown_user(db):
    with pytest.raises(Exception, match="No user named 'nobody'"):
        call_command("reset_two_factor", "nobody", "--yes")


@pytest.mark.parametrize("header", ["Bearer\tx", "Bearer\xa0x", "bearer"])
def test_a_malformed_bearer_header_does_not_let_the_session_skip_the_code(
    director, header
):
    client = log_in("director")

    response = client.get("/api/incidents", HTTP_AUTHORIZATION=header)

    assert response.status_code in {401, 403}
    assert "incidents" not in response.json()


def test_the_api_refuses_a_session_that_owes_its_code_even_past_the_middleware(
    director, rf
):
    request = rf.get("/api/incidents")
    request.user = director
    director.is_verified = lambda: False

    with pytest.raises(HttpError) as refused:
        SessionAuth().authenticate(request, "session-key")

    assert refused.value.status_code == 403


def test_a_key_seen_in_another_session_is_worthless_once_the_owner_sets_up(
    manager,
):
    intruder = log_in("manager")
    intruder.get(ENROL)
    seen_key = TOTPDevice.objects.get(user=manager, confirmed=False).key

    owner = log_in("manager")
    owner.get(ENROL)
    device = TOTPDevice.objects.get(user=manager, confirmed=False)
    owner.post(ENROL, {"code": totp_code(device)})

    device.refresh_from_db()
    assert device.confirmed
    assert device.key != seen_key


def test_reloading_the_set_up_page_keeps_the_key_just_scanned(manager):
    client = log_in("manager")
    client.get(ENROL)
    first = TOTPDevice.objects.get(user=manager, confirmed=False).key

    client.get(ENROL)

    assert TOTPDevice.objects.get(user=manager, confirmed=False).key == first
