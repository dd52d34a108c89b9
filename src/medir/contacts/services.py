"""Importing the contact directory from a CSV file, all or nothing.

Every record is stored through ``medir.organisation.services`` so that each
lands in the audit chain. See ``medir.contacts.csvfile`` for the columns.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from medir.contacts.csvfile import read_rows
from medir.organisation.models import (
    ChannelKind,
    ContactChannel,
    Department,
    Organisation,
    OrganisationKind,
    Person,
    Role,
)
from medir.organisation.services import create_person, save_organisation_record

logger = logging.getLogger(__name__)

YES = {"yes", "y", "true", "1", "はい", "○"}
NO = {"no", "n", "false", "0", "いいえ", ""}


@dataclass(frozen=True)
class RowError:
    row: int  # counting the header as row 1, as a spreadsheet shows it
    column: str
    problem: str

    def __str__(self) -> str:
        return _("Row %(row)s, column %(column)s: %(problem)s") % {
            "row": self.row,
            "column": self.column,
            "problem": self.problem,
        }


@dataclass
class Owner:
    """A person or organisation read from its group of rows."""

    kind: str
    name: str
    row: int
    fields: dict[str, str]
    channels: list[tuple[int, dict[str, str]]] = field(default_factory=list)


@dataclass
class ImportResult:
    errors: list[RowError]
    people: int = 0
    organisations: int = 0
    channels: int = 0
    applied: bool = False


class _Checker:
    def __init__(self) -> None:
        self.errors: list[RowError] = []

    def add(self, row: int, column: str, problem: str) -> None:
        self.errors.append(RowError(row, column, problem))

    def flag(self, row: int, column: str, value: str) -> bool:
        if value.lower() in YES:
            return True
        if value.lower() not in NO:
            self.add(row, column, _("“%(value)s” is not yes or no.") % {"value": value})
        return False

    def date(self, row: int, column: str, value: str) -> datetime.date | None:
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.add(
                row,
                column,
                _("“%(value)s” is not a date like 2026-04-01.") % {"value": value},
            )
            return None

    def url(self, row: int, column: str, value: str) -> str:
        if value:
            try:
                URLValidator()(value)
            except ValidationError:
                self.add(
                    row,
                    column,
                    _("“%(value)s” is not a web address.") % {"value": value},
                )
        return value


def _group(rows: list[dict[str, str]], check: _Checker) -> list[Owner]:
    owners: dict[tuple[str, str], Owner] = {}
    for number, row in enumerate(rows, start=2):
        kind, name = row["kind"], row["name"]
        if kind not in ("person", "organisation"):
            check.add(
                number,
                "kind",
                _("“%(value)s” is not person or organisation.") % {"value": kind},
            )
            continue
        if not name:
            check.add(number, "name", _("The name is missing."))
            continue
        owner = owners.get((kind, name))
        if owner is None:
            owner = owners[kind, name] = Owner(kind, name, number, row)
        elif not row["channel_kind"]:
            check.add(
                number,
                "name",
                _("%(name)s is described twice; later rows may only add channels.")
                % {"name": name},
            )
        if row["channel_kind"]:
            owner.channels.append((number, row))
    return list(owners.values())


def _check_owner(owner: Owner, names: dict[str, set[str]], check: _Checker) -> None:
    row, cells = owner.row, owner.fields
    if owner.kind == "organisation":
        if cells["organisation_kind"] not in OrganisationKind.values:
            check.add(
                row,
                "organisation_kind",
                _("“%(value)s” is not one of %(choices)s.")
                % {
                    "value": cells["organisation_kind"],
                    "choices": ", ".join(OrganisationKind.values),
                },
            )
        if Organisation.objects.filter(name=owner.name).exists():
            check.add(row, "name", _("%(name)s already exists.") % {"name": owner.name})
        check.date(row, "verified_on", cells["verified_on"])
        check.url(row, "source_url", cells["source_url"])
        check.flag(row, "needs_verification", cells["needs_verification"])
        return

    for role in filter(None, cells["roles"].split(";")):
        if role.strip() not in Role.values:
            check.add(
                row,
                "roles",
                _("“%(value)s” is not one of %(choices)s.")
                % {"value": role, "choices": ", ".join(Role.values)},
            )
    if Person.objects.filter(display_name=owner.name).exists():
        check.add(row, "name", _("%(name)s already exists.") % {"name": owner.name})
    organisation = cells["organisation"]
    if organisation and not (
        organisation in names["organisation"]
        or Organisation.objects.filter(name=organisation).exists()
    ):
        check.add(
            row,
            "organisation",
            _("There is no organisation %(name)s.") % {"name": organisation},
        )
    deputy_for = cells["deputy_for"]
    if deputy_for and not (
        deputy_for in names["person"]
        or Person.objects.filter(display_name=deputy_for).exists()
    ):
        check.add(
            row, "deputy_for", _("There is no person %(name)s.") % {"name": deputy_for}
        )


def _check_channel(row: int, cells: dict[str, str], check: _Checker) -> None:
    if cells["channel_kind"] not in ChannelKind.values:
        check.add(
            row,
            "channel_kind",
            _("“%(value)s” is not one of %(choices)s.")
            % {
                "value": cells["channel_kind"],
                "choices": ", ".join(ChannelKind.values),
            },
        )
    if not cells["channel_value"]:
        check.add(row, "channel_value", _("The number or address is missing."))
    if cells["order"] and not (cells["order"].isdigit() and int(cells["order"]) > 0):
        check.add(row, "order", _("“%(value)s” is not 1, 2, 3 …") % cells)
    check.flag(row, "out_of_hours", cells["out_of_hours"])
    check.date(row, "verified_on", cells["verified_on"])
    check.url(row, "source_url", cells["source_url"])
    check.flag(row, "needs_verification", cells["needs_verification"])


def _store(owners: list[Owner], *, actor, check: _Checker, result: ImportResult):
    """Create organisations, then people, then deputies, then channels."""
    stored: dict[tuple[str, str], Organisation | Person] = {}

    for owner in owners:
        if owner.kind != "organisation":
            continue
        cells = owner.fields
        stored["organisation", owner.name] = save_organisation_record(
            Organisation(
                name=owner.name,
                name_en=cells["name_en"],
                kind=cells["organisation_kind"],
                verified_on=check.date(owner.row, "verified_on", cells["verified_on"]),
                source_url=cells["source_url"],
                needs_verification=check.flag(
                    owner.row, "needs_verification", cells["needs_verification"]
                ),
            ),
            actor=actor,
            is_new=True,
        )
        result.organisations += 1

    for owner in owners:
        if owner.kind != "person":
            continue
        cells = owner.fields
        department = None
        if cells["department"]:
            department = Department.objects.filter(name=cells["department"]).first()
            if department is None:
                department = save_organisation_record(
                    Department(name=cells["department"]), actor=actor, is_new=True
                )
        organisation = None
        if cells["organisation"]:
            organisation = Organisation.objects.get(name=cells["organisation"])
        stored["person", owner.name] = create_person(
            actor=actor,
            display_name=owner.name,
            roles=sorted({r.strip() for r in cells["roles"].split(";") if r.strip()}),
            department=department,
            organisation=organisation,
        )
        result.people += 1

    for owner in owners:
        if owner.kind == "person" and owner.fields["deputy_for"]:
            person = stored["person", owner.name]
            name = owner.fields["deputy_for"]
            principal = (
                stored.get(("person", name))
                or Person.objects.filter(display_name=name).first()
            )
            person.deputy_for = principal
            save_organisation_record(person, actor=actor, is_new=False)

    for owner in owners:
        target = stored[owner.kind, owner.name]
        for row, cells in owner.channels:
            save_organisation_record(
                ContactChannel(
                    **{owner.kind: target},
                    kind=cells["channel_kind"],
                    value=cells["channel_value"],
                    label=cells["channel_label"],
                    order=int(cells["order"] or 1),
                    out_of_hours=check.flag(row, "out_of_hours", cells["out_of_hours"]),
                    verified_on=check.date(row, "verified_on", cells["verified_on"]),
                    source_url=cells["source_url"],
                    needs_verification=check.flag(
                        row, "needs_verification", cells["needs_verification"]
                    ),
                ),
                actor=actor,
                is_new=True,
            )
            result.channels += 1


def import_contacts(data: bytes, *, actor, apply: bool) -> ImportResult:
    """Check the whole file; store it only if every row is right.

    Raises ``CsvFileError`` when the file cannot be read at all. Otherwise
    returns the row-by-row errors; when there are any, or ``apply`` is
    false, nothing is stored.
    """
    rows = read_rows(data)
    check = _Checker()
    owners = _group(rows, check)
    names = {
        kind: {owner.name for owner in owners if owner.kind == kind}
        for kind in ("person", "organisation")
    }
    for owner in owners:
        _check_owner(owner, names, check)
        for row, cells in owner.channels:
            _check_channel(row, cells, check)

    result = ImportResult(errors=sorted(check.errors, key=lambda e: e.row))
    if result.errors:
        logger.info(
            "Contact import refused rows=%s errors=%s", len(rows), len(result.errors)
        )
        return result

    with transaction.atomic():
        _store(owners, actor=actor, check=check, result=result)
        if not apply:
            transaction.set_rollback(True)
    result.applied = apply
    logger.info(
        "Contact import checked apply=%s people=%s organisations=%s channels=%s",
        apply,
        result.people,
        result.organisations,
        result.channels,
    )
    return result
