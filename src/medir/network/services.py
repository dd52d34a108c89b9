"""Changes to the network data, each versioned and audited.

Every function ends the current version of what it changes and starts a
new one in the same transaction as its audit record; nothing is deleted.
``at`` says when a change took effect (default: now); it exists so that
the demo and transcriptions of paper records can date a change, and may
not be earlier than the version it replaces.
"""

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from medir.audit.services import append_audit_record
from medir.network.models import (
    Asset,
    AssetKind,
    AssetVersion,
    Connection,
    ConnectionVersion,
    ExternalConnection,
    ExternalConnectionVersion,
    ExternalKind,
    Segment,
    SegmentPurpose,
    SegmentVersion,
    Version,
)

logger = logging.getLogger(__name__)


class NetworkError(ValueError):
    """A change that would make the network data wrong; nothing was stored.

    ``field`` names the input at fault, for forms and CSV rows.
    """

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Kind:
    """How one kind of network thing is versioned."""

    key: str
    identity: type[Model]
    version: type[Version]
    link: str  # the version's foreign key to its identity
    fields: tuple[str, ...]  # the details a version holds


SEGMENT = Kind(
    "segment",
    Segment,
    SegmentVersion,
    "segment",
    ("name", "name_en", "purpose", "notes"),
)
ASSET = Kind(
    "asset",
    Asset,
    AssetVersion,
    "asset",
    ("kind", "name", "segment", "system", "remote_access_device", "notes"),
)
CONNECTION = Kind(
    "connection",
    Connection,
    ConnectionVersion,
    "connection",
    ("source", "target", "label", "notes"),
)
EXTERNAL = Kind(
    "external_connection",
    ExternalConnection,
    ExternalConnectionVersion,
    "external_connection",
    ("asset", "kind", "party", "organisation", "is_remote_maintenance", "notes"),
)
KINDS = {kind.key: kind for kind in (SEGMENT, ASSET, CONNECTION, EXTERNAL)}


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def values_of(kind: Kind, version: Version) -> dict[str, Any]:
    """A version's details, foreign keys as ids, for audit and history."""
    values = {}
    for name in kind.fields:
        field = version._meta.get_field(name)
        values[field.attname] = getattr(version, field.attname)
    return values


def _moment(at: datetime.datetime | None) -> datetime.datetime:
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        raise ValueError("at must be an aware datetime")
    return at


def _current(kind: Kind, identity: Model) -> Version:
    version = (
        kind.version.objects.select_for_update()
        .filter(**{kind.link: identity}, valid_to=None)
        .first()
    )
    if version is None:
        raise NetworkError(_("This was removed already; it cannot be changed."))
    return version


def _check_lengths(kind: Kind, values: dict[str, Any]) -> None:
    """Texts longer than their column: forms check this, a CSV import or
    the API would otherwise reach the database (PostgreSQL refuses)."""
    for name, value in values.items():
        limit = getattr(kind.version._meta.get_field(name), "max_length", None)
        if limit and isinstance(value, str) and len(value) > limit:
            raise NetworkError(
                _("At most %(limit)s characters.") % {"limit": limit}, field=name
            )


def _start(kind: Kind, *, actor, at, values: dict[str, Any]) -> Model:
    moment = _moment(at)
    _check_lengths(kind, values)
    identity = kind.identity.objects.create()
    version = kind.version(
        **{kind.link: identity}, valid_from=moment, recorded_by=_user(actor), **values
    )
    version.save()
    append_audit_record(
        actor=actor,
        action=f"network.{kind.key}.added",
        obj=identity,
        after=values_of(kind, version),
    )
    logger.info("Network %s added id=%s", kind.key, identity.pk)
    return identity


def _replace(kind: Kind, identity: Model, *, actor, at, changes: dict[str, Any]):
    current = _current(kind, identity)
    moment = _moment(at)
    if moment < current.valid_from:
        raise NetworkError(_("A change cannot take effect before the last one."))
    unknown = set(changes) - set(kind.fields)
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    values = {name: getattr(current, name) for name in kind.fields}
    values.update(changes)
    _check_lengths(kind, changes)
    before = values_of(kind, current)
    successor = kind.version(
        **{kind.link: identity}, valid_from=moment, recorded_by=_user(actor), **values
    )
    after = values_of(kind, successor)
    if after == before:
        return identity

    current.valid_to = moment
    current.ended_by = _user(actor)
    current.save(update_fields=["valid_to", "ended_by"])
    successor.save()
    append_audit_record(
        actor=actor,
        action=f"network.{kind.key}.changed",
        obj=identity,
        before=before,
        after=after,
    )
    logger.info("Network %s changed id=%s", kind.key, identity.pk)
    return identity


def _end(kind: Kind, identity: Model, *, actor, at) -> None:
    current = _current(kind, identity)
    moment = _moment(at)
    if moment < current.valid_from:
        raise NetworkError(_("A change cannot take effect before the last one."))
    current.valid_to = moment
    current.ended_by = _user(actor)
    current.removed = True
    current.save(update_fields=["valid_to", "ended_by", "removed"])
    append_audit_record(
        actor=actor,
        action=f"network.{kind.key}.removed",
        obj=identity,
        before=values_of(kind, current),
    )
    logger.info("Network %s removed id=%s", kind.key, identity.pk)


# --- Checks --------------------------------------------------------------


def _required(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise NetworkError(_("This field is required."), field=field)
    return value


def _choice(value: str, choices, field: str) -> str:
    if value not in choices.values:
        raise NetworkError(
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": value, "choices": ", ".join(choices.values)},
            field=field,
        )
    return value


def _unique_name(kind: Kind, name: str, identity: Model | None) -> None:
    taken = kind.version.objects.current().filter(name=name)
    if identity is not None:
        taken = taken.exclude(**{kind.link: identity})
    if taken.exists():
        raise NetworkError(
            _("“%(name)s” is taken; names must be unique.") % {"name": name},
            field="name",
        )


def _is_current(kind: Kind, identity: Model | None) -> bool:
    return (
        identity is not None
        and kind.version.objects.current().filter(**{kind.link: identity}).exists()
    )


def _require_current(kind: Kind, identity: Model | None, field: str) -> None:
    if identity is not None and not _is_current(kind, identity):
        raise NetworkError(_("That was removed and cannot be used."), field=field)


# --- Segments ------------------------------------------------------------


def add_segment(
    *,
    actor,
    name: str,
    purpose: str,
    name_en: str = "",
    notes: str = "",
    at: datetime.datetime | None = None,
) -> Segment:
    """Add a network segment, e.g. 電子カルテ系 or 事務系."""
    name = _required(name, "name")
    _choice(purpose, SegmentPurpose, "purpose")
    with transaction.atomic():
        _unique_name(SEGMENT, name, None)
        values = {"name": name, "name_en": name_en, "purpose": purpose, "notes": notes}
        return _start(SEGMENT, actor=actor, at=at, values=values)


def change_segment(
    segment: Segment, *, actor, at: datetime.datetime | None = None, **changes
) -> Segment:
    if "name" in changes:
        changes["name"] = _required(changes["name"], "name")
    if "purpose" in changes:
        _choice(changes["purpose"], SegmentPurpose, "purpose")
    with transaction.atomic():
        if "name" in changes:
            _unique_name(SEGMENT, changes["name"], segment)
        return _replace(SEGMENT, segment, actor=actor, at=at, changes=changes)


def remove_segment(
    segment: Segment, *, actor, at: datetime.datetime | None = None
) -> None:
    """End a segment; its assets must be moved or removed first."""
    with transaction.atomic():
        if AssetVersion.objects.current().filter(segment=segment).exists():
            raise NetworkError(
                _("Assets are still in this segment: move or remove them first.")
            )
        _end(SEGMENT, segment, actor=actor, at=at)


# --- Assets --------------------------------------------------------------


def add_asset(
    *,
    actor,
    kind: str,
    name: str,
    segment: Segment | None = None,
    system=None,
    remote_access_device=None,
    notes: str = "",
    at: datetime.datetime | None = None,
) -> Asset:
    """Add a server, PC, network or medical device, VPN appliance …"""
    name = _required(name, "name")
    _choice(kind, AssetKind, "kind")
    with transaction.atomic():
        _unique_name(ASSET, name, None)
        _require_current(SEGMENT, segment, "segment")
        values = {
            "kind": kind,
            "name": name,
            "segment": segment,
            "system": system,
            "remote_access_device": remote_access_device,
            "notes": notes,
        }
        return _start(ASSET, actor=actor, at=at, values=values)


def change_asset(
    asset: Asset, *, actor, at: datetime.datetime | None = None, **changes
) -> Asset:
    if "name" in changes:
        changes["name"] = _required(changes["name"], "name")
    if "kind" in changes:
        _choice(changes["kind"], AssetKind, "kind")
    with transaction.atomic():
        if "name" in changes:
            _unique_name(ASSET, changes["name"], asset)
        if changes.get("segment") is not None:
            _require_current(SEGMENT, changes["segment"], "segment")
        return _replace(ASSET, asset, actor=actor, at=at, changes=changes)


def remove_asset(asset: Asset, *, actor, at: datetime.datetime | None = None) -> None:
    """End an asset; its connections must be removed first."""
    with transaction.atomic():
        linked = ConnectionVersion.objects.current().filter(
            Q(source=asset) | Q(target=asset)
        )
        outside = ExternalConnectionVersion.objects.current().filter(asset=asset)
        if linked.exists() or outside.exists():
            raise NetworkError(
                _("This asset still has connections: remove them first.")
            )
        _end(ASSET, asset, actor=actor, at=at)


# --- Connections inside the hospital -------------------------------------


def _check_connection(source: Asset, target: Asset, connection=None) -> None:
    if source == target:
        raise NetworkError(_("An asset cannot connect to itself."), field="target")
    _require_current(ASSET, source, "source")
    _require_current(ASSET, target, "target")
    same = ConnectionVersion.objects.current().filter(
        Q(source=source, target=target) | Q(source=target, target=source)
    )
    if connection is not None:
        same = same.exclude(connection=connection)
    if same.exists():
        raise NetworkError(_("These two assets are connected already."), field="target")


def add_connection(
    *,
    actor,
    source: Asset,
    target: Asset,
    label: str = "",
    notes: str = "",
    at: datetime.datetime | None = None,
) -> Connection:
    """Connect two assets, e.g. a server to its switch."""
    with transaction.atomic():
        _check_connection(source, target)
        values = {"source": source, "target": target, "label": label, "notes": notes}
        return _start(CONNECTION, actor=actor, at=at, values=values)


def change_connection(
    connection: Connection, *, actor, at: datetime.datetime | None = None, **changes
) -> Connection:
    with transaction.atomic():
        current = _current(CONNECTION, connection)
        source = changes.get("source", current.source)
        target = changes.get("target", current.target)
        if "source" in changes or "target" in changes:
            _check_connection(source, target, connection)
        return _replace(CONNECTION, connection, actor=actor, at=at, changes=changes)


def remove_connection(
    connection: Connection, *, actor, at: datetime.datetime | None = None
) -> None:
    with transaction.atomic():
        _end(CONNECTION, connection, actor=actor, at=at)


# --- Connections to the outside ------------------------------------------


def add_external_connection(
    *,
    actor,
    asset: Asset,
    kind: str,
    party: str,
    organisation=None,
    is_remote_maintenance: bool = False,
    notes: str = "",
    at: datetime.datetime | None = None,
) -> ExternalConnection:
    """Record a line from ``asset`` to the internet, a vendor, a regional
    network or another outside party."""
    party = _required(party, "party")
    _choice(kind, ExternalKind, "kind")
    with transaction.atomic():
        _require_current(ASSET, asset, "asset")
        values = {
            "asset": asset,
            "kind": kind,
            "party": party,
            "organisation": organisation,
            "is_remote_maintenance": is_remote_maintenance,
            "notes": notes,
        }
        return _start(EXTERNAL, actor=actor, at=at, values=values)


def change_external_connection(
    external: ExternalConnection,
    *,
    actor,
    at: datetime.datetime | None = None,
    **changes,
) -> ExternalConnection:
    if "party" in changes:
        changes["party"] = _required(changes["party"], "party")
    if "kind" in changes:
        _choice(changes["kind"], ExternalKind, "kind")
    with transaction.atomic():
        if "asset" in changes:
            _require_current(ASSET, changes["asset"], "asset")
        return _replace(EXTERNAL, external, actor=actor, at=at, changes=changes)


def remove_external_connection(
    external: ExternalConnection, *, actor, at: datetime.datetime | None = None
) -> None:
    with transaction.atomic():
        _end(EXTERNAL, external, actor=actor, at=at)
