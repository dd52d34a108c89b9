"""Awkward and hostile requests: bad bytes, huge bodies, path-like and
Japanese file names, 和暦 and full-width dates, broken playbooks. Each is
either understood correctly or refused with a clear message, and a refusal
changes nothing."""

import hashlib
import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from medir.audit.models import AuditRecord
from medir.evidence.models import EvidenceItem
from medir.incidents.models import Incident, Report, TimelineEvent

pytestmark = pytest.mark.django_db

PLAYBOOK = Path(__file__).parents[2] / "src" / "medir" / "playbook" / "mhlw.yaml"


def counts():
    return {
        "reports": Report.objects.count(),
        "incidents": Incident.objects.count(),
        "events": TimelineEvent.objects.count(),
        "evidence": EvidenceItem.objects.count(),
        "audit": AuditRecord.objects.count(),
    }


def english(client):
    client.cookies["django_language"] = "en"
    return client


# --- Invalid UTF-8 ----------------------------------------------------------


def test_invalid_utf8_in_a_form_post_is_refused_with_400_and_stores_nothing(
    client_for, incident, manager
):
    client = english(client_for(manager))
    before = counts()

    response = client.post(
        f"/incidents/{incident.number}/steps/2-6/note/",
        data=b"text=%FF%FE%80broken",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert "The request is not valid UTF-8 text." in response.text
    assert counts() == before


def test_invalid_utf8_in_a_json_api_body_is_refused_with_400_and_stores_nothing(
    client, incident, manager
):
    from medir.api.services import issue_api_token

    token = issue_api_token(manager, actor=None, label="tests").token
    before = counts()

    response = client.post(
        f"/api/incidents/{incident.number}/timeline?lang=en",
        data=b'{"text": "\xff\xfe broken"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "The request is not valid UTF-8 text."
    assert counts() == before


# --- Huge bodies ------------------------------------------------------------


def test_a_huge_form_body_is_refused_with_a_message_and_stores_nothing(
    client_for, incident, manager, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client = english(client_for(manager))
    before = counts()

    response = client.post(
        f"/incidents/{incident.number}/steps/2-6/note/", {"text": "長" * 20_000}
    )

    assert response.status_code in (400, 413)
    assert "too large" in response.text
    assert counts() == before


def test_a_huge_json_body_is_refused_with_413_and_stores_nothing(
    client, incident, manager, settings
):
    from medir.api.services import issue_api_token

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    token = issue_api_token(manager, actor=None, label="tests").token
    before = counts()

    response = client.post(
        f"/api/incidents/{incident.number}/timeline?lang=en",
        data=json.dumps({"text": "x" * 20_000}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
    assert counts() == before


# --- File names -------------------------------------------------------------


def _upload(client, incident, name, content=b"content"):
    return client.post(
        f"/incidents/{incident.number}/evidence/upload/",
        {
            "kind": "log_export",
            "title": "ログ",
            "collected_at": "2026-01-10 09:30",
            "collected_by": "情報システム責任者B",
            "file": SimpleUploadedFile(name, content),
        },
    )


@pytest.mark.parametrize(
    ("sent", "kept", "disposition"),
    [
        ("../../etc/passwd", "passwd", 'filename="passwd"'),
        ("C:\\x\\y.txt", "y.txt", 'filename="y.txt"'),
        (
            "アクセスログ 3月.csv",
            "アクセスログ 3月.csv",
            "filename*=utf-8''%E3%82%A2%E3%82%AF%E3%82%BB%E3%82%B9%E3%83%AD%E3%82%B0"
            "%203%E6%9C%88.csv",
        ),
    ],
)
def test_path_parts_are_dropped_and_the_download_name_is_rfc_5987(
    client_for, incident, manager, settings, sent, kept, disposition
):
    client = client_for(manager)
    _upload(client, incident, sent)
    item = EvidenceItem.objects.get()

    response = client.get(f"/incidents/{incident.number}/evidence/{item.pk}/download/")

    assert item.original_filename == kept
    stored = settings.DATA_DIR / item.stored_path
    assert stored.parent == settings.DATA_DIR / "evidence"
    assert stored.name == item.sha256
    assert disposition in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment;")
    assert "/" not in response["Content-Disposition"].replace("utf-8''", "")


# --- Dates ------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "令和8年1月10日 9時30分",
        "２０２６－０１－１０Ｔ０９：３０",
        "令和８年１月１０日 ９:３０",
    ],
)
def test_wareki_and_full_width_dates_in_a_date_input_are_understood(
    client_for, incident, manager, typed
):
    response = client_for(manager).post(
        f"/incidents/{incident.number}/evidence/hash-only/",
        {
            "kind": "disk_image",
            "title": "ディスクイメージ",
            "collected_at": typed,
            "collected_by": "ベンダ",
            "sha256": hashlib.sha256(b"disk").hexdigest(),
            "holder": "大阪府警",
        },
    )

    assert response.status_code == 302
    collected = EvidenceItem.objects.get().collected_at
    assert collected.isoformat() == "2026-01-10T00:30:00+00:00"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("令和8年2月30日 9:30", "令和8年2月30日 9:30 is not a date and time."),
        ("平成31年5月1日 9:30", "平成31年5月1日 is not a date of 平成"),
        ("来週の月曜", "来週の月曜 is not a date and time."),
    ],
)
def test_a_date_that_cannot_be_read_is_refused_and_changes_nothing(
    client_for, incident, manager, typed, message
):
    client = english(client_for(manager))
    before = counts()

    response = client.post(
        f"/incidents/{incident.number}/evidence/hash-only/",
        {
            "kind": "disk_image",
            "title": "ディスクイメージ",
            "collected_at": typed,
            "collected_by": "ベンダ",
            "sha256": hashlib.sha256(b"disk").hexdigest(),
            "holder": "大阪府警",
        },
    )

    assert response.status_code == 400
    assert message in response.text
    assert counts() == before


def test_a_wareki_date_in_an_authority_report_draft_is_stored_as_iso(
    client_for, incident, manager
):
    from medir.authority.reports.services import edit_report

    version = edit_report(
        incident,
        kind="ipa_consultation",
        fields={"consulted_at": "令和8年1月10日 9時30分"},
        actor=manager,
    )

    assert version.fields["consulted_at"] == "2026-01-10T09:30:00+09:00"


# --- Playbooks --------------------------------------------------------------


def _validate(tmp_path, text):
    path = tmp_path / "playbook.yaml"
    path.write_text(text, encoding="utf-8")
    before = counts()
    with pytest.raises(CommandError) as refused:
        call_command("playbook", "validate", str(path))
    assert counts() == before
    return str(refused.value)


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_a_playbook_with_a_cycle_is_refused_naming_the_step_and_line(tmp_path):
    text = PLAYBOOK.read_text(encoding="utf-8").replace(
        '  - {from: "1-2", to: "1-3"}',
        '  - {from: "1-2", to: "1-3"}\n  - {from: "1-3", to: "1-2"}',
    )

    message = _validate(tmp_path, text)

    assert re.search(
        r"step 1-[23] \(line \d+\): is part of a cycle: 1-[23] -> 1-[23]", message
    )


def test_a_playbook_with_an_unknown_role_is_refused_naming_the_step_and_line(
    tmp_path,
):
    original = PLAYBOOK.read_text(encoding="utf-8")
    text = original.replace(
        "    roles: [security_manager, external]\n",
        "    roles: [security_manager, hacker]\n",
        1,
    )
    line = _line_of(text, "roles: [security_manager, hacker]")

    message = _validate(tmp_path, text)

    step = re.search(r"step (\S+) \(line (\d+)\): unknown role 'hacker'", message)
    assert step is not None, message
    assert int(step[2]) < line
