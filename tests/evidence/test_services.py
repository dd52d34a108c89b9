import datetime as dt
import hashlib
import io
import json
import subprocess
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from medir.audit.models import AuditRecord
from medir.audit.services import get_chain_head, verify_audit_chain
from medir.evidence import services
from medir.evidence.models import AppendOnlyError, CustodyTransfer, EvidenceItem

pytestmark = pytest.mark.django_db

COLLECTED = dt.datetime(2026, 1, 10, 9, 30, tzinfo=dt.UTC)


def _store(incident, manager, name="note.jpg", content=b"YOUR FILES ARE GONE"):
    return services.register_uploaded_evidence(
        incident,
        actor=manager,
        upload=SimpleUploadedFile(name, content),
        kind="ransom_note_photo",
        title="脅迫文の写真",
        collected_at=COLLECTED,
        collected_by="情報システム責任者B",
        step_id="2-14",
    )


def _hand_over(item, manager):
    return services.record_custody_transfer(
        item,
        actor=manager,
        from_holder="情報システム責任者B",
        to_holder="大阪府警",
        handed_at=COLLECTED + dt.timedelta(days=1),
        reason="被害届の提出",
        stored_at="府警本部 証拠保管庫",
    )


def test_evidence_and_custody_refuse_to_be_deleted_or_edited(incident, manager):
    item = _store(incident, manager)
    transfer = _hand_over(item, manager)

    with pytest.raises(AppendOnlyError):
        item.delete()
    with pytest.raises(AppendOnlyError):
        transfer.delete()
    with pytest.raises(AppendOnlyError):
        EvidenceItem.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        CustodyTransfer.objects.filter(pk=transfer.pk).update(to_holder="誰か")
    item.title = "書き換え"
    with pytest.raises(AppendOnlyError):
        item.save()
    assert EvidenceItem.objects.get().title == "脅迫文の写真"


def test_a_hash_only_item_needs_a_real_digest(incident, manager):
    with pytest.raises(services.EvidenceError):
        services.register_hash_only_evidence(
            incident,
            actor=manager,
            sha256="abc",
            holder="大阪府警",
            kind="disk_image",
            title="ディスクイメージ",
            collected_at=COLLECTED,
            collected_by="ベンダ",
        )


def test_evidence_hash_prints_what_sha256sum_prints(tmp_path, capsys):
    path = tmp_path / "ログ 出力.txt"
    path.write_bytes(b"\x00\x01 log line\n" * 100_000)
    expected = subprocess.run(
        ["sha256sum", str(path)], capture_output=True, text=True, check=True
    ).stdout.split()[0]

    call_command("evidence", "hash", str(path))

    assert capsys.readouterr().out.split()[0] == expected
    assert expected == hashlib.sha256(path.read_bytes()).hexdigest()


def _bundle(incident, manager, tmp_path):
    note = _store(incident, manager)
    log = _store(incident, manager, name="アクセスログ.csv", content=b"a,b\n1,2\n")
    _hand_over(note, manager)
    remote = services.register_hash_only_evidence(
        incident,
        actor=manager,
        sha256=hashlib.sha256(b"disk").hexdigest(),
        holder="大阪府警",
        kind="disk_image",
        title="ディスクイメージ",
        collected_at=COLLECTED,
        collected_by="架空電子カルテ株式会社",
    )
    bundle = services.export_bundle(incident, actor=manager, items=[note, log, remote])
    path = tmp_path / "bundle.zip"
    path.write_bytes(bundle.read())
    return path


def test_bundle_verify_passes_on_a_fresh_bundle(incident, manager, tmp_path, capsys):
    path = _bundle(incident, manager, tmp_path)

    call_command("bundle", "verify", str(path))

    assert "Bundle intact" in capsys.readouterr().out


def test_bundle_verify_names_the_file_with_one_changed_byte(
    incident, manager, tmp_path, capsys
):
    path = _bundle(incident, manager, tmp_path)
    raw = path.read_bytes()
    # Stored uncompressed: the log's bytes sit in the zip as they are.
    at = raw.index(b"a,b\n1,2\n")
    path.write_bytes(raw[:at] + b"X" + raw[at + 1 :])

    with pytest.raises(CommandError):
        call_command("bundle", "verify", str(path))

    err = capsys.readouterr().err
    assert "アクセスログ.csv" in err
    assert "note.jpg" not in err


def test_bundle_verify_names_a_missing_file(incident, manager, tmp_path, capsys):
    path = _bundle(incident, manager, tmp_path)
    stripped = tmp_path / "stripped.zip"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(stripped, "w") as target:
        for info in source.infolist():
            if not info.filename.endswith("note.jpg"):
                target.writestr(info, source.read(info))

    with pytest.raises(CommandError):
        call_command("bundle", "verify", str(stripped))

    assert "missing: files/" in capsys.readouterr().err


def test_the_manifest_holds_hashes_custody_and_the_chain_head(
    incident, manager, tmp_path
):
    path = _bundle(incident, manager, tmp_path)

    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        pdf = archive.read("evidence-list.pdf")

    export = AuditRecord.objects.get(action="evidence.bundle_exported")
    assert manifest["audit_chain_head"] == {
        "id": export.pk - 1,
        "digest": export.previous_digest,
    }
    assert manifest["incident"] == incident.number
    assert manifest["created_at"]
    note, log, remote = manifest["items"]
    assert note["custody"][0]["to"] == "大阪府警"
    assert log["sha256"] == hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    assert log["size"] == 8
    assert remote["hash_only"] is True
    assert remote["file"] is None
    assert pdf.startswith(b"%PDF")


def _bundle_member(path, name):
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def test_the_export_audit_record_holds_the_manifest_digest(
    incident, manager, tmp_path, capsys
):
    path = _bundle(incident, manager, tmp_path)
    digest = hashlib.sha256(_bundle_member(path, "manifest.json")).hexdigest()

    call_command("bundle", "verify", str(path))

    export = AuditRecord.objects.get(action="evidence.bundle_exported")
    assert export.after["manifest_sha256"] == digest
    assert get_chain_head() == (export.pk, export.digest)
    assert verify_audit_chain().ok
    assert f"manifest.json SHA-256 {digest}" in capsys.readouterr().out


def test_bundle_verify_prints_the_manifest_digest_even_when_a_file_fails(
    incident, manager, tmp_path, capsys
):
    path = _bundle(incident, manager, tmp_path)
    digest = hashlib.sha256(_bundle_member(path, "manifest.json")).hexdigest()
    raw = path.read_bytes()
    at = raw.index(b"a,b\n1,2\n")
    path.write_bytes(raw[:at] + b"X" + raw[at + 1 :])

    with pytest.raises(CommandError):
        call_command("bundle", "verify", str(path))

    assert f"manifest.json SHA-256 {digest}" in capsys.readouterr().out


def test_the_bundle_pdf_lists_hashes_custody_the_head_and_the_manifest_digest(
    incident, manager, tmp_path
):
    from pypdf import PdfReader

    path = _bundle(incident, manager, tmp_path)
    manifest_raw = _bundle_member(path, "manifest.json")
    manifest = json.loads(manifest_raw)
    pdf = PdfReader(io.BytesIO(_bundle_member(path, "evidence-list.pdf")))
    text = "".join(page.extract_text() for page in pdf.pages)
    # Long digests wrap inside their table cells.
    flat = "".join(text.split())

    export = AuditRecord.objects.get(action="evidence.bundle_exported")
    for item in manifest["items"]:
        assert item["sha256"] in flat
    assert "大阪府警" in text
    assert "府警本部証拠保管庫" in flat
    assert "被害届の提出" in text
    assert f"#{export.pk}{export.digest}" in flat
    assert hashlib.sha256(manifest_raw).hexdigest() in flat


def test_bundle_member_names_unpack_on_windows_and_still_verify(
    incident, manager, tmp_path, capsys
):
    item = _store(incident, manager, name='脅迫文<"1">?.txt')
    path = tmp_path / "bundle.zip"
    path.write_bytes(
        services.export_bundle(incident, actor=manager, items=[item]).read()
    )

    with zipfile.ZipFile(path) as bundle:
        names = [name for name in bundle.namelist() if name.startswith("files/")]
    call_command("bundle", "verify", str(path))

    assert names == [f"files/{item.pk:05d}-脅迫文__1___.txt"]
    assert "Bundle intact" in capsys.readouterr().out
