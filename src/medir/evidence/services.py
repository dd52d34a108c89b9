"""Every change to evidence goes through these functions.

Each takes the object first, keyword-only arguments and the acting user,
and writes the evidence row, a timeline note (``{"evidence": id}``) and an
audit record in one transaction. Nothing is ever updated or deleted: a
hand-over is a new custody record. Errors are ``EvidenceError`` with a
message for the person who tried.
"""

import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from medir.audit.services import (
    append_audit_record,
    get_chain_head,
    serialise_writes,
    snapshot,
)
from medir.evidence.hashing import CHUNK_SIZE, SHA256_PATTERN, read_chunks
from medir.evidence.models import (
    CustodyTransfer,
    EvidenceItem,
    EvidenceKind,
)
from medir.evidence.uploads import StreamedEvidenceFile, too_large_message
from medir.incidents.models import EventKind, Incident, TimelineEvent
from medir.playbook.schema import get_playbook

logger = logging.getLogger(__name__)

MAX_TEXT = 10_000
MANIFEST_NAME = "manifest.json"
PDF_NAME = "evidence-list.pdf"
BUNDLE_FORMAT = "medir-evidence-bundle/1"
# Clocks drift between the laptop and the wall.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


class EvidenceError(Exception):
    """A change that cannot be made; the message is for the user."""


def max_upload_bytes() -> int:
    """The largest file accepted (settings.MEDIR_EVIDENCE_MAX_MB)."""
    return settings.MEDIR_EVIDENCE_MAX_MB * 1024 * 1024


def evidence_root() -> Path:
    """Where stored evidence lies: inside the data folder, never under
    static files, so that only the download view can hand it out."""
    return Path(settings.DATA_DIR) / "evidence"


def safe_filename(name: str) -> str:
    """The base name of what a browser or a person sent, without folders,
    drive letters or control characters. Only ever shown and used as the
    download's name; files are stored under their digest."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/")
    name = name.rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = name.strip().lstrip(".").strip()
    if ":" in name:
        name = name.rsplit(":", 1)[-1].strip()
    return name[:255] or "evidence"


def _clean(value: str, *, field: str, required: bool = True, max_length=200) -> str:
    value = (value or "").strip()
    if required and not value:
        raise EvidenceError(_("Please give %(field)s.") % {"field": field})
    if any(ord(c) < 32 and c not in "\t\n\r" for c in value):
        raise EvidenceError(
            _("%(field)s contains characters that are not text.") % {"field": field}
        )
    if len(value) > max_length:
        raise EvidenceError(
            _("%(field)s is too long (at most %(max)s characters).")
            % {"field": field, "max": max_length}
        )
    return value


def _check_moment(moment: dt.datetime) -> dt.datetime:
    if timezone.is_naive(moment):
        raise EvidenceError(_("The time must include a time zone."))
    if moment > timezone.now() + FUTURE_TOLERANCE:
        raise EvidenceError(_("The time lies in the future; check the date and time."))
    return moment


def _check_common(*, kind: str, step_id: str) -> None:
    if kind not in EvidenceKind.values:
        raise EvidenceError(_("Unknown kind of evidence: %(kind)s") % {"kind": kind})
    if step_id and step_id not in get_playbook().step_index:
        raise EvidenceError(_("Unknown step: %(step)s") % {"step": step_id})


def _record(item: EvidenceItem, *, actor, action: str, text: str, after=None):
    """The timeline note and the audit record of one change to an item."""
    event = TimelineEvent.objects.create(
        incident=item.incident,
        kind=EventKind.NOTE,
        step_id=item.step_id,
        happened_at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        text=text,
        data={"evidence": item.pk},
    )
    append_audit_record(
        actor=actor,
        action=action,
        obj=item,
        after={**(after or {}), "timeline_event_id": event.pk},
    )


def _store(upload) -> tuple[str, int, str]:
    """Put an uploaded file into the evidence folder, named by its digest.

    A ``StreamedEvidenceFile`` already lies there, hashed, and is only
    renamed; anything else is copied chunk by chunk, hashing as it goes.
    """
    limit = max_upload_bytes()
    too_large = EvidenceError(too_large_message(limit))
    if upload.size is not None and upload.size > limit:
        raise too_large

    root = evidence_root()
    root.mkdir(parents=True, exist_ok=True)
    if isinstance(upload, StreamedEvidenceFile) and upload.temp_path.parent == root:
        return _keep(root, upload.temp_path, upload.sha256, upload.size)

    digest = hashlib.sha256()
    size = 0
    handle, temp_name = tempfile.mkstemp(dir=root, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in upload.chunks(CHUNK_SIZE):
                size += len(chunk)
                if size > limit:
                    raise too_large
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        os.unlink(temp_name)
        raise
    return _keep(root, Path(temp_name), digest.hexdigest(), size)


def _keep(root: Path, temp_path: Path, hex_digest: str, size: int):
    """Move a hashed temporary file to its place under its digest."""
    temp_name = str(temp_path)
    try:
        target = root / hex_digest
        # The same content stored twice is the same file.
        if target.exists():
            os.unlink(temp_name)
        else:
            os.chmod(temp_name, 0o440)
            os.replace(temp_name, target)
    except BaseException:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
        raise
    return hex_digest, size, f"evidence/{hex_digest}"


def stored_file(item: EvidenceItem) -> Path:
    return Path(settings.DATA_DIR) / item.stored_path


def register_uploaded_evidence(
    incident: Incident,
    *,
    actor,
    upload,
    kind: str,
    title: str,
    collected_at: dt.datetime,
    collected_by: str,
    description: str = "",
    step_id: str = "",
) -> EvidenceItem:
    """Store an uploaded file (anything with ``name``, ``size`` and
    ``chunks()``, such as Django's UploadedFile) as evidence."""
    _check_common(kind=kind, step_id=step_id)
    title = _clean(title, field=_("the title"))
    collected_by = _clean(collected_by, field=_("who collected it"))
    description = _clean(
        description, field=_("the description"), required=False, max_length=MAX_TEXT
    )
    collected_at = _check_moment(collected_at)
    original = safe_filename(upload.name)

    digest, size, stored_path = _store(upload)
    with transaction.atomic():
        item = EvidenceItem.objects.create(
            incident=incident,
            kind=kind,
            title=title,
            description=description,
            step_id=step_id,
            collected_at=collected_at,
            collected_by=collected_by,
            sha256=digest,
            size=size,
            original_filename=original,
            stored_path=stored_path,
            registered_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        with translation.override("ja"):
            text = _("Evidence registered: %(title)s (SHA-256 %(digest)s)") % {
                "title": title,
                "digest": digest,
            }
        _record(
            item,
            actor=actor,
            action="evidence.registered",
            text=text,
            after=snapshot(item),
        )
    logger.info(
        "Evidence stored incident_id=%s evidence_id=%s size=%s",
        incident.pk,
        item.pk,
        size,
    )
    return item


def register_hash_only_evidence(
    incident: Incident,
    *,
    actor,
    sha256: str,
    holder: str,
    kind: str,
    title: str,
    collected_at: dt.datetime,
    collected_by: str,
    description: str = "",
    step_id: str = "",
    size: int | None = None,
    original_filename: str = "",
) -> EvidenceItem:
    """Register evidence that stays with a vendor or the police by its
    SHA-256 digest; MedIR keeps no copy."""
    _check_common(kind=kind, step_id=step_id)
    sha256 = (sha256 or "").strip().lower()
    if not SHA256_PATTERN.match(sha256):
        raise EvidenceError(_("A SHA-256 digest is 64 hexadecimal characters."))
    holder = _clean(holder, field=_("who holds it"))
    title = _clean(title, field=_("the title"))
    collected_by = _clean(collected_by, field=_("who collected it"))
    description = _clean(
        description, field=_("the description"), required=False, max_length=MAX_TEXT
    )
    if size is not None and size < 0:
        raise EvidenceError(_("The size cannot be negative."))
    collected_at = _check_moment(collected_at)
    original = safe_filename(original_filename) if original_filename else ""

    with transaction.atomic():
        item = EvidenceItem.objects.create(
            incident=incident,
            kind=kind,
            title=title,
            description=description,
            step_id=step_id,
            collected_at=collected_at,
            collected_by=collected_by,
            sha256=sha256,
            size=size,
            original_filename=original,
            hash_only=True,
            holder=holder,
            registered_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        with translation.override("ja"):
            text = _("Evidence registered by hash: %(title)s (SHA-256 %(digest)s)") % {
                "title": title,
                "digest": sha256,
            }
        _record(
            item,
            actor=actor,
            action="evidence.registered_hash",
            text=text,
            after=snapshot(item),
        )
    logger.info(
        "Evidence hash registered incident_id=%s evidence_id=%s", incident.pk, item.pk
    )
    return item


def record_custody_transfer(
    item: EvidenceItem,
    *,
    actor,
    from_holder: str,
    to_holder: str,
    handed_at: dt.datetime,
    reason: str,
    stored_at: str,
) -> CustodyTransfer:
    """Append one hand-over to the item's chain of custody."""
    from_holder = _clean(from_holder, field=_("who handed it over"))
    to_holder = _clean(to_holder, field=_("who received it"))
    reason = _clean(reason, field=_("why"), max_length=MAX_TEXT)
    stored_at = _clean(stored_at, field=_("where it is kept"))
    handed_at = _check_moment(handed_at)

    with transaction.atomic():
        transfer = CustodyTransfer.objects.create(
            item=item,
            from_holder=from_holder,
            to_holder=to_holder,
            handed_at=handed_at,
            reason=reason,
            stored_at=stored_at,
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        with translation.override("ja"):
            text = _("Evidence handed over: %(title)s, %(from)s → %(to)s") % {
                "title": item.title,
                "from": from_holder,
                "to": to_holder,
            }
        _record(
            item,
            actor=actor,
            action="evidence.custody",
            text=text,
            after=snapshot(transfer),
        )
    logger.info("Custody recorded evidence_id=%s transfer_id=%s", item.pk, transfer.pk)
    return transfer


def record_download(item: EvidenceItem, *, actor) -> None:
    """Evidence leaving MedIR is part of its custody trail."""
    with transaction.atomic():
        append_audit_record(
            actor=actor,
            action="evidence.downloaded",
            obj=item,
            after={"sha256": item.sha256},
        )
    logger.info("Evidence downloaded evidence_id=%s", item.pk)


# --- Bundles for the police or a lawyer ------------------------------------


# Characters Windows refuses in a file name: a lawyer's PC must be able to
# unpack the bundle. The manifest keeps the original name.
WINDOWS_RESERVED = str.maketrans({c: "_" for c in '<>:"|?*'})


def _member_name(item: EvidenceItem) -> str:
    name = (item.original_filename or "evidence").translate(WINDOWS_RESERVED)
    return f"files/{item.pk:05d}-{name}"


def _item_entry(item: EvidenceItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "kind": item.kind,
        "title": item.title,
        "description": item.description,
        "step": item.step_id,
        "collected_at": item.collected_at,
        "collected_by": item.collected_by,
        "sha256": item.sha256,
        "size": item.size,
        "original_filename": item.original_filename,
        "hash_only": item.hash_only,
        "holder": item.holder,
        "file": None if item.hash_only else _member_name(item),
        "custody": [
            {
                "from": t.from_holder,
                "to": t.to_holder,
                "handed_at": t.handed_at,
                "reason": t.reason,
                "stored_at": t.stored_at,
            }
            for t in item.custody.all()
        ],
    }


def build_manifest(
    incident: Incident, items: Iterable[EvidenceItem], *, actor, created_at
) -> dict[str, Any]:
    head_id, head_digest = get_chain_head()
    manifest = {
        "format": BUNDLE_FORMAT,
        "incident": incident.number,
        "created_at": created_at,
        "created_by": actor.get_username() if actor is not None else "system",
        "audit_chain_head": {"id": head_id, "digest": head_digest},
        "items": [_item_entry(item) for item in items],
    }
    return json.loads(json.dumps(manifest, cls=DjangoJSONEncoder))


def render_bundle_pdf(
    incident: Incident, manifest: dict[str, Any], *, manifest_sha256: str, export
) -> bytes:
    from medir.evidence.pdf import render_manifest_pdf

    return render_manifest_pdf(
        incident, manifest, manifest_sha256=manifest_sha256, export=export
    )


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """manifest.json exactly as it is written into the bundle."""
    return json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")


def export_bundle(incident: Incident, *, actor, items: list[EvidenceItem]):
    """Write a zip of the chosen items, their manifest and a readable PDF
    to a temporary file and return it, open at the start.

    The manifest names the audit chain's head, and the export's own audit
    record, appended right onto that head, holds the manifest's SHA-256:
    so the chain vouches for the manifest, and the manifest for every
    file. The PDF prints both digests for comparison.
    """
    if not items:
        raise EvidenceError(_("Choose at least one item."))
    if any(item.incident_id != incident.pk for item in items):
        raise EvidenceError(_("An item belongs to another incident."))
    for item in items:
        if not item.hash_only and not stored_file(item).is_file():
            raise EvidenceError(
                _("The stored file of %(title)s is missing.") % {"title": item.title}
            )

    created_at = timezone.now()
    with transaction.atomic():
        # No other record may slip in between the head the manifest names
        # and the export record.
        serialise_writes()
        manifest = build_manifest(incident, items, actor=actor, created_at=created_at)
        manifest_json = manifest_bytes(manifest)
        manifest_sha256 = hashlib.sha256(manifest_json).hexdigest()
        record = append_audit_record(
            actor=actor,
            action="evidence.bundle_exported",
            obj=incident,
            after={
                "items": [item.pk for item in items],
                "manifest_sha256": manifest_sha256,
            },
        )
    pdf = render_bundle_pdf(
        incident,
        manifest,
        manifest_sha256=manifest_sha256,
        export={"id": record.pk, "digest": record.digest},
    )

    root = evidence_root()
    root.mkdir(parents=True, exist_ok=True)
    bundle = tempfile.TemporaryFile(dir=root)  # noqa: SIM115 (returned open)
    # Stored, not deflated: images barely shrink, and each member's CRC
    # then sits beside its plain bytes.
    with zipfile.ZipFile(bundle, "w", compression=zipfile.ZIP_STORED) as archive:
        for item in items:
            if not item.hash_only:
                archive.write(stored_file(item), _member_name(item))
        archive.writestr(MANIFEST_NAME, manifest_json)
        archive.writestr(PDF_NAME, pdf)
    bundle.seek(0)
    logger.info(
        "Evidence bundle exported incident_id=%s items=%s", incident.pk, len(items)
    )
    return bundle


@dataclass(frozen=True)
class BundleProblem:
    name: str
    problem: str


@dataclass(frozen=True)
class BundleCheck:
    manifest: dict[str, Any]
    # SHA-256 of manifest.json as stored; the export's audit record and
    # the bundle's PDF hold the same digest.
    manifest_sha256: str
    problems: list[BundleProblem]


def verify_bundle(path: Path | str) -> BundleCheck:
    """Recompute each file's SHA-256 against the bundle's manifest, offline.

    Returns the manifest, its own digest and every file that is missing or
    does not match.
    """
    problems: list[BundleProblem] = []
    with zipfile.ZipFile(path) as archive:
        try:
            raw_manifest = archive.read(MANIFEST_NAME)
        except KeyError as error:
            raise EvidenceError(_("The bundle has no manifest.json.")) from error
        manifest = json.loads(raw_manifest)
        if not isinstance(manifest, dict):
            raise EvidenceError(_("The bundle's manifest.json is not a manifest."))
        names = set(archive.namelist())
        for entry in manifest.get("items", []):
            member = entry.get("file")
            if not member:
                continue
            if member not in names:
                problems.append(BundleProblem(member, "missing"))
                continue
            digest = hashlib.sha256()
            try:
                with archive.open(member) as stream:
                    for chunk in read_chunks(stream):
                        digest.update(chunk)
            except (zipfile.BadZipFile, OSError):
                problems.append(BundleProblem(member, "damaged"))
                continue
            if digest.hexdigest() != entry.get("sha256"):
                problems.append(BundleProblem(member, "does not match"))
        listed = {e.get("file") for e in manifest.get("items", [])}
        for name in sorted(names - listed - {MANIFEST_NAME, PDF_NAME}):
            problems.append(BundleProblem(name, "not in the manifest"))
    return BundleCheck(manifest, hashlib.sha256(raw_manifest).hexdigest(), problems)
