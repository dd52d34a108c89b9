"""The contact directory as a CSV file that Excel opens and writes.

One row per channel. Columns, in this order::

    kind               person | organisation
    name               the person's or organisation's name; rows with the
                       same kind and name belong together
    name_en            organisation only: the English name
    organisation_kind  organisation: vendor | contractor | authority | other;
                       person: blank
    organisation       person only: the outside organisation they work for
    department         person only: the department (created if new)
    roles              person only: roles separated by ";" (management;
                       security_manager; staff; external; administrator)
    deputy_for         person only: the name of the person they stand in for
    channel_kind       phone | mobile | fax | email | in_person | other;
                       blank for a row that only describes the person or
                       organisation
    channel_value      the number or address
    channel_label      e.g. 夜間窓口
    order              1, 2, … the order in which to try the channels
    out_of_hours       yes | no: reachable outside office hours
    verified_on        YYYY-MM-DD; on a row without channel_kind it is the
                       organisation's own date
    source_url         where the details were confirmed
    needs_verification yes | no: 要確認

The first row of a group carries the person's or organisation's own
details; later rows of the group only add channels.

Files are written in UTF-8 with a byte-order mark so that Excel shows
Japanese correctly, and read in UTF-8 (with or without the mark) or in
Windows Japanese (CP932), as Excel saves "CSV" on Japanese Windows. A cell
that a spreadsheet would run as a formula (starting with = + - @, a tab or
a carriage return) is written with a leading apostrophe, which is removed
again on import.
"""

import csv
import io

from django.utils.translation import gettext as _

from medir.organisation.models import ContactChannel, Organisation, Person

COLUMNS = [
    "kind",
    "name",
    "name_en",
    "organisation_kind",
    "organisation",
    "department",
    "roles",
    "deputy_for",
    "channel_kind",
    "channel_value",
    "channel_label",
    "order",
    "out_of_hours",
    "verified_on",
    "source_url",
    "needs_verification",
]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class CsvFileError(ValueError):
    """The file as a whole cannot be read; nothing was looked at row by row."""


def neutralise(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def restore(value: str) -> str:
    """Undo ``neutralise``."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def _date(value) -> str:
    return value.isoformat() if value else ""


def _channel_cells(channel: ContactChannel) -> dict[str, str]:
    return {
        "channel_kind": channel.kind,
        "channel_value": channel.value,
        "channel_label": channel.label,
        "order": str(channel.order),
        "out_of_hours": _yes_no(channel.out_of_hours),
        "verified_on": _date(channel.verified_on),
        "source_url": channel.source_url,
        "needs_verification": _yes_no(channel.needs_verification),
    }


def contact_rows() -> list[dict[str, str]]:
    """Organisations first, then people; each owner row before its channels."""
    rows = []
    organisations = Organisation.objects.prefetch_related("channels").order_by(
        "kind", "name", "pk"
    )
    for organisation in organisations:
        owner = {"kind": "organisation", "name": organisation.name}
        rows.append(
            {
                **owner,
                "name_en": organisation.name_en,
                "organisation_kind": organisation.kind,
                "verified_on": _date(organisation.verified_on),
                "source_url": organisation.source_url,
                "needs_verification": _yes_no(organisation.needs_verification),
            }
        )
        for channel in organisation.channels.order_by("order", "id"):
            rows.append({**owner, **_channel_cells(channel)})

    people = (
        Person.objects.reachable()
        .select_related("department", "organisation", "deputy_for")
        .prefetch_related("roles", "channels")
        .order_by("display_name", "pk")
    )
    for person in people:
        owner = {"kind": "person", "name": person.display_name}
        rows.append(
            {
                **owner,
                "organisation": person.organisation.name if person.organisation else "",
                "department": person.department.name if person.department else "",
                "roles": ";".join(sorted(person.role_keys())),
                "deputy_for": person.deputy_for.display_name
                if person.deputy_for
                else "",
            }
        )
        for channel in person.channels.order_by("order", "id"):
            rows.append({**owner, **_channel_cells(channel)})
    return rows


def export_contacts_csv() -> bytes:
    """The whole directory, UTF-8 with BOM, formula cells neutralised."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in contact_rows():
        writer.writerow({column: neutralise(row.get(column, "")) for column in COLUMNS})
    return buffer.getvalue().encode("utf-8-sig")


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), else CP932; anything else is refused."""
    text = None
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    # UTF-16 and binary files may decode as CP932 by chance; their NUL and
    # other control characters give them away.
    if text is None or any(ord(char) < 32 and char not in "\t\r\n" for char in text):
        raise CsvFileError(
            _(
                "The file is not a CSV text file in UTF-8 or Windows Japanese "
                "(CP932). In Excel, save it as “CSV UTF-8” or “CSV (comma "
                "delimited)”."
            )
        )
    return text


def read_rows(data: bytes) -> list[dict[str, str]]:
    """Decode the file and check its header; cells are left as text."""
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
