"""Break-glass accounts: sealed ahead of time, opened only on their own
page, and every use seen by those who should know."""

import io
import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from medir.accounts.models import BreakGlassAccount, BreakGlassState, BreakGlassUse
from medir.audit.models import AuditRecord
from medir.audit.services import verify_audit_chain
from medir.organisation.models import ChannelKind, ContactChannel
from tests.conftest import PASSWORD
from tests.deadlines.smtp import SmtpServer

PASSWORD_LINE = re.compile(r"Password:\s+(\S+)")


def create(name="glass1", *args) -> str:
    out = io.StringIO()
    call_command("create_break_glass", name, *args, stdout=out)
    return out.getvalue()


def password_from(output: str) -> str:
    return PASSWORD_LINE.search(output).group(1)


def break_glass_log_in(username, password, client=None):
    client = client or Client()
    response = client.post(
        "/break-glass/", {"username": username, "password": password}
    )
    return client, response


@pytest.fixture
def sealed(db):
    return password_from(create())


def test_creating_prints_the_password_once_and_stores_only_its_hash(db):
    output = create("glass1", "--roles", "security_manager")

    password = password_from(output)
    assert output.count(password) == 1
    account = BreakGlassAccount.objects.get(user__username="glass1")
    assert account.state == BreakGlassState.SEALED
    assert not account.user.is_active
    assert password not in account.user.password
    assert account.user.check_password(password)
    assert account.user.person.role_keys() == {"security_manager"}
    for record in AuditRecord.objects.all():
        assert password not in str(record.before) + str(record.after)
    assert AuditRecord.objects.filter(action="break_glass.created").count() == 1


def test_creating_refuses_an_existing_name_or_the_administrator_role(nurse):
    with pytest.raises(CommandError, match="exists already"):
        create("nurse")
    with pytest.raises(CommandError, match="roles must be some of"):
        create("glass2", "--roles", "administrator")
    assert not BreakGlassAccount.objects.exists()


def test_a_sealed_account_cannot_log_in_normally(sealed):
    client = Client()

    response = client.post("/login/", {"username": "glass1", "password": sealed})
    admin = client.post("/admin/login/", {"username": "glass1", "password": sealed})

    assert response.status_code == 200
    assert "ユーザー名またはパスワードが正しくありません" in response.content.decode()
    assert admin.status_code == 200
    assert client.get("/incidents/").status_code == 302
    assert not BreakGlassUse.objects.exists()


def test_the_break_glass_page_opens_it_without_a_second_factor(sealed):
    client, response = break_glass_log_in("glass1", sealed)

    assert response["Location"] == "/incidents/"
    page = client.get("/incidents/").content.decode()
    assert "緊急用アカウントでログインしています" in page
    assert 'id="break-glass-uses"' in page
    account = BreakGlassAccount.objects.get()
    assert account.state == BreakGlassState.USED
    assert account.user.is_active
    record = AuditRecord.objects.get(action="break_glass.used")
    assert record.after["username"] == "glass1"
    assert record.after["first_use"] is True
    assert verify_audit_chain().ok


def test_after_use_it_still_logs_in_only_on_its_page(sealed):
    break_glass_log_in("glass1", sealed)

    response = Client().post("/login/", {"username": "glass1", "password": sealed})

    assert response.status_code == 200
    _client, again = break_glass_log_in("glass1", sealed)
    assert again.status_code == 302
    assert BreakGlassUse.objects.count() == 2


def test_a_normal_account_cannot_use_the_break_glass_page(nurse):
    _client, response = break_glass_log_in("nurse", PASSWORD)

    assert response.status_code == 200
    assert "ユーザー名またはパスワードが正しくないか" in response.content.decode()


def test_the_use_shows_on_the_dashboard_of_those_who_watch_until_acknowledged(
    sealed, client_for, director, manager, admin, nurse
):
    break_glass_log_in("glass1", sealed)

    director_page = client_for(director).get("/incidents/").content.decode()
    assert 'id="break-glass-uses"' in director_page
    assert "パスワードを変更してください" in director_page
    assert "確認済みにする" not in director_page
    assert 'id="break-glass-uses"' in (
        client_for(manager).get("/incidents/").content.decode()
    )
    assert 'id="break-glass-uses"' not in (
        client_for(nurse).get("/incidents/").content.decode()
    )
    use = BreakGlassUse.objects.get()
    refused = client_for(director).post(
        f"/accounts/break-glass/uses/{use.pk}/acknowledge/"
    )
    assert refused.status_code == 403

    administrator = client_for(admin)
    assert "確認済みにする" in administrator.get("/incidents/").content.decode()
    administrator.post(f"/accounts/break-glass/uses/{use.pk}/acknowledge/")

    use.refresh_from_db()
    assert use.acknowledged_by == admin
    page = client_for(director).get("/incidents/").content.decode()
    assert f'data-use="{use.pk}"' not in page
    # The password still has to change after the incident.
    assert "パスワードを変更してください" in page
    assert AuditRecord.objects.filter(action="break_glass.acknowledged").count() == 1


def test_each_use_is_mailed_to_the_administrators(
    sealed, admin, settings, django_capture_on_commit_callbacks
):
    admin.email = "it-admin@hospital.example.jp"
    admin.save()
    ContactChannel.objects.create(
        person=admin.person, kind=ChannelKind.EMAIL, value="it-desk@hospital.example.jp"
    )
    with SmtpServer() as smtp:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = smtp.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.MEDIR_MAIL_ENABLED = True
        settings.DEFAULT_FROM_EMAIL = "medir@hospital.example.jp"

        with django_capture_on_commit_callbacks(execute=True):
            break_glass_log_in("glass1", sealed)

        assert smtp.inbox.wait_for(2, timeout=10)
    assert sorted(smtp.inbox.recipients) == [
        "it-admin@hospital.example.jp",
        "it-desk@hospital.example.jp",
    ]
    message = smtp.inbox.messages[0]
    assert "glass1" in message["Subject"]
    assert "緊急用アカウントが使用されました" in message["Subject"]
    body = message.get_content()
    assert "retire_break_glass glass1" in body
    assert sealed not in body


def test_without_a_mail_server_nothing_is_sent(
    sealed, admin, settings, django_capture_on_commit_callbacks
):
    admin.email = "it-admin@hospital.example.jp"
    admin.save()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIR_MAIL_ENABLED = False

    with django_capture_on_commit_callbacks(execute=True):
        _client, response = break_glass_log_in("glass1", sealed)

    assert response.status_code == 302
    assert mail.outbox == []


def test_retiring_is_a_dry_run_unless_told(sealed):
    out = io.StringIO()
    call_command("retire_break_glass", "glass1", stdout=out)

    assert "Would retire" in out.getvalue()
    assert BreakGlassAccount.objects.get().state == BreakGlassState.SEALED


def test_a_retired_account_never_logs_in_and_its_session_ends(sealed):
    client, _response = break_glass_log_in("glass1", sealed)

    call_command("retire_break_glass", "glass1", "--yes", stdout=io.StringIO())

    assert client.get("/incidents/").status_code == 302
    _client, response = break_glass_log_in("glass1", sealed)
    assert response.status_code == 200
    assert BreakGlassAccount.objects.get().state == BreakGlassState.RETIRED
    assert AuditRecord.objects.filter(action="break_glass.retired").count() == 1


def test_resealing_prints_a_new_password_and_seals_it_again(sealed):
    break_glass_log_in("glass1", sealed)
    out = io.StringIO()

    call_command("retire_break_glass", "glass1", "--reseal", "--yes", stdout=out)

    new_password = password_from(out.getvalue())
    assert new_password != sealed
    account = BreakGlassAccount.objects.get()
    assert account.state == BreakGlassState.SEALED
    assert not account.user.is_active
    assert break_glass_log_in("glass1", sealed)[1].status_code == 200
    assert break_glass_log_in("glass1", new_password)[1].status_code == 302


def test_wrong_break_glass_passwords_are_locked_out_too(sealed):
    for _ in range(10):
        _client, response = break_glass_log_in("glass1", "wrong")

    assert response.status_code == 429
    assert break_glass_log_in("glass1", sealed)[1].status_code == 429


def test_a_break_glass_account_cannot_be_tied_to_a_phone(sealed):
    client, _response = break_glass_log_in("glass1", sealed)

    response = client.get("/accounts/two-factor/enrol/")

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user__username="glass1").exists()


def test_resealing_removes_any_app_tied_to_the_account(sealed):
    user = BreakGlassAccount.objects.get().user
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    call_command(
        "retire_break_glass", "glass1", "--reseal", "--yes", stdout=io.StringIO()
    )

    assert not TOTPDevice.objects.filter(user=user).exists()


def test_a_break_glass_account_is_nobody_to_call(sealed, manager, client_for):
    report_page = Client().get("/report/").content.decode()
    directory = client_for(manager).get("/contacts/").content.decode()

    assert "glass1" not in report_page
    assert "glass1" not in directory
