import hashlib
import io
import zipfile

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from medir.audit.models import AuditRecord
from medir.evidence.models import EvidenceItem
from medir.incidents.models import TimelineEvent

pytestmark = pytest.mark.django_db


def _upload(client, incident, name, content, **fields):
    data = {
        "kind": "ransom_note_photo",
        "title": "脅迫文の写真",
        "collected_at": "2026-01-10 09:30",
        "collected_by": "情報システム責任者B",
        "step_id": "2-14",
        "file": SimpleUploadedFile(name, content),
        **fields,
    }
    return client.post(f"/incidents/{incident.number}/evidence/upload/", data)


def _english(client):
    client.cookies["django_language"] = "en"
    return client


def test_upload_stores_the_file_outside_static_under_its_digest(
    client_for, manager, incident
):
    content = b"YOUR FILES ARE ENCRYPTED\n" * 10
    response = _upload(client_for(manager), incident, "note.jpg", content)

    item = EvidenceItem.objects.get()
    assert response.status_code == 302
    assert item.sha256 == hashlib.sha256(content).hexdigest()
    assert item.size == len(content)
    stored = settings.DATA_DIR / "evidence" / item.sha256
    assert stored.read_bytes() == content
    assert item.stored_path == f"evidence/{item.sha256}"
    assert not stored.is_relative_to(settings.STATIC_ROOT)


def test_upload_writes_a_timeline_note_and_an_audit_record(
    client_for, manager, incident
):
    _upload(client_for(manager), incident, "note.jpg", b"x")

    item = EvidenceItem.objects.get()
    event = TimelineEvent.objects.get(data={"evidence": item.pk})
    assert event.kind == "note"
    assert event.step_id == "2-14"
    record = AuditRecord.objects.get(action="evidence.registered")
    assert record.object_id == str(item.pk)


def test_a_five_megabyte_upload_is_hashed_correctly(client_for, manager, incident):
    content = bytes(range(256)) * (5 * 1024 * 4)  # 5 MiB, past the memory limit

    _upload(client_for(manager), incident, "disk.img", content, kind="disk_image")

    item = EvidenceItem.objects.get()
    assert item.size == 5 * 1024 * 1024
    assert item.sha256 == hashlib.sha256(content).hexdigest()


def test_a_file_over_the_size_limit_is_refused_with_a_clear_message(
    client_for, manager, incident, settings
):
    settings.MEDIR_EVIDENCE_MAX_MB = 1
    client = _english(client_for(manager))

    response = _upload(client, incident, "big.img", b"a" * (1024 * 1024 + 1))

    assert response.status_code == 413
    assert "The file is larger than the limit of 1 MB." in response.text
    assert not EvidenceItem.objects.exists()
    assert list((settings.DATA_DIR / "evidence").glob("*")) == []


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\x\\y.exe", "y.exe"),
        ("脅迫文_3階ナースステーション.jpg", "脅迫文_3階ナースステーション.jpg"),
    ],
)
def test_file_names_are_reduced_to_a_safe_base_name(
    client_for, manager, incident, sent, kept
):
    _upload(client_for(manager), incident, sent, b"content")

    item = EvidenceItem.objects.get()
    assert item.original_filename == kept
    assert item.stored_path == f"evidence/{item.sha256}"


def test_download_is_an_attachment_with_the_japanese_name(
    client_for, manager, incident
):
    client = client_for(manager)
    _upload(client, incident, "脅迫文.html", b"<script>alert(1)</script>")
    item = EvidenceItem.objects.get()

    response = client.get(f"/incidents/{incident.number}/evidence/{item.pk}/download/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%E8%84%85%E8%BF%AB%E6%96%87.html" in disposition
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"
    assert AuditRecord.objects.filter(action="evidence.downloaded").exists()


@pytest.mark.parametrize("persona", ["nurse", "vendor"])
@pytest.mark.parametrize(
    "path", ["", "upload/", "hash-only/", "bundle/", "{pk}/", "{pk}/download/"]
)
def test_nurse_and_vendor_are_refused(
    request, client_for, manager, incident, persona, path
):
    _upload(client_for(manager), incident, "note.jpg", b"x")
    item = EvidenceItem.objects.get()
    client = client_for(request.getfixturevalue(persona))

    url = f"/incidents/{incident.number}/evidence/{path.format(pk=item.pk)}"

    assert client.get(url).status_code == 403
    if not path.startswith("{pk}/download") and path:
        assert client.post(url, {}).status_code == 403


def test_director_may_register_a_hash_only_item(client_for, director, incident):
    digest = hashlib.sha256(b"disk").hexdigest()

    response = client_for(director).post(
        f"/incidents/{incident.number}/evidence/hash-only/",
        {
            "kind": "disk_image",
            "title": "電子カルテサーバのディスクイメージ",
            "collected_at": "2026-01-11 14:00",
            "collected_by": "架空電子カルテ株式会社",
            "sha256": digest.upper(),
            "holder": "大阪府警 サイバー犯罪対策課",
            "size": "1024",
        },
    )

    item = EvidenceItem.objects.get()
    assert response.status_code == 302
    assert item.hash_only
    assert item.sha256 == digest
    assert item.stored_path == ""


def test_a_hand_over_is_appended_to_the_custody(client_for, manager, incident):
    client = client_for(manager)
    _upload(client, incident, "note.jpg", b"x")
    item = EvidenceItem.objects.get()
    url = f"/incidents/{incident.number}/evidence/{item.pk}/"
    hand_over = {
        "from_holder": "情報システム責任者B",
        "to_holder": "大阪府警",
        "handed_at": "2026-01-12 10:00",
        "reason": "被害届の提出",
        "stored_at": "府警本部 証拠保管庫",
    }

    client.post(url, hand_over)
    client.post(url, {**hand_over, "from_holder": "大阪府警", "to_holder": "弁護士"})

    assert list(item.custody.values_list("to_holder", flat=True)) == [
        "大阪府警",
        "弁護士",
    ]
    assert AuditRecord.objects.filter(action="evidence.custody").count() == 2
    page = client.get(url)
    assert "府警本部 証拠保管庫" in page.text


def test_the_evidence_list_shows_each_item(client_for, manager, incident):
    client = client_for(manager)
    _upload(client, incident, "note.jpg", b"x")

    response = client.get(f"/incidents/{incident.number}/evidence/")

    assert response.status_code == 200
    assert "脅迫文の写真" in response.text


def test_the_bundle_page_returns_a_zip_attachment(client_for, director, incident):
    client = client_for(director)
    _upload(client, incident, "note.jpg", b"x")
    item = EvidenceItem.objects.get()

    response = client.post(
        f"/incidents/{incident.number}/evidence/bundle/", {"items": [str(item.pk)]}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    body = b"".join(response.streaming_content)
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert "manifest.json" in names
    assert "evidence-list.pdf" in names
