"""`medir backup` and `medir restore`, run as an operator runs them.

The PostgreSQL tests run in the `make test-postgres` pass, on databases of
their own on the suite's server.
"""

import json
import os
import secrets
import subprocess
import sys
import threading
import time
import types
import zipfile
from urllib.parse import urlsplit, urlunsplit

import pytest

from medir.backup import services
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


def start_writer(data_dir, stop_file, database_url=None):
    process = subprocess.Popen(
        [
            sys.executable,
            *("-m", "medir", "manage", "shell", "-c"),
            WRITER.format(stop=str(stop_file)),
        ],
        env=child_env(
            data_dir, **({"DATABASE_URL": database_url} if database_url else {})
        ),
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
    assert manifest["database"] == "sqlite"


def test_backup_of_an_empty_data_folder_says_there_is_nothing(tmp_path):
    result = run_medir(tmp_path, "backup", str(tmp_path / "b.zip"), check=False)

    assert result.returncode != 0
    assert "nothing to back up" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_pg_dump_is_named_with_where_it_was_looked_for(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(services, "PG_BIN_GLOB", str(tmp_path / "*" / "bin"))

    with pytest.raises(services.BackupError) as error:
        services.find_pg_tool("pg_dump")

    assert "pg_dump was not found on PATH" in str(error.value)
    assert str(tmp_path / "*" / "bin") in str(error.value)


def test_the_newest_installed_pg_dump_is_used_when_none_is_on_path(
    monkeypatch, tmp_path
):
    for version in ("9.6", "15", "10"):
        tool = tmp_path / version / "bin" / "pg_dump"
        tool.parent.mkdir(parents=True)
        tool.write_text("#!/bin/sh\n")
        tool.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(services, "PG_BIN_GLOB", str(tmp_path / "*" / "bin"))

    assert services.find_pg_tool("pg_dump") == str(tmp_path / "15/bin/pg_dump")


def test_the_database_password_goes_to_pg_dump_in_its_environment_only(
    monkeypatch,
):
    password = "s3cret-パスワード"
    monkeypatch.setattr(
        services,
        "connection",
        types.SimpleNamespace(
            settings_dict={
                "NAME": "medir",
                "USER": "medir",
                "PASSWORD": password,
                "HOST": "db.example",
                "PORT": 5432,
                "OPTIONS": {"sslmode": "require"},
            }
        ),
    )
    monkeypatch.setattr(services, "find_pg_tool", lambda name: f"/bin/{name}")
    calls = []

    def run(command, **kwargs):
        calls.append((command, kwargs["env"]))
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(services.subprocess, "run", run)

    services._run_pg_tool("pg_dump", "--format=custom")

    [(command, env)] = calls
    assert not any(password in part for part in command)
    assert env["PGPASSWORD"] == password
    assert env["PGSSLMODE"] == "require"
    assert "--no-password" in command
    assert "--host=db.example" in command
    assert command[-1] == "--dbname=medir"


# --- PostgreSQL ------------------------------------------------------------

on_postgresql = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL"),
    reason="needs a PostgreSQL server: runs in `make test-postgres`",
)

MEDIR_TABLES = (
    "SELECT count(*) FROM information_schema.tables "
    "WHERE table_schema = 'public' AND table_name = 'audit_auditrecord'"
)


def count_medir_tables(database_url):
    import psycopg

    with psycopg.connect(database_url) as db:
        return db.execute(MEDIR_TABLES).fetchone()[0]


@pytest.fixture
def new_pg_database():
    """Make empty databases on the suite's server, each returned as its URL;
    they are dropped afterwards."""
    import psycopg

    server = os.environ["DATABASE_URL"]
    made = []

    def make():
        name = f"medir_backup_{secrets.token_hex(4)}"
        with psycopg.connect(server, autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))

    yield make
    with psycopg.connect(server, autocommit=True) as db:
        for name in made:
            drop_database(db, name)


def drop_database(db, name: str) -> None:
    """Drop a test database. FORCE ends our own connections to it, but not
    a server process of another role that is still on it (an autovacuum
    worker after a large restore): that one is waited for."""
    import psycopg

    deadline = time.monotonic() + 30
    while True:
        try:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@pytest.fixture
def pg_demo(tmp_path, new_pg_database):
    """A demo installation on PostgreSQL: its data folder and database URL."""
    data, url = tmp_path / "pg-source", new_pg_database()
    run_medir(data, "demo", database_url=url)
    return data, url


@on_postgresql
def test_a_postgresql_backup_during_writes_restores_into_an_empty_database(
    pg_demo, new_pg_database, tmp_path
):
    source, source_url = pg_demo
    stop = tmp_path / "stop"
    writer, reader, acknowledged = start_writer(source, stop, source_url)
    try:
        wait_for(lambda: len(acknowledged) >= 5)
        before_backup = set(acknowledged)
        run_medir(source, "backup", str(tmp_path / "pg.zip"), database_url=source_url)
        count = len(acknowledged)
        wait_for(lambda: len(acknowledged) >= count + 5)
    finally:
        stop.touch()
        writer.wait(timeout=60)
        reader.join(timeout=10)
    assert writer.returncode == 0, writer.stderr.read()
    with zipfile.ZipFile(tmp_path / "pg.zip") as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["database"] == "postgresql"
    assert "medir.pgdump" in [entry["name"] for entry in manifest["files"]]

    restored, restored_url = tmp_path / "restored", new_pg_database()
    result = run_medir(
        restored, "restore", str(tmp_path / "pg.zip"), database_url=restored_url
    )
    assert "audit chain intact" in result.stdout
    run_medir(restored, "audit", "verify", database_url=restored_url)

    source_incidents = shell_json(source, INCIDENT_NUMBERS, database_url=source_url)
    restored_incidents = shell_json(
        restored, INCIDENT_NUMBERS, database_url=restored_url
    )
    restored_reports = set(shell_json(restored, REPORT_IDS, database_url=restored_url))
    assert before_backup <= restored_reports
    last_id = restored_incidents[-1][0]
    assert restored_incidents == [i for i in source_incidents if i[0] <= last_id]
    assert len(source_incidents) > len(restored_incidents)
    assert (restored / "secret_key").read_bytes() == (
        source / "secret_key"
    ).read_bytes()
    # Reports filed between the backup's record and its snapshot sit
    # between the two.
    actions = shell_json(
        restored,
        "import json; from medir.audit.models import AuditRecord; "
        "print(json.dumps(list(AuditRecord.objects.filter("
        "action__startswith='backup.').order_by('-id')"
        ".values_list('action', flat=True)[:2])))",
        database_url=restored_url,
    )
    assert actions == ["backup.restored", "backup.created"]


@on_postgresql
def test_a_postgresql_restore_over_medir_tables_refuses_unless_forced(
    pg_demo, tmp_path
):
    source, url = pg_demo
    backup = tmp_path / "pg.zip"
    run_medir(source, "backup", str(backup), database_url=url)
    before = shell_json(source, INCIDENT_NUMBERS, database_url=url)

    result = run_medir(source, "restore", str(backup), check=False, database_url=url)

    assert result.returncode != 0
    assert "nothing was restored" in result.stderr
    assert "--force" in result.stderr
    assert f"PostgreSQL database {urlsplit(url).path[1:]} on" in result.stderr
    assert "Traceback" not in result.stderr
    assert shell_json(source, INCIDENT_NUMBERS, database_url=url) == before

    forced = run_medir(source, "restore", "--force", str(backup), database_url=url)
    assert "audit chain intact" in forced.stdout
    run_medir(source, "audit", "verify", database_url=url)
    assert shell_json(source, INCIDENT_NUMBERS, database_url=url) == before


@on_postgresql
def test_a_backup_restores_only_into_the_same_kind_of_database(
    demo_dir, pg_demo, new_pg_database, tmp_path
):
    source, source_url = pg_demo
    run_medir(demo_dir, "backup", str(tmp_path / "sqlite.zip"))
    run_medir(source, "backup", str(tmp_path / "pg.zip"), database_url=source_url)
    empty_url = new_pg_database()

    into_pg = run_medir(
        tmp_path / "into-pg",
        "restore",
        str(tmp_path / "sqlite.zip"),
        check=False,
        database_url=empty_url,
    )
    into_sqlite = run_medir(
        tmp_path / "into-sqlite", "restore", str(tmp_path / "pg.zip"), check=False
    )

    assert into_pg.returncode != 0
    assert (
        "This backup holds the embedded SQLite database, but this installation "
        "uses PostgreSQL; nothing was restored." in into_pg.stderr
    )
    assert count_medir_tables(empty_url) == 0
    assert into_sqlite.returncode != 0
    assert (
        "This backup holds PostgreSQL, but this installation uses the embedded "
        "SQLite database; nothing was restored." in into_sqlite.stderr
    )
    assert not (tmp_path / "into-sqlite" / "medir.sqlite3").exists()


@on_postgresql
def test_a_tampered_postgresql_backup_is_refused_naming_the_dump(
    pg_demo, new_pg_database, tmp_path
):
    source, source_url = pg_demo
    backup = tmp_path / "pg.zip"
    run_medir(source, "backup", str(backup), database_url=source_url)
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(backup) as original, zipfile.ZipFile(tampered, "w") as out:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == "medir.pgdump":
                data = data[:-100] + bytes([data[-100] ^ 0xFF]) + data[-99:]
            out.writestr(info, data)
    empty_url = new_pg_database()

    result = run_medir(
        tmp_path / "restored",
        "restore",
        str(tampered),
        check=False,
        database_url=empty_url,
    )

    assert result.returncode != 0
    assert "medir.pgdump: SHA-256 does not match the manifest" in result.stderr
    assert count_medir_tables(empty_url) == 0
