"""Reading the network as it stands, or stood, and its change history."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from medir.incidents.permissions import roles_of
from medir.network.models import (
    AssetKind,
    AssetVersion,
    ConnectionVersion,
    ExternalConnectionVersion,
    ExternalKind,
    SegmentPurpose,
    SegmentVersion,
)
from medir.network.services import KINDS, Kind, values_of
from medir.organisation.models import Organisation, RemoteAccessDevice, Role, System

VIEWERS = {Role.MANAGEMENT, Role.SECURITY_MANAGER, Role.ADMINISTRATOR}
EDITORS = {Role.SECURITY_MANAGER, Role.ADMINISTRATOR}

# Segments from the outside in: the order of the diagram's bands.
PURPOSE_ORDER = [
    SegmentPurpose.DMZ,
    SegmentPurpose.EHR,
    SegmentPurpose.MEDICAL_DEVICES,
    SegmentPurpose.OFFICE,
    SegmentPurpose.BACKUP,
    SegmentPurpose.OTHER,
]

# At 2-6 the ways in for someone else come first: they were the way in at
# Osaka and Tokushima.
CUT_ORDER = [
    ExternalKind.VENDOR_REMOTE,
    ExternalKind.INTERNET,
    ExternalKind.REGIONAL,
    ExternalKind.OTHER,
]


def may_view(user) -> bool:
    return bool(roles_of(user) & VIEWERS)


def may_edit(user) -> bool:
    return bool(roles_of(user) & EDITORS)


class AsOfError(ValueError):
    """The ``as_of`` text is not a date or time that can be shown."""


def parse_as_of(text: str) -> datetime.datetime:
    """A date (its end, Japan time) or an ISO date and time; never future.

    ``2026-03-01`` means the network as it stood at the end of that day.
    A time without an offset is read in the installation's time zone.
    """
    text = text.strip()
    try:
        if len(text) == 10:
            day = datetime.date.fromisoformat(text)
            start = datetime.datetime.combine(
                day + datetime.timedelta(days=1), datetime.time()
            )
            moment = timezone.make_aware(start) - datetime.timedelta(microseconds=1)
        else:
            moment = datetime.datetime.fromisoformat(text)
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
    except (ValueError, OverflowError) as error:
        raise AsOfError(
            _(
                "“%(value)s” is not a date like 2026-04-01 or a date and time "
                "like 2026-04-01T09:30."
            )
            % {"value": text[:40]}
        ) from error
    if moment.date() > timezone.localdate() + datetime.timedelta(days=1):
        raise AsOfError(
            _("%(value)s is in the future; the diagram only shows the past.")
            % {"value": text[:40]}
        )
    return moment


@dataclass
class NetworkState:
    """The valid version of every segment, asset and connection at a moment."""

    moment: datetime.datetime | None
    segments: list[SegmentVersion]
    assets: list[AssetVersion]
    connections: list[ConnectionVersion]
    externals: list[ExternalConnectionVersion]
    segment_by_id: dict[int, SegmentVersion] = field(default_factory=dict)
    asset_by_id: dict[int, AssetVersion] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.segment_by_id = {v.segment_id: v for v in self.segments}
        self.asset_by_id = {v.asset_id: v for v in self.assets}

    @property
    def is_empty(self) -> bool:
        return not (self.segments or self.assets)

    def segment_of(self, asset: AssetVersion) -> SegmentVersion | None:
        return self.segment_by_id.get(asset.segment_id or 0)

    def assets_in(self, segment: SegmentVersion) -> list[AssetVersion]:
        return [a for a in self.assets if a.segment_id == segment.segment_id]

    def unsegmented(self) -> list[AssetVersion]:
        return [a for a in self.assets if self.segment_of(a) is None]

    def neighbours(self, asset: AssetVersion) -> list[tuple[ConnectionVersion, Any]]:
        """Each connection of an asset with the asset at its other end."""
        found = []
        for connection in self.connections:
            ends = (connection.source_id, connection.target_id)
            if asset.asset_id in ends:
                other_id = ends[1] if ends[0] == asset.asset_id else ends[0]
                other = self.asset_by_id.get(other_id)
                if other is not None:
                    found.append((connection, other))
        return found

    def externals_of(self, asset: AssetVersion) -> list[ExternalConnectionVersion]:
        return [e for e in self.externals if e.asset_id == asset.asset_id]


def _valid(queryset, moment):
    return queryset.as_of(moment) if moment is not None else queryset.current()


def _segment_key(version: SegmentVersion) -> tuple:
    return (PURPOSE_ORDER.index(version.purpose), version.name, version.segment_id)


def network_as_of(moment: datetime.datetime | None = None) -> NetworkState:
    """The network now, or as it stood at ``moment``."""
    segments = sorted(_valid(SegmentVersion.objects, moment), key=_segment_key)
    assets = list(
        _valid(AssetVersion.objects, moment)
        .select_related("system", "remote_access_device")
        .order_by("name", "asset_id")
    )
    state = NetworkState(moment, segments, assets, [], [])
    # A connection whose end is gone at that moment is not drawn.
    state.connections = [
        c
        for c in _valid(ConnectionVersion.objects, moment).order_by("id")
        if c.source_id in state.asset_by_id and c.target_id in state.asset_by_id
    ]
    state.externals = [
        e
        for e in _valid(ExternalConnectionVersion.objects, moment)
        .select_related("organisation")
        .order_by("party", "id")
        if e.asset_id in state.asset_by_id
    ]
    return state


def has_network_data() -> bool:
    return AssetVersion.objects.exists() or SegmentVersion.objects.exists()


# --- History -------------------------------------------------------------

KIND_LABELS = {
    "segment": gettext_lazy("Segment"),
    "asset": gettext_lazy("Asset"),
    "connection": gettext_lazy("Connection"),
    "external_connection": gettext_lazy("External connection"),
}


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class Change:
    at: datetime.datetime
    actor: str
    kind: str
    action: str  # added | changed | removed
    subject: str
    changes: list[FieldChange]

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def action_label(self) -> str:
        return {
            "added": _("added"),
            "changed": _("changed"),
            "removed": _("removed"),
        }[self.action]


class _Names:
    """Readable values for the ids a version holds, across all time."""

    def __init__(self) -> None:
        latest_segment: dict[int, str] = {}
        for v in SegmentVersion.objects.order_by("valid_from", "id"):
            latest_segment[v.segment_id] = v.name
        latest_asset: dict[int, str] = {}
        for v in AssetVersion.objects.order_by("valid_from", "id"):
            latest_asset[v.asset_id] = v.name
        self.by_attname: dict[str, dict[int, str]] = {
            "segment_id": latest_segment,
            "asset_id": latest_asset,
            "source_id": latest_asset,
            "target_id": latest_asset,
            "system_id": dict(System.objects.values_list("pk", "name")),
            "organisation_id": dict(Organisation.objects.values_list("pk", "name")),
            "remote_access_device_id": {
                d.pk: str(d)
                for d in RemoteAccessDevice.objects.select_related("system")
            },
        }
        self.choices = {
            ("segment", "purpose"): SegmentPurpose,
            ("asset", "kind"): AssetKind,
            ("external_connection", "kind"): ExternalKind,
        }

    def show(self, kind: str, attname: str, value) -> str:
        if value is None or value == "":
            return "—"
        if attname in self.by_attname:
            return self.by_attname[attname].get(value, f"#{value}")
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        choices = self.choices.get((kind, attname))
        if choices is not None:
            return str(dict(choices.choices).get(value, value))
        return str(value)


def _field_label(kind: Kind, attname: str) -> str:
    name = attname.removesuffix("_id")
    return str(kind.version._meta.get_field(name).verbose_name)


def _subject(kind: Kind, values: dict[str, Any], names: _Names) -> str:
    if kind.key in ("segment", "asset"):
        return str(values["name"])
    if kind.key == "connection":
        source = names.show(kind.key, "source_id", values["source_id"])
        target = names.show(kind.key, "target_id", values["target_id"])
        return f"{source} — {target}"
    asset = names.show(kind.key, "asset_id", values["asset_id"])
    return f"{asset} → {values['party']}"


def get_history() -> list[Change]:
    """Every change to the network data, newest first.

    Replays each thing's versions in order: the first one is its addition,
    each later one a change against the one before, and a version ended by
    removal adds the removal.
    """
    users = dict(
        (pk, name)
        for pk, name in get_user_model().objects.values_list("pk", "username")
    )
    names = _Names()

    def who(user_id) -> str:
        return users.get(user_id, "system") if user_id else "system"

    changes: list[Change] = []
    for kind in KINDS.values():
        previous: dict[int, dict[str, Any]] = {}
        for version in kind.version.objects.order_by("valid_from", "id"):
            identity = getattr(version, f"{kind.link}_id")
            values = values_of(kind, version)
            before = previous.get(identity)
            subject = _subject(kind, values, names)
            if before is None:
                fields = [
                    FieldChange(
                        _field_label(kind, a), "", names.show(kind.key, a, value)
                    )
                    for a, value in values.items()
                    if value not in (None, "", False)
                ]
                action = "added"
            else:
                fields = [
                    FieldChange(
                        _field_label(kind, a),
                        names.show(kind.key, a, before[a]),
                        names.show(kind.key, a, value),
                    )
                    for a, value in values.items()
                    if before[a] != value
                ]
                action = "changed"
            changes.append(
                Change(
                    version.valid_from,
                    who(version.recorded_by_id),
                    kind.key,
                    action,
                    subject,
                    fields,
                )
            )
            if version.removed and version.valid_to is not None:
                changes.append(
                    Change(
                        version.valid_to,
                        who(version.ended_by_id),
                        kind.key,
                        "removed",
                        subject,
                        [],
                    )
                )
            previous[identity] = values
    changes.sort(key=lambda change: change.at, reverse=True)
    return changes


# --- Summaries for steps and reports ---------------------------------------


def segment_label(segment: SegmentVersion | None) -> str:
    if segment is None:
        return _("(no segment)")
    return segment.name


def summarise_network_ja(state: NetworkState | None = None) -> str:
    """The network in a few Japanese lines, for the police memo; empty when
    no network is recorded."""
    state = state or network_as_of()
    if state.is_empty:
        return ""
    with translation.override("ja"):
        return _summary_lines(state)


def _summary_lines(state: NetworkState) -> str:
    lines = [
        f"院内ネットワーク構成（MedIR 登録、{timezone.localdate():%Y-%m-%d} 時点）"
    ]
    lines.append("セグメント:")
    for segment in state.segments:
        assets = "、".join(a.name for a in state.assets_in(segment))
        lines.append(
            f"- {segment.name}（{segment.get_purpose_display()}）: {assets or 'なし'}"
        )
    if state.externals:
        lines.append("外部接続:")
        for external in sorted(
            state.externals, key=lambda e: (CUT_ORDER.index(e.kind), e.party)
        ):
            asset = state.asset_by_id[external.asset_id]
            tag = "、リモート保守" if external.is_remote_maintenance else ""
            lines.append(
                f"- {external.party}（{external.get_kind_display()}{tag}）"
                f" ← {asset.name}（{segment_label(state.segment_of(asset))}）"
            )
    else:
        lines.append("外部接続: 登録なし")
    return "\n".join(lines)


# --- At the incident's steps ------------------------------------------------


@dataclass(frozen=True)
class Reach:
    """An affected asset, where it sits and what it talks to."""

    asset: AssetVersion
    segment: SegmentVersion | None
    neighbours: list[tuple[AssetVersion, SegmentVersion | None, str]]
    externals: list[ExternalConnectionVersion]


def affected_reach(incident, state: NetworkState | None = None) -> list[Reach]:
    """The assets of the incident's affected systems, with their segment,
    the assets they connect to (and those assets' segments) and their lines
    to the outside (step 2-3)."""
    state = state or network_as_of()
    systems = set(incident.affected_systems.values_list("pk", flat=True))
    found = []
    for asset in state.assets:
        if asset.system_id not in systems:
            continue
        neighbours = [
            (other, state.segment_of(other), connection.label)
            for connection, other in state.neighbours(asset)
        ]
        found.append(
            Reach(asset, state.segment_of(asset), neighbours, state.externals_of(asset))
        )
    return found


def is_backup(state: NetworkState, asset: AssetVersion) -> bool:
    segment = state.segment_of(asset)
    return asset.kind == AssetKind.BACKUP_STORAGE or (
        segment is not None and segment.purpose == SegmentPurpose.BACKUP
    )


@dataclass(frozen=True)
class Cut:
    """A line to cut at step 2-6, with both ends named."""

    near: AssetVersion
    near_segment: SegmentVersion | None
    far: str  # the other asset's or the outside party's name
    far_segment: SegmentVersion | None
    external: ExternalConnectionVersion | None = None


def backup_path(state: NetworkState | None = None) -> list[Cut]:
    """The links between the backups and the rest of the network: isolate
    these first so that the backups survive (step 2-6)."""
    state = state or network_as_of()
    cuts = []
    for asset in state.assets:
        if not is_backup(state, asset):
            continue
        for _connection, other in state.neighbours(asset):
            if is_backup(state, other):
                continue
            cuts.append(
                Cut(asset, state.segment_of(asset), other.name, state.segment_of(other))
            )
        for external in state.externals_of(asset):
            cuts.append(
                Cut(asset, state.segment_of(asset), external.party, None, external)
            )
    return cuts


def externals_to_cut(state: NetworkState | None = None) -> list[Cut]:
    """Every line to the outside, remote maintenance first (step 2-6)."""
    state = state or network_as_of()
    externals = sorted(
        state.externals,
        key=lambda e: (
            not e.is_remote_maintenance,
            CUT_ORDER.index(e.kind),
            e.party,
        ),
    )
    cuts = []
    for external in externals:
        asset = state.asset_by_id[external.asset_id]
        cuts.append(Cut(asset, state.segment_of(asset), external.party, None, external))
    return cuts
