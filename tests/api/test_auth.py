import hashlib
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from medir.api.models import ApiToken
from medir.api.services import issue_api_token, revoke_api_token
from medir.audit.models import AuditRecord
from medir.audit.services import verify_audit_chain
from tests.api.conftest import ApiClient
from tests.conftest import pass_second_factor
from tests.incidents.factories import report_ransom_note


def test_a_request_without_credentials_is_refused(api_as, nurse, nothing_changes):
    incident = report_ransom_note(nurse)
    nobody = api_as(None)

    with nothing_changes():
        reading = nobody.get("/api/incidents")
        writing = nobody.post(
            f"/api/incidents/{incident.number}/dismiss", {"reason": "誤報"}
        )

    for response in (reading, writing):
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert "Authorization: Bearer" in response.json()["detail"]


def test_a_wrong_token_is_refused(db):
    response = ApiClient("medir_not-a-real-token").get("/api/incidents")

    assert response.status_code == 401
    assert response.json()["detail"] == "APIトークンが誤っているか、失効しています。"


def test_a_wrong_token_is_refused_even_beside_a_valid_session(client_for, manager):
    client = client_for(manager)

    response = client.get(
        "/api/incidents", headers={"Authorization": "Bearer medir_wrong"}
    )

    assert response.status_code == 401


def test_a_revoked_token_is_refused(manager):
    issued = issue_api_token(manager, actor=None)
    revoke_api_token(issued.row, actor=None)

    response = ApiClient(issued.token).get("/api/incidents")

    assert response.status_code == 401


def test_a_token_of_a_deactivated_account_is_refused(manager):
    issued = issue_api_token(manager, actor=None)
    manager.is_active = False
    manager.save()

    assert ApiClient(issued.token).get("/api/incidents").status_code == 401


def test_using_a_token_records_when_it_was_last_used(manager):
    issued = issue_api_token(manager, actor=None)
    assert issued.row.last_used_at is None

    response = ApiClient(issued.token).get("/api/me")

    assert response.status_code == 200
    assert response.json() == {
        "username": "manager",
        "name": "情報システム責任者B",
        "roles": ["security_manager"],
    }
    issued.row.refresh_from_db()
    assert issued.row.last_used_at is not None


def test_only_the_digest_and_a_short_prefix_of_a_token_are_stored(manager):
    issued = issue_api_token(manager, actor=None, label="監視スクリプト")

    row = ApiToken.objects.get()
    assert row.digest == hashlib.sha256(issued.token.encode()).hexdigest()
    assert issued.token.startswith(row.prefix)
    assert len(row.prefix) < len(issued.token) // 2
    stored = json.dumps(list(ApiToken.objects.values()), default=str)
    assert issued.token not in stored


def test_issuing_and_revoking_a_token_are_audited(manager, director):
    issued = issue_api_token(manager, actor=director, label="監視")
    revoke_api_token(issued.row, actor=director)

    actions = list(AuditRecord.objects.values_list("action", "actor_label"))
    assert actions[-2:] == [
        ("api_token.issued", "director"),
        ("api_token.revoked", "director"),
    ]
    assert issued.token not in json.dumps(
        list(AuditRecord.objects.values("before", "after"))
    )
    assert verify_audit_chain().ok


def test_the_issue_command_prints_a_working_token_once(manager):
    out, err = io.StringIO(), io.StringIO()

    call_command("issue_api_token", "manager", label="夜間監視", stdout=out, stderr=err)

    token = out.getvalue().strip()
    assert token.startswith("medir_")
    assert token not in err.getvalue()
    assert ApiToken.objects.get().label == "夜間監視"
    assert ApiClient(token).get("/api/me").status_code == 200


def test_the_issue_command_refuses_an_unknown_account(db):
    with pytest.raises(CommandError, match="No account named 'ghost'"):
        call_command("issue_api_token", "ghost")

    assert not ApiToken.objects.exists()


def test_the_revoke_command_revokes_one_token_by_its_prefix(manager):
    kept = issue_api_token(manager, actor=None)
    revoked = issue_api_token(manager, actor=None)

    call_command("revoke_api_token", revoked.row.prefix, stdout=io.StringIO())

    assert ApiClient(revoked.token).get("/api/me").status_code == 401
    assert ApiClient(kept.token).get("/api/me").status_code == 200


def test_the_revoke_command_revokes_every_token_of_an_account(manager, director):
    first = issue_api_token(manager, actor=None)
    second = issue_api_token(manager, actor=None)
    other = issue_api_token(director, actor=None)

    call_command("revoke_api_token", user="manager", stdout=io.StringIO())

    assert ApiClient(first.token).get("/api/me").status_code == 401
    assert ApiClient(second.token).get("/api/me").status_code == 401
    assert ApiClient(other.token).get("/api/me").status_code == 200


def test_the_revoke_command_lists_active_tokens_without_changing_them(manager):
    issued = issue_api_token(manager, actor=None, label="監視")
    out = io.StringIO()

    call_command("revoke_api_token", list_tokens=True, stdout=out)

    assert issued.row.prefix in out.getvalue()
    assert issued.token not in out.getvalue()
    assert ApiToken.objects.get().revoked_at is None


def test_the_revoke_command_needs_to_be_told_what_to_revoke(manager):
    issue_api_token(manager, actor=None)

    with pytest.raises(CommandError, match="either a token prefix or --user"):
        call_command("revoke_api_token")
    with pytest.raises(CommandError, match="No active token matches"):
        call_command("revoke_api_token", "medir_nothing")

    assert ApiToken.objects.get().revoked_at is None


def test_the_browser_session_may_use_the_api(client_for, manager):
    response = client_for(manager).get("/api/me")

    assert response.status_code == 200
    assert response.json()["username"] == "manager"


def test_a_session_write_without_the_csrf_token_is_refused(
    manager, nurse, nothing_changes
):
    incident = report_ransom_note(nurse)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(manager)
    pass_second_factor(browser, manager)

    with nothing_changes():
        response = browser.post(
            f"/api/incidents/{incident.number}/confirm",
            data="{}",
            content_type="application/json",
        )

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_a_session_write_with_the_csrf_token_is_accepted(manager, nurse):
    incident = report_ransom_note(nurse)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(manager)
    pass_second_factor(browser, manager)
    browser.get("/api/docs")  # sets the CSRF cookie, as any page does
    csrf_token = browser.cookies["csrftoken"].value

    response = browser.post(
        f"/api/incidents/{incident.number}/confirm",
        data="{}",
        content_type="application/json",
        headers={"X-CSRFToken": csrf_token},
    )

    assert response.status_code == 200
    assert response.json()["state"] == "open"


def test_a_token_write_needs_no_csrf_token(api_as, manager, nurse):
    incident = report_ransom_note(nurse)

    response = api_as(manager).post(f"/api/incidents/{incident.number}/confirm", {})

    assert response.status_code == 200
