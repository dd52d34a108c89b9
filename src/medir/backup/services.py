"""One-file backups of a data folder, taken while the server runs.

A backup is a zip holding

  manifest.json   format, created_at, MedIR version, the kind of database,
                  the audit chain's head in the copied database, and every
                  file with its SHA-256
  medir.sqlite3   on SQLite: a consistent copy made with SQLite's backup API
  medir.pgdump    on PostgreSQL: `pg_dump --format=custom` of the database
  evidence/<sha>  the stored evidence files
  secret_key      the installation's key, so that report links, sessions
                  and API tokens keep working after a restore

The backup holds everything the data folder and the database hold: keep it
as carefully. A backup restores only into an installation with the same
kind of database.
"""

import datetime as dt
import glob
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
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
SQLITE = "sqlite"
POSTGRESQL = "postgresql"
# The manifest's "database" field; backups made before PostgreSQL was
# supported have none and hold SQLite.
DATABASE_MEMBERS = {SQLITE: "medir.sqlite3", POSTGRESQL: "medir.pgdump"}
KIND_NAMES = {SQLITE: "the embedded SQLite database", POSTGRESQL: "PostgreSQL"}
SECRET_KEY_MEMBER = "secret_key"
# Evidence files are named by their digest; nothing else may be restored
# into the folder, so a crafted backup cannot write outside it.
EVIDENCE_MEMBER = re.compile(r"^evidence/[0-9a-f]{64}$")

# Debian's packages install each major version's tools here.
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


class BackupError(Exception):
    """A backup or restore could not be done; the message says why."""


def database_kind() -> str:
    return POSTGRESQL if connection.vendor == "postgresql" else SQLITE


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


def _snapshot_sqlite(target: Path) -> tuple[int, str]:
    """Copy the live database with SQLite's backup API and return the audit
    chain's head as the copy holds it.

    One backup step copies every page under a single read transaction, so
    the copy is one consistent moment even while the server writes (WAL
    lets the writers go on meanwhile).
    """
    src = sqlite3.connect(database_path(), timeout=30)
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


# --- PostgreSQL ------------------------------------------------------------


def _version_key(folder: Path) -> tuple[int, ...]:
    # /usr/lib/postgresql/15/bin -> (15,); 9.6 sorts below 10.
    try:
        return tuple(int(part) for part in folder.parent.name.split("."))
    except ValueError:
        return (0,)


def find_pg_tool(name: str) -> str:
    """The path of pg_dump or pg_restore: on PATH, else the newest version
    installed under /usr/lib/postgresql."""
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(
        (Path(path) for path in glob.glob(PG_BIN_GLOB)), key=_version_key, reverse=True
    ):
        if os.access(folder / name, os.X_OK):
            return str(folder / name)
    raise BackupError(
        f"{name} was not found on PATH nor in {PG_BIN_GLOB}; nothing was "
        "changed. Install PostgreSQL's client tools of the server's version or "
        "newer (Debian: apt-get install postgresql-client) or add their folder "
        "to PATH."
    )


def describe_pg_database() -> str:
    config = connection.settings_dict
    host = config.get("HOST") or "the local socket"
    port = f":{config['PORT']}" if config.get("PORT") else ""
    return f"PostgreSQL database {config['NAME']} on {host}{port}"


def _run_pg_tool(name: str, *args: str) -> None:
    """Run pg_dump or pg_restore against this installation's database.

    The password goes in PGPASSWORD, never on the command line, where
    other users of the machine could read it.
    """
    config = connection.settings_dict
    command = [find_pg_tool(name), "--no-password"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if config.get(key):
            command.append(f"{option}={config[key]}")
    env = dict(os.environ)
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = str(config["PASSWORD"])
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
    ):
        if config.get("OPTIONS", {}).get(option):
            env[variable] = str(config["OPTIONS"][option])
    command.extend(args)
    command.append(f"--dbname={config['NAME']}")

    logger.info("Running %s database=%s", name, config["NAME"])
    result = subprocess.run(
        command, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True
    )
    if result.returncode != 0:
        # The last lines name the cause; the first ones can be hundreds of
        # "dropping table" notices.
        output = "\n  ".join(result.stderr.strip().splitlines()[-20:])
        raise BackupError(
            f"{name} failed (exit status {result.returncode}) on "
            f"{describe_pg_database()}:\n  {output}"
        )


def _pg_medir_tables() -> list[str]:
    """MedIR's tables that exist in the database, without creating any."""
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
    known = set(connection.introspection.django_table_names()) | {
        "django_migrations",
        settings.CACHES["default"]["LOCATION"],
    }
    return sorted(present & known)


def _snapshot_postgresql(target: Path) -> tuple[int, str]:
    """Dump the live database with pg_dump and return the audit chain's head
    as the dump holds it.

    pg_dump dumps one snapshot in a single transaction. A read-only
    repeatable-read transaction here exports that snapshot, reads the head
    in it and stays open while pg_dump imports it (--snapshot), so the head
    in the manifest is exactly the dump's while writers go on.
    """
    import psycopg  # only installed with the postgres extra

    db = connection.get_new_connection(connection.get_connection_params())
    try:
        db.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        db.read_only = True
        with db.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_id = cursor.fetchone()[0]
            cursor.execute(
                "SELECT id, digest FROM audit_auditrecord ORDER BY id DESC LIMIT 1"
            )
            row = cursor.fetchone()
        _run_pg_tool(
            "pg_dump",
            "--format=custom",
            f"--snapshot={snapshot_id}",
            f"--file={target}",
        )
    finally:
        db.close()
    return (row[0], row[1]) if row else (0, "0" * 64)


def _restore_postgresql(dump: Path, *, clean: bool) -> None:
    # One transaction: a failed restore leaves the database as it was.
    # Owner and grants are the target installation's, not the source's.
    args = ["--no-owner", "--no-privileges", "--single-transaction"]
    if clean:
        args += ["--clean", "--if-exists"]
    _run_pg_tool("pg_restore", *args, str(dump))


# --- Backup ----------------------------------------------------------------


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]


def create_backup(target: Path | str, *, actor=None) -> BackupResult:
    """Write a backup of the running installation to ``target``."""
    kind = database_kind()
    target = Path(target).resolve()
    if target.exists():
        raise BackupError(f"{target} already exists; give a new file name.")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a folder.")

    if kind == POSTGRESQL:
        find_pg_tool("pg_dump")
        if "audit_auditrecord" not in _pg_medir_tables():
            raise BackupError(
                f"The {describe_pg_database()} holds no MedIR tables (run "
                "`medir init` or `medir demo` first, or check DATABASE_URL); "
                "nothing to back up."
            )
    elif not _has_medir_tables(database_path()):
        raise BackupError(
            f"{database_path()} holds no MedIR database (run `medir init` or "
            "`medir demo` first, or check MEDIR_DATA_DIR); nothing to back up."
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
    database_member = DATABASE_MEMBERS[kind]
    files: list[dict[str, Any]] = []
    handle, temp_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".part"
    )
    os.close(handle)
    temp_db = Path(f"{temp_name}.{database_member}")
    try:
        if kind == POSTGRESQL:
            head_id, head_digest = _snapshot_postgresql(temp_db)
        else:
            head_id, head_digest = _snapshot_sqlite(temp_db)
        with zipfile.ZipFile(temp_name, "w", zipfile.ZIP_DEFLATED) as archive:
            files.append(
                {
                    "name": database_member,
                    "sha256": _copy_into_zip(archive, temp_db, database_member),
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
                "database": kind,
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
    logger.info(
        "Backup written database=%s files=%s chain_head_id=%s",
        kind,
        len(files),
        head_id,
    )
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
    manifest.setdefault("database", SQLITE)
    if manifest["database"] not in DATABASE_MEMBERS:
        raise BackupError(
            f"manifest.json names an unknown kind of database "
            f"{manifest['database']!r}; expected one of "
            f"{', '.join(DATABASE_MEMBERS)}."
        )
    return manifest


def check_backup(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> list[str]:
    """Every problem with the backup's files, each naming its file."""
    database_member = DATABASE_MEMBERS[manifest["database"]]
    problems = []
    listed = {}
    for entry in manifest.get("files", []):
        name = entry.get("name", "")
        if name not in {database_member, SECRET_KEY_MEMBER} and not (
            EVIDENCE_MEMBER.match(name)
        ):
            problems.append(f"{name}: not a file a MedIR backup may hold")
            continue
        listed[name] = entry.get("sha256", "")
    if database_member not in listed:
        problems.append(f"{database_member}: missing from the manifest")
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


def existing_data(root: Path) -> list[str]:
    """What a restore into this installation would overwrite."""
    found = []
    if database_kind() == POSTGRESQL:
        tables = _pg_medir_tables()
        if tables:
            found.append(f"the {describe_pg_database()} ({len(tables)} MedIR tables)")
    else:
        db_path = database_path()
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


def _place_sqlite(archive: zipfile.ZipFile) -> None:
    db_path = database_path()
    _place(archive, DATABASE_MEMBERS[SQLITE], db_path, 0o600)
    # A -wal left by the old database would be replayed into the new one.
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


def _place_postgresql(archive: zipfile.ZipFile, root: Path, *, clean: bool) -> None:
    root.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=root, prefix=".restore-")
    os.close(handle)
    dump = Path(temp_name)
    try:
        _place(archive, DATABASE_MEMBERS[POSTGRESQL], dump, 0o600)
        _restore_postgresql(dump, clean=clean)
    finally:
        dump.unlink(missing_ok=True)


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict[str, Any]
    restored: list[str]
    checked: int


def restore_backup(source: Path | str, *, force: bool = False) -> RestoreResult:
    """Check a backup and put it in place in this installation: the data
    folder and, on PostgreSQL, the database DATABASE_URL names."""
    kind = database_kind()
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source}: no such file.")
    root = data_dir()
    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile:
        raise BackupError(f"{source} is not a zip file: not a MedIR backup.") from None
    with archive:
        manifest = read_manifest(archive)
        if manifest["database"] != kind:
            raise BackupError(
                f"This backup holds {KIND_NAMES[manifest['database']]}, but this "
                f"installation uses {KIND_NAMES[kind]}; nothing was restored. "
                "Restore it into an installation with the same kind of database "
                "(DATABASE_URL set for PostgreSQL, unset for SQLite)."
            )
        problems = check_backup(archive, manifest)
        if problems:
            raise BackupError(
                "The backup is damaged or was changed; nothing was restored:\n  "
                + "\n  ".join(problems)
            )
        if kind == POSTGRESQL:
            find_pg_tool("pg_restore")
        existing = existing_data(root)
        if existing and not force:
            raise BackupError(
                "This installation already holds data; nothing was restored. A "
                "restore with --force would overwrite:\n  " + "\n  ".join(existing)
            )

        # No connection may keep the old file open across the swap, nor
        # hold a lock on a table pg_restore replaces.
        connections.close_all()
        names = [entry["name"] for entry in manifest["files"]]
        if kind == POSTGRESQL:
            # First, so that a failed pg_restore changes nothing at all.
            _place_postgresql(archive, root, clean=bool(existing))
        for name in names:
            if name in DATABASE_MEMBERS.values():
                continue
            mode = 0o600 if name == SECRET_KEY_MEMBER else 0o440
            _place(archive, name, root / name, mode)
        if kind == SQLITE:
            _place_sqlite(archive)

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
    logger.info(
        "Backup restored database=%s files=%s chain_head_id=%s",
        kind,
        len(names),
        head.get("id"),
    )
    return RestoreResult(manifest, names, report.checked)
