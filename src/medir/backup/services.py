"""One-file backups of a data folder, taken while the server runs.

A backup is a zip holding

  manifest.json   format, created_at, MedIR version, the audit chain's head
                  in the copied database, and every file with its SHA-256
  medir.sqlite3   a consistent copy made with SQLite's backup API
  evidence/<sha>  the stored evidence files
  secret_key      the installation's key, so that report links, sessions
                  and API tokens keep working after a restore

The backup holds everything the data folder holds: keep it as carefully.
PostgreSQL is backed up with its own tool, pg_dump (TODO(#6): wrap pg_dump
and pg_restore here once the PostgreSQL CI job exists to test them).
"""

import datetime as dt
import hashlib
import json
import logging
import os
import re
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction

import medir
from medir.audit.services import append_audit_record, get_chain_head, verify_audit_chain
from medir.evidence.hashing import CHUNK_SIZE

logger = logging.getLogger(__name__)

FORMAT = "medir-backup/1"
MANIFEST = "manifest.json"
DATABASE_MEMBER = "medir.sqlite3"
SECRET_KEY_MEMBER = "secret_key"
# Evidence files are named by their digest; nothing else may be restored
# into the folder, so a crafted backup cannot write outside it.
EVIDENCE_MEMBER = re.compile(r"^evidence/[0-9a-f]{64}$")

PG_DUMP_MESSAGE = (
    "This installation uses PostgreSQL (DATABASE_URL is set). Back it up with "
    "PostgreSQL's own tool, e.g. `pg_dump --format=custom --file=medir.dump "
    '"$DATABASE_URL"`, and copy the evidence folder '
    "(MEDIR_DATA_DIR/evidence) next to it; `medir backup` copies only the "
    "embedded SQLite database."
)


class BackupError(Exception):
    """A backup or restore could not be done; the message says why."""


def _require_sqlite() -> None:
    if connection.vendor != "sqlite":
        raise BackupError(PG_DUMP_MESSAGE)


def database_path() -> Path:
    # The connection's own name, not DATA_DIR: under tests it is the test
    # database.
    return Path(connection.settings_dict["NAME"])


def data_dir() -> Path:
    return Path(settings.DATA_DIR)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_into_zip(archive: zipfile.ZipFile, path: Path, name: str) -> str:
    """Stream one file into the archive, hashing what was written."""
    digest = hashlib.sha256()
    with path.open("rb") as source, archive.open(name, "w", force_zip64=True) as out:
        while chunk := source.read(CHUNK_SIZE):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _snapshot_database(source: Path, target: Path) -> tuple[int, str]:
    """Copy the live database with SQLite's backup API and return the audit
    chain's head as the copy holds it.

    One backup step copies every page under a single read transaction, so
    the copy is one consistent moment even while the server writes (WAL
    lets the writers go on meanwhile).
    """
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        # A single self-contained file: no -wal beside it to lose.
        dst.execute("PRAGMA journal_mode=DELETE")
        row = dst.execute(
            "SELECT id, digest FROM audit_auditrecord ORDER BY id DESC LIMIT 1"
        ).fetchone()
    finally:
        dst.close()
        src.close()
    return (row[0], row[1]) if row else (0, "0" * 64)


def _has_medir_tables(path: Path) -> bool:
    if not path.is_file():
        return False
    # Read-only, so that asking never creates or migrates anything.
    db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        return (
            db.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'audit_auditrecord'"
            ).fetchone()
            is not None
        )
    finally:
        db.close()


def _evidence_files(root: Path) -> list[Path]:
    folder = root / "evidence"
    if not folder.is_dir():
        return []
    # Half-written uploads (.upload-*) are not evidence yet.
    return sorted(
        path
        for path in folder.iterdir()
        if path.is_file() and EVIDENCE_MEMBER.match(f"evidence/{path.name}")
    )


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]


def create_backup(target: Path | str, *, actor=None) -> BackupResult:
    """Write a backup of the running installation to ``target``."""
    _require_sqlite()
    target = Path(target).resolve()
    if target.exists():
        raise BackupError(f"{target} already exists; give a new file name.")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a folder.")

    source = database_path()
    if not _has_medir_tables(source):
        raise BackupError(
            f"{source} holds no MedIR database (run `medir init` or `medir "
            "demo` first, or check MEDIR_DATA_DIR); nothing to back up."
        )

    # Recorded before copying, so the backup itself holds the record of
    # being taken and its head covers it.
    with transaction.atomic():
        append_audit_record(
            actor=actor,
            action="backup.created",
            object_type="backup",
            object_id=target.name,
            after={"file": target.name},
        )

    root = data_dir()
    files: list[dict[str, Any]] = []
    handle, temp_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".part"
    )
    os.close(handle)
    temp_db = Path(temp_name + ".sqlite3")
    try:
        head_id, head_digest = _snapshot_database(source, temp_db)
        with zipfile.ZipFile(temp_name, "w", zipfile.ZIP_DEFLATED) as archive:
            files.append(
                {
                    "name": DATABASE_MEMBER,
                    "sha256": _copy_into_zip(archive, temp_db, DATABASE_MEMBER),
                    "size": temp_db.stat().st_size,
                }
            )
            # Evidence is written to disk before its row commits and never
            # changes, so every file the snapshot refers to exists by now.
            for path in _evidence_files(root):
                name = f"evidence/{path.name}"
                sha = _copy_into_zip(archive, path, name)
                if sha != path.name:
                    logger.warning("Evidence file differs from its name file=%s", name)
                files.append({"name": name, "sha256": sha, "size": path.stat().st_size})
            key_file = root / "secret_key"
            if key_file.is_file():
                files.append(
                    {
                        "name": SECRET_KEY_MEMBER,
                        "sha256": _copy_into_zip(archive, key_file, SECRET_KEY_MEMBER),
                        "size": key_file.stat().st_size,
                    }
                )
            manifest = {
                "format": FORMAT,
                "created_at": dt.datetime.now(dt.UTC).isoformat(),
                "medir_version": medir.__version__,
                "chain_head": {"id": head_id, "digest": head_digest},
                "files": files,
            }
            archive.writestr(
                MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False)
            )
        # Only a complete backup ever carries the name asked for.
        os.replace(temp_name, target)
    finally:
        temp_db.unlink(missing_ok=True)
        if os.path.exists(temp_name):
            os.unlink(temp_name)
    logger.info("Backup written files=%s chain_head_id=%s", len(files), head_id)
    return BackupResult(target, manifest)


# --- Restore ---------------------------------------------------------------


def read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise BackupError(
            "The file has no manifest.json: not a MedIR backup."
        ) from None
    except ValueError as error:
        raise BackupError(f"manifest.json is not valid JSON ({error}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"manifest.json is not a {FORMAT} manifest.")
    return manifest


def check_backup(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> list[str]:
    """Every problem with the backup's files, each naming its file."""
    problems = []
    listed = {}
    for entry in manifest.get("files", []):
        name = entry.get("name", "")
        if name not in {DATABASE_MEMBER, SECRET_KEY_MEMBER} and not (
            EVIDENCE_MEMBER.match(name)
        ):
            problems.append(f"{name}: not a file a MedIR backup may hold")
            continue
        listed[name] = entry.get("sha256", "")
    if DATABASE_MEMBER not in listed:
        problems.append(f"{DATABASE_MEMBER}: missing from the manifest")
    present = set(archive.namelist()) - {MANIFEST}
    for name, expected in listed.items():
        if name not in present:
            problems.append(f"{name}: listed in the manifest but missing")
            continue
        digest = hashlib.sha256()
        with archive.open(name) as member:
            while chunk := member.read(CHUNK_SIZE):
                digest.update(chunk)
        if digest.hexdigest() != expected:
            problems.append(f"{name}: SHA-256 does not match the manifest")
    for name in sorted(present - set(listed)):
        problems.append(f"{name}: in the file but not in the manifest")
    return problems


def existing_data(root: Path, db_path: Path) -> list[str]:
    """What a restore into ``root`` would overwrite."""
    found = []
    if db_path.exists() and db_path.stat().st_size > 0:
        found.append(str(db_path))
    found.extend(str(path) for path in _evidence_files(root))
    return found


def _place(archive: zipfile.ZipFile, name: str, target: Path, mode: int) -> None:
    """Extract one member beside its target and rename it into place, so a
    crash leaves either the old file or the whole new one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".restore-")
    try:
        with os.fdopen(handle, "wb") as out, archive.open(name) as member:
            while chunk := member.read(CHUNK_SIZE):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, target)
    except BaseException:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
        raise


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict[str, Any]
    restored: list[str]
    checked: int


def restore_backup(source: Path | str, *, force: bool = False) -> RestoreResult:
    """Check a backup and put it in place in this data folder."""
    _require_sqlite()
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source}: no such file.")
    root, db_path = data_dir(), database_path()
    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile:
        raise BackupError(f"{source} is not a zip file: not a MedIR backup.") from None
    with archive:
        manifest = read_manifest(archive)
        problems = check_backup(archive, manifest)
        if problems:
            raise BackupError(
                "The backup is damaged or was changed; nothing was restored:\n  "
                + "\n  ".join(problems)
            )
        existing = existing_data(root, db_path)
        if existing and not force:
            raise BackupError(
                "The data folder already holds data; nothing was restored. A "
                "restore with --force would overwrite:\n  " + "\n  ".join(existing)
            )

        # No connection may keep the old file open across the swap.
        connections.close_all()
        names = [entry["name"] for entry in manifest["files"]]
        for name in names:
            if name == DATABASE_MEMBER:
                continue
            mode = 0o600 if name == SECRET_KEY_MEMBER else 0o440
            _place(archive, name, root / name, mode)
        _place(archive, DATABASE_MEMBER, db_path, 0o600)
        # A -wal left by the old database would be replayed into the new one.
        for suffix in ("-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)

    report = verify_audit_chain()
    if not report.ok:
        raise BackupError(
            f"Restored, but the audit chain is broken at record "
            f"#{report.first_broken_id}: {report.problem}."
        )
    head = manifest.get("chain_head", {})
    if get_chain_head() != (head.get("id"), head.get("digest")):
        raise BackupError(
            "Restored, but the audit chain's head does not match the manifest."
        )
    with transaction.atomic():
        append_audit_record(
            actor=None,
            action="backup.restored",
            object_type="backup",
            object_id=source.name,
            after={
                "file": source.name,
                "backup_created_at": manifest.get("created_at"),
                "chain_head_id": head.get("id"),
                "forced": bool(existing),
            },
        )
    logger.info("Backup restored files=%s chain_head_id=%s", len(names), head.get("id"))
    return RestoreResult(manifest, names, report.checked)
