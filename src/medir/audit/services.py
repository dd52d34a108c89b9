"""Writing to and checking the audit chain.

Appends are serialised so that two writers never chain onto the same
previous record: on SQLite the IMMEDIATE transaction already holds the
database's single write lock; on PostgreSQL a transaction-scoped advisory
lock is taken before reading the chain's head.
"""

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from medir.audit.models import AuditRecord

logger = logging.getLogger(__name__)

GENESIS_DIGEST = "0" * 64

# Any 64-bit number unique to MedIR; it names the PostgreSQL advisory lock.
AUDIT_LOCK_KEY = 0x4D65_6449_5200_0001


def _canonical(value: Any) -> Any:
    """Round-trip through JSON so hashing sees exactly what is stored."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def compute_digest(*, previous_digest: str, content: dict[str, Any]) -> str:
    payload = json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(
        previous_digest.encode("ascii") + b"\n" + payload.encode("utf-8")
    ).hexdigest()


def record_content(record: AuditRecord) -> dict[str, Any]:
    """The fields a record's digest covers, in a stable form."""
    return {
        "id": record.pk,
        "recorded_at": record.recorded_at.astimezone(dt.UTC).isoformat(),
        "actor_id": record.actor_id,
        "actor_label": record.actor_label,
        "action": record.action,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "before": record.before,
        "after": record.after,
    }


def serialise_writes() -> None:
    """Make this transaction the only writer until it commits.

    SQLite's IMMEDIATE transactions already are; PostgreSQL needs the
    advisory lock. Used by the audit chain and by anything that numbers
    records in sequence.
    """
    _lock_chain()


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_LOCK_KEY])


def append_audit_record(
    *,
    actor,
    action: str,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> AuditRecord:
    """Append one record to the chain; must run inside the caller's
    transaction so that the record commits or rolls back with the change."""
    if not connection.in_atomic_block:
        raise RuntimeError("append_audit_record must run inside transaction.atomic")

    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)

    _lock_chain()
    head = AuditRecord.objects.order_by("-id").only("id", "digest").first()
    previous_digest = head.digest if head else GENESIS_DIGEST

    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    record = AuditRecord(
        recorded_at=timezone.now(),
        actor=actor_user,
        actor_label=actor_user.get_username() if actor_user else "system",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=_canonical(before),
        after=_canonical(after),
        previous_digest=previous_digest,
        digest="pending",
    )

    # The id is part of the digest, so the row is inserted first and the
    # digest filled in within the same transaction. The placeholder is unique
    # per predecessor (so a second writer chaining onto the same record would
    # hit the unique constraint) and must fit the 64-character column:
    # PostgreSQL enforces max_length, SQLite silently did not.
    record.digest = f"pending-{previous_digest[:56]}"
    record.save(force_insert=True)
    record.refresh_from_db(fields=["recorded_at"])
    record.digest = compute_digest(
        previous_digest=previous_digest, content=record_content(record)
    )
    AuditRecord.objects.filter(pk=record.pk).update(digest=record.digest)
    return record


@dataclass(frozen=True)
class ChainReport:
    checked: int
    head_digest: str
    first_broken_id: int | None
    problem: str

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None


def _iter_records(batch_size: int = 5000) -> Iterator[AuditRecord]:
    last_id = 0
    while True:
        batch = list(
            AuditRecord.objects.filter(id__gt=last_id).order_by("id")[:batch_size]
        )
        if not batch:
            return
        yield from batch
        last_id = batch[-1].pk


def verify_audit_chain() -> ChainReport:
    """Recompute every digest in order and name the first record that does
    not match, or whose link to its predecessor is broken."""
    previous_digest = GENESIS_DIGEST
    checked = 0
    for record in _iter_records():
        if record.previous_digest != previous_digest:
            return ChainReport(
                checked, previous_digest, record.pk, "link to previous record broken"
            )
        expected = compute_digest(
            previous_digest=previous_digest, content=record_content(record)
        )
        if expected != record.digest:
            return ChainReport(
                checked, previous_digest, record.pk, "content does not match digest"
            )
        previous_digest = record.digest
        checked += 1
    logger.info("Audit chain verified records=%s", checked)
    return ChainReport(checked, previous_digest, None, "")


def get_chain_head() -> tuple[int, str]:
    head = AuditRecord.objects.order_by("-id").only("id", "digest").first()
    return (head.pk, head.digest) if head else (0, GENESIS_DIGEST)


def snapshot(obj: Model) -> dict[str, Any]:
    """The object's concrete field values, for an audit record's before or
    after. Foreign keys appear as ids."""
    return {
        field.attname: field.value_from_object(obj)
        for field in obj._meta.concrete_fields
        if field.attname != "password"
    }
