"""`medir backup` and `medir restore`, run as an operator runs them."""

import json
import subprocess
import sys
import threading
import time
import zipfile

from tests.processes import (
    INCIDENT_NUMBERS,
    REPORT_IDS,
    child_env,
    run_medir,
    shell_json,
)

# Files reports until the stop file appears, printing each committed id.
WRITER = """
import pathlib, time
from medir.incidents.services import file_report
stop = pathlib.Path({stop!r})
deadline = time.monotonic() + 60
number = 0
while not stop.exists() and time.monotonic() < deadline:
    number += 1
    report = file_report(
        actor=None, reporter_name=f"backup test {{number}}", signs=["ransom_note"]
    )
    print("ack", report.pk, flush=True)
"""


def start_writer(data_dir, stop_file):
    process = subprocess.Popen(
        [
            sys.executable,
            *("-m", "medir", "manage", "shell", "-c"),
            WRITER.format(stop=str(stop_file)),
        ],
        env=child_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    acknowledged: list[int] = []

    def read():
        for line in process.stdout:
            if line.startswith("ack "):
                acknowledged.append(int(line.split()[1]))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return process, reader, acknowledged


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_backup_while_reports_are_written_restores_a_consistent_copy(
    demo_dir, tmp_path
):
    stop = tmp_path / "stop"
    writer, reader, acknowledged = start_writer(demo_dir, stop)
    try:
        wait_for(lambda: len(acknowledged) >= 5)
        before_backup = set(acknowledged)
        run_medir(demo_dir, "backup", str(tmp_path / "backup.zip"))
        # Writes carry on after the copy, so the source moves on.
        count = len(acknowledged)
        wait_for(lambda: len(acknowledged) >= count + 5)
    finally:
        stop.touch()
        writer.wait(timeout=60)
        reader.join(timeout=10)
    assert writer.returncode == 0, writer.stderr.read()

    restored = tmp_path / "restored"
    result = run_medir(restored, "restore", str(tmp_path / "backup.zip"))
    assert "audit chain intact" in result.stdout
    assert run_medir(restored, "audit", "verify").returncode == 0

    source_incidents = shell_json(demo_dir, INCIDENT_NUMBERS)
    restored_incidents = shell_json(restored, INCIDENT_NUMBERS)
    restored_reports = set(shell_json(restored, REPORT_IDS))
    # Every report acknowledged before the backup began is in it, and the
    # copy is one moment of the source: the same incidents up to its last.
    assert before_backup <= restored_reports
    assert restored_reports <= set(acknowledged) | set(shell_json(demo_dir, REPORT_IDS))
    last_id = restored_incidents[-1][0]
    assert restored_incidents == [i for i in source_incidents if i[0] <= last_id]
    assert len(source_incidents) > len(restored_incidents)


def test_backup_and_restore_are_in_the_audit_chain(demo_dir, tmp_path):
    run_medir(demo_dir, "backup", str(tmp_path / "backup.zip"))
    restored = tmp_path / "restored"
    run_medir(restored, "restore", str(tmp_path / "backup.zip"))

    actions = shell_json(
        restored,
        "import json; from medir.audit.models import AuditRecord; "
        "print(json.dumps(list(AuditRecord.objects.order_by('-id')"
        ".values_list('action', flat=True)[:2])))",
    )
    assert actions == ["backup.restored", "backup.created"]


def test_restore_over_existing_data_refuses_and_names_what_it_would_overwrite(
    demo_dir, tmp_path
):
    backup = tmp_path / "backup.zip"
    run_medir(demo_dir, "backup", str(backup))
    before = shell_json(demo_dir, INCIDENT_NUMBERS)

    result = run_medir(demo_dir, "restore", str(backup), check=False)

    assert result.returncode != 0
    assert "nothing was restored" in result.stderr
    assert "--force" in result.stderr
    assert str(demo_dir / "medir.sqlite3") in result.stderr
    assert "Traceback" not in result.stderr
    assert shell_json(demo_dir, INCIDENT_NUMBERS) == before

    forced = run_medir(demo_dir, "restore", "--force", str(backup))
    assert "audit chain intact" in forced.stdout
    run_medir(demo_dir, "audit", "verify")


def test_a_tampered_backup_is_refused_naming_the_changed_file(demo_dir, tmp_path):
    backup = tmp_path / "backup.zip"
    run_medir(demo_dir, "backup", str(backup))
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(backup) as source, zipfile.ZipFile(tampered, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "medir.sqlite3":
                # One byte near the end, inside the table data.
                data = data[:-100] + bytes([data[-100] ^ 0xFF]) + data[-99:]
            out.writestr(info, data)
    restored = tmp_path / "restored"

    result = run_medir(restored, "restore", str(tampered), check=False)

    assert result.returncode != 0
    assert "medir.sqlite3: SHA-256 does not match the manifest" in result.stderr
    assert not (restored / "medir.sqlite3").exists()


def test_a_backup_restores_the_evidence_files_byte_identical(demo_dir, tmp_path):
    content = bytes(range(256)) * 4000 + "身代金要求文".encode()
    original = tmp_path / "ransom-note.bin"
    original.write_bytes(content)
    digest = shell_json(
        demo_dir,
        f"""
import json, datetime as dt, pathlib
from django.core.files.uploadedfile import SimpleUploadedFile
from medir.evidence.services import register_uploaded_evidence
from medir.incidents.services import file_report
report = file_report(actor=None, reporter_name="evidence test", signs=["ransom_note"])
item = register_uploaded_evidence(
    report.incident, actor=None, kind="ransom_note_text", title="note",
    collected_at=dt.datetime.now(dt.UTC), collected_by="test",
    upload=SimpleUploadedFile("note.bin", pathlib.Path({str(original)!r}).read_bytes()),
)
print(json.dumps(item.sha256))
""",
    )
    backup = tmp_path / "backup.zip"
    run_medir(demo_dir, "backup", str(backup))
    restored = tmp_path / "restored"

    run_medir(restored, "restore", str(backup))

    assert (restored / "evidence" / digest).read_bytes() == content
    stored = shell_json(
        restored,
        "import json; from medir.evidence.models import EvidenceItem; "
        "print(json.dumps(list("
        "EvidenceItem.objects.values_list('sha256', flat=True))))",
    )
    assert digest in stored
    manifest = json.loads(zipfile.ZipFile(backup).read("manifest.json"))
    assert {"name": f"evidence/{digest}", "sha256": digest, "size": len(content)} in (
        manifest["files"]
    )


def test_backup_of_an_empty_data_folder_says_there_is_nothing(tmp_path):
    result = run_medir(tmp_path, "backup", str(tmp_path / "b.zip"), check=False)

    assert result.returncode != 0
    assert "nothing to back up" in result.stderr
    assert "Traceback" not in result.stderr


def test_backup_of_a_postgresql_installation_points_to_pg_dump(tmp_path):
    env_result = subprocess.run(
        [sys.executable, "-m", "medir", "backup", str(tmp_path / "pg.zip")],
        env=child_env(tmp_path, DATABASE_URL="postgres://medir@127.0.0.1:1/medir"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert env_result.returncode != 0
    assert "pg_dump" in env_result.stderr
    assert not (tmp_path / "pg.zip").exists()
