"""Changes to the contact directory and the call tree, each audited.

Editing people, outside organisations and their ordered channels, marking
them verified, the call tree, and importing a CSV file all or nothing. Every
record is stored through ``medir.organisation.services`` so that each lands
in the audit chain in the same transaction as the change. See
``medir.contacts.csvfile`` for the CSV columns.

Functions that edit raise ``ContactError`` with a message for the person
who tried; nothing has changed when they do.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from medir.contacts.csvfile import read_rows
from medir.contacts.models import CallTreeLink, CallWhen
from medir.lib.dates import DateInputError, parse_typed_date
from medir.organisation.models import (
    Authority,
    ChannelKind,
    ContactChannel,
    Department,
    Organisation,
    OrganisationKind,
    Person,
    Role,
    RoleAssignment,
)
from medir.organisation.services import (
    create_person,
    delete_organisation_record,
    save_organisation_record,
)

logger = logging.getLogger(__name__)

YES = {"yes", "y", "true", "1", "はい", "○"}
# Channels are tried 1, 2, 3 …; nobody keeps a thousand numbers for one.
MAX_CHANNEL_ORDER = 999
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
            # A spreadsheet may hold 令和8年4月1日 or full-width digits.
            return parse_typed_date(value)
        except DateInputError:
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
    order = cells["order"]
    if order and not (order.isdigit() and 1 <= int(order) <= MAX_CHANNEL_ORDER):
        check.add(row, "order", _("“%(value)s” is not 1, 2, 3 …") % {"value": order})
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


# --- Editing in MedIR's own pages ------------------------------------------


class ContactError(Exception):
    """A change to the directory that cannot be made; the message is for
    the user."""


def _clean(value: str, *, label: str, required: bool = False, max_length: int) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ContactError(_("Please give %(field)s.") % {"field": label})
    if len(value) > max_length:
        raise ContactError(
            _("%(field)s is too long (at most %(max)s characters).")
            % {"field": label, "max": max_length}
        )
    if any(ord(char) < 32 and char not in "\t\n\r" for char in value):
        raise ContactError(
            _("%(field)s contains characters that are not text.") % {"field": label}
        )
    return value


def _clean_url(value: str) -> str:
    value = (value or "").strip()
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise ContactError(
                _("“%(value)s” is not a web address.") % {"value": value}
            ) from None
    return value


def save_person(
    person: Person | None,
    *,
    actor,
    display_name: str,
    roles: list[str],
    job_title: str = "",
    department: Department | None = None,
    organisation: Organisation | None = None,
    deputy_for: Person | None = None,
    is_active: bool = True,
) -> Person:
    """Create a person (``person`` is None) or change one, with their roles."""
    display_name = _clean(
        display_name, label=_("the name"), required=True, max_length=100
    )
    job_title = _clean(job_title, label=_("the job title"), max_length=100)
    unknown = [role for role in roles if role not in Role.values]
    if unknown:
        raise ContactError(_("Unknown role: %(role)s") % {"role": unknown[0]})
    if department is not None and organisation is not None:
        raise ContactError(_("Give a department or an outside organisation, not both."))
    if deputy_for is not None and person is not None:
        # Walking up the deputies keeps A from standing in for B who stands
        # in for A: at night nobody would be the principal.
        chain = deputy_for
        while chain is not None:
            if chain.pk == person.pk:
                raise ContactError(
                    _("%(name)s cannot be their own deputy, even indirectly.")
                    % {"name": display_name}
                )
            chain = chain.deputy_for
    roles = sorted(set(roles))

    if person is None:
        return create_person(
            actor=actor,
            display_name=display_name,
            roles=roles,
            job_title=job_title,
            department=department,
            organisation=organisation,
            deputy_for=deputy_for,
            is_active=is_active,
        )

    with transaction.atomic():
        person.display_name = display_name
        person.job_title = job_title
        person.department = department
        person.organisation = organisation
        person.deputy_for = deputy_for
        person.is_active = is_active
        save_organisation_record(person, actor=actor, is_new=False)
        current = {assignment.role: assignment for assignment in person.roles.all()}
        for role in sorted(set(current) - set(roles)):
            delete_organisation_record(current[role], actor=actor)
        for role in sorted(set(roles) - set(current)):
            save_organisation_record(
                RoleAssignment(person=person, role=role), actor=actor, is_new=True
            )
    logger.info("Person changed person_id=%s roles=%s", person.pk, ",".join(roles))
    return person


def save_organisation(
    organisation: Organisation | None,
    *,
    actor,
    name: str,
    kind: str,
    name_en: str = "",
    source_url: str = "",
    needs_verification: bool = False,
    verified_on: datetime.date | None = None,
    authority: str = "",
    notes: str = "",
) -> Organisation:
    """Create an outside organisation (``organisation`` is None) or change
    one."""
    name = _clean(name, label=_("the name"), required=True, max_length=200)
    name_en = _clean(name_en, label=_("the English name"), max_length=200)
    notes = _clean(notes, label=_("the notes"), max_length=2000)
    if kind not in OrganisationKind.values:
        raise ContactError(_("Choose the kind of organisation."))
    if authority and authority not in Authority.values:
        raise ContactError(_("Unknown authority: %(key)s") % {"key": authority})
    if authority and kind != OrganisationKind.AUTHORITY:
        raise ContactError(_("Only an organisation of kind authority can be one."))
    source_url = _clean_url(source_url)
    others = Organisation.objects.exclude(pk=organisation.pk if organisation else None)
    if others.filter(name=name).exists():
        raise ContactError(_("%(name)s already exists.") % {"name": name})
    if authority and others.filter(authority=authority).exists():
        raise ContactError(
            _("Another organisation is already recorded as %(authority)s.")
            % {"authority": Authority(authority).label}
        )

    is_new = organisation is None
    organisation = organisation or Organisation()
    organisation.name = name
    organisation.name_en = name_en
    organisation.kind = kind
    organisation.source_url = source_url
    organisation.needs_verification = needs_verification
    organisation.verified_on = verified_on
    organisation.authority = authority
    organisation.notes = notes
    return save_organisation_record(organisation, actor=actor, is_new=is_new)


def _owner_channels(owner: Person | Organisation):
    key = "person" if isinstance(owner, Person) else "organisation"
    return ContactChannel.objects.filter(**{key: owner}).order_by("order", "id")


def save_channel(
    channel: ContactChannel | None,
    *,
    actor,
    owner: Person | Organisation | None = None,
    kind: str,
    value: str,
    label: str = "",
    out_of_hours: bool = False,
    source_url: str = "",
    needs_verification: bool = False,
    verified_on: datetime.date | None = None,
) -> ContactChannel:
    """Add a channel to ``owner`` (last in order) or change ``channel``."""
    if kind not in ChannelKind.values:
        raise ContactError(_("Choose the kind of channel."))
    value = _clean(
        value, label=_("the number or address"), required=True, max_length=200
    )
    label = _clean(label, label=_("the note"), max_length=100)
    source_url = _clean_url(source_url)

    with transaction.atomic():
        is_new = channel is None
        if channel is None:
            if owner is None:
                raise ContactError(_("Say whose channel this is."))
            last = _owner_channels(owner).last()
            channel = ContactChannel(
                **{"person" if isinstance(owner, Person) else "organisation": owner},
                order=(last.order + 1) if last else 1,
            )
        channel.kind = kind
        channel.value = value
        channel.label = label
        channel.out_of_hours = out_of_hours
        channel.source_url = source_url
        channel.needs_verification = needs_verification
        channel.verified_on = verified_on
        save_organisation_record(channel, actor=actor, is_new=is_new)
    return channel


def delete_channel(channel: ContactChannel, *, actor) -> None:
    delete_organisation_record(channel, actor=actor)


def move_channel(channel: ContactChannel, *, actor, direction: str) -> None:
    """Move a channel one place ``up`` (tried earlier) or ``down``.

    The owner's channels are numbered 1, 2, … afresh, so that equal or
    gapped orders from an import move predictably.
    """
    if direction not in ("up", "down"):
        raise ContactError(_("Move a channel up or down."))
    with transaction.atomic():
        owner = channel.person or channel.organisation
        channels = list(_owner_channels(owner).select_for_update())
        index = next(i for i, c in enumerate(channels) if c.pk == channel.pk)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(channels):
            raise ContactError(_("The channel cannot move further."))
        channels[index], channels[other] = channels[other], channels[index]
        for order, item in enumerate(channels, start=1):
            if item.order != order:
                item.order = order
                save_organisation_record(item, actor=actor, is_new=False)


def mark_verified(
    owner: Person | Organisation, *, actor, on: datetime.date | None = None
) -> None:
    """Record that ``owner``'s details and every channel were checked ``on``
    a day (today by default)."""
    on = on or timezone.localdate()
    with transaction.atomic():
        owner.verified_on = on
        save_organisation_record(owner, actor=actor, is_new=False)
        for channel in _owner_channels(owner):
            channel.verified_on = on
            save_organisation_record(channel, actor=actor, is_new=False)
    logger.info("Contact verified type=%s id=%s", owner._meta.label_lower, owner.pk)


# --- The call tree -----------------------------------------------------------


def save_call_tree_link(
    link: CallTreeLink | None,
    *,
    actor,
    caller: Person,
    callee_person: Person | None = None,
    callee_organisation: Organisation | None = None,
    position: int = 1,
    when: str = CallWhen.ALWAYS,
    note: str = "",
) -> CallTreeLink:
    """Add an arrow to the call tree (``link`` is None) or change one."""
    if (callee_person is None) == (callee_organisation is None):
        raise ContactError(_("Choose one person or one organisation to call."))
    if callee_person is not None and callee_person.pk == caller.pk:
        raise ContactError(_("A person cannot call themselves."))
    if callee_person is not None and _calls_back(callee_person, caller, link):
        raise ContactError(
            _("%(callee)s already calls %(caller)s: the tree would go round.")
            % {"callee": callee_person.display_name, "caller": caller.display_name}
        )
    if when not in CallWhen.values:
        raise ContactError(_("Choose when the call is made."))
    if not 1 <= int(position) <= 99:
        raise ContactError(_("The order is a number from 1 to 99."))
    note = _clean(note, label=_("the note"), max_length=200)

    is_new = link is None
    link = link or CallTreeLink()
    link.caller = caller
    link.callee_person = callee_person
    link.callee_organisation = callee_organisation
    link.position = int(position)
    link.when = when
    link.note = note
    return save_organisation_record(link, actor=actor, is_new=is_new)


def _calls_back(start: Person, target: Person, ignore: CallTreeLink | None) -> bool:
    """Whether ``start`` reaches ``target`` through the tree's arrows."""
    links = CallTreeLink.objects.exclude(callee_person=None)
    if ignore is not None and ignore.pk:
        links = links.exclude(pk=ignore.pk)
    edges: dict[int, set[int]] = {}
    for caller_id, callee_id in links.values_list("caller_id", "callee_person_id"):
        edges.setdefault(caller_id, set()).add(callee_id)
    seen, frontier = set(), [start.pk]
    while frontier:
        current = frontier.pop()
        if current == target.pk:
            return True
        if current in seen:
            continue
        seen.add(current)
        frontier.extend(edges.get(current, ()))
    return False


def delete_call_tree_link(link: CallTreeLink, *, actor) -> None:
    delete_organisation_record(link, actor=actor)
