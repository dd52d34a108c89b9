"""The network as one CSV file that Excel opens and writes.

One row per segment, asset, connection or external connection; the
``kind`` column says which. Columns, in this order::

    kind               segment | asset | connection | external
    name               segment or asset: its name (unique);
                       connection: its label; external: the outside party
    name_en            segment only: the English name
    purpose            segment only: dmz | ehr | medical_devices | office |
                       backup | other
    asset_kind         asset only: server | client | network_device |
                       medical_device | remote_access | backup_storage | other
    segment            asset only: the segment's name (blank: none)
    system             asset only: the name of a system in MedIR (blank: none)
    asset              connection: one end; external: the asset the line
                       leaves from
    to_asset           connection only: the other end
    external_kind      external only: internet | vendor_remote | regional |
                       other
    organisation       external only: an outside organisation in MedIR
    remote_maintenance external only: yes | no
    notes              free text

Importing adds what is new and changes what differs, each as a new
version through ``medir.network.services``; rows are matched by name
(segments, assets), by their two ends (connections) and by asset and party
(external connections). Nothing is removed by an import. The file is read
and checked as a whole: one bad row and nothing is stored.

Encoding, the byte-order mark and formula cells are handled as for the
contact directory (``medir.contacts.csvfile``).
"""

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from medir.contacts.csvfile import CsvFileError, decode_csv, neutralise, restore
from medir.contacts.services import NO, YES, RowError
from medir.network import services
from medir.network.models import AssetVersion, ConnectionVersion
from medir.network.selectors import network_as_of
from medir.organisation.models import Organisation, System

COLUMNS = [
    "kind",
    "name",
    "name_en",
    "purpose",
    "asset_kind",
    "segment",
    "system",
    "asset",
    "to_asset",
    "external_kind",
    "organisation",
    "remote_maintenance",
    "notes",
]
ROW_KINDS = ["segment", "asset", "connection", "external"]


def network_rows() -> list[dict[str, str]]:
    """The current network, segments first so a file reads top-down."""
    state = network_as_of()
    names = {a.asset_id: a.name for a in state.assets}
    rows = []
    for segment in state.segments:
        rows.append(
            {
                "kind": "segment",
                "name": segment.name,
                "name_en": segment.name_en,
                "purpose": segment.purpose,
                "notes": segment.notes,
            }
        )
    for asset in state.assets:
        segment = state.segment_of(asset)
        rows.append(
            {
                "kind": "asset",
                "name": asset.name,
                "asset_kind": asset.kind,
                "segment": segment.name if segment else "",
                "system": asset.system.name if asset.system else "",
                "notes": asset.notes,
            }
        )
    for connection in state.connections:
        rows.append(
            {
                "kind": "connection",
                "name": connection.label,
                "asset": names[connection.source_id],
                "to_asset": names[connection.target_id],
                "notes": connection.notes,
            }
        )
    for external in state.externals:
        rows.append(
            {
                "kind": "external",
                "name": external.party,
                "asset": names[external.asset_id],
                "external_kind": external.kind,
                "organisation": external.organisation.name
                if external.organisation
                else "",
                "remote_maintenance": "yes" if external.is_remote_maintenance else "no",
                "notes": external.notes,
            }
        )
    return rows


def export_network_csv() -> bytes:
    """The current network, UTF-8 with BOM, formula cells neutralised."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in network_rows():
        writer.writerow({column: neutralise(row.get(column, "")) for column in COLUMNS})
    return buffer.getvalue().encode("utf-8-sig")


def read_network_rows(data: bytes) -> list[dict[str, str]]:
    text = decode_csv(data)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise CsvFileError(
            _("The file lacks these columns: %(columns)s. Expected: %(expected)s.")
            % {"columns": ", ".join(missing), "expected": ",".join(COLUMNS)}
        )
    reader.fieldnames = header
    return [
        {column: restore((row.get(column) or "").strip()) for column in COLUMNS}
        for row in reader
    ]


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    applied: bool = False


class _RowProblem(Exception):
    def __init__(self, column: str, problem: str) -> None:
        super().__init__(problem)
        self.column = column
        self.problem = problem


def _asset(name: str, column: str):
    version = AssetVersion.objects.current().filter(name=name).first()
    if version is None:
        raise _RowProblem(column, _("No asset is called “%(name)s”.") % {"name": name})
    return version.asset


def _flag(value: str, column: str) -> bool:
    if value.lower() in YES:
        return True
    if value.lower() in NO:
        return False
    raise _RowProblem(column, _("“%(value)s” is not yes or no.") % {"value": value})


def _import_segment(row, actor) -> None:
    values = {
        "name_en": row["name_en"],
        "purpose": row["purpose"],
        "notes": row["notes"],
    }
    current = (
        services.SEGMENT.version.objects.current().filter(name=row["name"]).first()
    )
    if current is None:
        services.add_segment(actor=actor, name=row["name"], **values)
    else:
        services.change_segment(current.segment, actor=actor, **values)


def _import_asset(row, actor) -> None:
    segment = None
    if row["segment"]:
        found = services.SEGMENT.version.objects.current().filter(name=row["segment"])
        if not found.exists():
            raise _RowProblem(
                "segment",
                _("No segment is called “%(name)s”.") % {"name": row["segment"]},
            )
        segment = found.first().segment
    system = None
    if row["system"]:
        system = System.objects.filter(name=row["system"]).first()
        if system is None:
            raise _RowProblem(
                "system",
                _("No system is called “%(name)s”.") % {"name": row["system"]},
            )
    values = {
        "kind": row["asset_kind"],
        "segment": segment,
        "system": system,
        "notes": row["notes"],
    }
    current = AssetVersion.objects.current().filter(name=row["name"]).first()
    if current is None:
        services.add_asset(actor=actor, name=row["name"], **values)
    else:
        services.change_asset(current.asset, actor=actor, **values)


def _import_connection(row, actor) -> None:
    source = _asset(row["asset"], "asset")
    target = _asset(row["to_asset"], "to_asset")
    current = (
        ConnectionVersion.objects.current()
        .filter(Q(source=source, target=target) | Q(source=target, target=source))
        .first()
    )
    values = {"label": row["name"], "notes": row["notes"]}
    if current is None:
        services.add_connection(actor=actor, source=source, target=target, **values)
    else:
        services.change_connection(current.connection, actor=actor, **values)


def _import_external(row, actor) -> None:
    asset = _asset(row["asset"], "asset")
    organisation = None
    if row["organisation"]:
        organisation = Organisation.objects.filter(name=row["organisation"]).first()
        if organisation is None:
            raise _RowProblem(
                "organisation",
                _("No outside organisation is called “%(name)s”.")
                % {"name": row["organisation"]},
            )
    values = {
        "kind": row["external_kind"],
        "organisation": organisation,
        "is_remote_maintenance": _flag(row["remote_maintenance"], "remote_maintenance"),
        "notes": row["notes"],
    }
    current = (
        services.EXTERNAL.version.objects.current()
        .filter(asset=asset, party=row["name"])
        .first()
    )
    if current is None:
        services.add_external_connection(
            actor=actor, asset=asset, party=row["name"], **values
        )
    else:
        services.change_external_connection(
            current.external_connection, actor=actor, **values
        )


IMPORTERS = {
    "segment": _import_segment,
    "asset": _import_asset,
    "connection": _import_connection,
    "external": _import_external,
}

# Columns the services name differently from the file.
FIELD_COLUMNS = {
    "kind": {"asset": "asset_kind", "external": "external_kind"},
    "party": {"external": "name"},
    "source": {"connection": "asset"},
    "target": {"connection": "to_asset"},
}


def import_network(data: bytes, *, actor, apply: bool = True) -> ImportResult:
    """Check every row and, if all are fine and ``apply``, store them.

    Rows go through the services in kind order (segments before the assets
    in them, assets before their connections) inside one transaction,
    which is rolled back when any row fails or when only checking.
    Raises CsvFileError when the file as a whole cannot be read.
    """
    rows = read_network_rows(data)
    result = ImportResult(counts=dict.fromkeys(ROW_KINDS, 0))
    numbered = list(enumerate(rows, start=2))
    for number, row in numbered:
        if row["kind"] not in IMPORTERS:
            result.errors.append(
                RowError(
                    number,
                    "kind",
                    _("“%(value)s” is not one of: %(choices)s.")
                    % {"value": row["kind"], "choices": ", ".join(ROW_KINDS)},
                )
            )
    numbered.sort(
        key=lambda item: (
            ROW_KINDS.index(item[1]["kind"]) if item[1]["kind"] in IMPORTERS else 9,
            item[0],
        )
    )

    with transaction.atomic():
        for number, row in numbered:
            kind = row["kind"]
            if kind not in IMPORTERS:
                continue
            try:
                with transaction.atomic():
                    IMPORTERS[kind](row, actor)
            except _RowProblem as problem:
                result.errors.append(RowError(number, problem.column, problem.problem))
                continue
            except services.NetworkError as error:
                column = FIELD_COLUMNS.get(error.field, {}).get(kind, error.field)
                result.errors.append(RowError(number, column or "kind", str(error)))
                continue
            result.counts[kind] += 1
        result.errors.sort(key=lambda error: error.row)
        result.applied = apply and not result.errors
        if not result.applied:
            transaction.set_rollback(True)
    return result
