"""Reading the contact directory and what is missing from it."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from medir.contacts.models import CallTreeLink
from medir.incidents.permissions import roles_of
from medir.organisation.models import (
    Authority,
    ChannelKind,
    ContactChannel,
    MaintenanceLogEntry,
    Organisation,
    Person,
    Role,
    System,
)

# The roles that must be reachable at any hour, each with a deputy.
KEY_ROLES = (Role.MANAGEMENT, Role.SECURITY_MANAGER)


def may_read_directory(user) -> bool:
    """The hospital's own people and administrators: 3 a.m. needs numbers.

    Outside parties hold accounts for the incidents shared with them; the
    hospital's internal numbers are not theirs to read.
    """
    inside = roles_of(user) - {Role.EXTERNAL}
    return bool(inside) or bool(getattr(user, "is_staff", False))


def is_administrator(user) -> bool:
    return bool(getattr(user, "is_staff", False)) or Role.ADMINISTRATOR in roles_of(
        user
    )


def max_age_days() -> int:
    return int(getattr(settings, "MEDIR_CONTACT_MAX_AGE_DAYS", 180))


def _channels() -> Prefetch:
    return Prefetch("channels", queryset=ContactChannel.objects.order_by("order", "id"))


def get_people():
    return (
        Person.objects.reachable()
        .select_related("department", "organisation", "deputy_for")
        .prefetch_related("roles", "deputies", _channels())
        .order_by("display_name", "pk")
    )


def get_organisations():
    return Organisation.objects.prefetch_related(_channels(), "systems").order_by(
        "kind", "name", "pk"
    )


def is_stale(verified_on: datetime.date | None, today: datetime.date) -> bool:
    """Never verified, or verified longer ago than the allowed age."""
    if verified_on is None:
        return True
    return (today - verified_on).days > max_age_days()


@dataclass(frozen=True)
class StaleContact:
    owner: str
    what: str
    verified_on: datetime.date | None


def stale_contacts(today: datetime.date | None = None) -> list[StaleContact]:
    """Organisations, channels, and people without channels, never verified
    or verified too long ago."""
    today = today or timezone.localdate()
    found = []
    for organisation in get_organisations():
        if is_stale(organisation.verified_on, today):
            found.append(
                StaleContact(
                    organisation.name,
                    _("organisation details"),
                    organisation.verified_on,
                )
            )
    # A person's channels carry their own dates; someone with no channel
    # at all is flagged by the person's date instead.
    people = Person.objects.reachable().filter(channels=None)
    for person in people.order_by("display_name", "pk"):
        if is_stale(person.verified_on, today):
            found.append(
                StaleContact(
                    person.display_name, _("person details"), person.verified_on
                )
            )
    channels = ContactChannel.objects.select_related("person", "organisation")
    for channel in channels.order_by("organisation__name", "person__display_name"):
        if channel.person is not None and not channel.person.is_active:
            continue
        if is_stale(channel.verified_on, today):
            owner = channel.person or channel.organisation
            found.append(StaleContact(str(owner), str(channel), channel.verified_on))
    return found


@dataclass(frozen=True)
class ContactWarning:
    # "no_phone", "no_deputy", "no_one" or "stale": for tests and styling.
    kind: str
    message: str


def _only_email(channels) -> bool:
    return all(channel.kind == ChannelKind.EMAIL for channel in channels)


def contact_warnings(today: datetime.date | None = None) -> list[ContactWarning]:
    """What would leave someone without a number to call during a failure.

    1. Each key role is held by someone, reachable other than by e-mail
       (e-mail may be down with the network), and has a deputy.
    2. Each system's vendor is reachable other than by e-mail.
    3. Contact details are verified within ``MEDIR_CONTACT_MAX_AGE_DAYS``.
    """
    warnings = []
    people = list(get_people())

    for role in KEY_ROLES:
        holders = [p for p in people if role in p.role_keys()]
        if not holders:
            warnings.append(
                ContactWarning(
                    "no_one",
                    _("No one holds the role “%(role)s”.") % {"role": role.label},
                )
            )
        for person in holders:
            names = {"name": person.display_name, "role": role.label}
            if _only_email(person.channels.all()):
                warnings.append(
                    ContactWarning(
                        "no_phone",
                        _(
                            "%(name)s (%(role)s) has no way to be reached "
                            "other than e-mail."
                        )
                        % names,
                    )
                )
            if not any(deputy.is_active for deputy in person.deputies.all()):
                warnings.append(
                    ContactWarning(
                        "no_deputy",
                        _("%(name)s (%(role)s) has no deputy.") % names,
                    )
                )

    vendors = Organisation.objects.filter(
        pk__in=System.objects.exclude(vendor=None).values("vendor")
    )
    for vendor in vendors.prefetch_related("channels", "systems").order_by("name"):
        if _only_email(vendor.channels.all()):
            systems = ", ".join(system.name for system in vendor.systems.all())
            warnings.append(
                ContactWarning(
                    "no_phone",
                    _(
                        "%(name)s, vendor of %(systems)s, has no way to be "
                        "reached other than e-mail."
                    )
                    % {"name": vendor.name, "systems": systems},
                )
            )

    for stale in stale_contacts(today):
        if stale.verified_on is None:
            message = _("%(owner)s: %(what)s never verified.") % {
                "owner": stale.owner,
                "what": stale.what,
            }
        else:
            message = _(
                "%(owner)s: %(what)s last verified on %(date)s, more than "
                "%(days)s days ago."
            ) % {
                "owner": stale.owner,
                "what": stale.what,
                "date": stale.verified_on.isoformat(),
                "days": max_age_days(),
            }
        warnings.append(ContactWarning("stale", message))
    return warnings


def may_edit_directory(user) -> bool:
    """The security manager and administrators keep the directory."""
    return is_administrator(user) or Role.SECURITY_MANAGER in roles_of(user)


def may_read_systems(user) -> bool:
    """Contracts, remote-maintenance devices and who holds their
    credentials: for those who decide, run security or keep the data."""
    return is_administrator(user) or bool(
        roles_of(user) & {Role.MANAGEMENT, Role.SECURITY_MANAGER}
    )


def may_see_gaps(user) -> bool:
    """Who is shown the directory's gaps on the dashboard."""
    return may_read_systems(user)


# --- Who to call out of hours ----------------------------------------------


@dataclass(frozen=True)
class Callee:
    """A person or organisation to call, with the channels to try in order."""

    owner: Person | Organisation
    channels: list[ContactChannel]
    is_deputy: bool = False

    @property
    def name(self) -> str:
        return str(self.owner)

    @property
    def is_person(self) -> bool:
        return isinstance(self.owner, Person)


@dataclass(frozen=True)
class RoleCallees:
    title: str
    callees: list[Callee]


def _with_deputies(holders: list[Person], *, out_of_hours: bool) -> list[Callee]:
    """Each holder, then their active deputies; a holder who is another
    holder's deputy comes after that holder."""

    def channels(person: Person) -> list[ContactChannel]:
        found = list(person.channels.all())
        return [c for c in found if c.out_of_hours] if out_of_hours else found

    ids = {person.pk for person in holders}
    callees: list[Callee] = []
    seen: set[int] = set()
    for person in holders:
        if person.deputy_for_id in ids or person.pk in seen:
            continue
        seen.add(person.pk)
        callees.append(Callee(person, channels(person)))
        for deputy in person.deputies.all():
            if deputy.is_active and deputy.pk not in seen:
                seen.add(deputy.pk)
                callees.append(Callee(deputy, channels(deputy), is_deputy=True))
    for person in holders:
        if person.pk not in seen:
            seen.add(person.pk)
            callees.append(Callee(person, channels(person)))
    return callees


def _role_holders(role: str) -> list[Person]:
    return [person for person in get_people() if role in person.role_keys()]


def out_of_hours_contacts() -> list[RoleCallees]:
    """Per key role and per system vendor, whom to call out of hours: only
    the channels flagged out of hours, with each holder's deputies."""
    found = [
        RoleCallees(
            str(role.label),
            _with_deputies(_role_holders(role), out_of_hours=True),
        )
        for role in KEY_ROLES
    ]
    vendors = [
        Callee(vendor, [c for c in vendor.channels.all() if c.out_of_hours])
        for vendor in system_vendors()
    ]
    found.append(RoleCallees(str(_("Vendors of the systems")), vendors))
    return found


def system_vendors(systems=None) -> list[Organisation]:
    """The vendors of ``systems`` (of every system when None), by name."""
    chosen = System.objects.exclude(vendor=None)
    if systems is not None:
        chosen = chosen.filter(pk__in=[system.pk for system in systems])
    return list(
        Organisation.objects.filter(pk__in=chosen.values("vendor"))
        .prefetch_related(_channels(), "systems")
        .order_by("name")
    )


# --- Contacts a step needs ---------------------------------------------------


@dataclass(frozen=True)
class StepContactGroup:
    key: str
    title: str
    callees: list[Callee]
    # Shown when nobody is recorded for the group.
    missing: str


def contacts_for_step(incident, step) -> list[StepContactGroup]:
    """Whom ``step`` says to call (its ``contacts`` in the playbook), with
    their channels in order.

    ``vendor`` means the vendors of the incident's affected systems, or of
    every system while none is set.
    """
    groups = []
    for key in step.contacts:
        if key in (Role.SECURITY_MANAGER, Role.MANAGEMENT):
            role = Role(key)
            callees = _with_deputies(_role_holders(role), out_of_hours=False)
            title = str(role.label)
            missing = _("No one holds this role.")
        elif key == "vendor":
            systems = list(incident.affected_systems.all()) or None
            callees = [
                Callee(v, list(v.channels.all())) for v in system_vendors(systems)
            ]
            title = (
                _("Vendors of the affected systems")
                if systems
                else _("Vendors of the systems (no affected system is set)")
            )
            missing = _("No vendor is recorded for these systems.")
        else:
            authority = Authority(key)
            callees = [
                Callee(organisation, list(organisation.channels.all()))
                for organisation in get_organisations().filter(authority=key)
            ]
            title = str(authority.label)
            missing = _(
                "No organisation is recorded as this authority. Mark it in "
                "the contact directory."
            )
        groups.append(StepContactGroup(key, title, callees, missing))
    return groups


# --- The call tree -----------------------------------------------------------


def _channel_dict(channel: ContactChannel) -> dict:
    return {
        "kind": channel.kind,
        "kind_label": str(channel.get_kind_display()),
        "value": channel.value,
        "label": channel.label,
        "out_of_hours": channel.out_of_hours,
        "source_url": channel.source_url,
    }


def call_tree() -> list[dict]:
    """The call tree as plain data, for the page and the paper kit.

    A list of roots: the people who call others but whom nobody calls, by
    name. Each node is::

        {
            "type": "person" | "organisation",
            "id": 12,
            "name": "安全 守",
            "detail": "情報システム室長 …",   # job title or organisation kind
            "channels": [                     # in the order to try them
                {"kind": "mobile", "kind_label": "携帯", "value": "090-…",
                 "label": "携帯", "out_of_hours": True, "source_url": ""},
            ],
            "calls": [                        # in order; empty for leaves
                {"position": 1, "when": "always" | "attack" | "out_of_hours",
                 "when_label": "常に", "note": "…", "callee": {node}},
            ],
        }

    Labels are in the active language. A person called from two places is
    expanded only at the first; later nodes have ``"repeated": True`` and
    no ``calls``. Every node has ``"repeated"``.
    """
    links = list(
        CallTreeLink.objects.select_related(
            "caller", "callee_person", "callee_organisation"
        ).order_by("position", "id")
    )
    people = {
        person.pk: person
        for person in Person.objects.prefetch_related(_channels())
        .filter(Q(calls_made__isnull=False) | Q(called_by__isnull=False))
        .distinct()
    }
    organisations = {
        organisation.pk: organisation
        for organisation in Organisation.objects.prefetch_related(_channels())
        .filter(called_by__isnull=False)
        .distinct()
    }
    outgoing: dict[int, list[CallTreeLink]] = {}
    for link in links:
        outgoing.setdefault(link.caller_id, []).append(link)
    called = {link.callee_person_id for link in links if link.callee_person_id}
    roots = sorted(
        (people[pk] for pk in outgoing if pk not in called),
        key=lambda person: (person.display_name, person.pk),
    )
    expanded: set[int] = set()

    def person_node(person: Person) -> dict:
        repeated = person.pk in expanded
        expanded.add(person.pk)
        calls = []
        if not repeated:
            for link in outgoing.get(person.pk, []):
                if link.callee_person_id:
                    callee = person_node(people[link.callee_person_id])
                else:
                    callee = organisation_node(
                        organisations[link.callee_organisation_id]
                    )
                calls.append(
                    {
                        "position": link.position,
                        "when": link.when,
                        "when_label": str(link.get_when_display()),
                        "note": link.note,
                        "callee": callee,
                    }
                )
        return {
            "type": "person",
            "id": person.pk,
            "name": person.display_name,
            "detail": person.job_title,
            "channels": [_channel_dict(c) for c in person.channels.all()],
            "calls": calls,
            "repeated": repeated,
        }

    def organisation_node(organisation: Organisation) -> dict:
        return {
            "type": "organisation",
            "id": organisation.pk,
            "name": organisation.name,
            "detail": str(organisation.get_kind_display()),
            "channels": [_channel_dict(c) for c in organisation.channels.all()],
            "calls": [],
            "repeated": False,
        }

    tree = [person_node(person) for person in roots]
    # People only inside a loop have no root; the services refuse loops,
    # but show anyone left out rather than hide them.
    for pk in outgoing:
        if pk not in expanded:
            tree.append(person_node(people[pk]))
    return tree


# --- Systems -----------------------------------------------------------------


def get_systems():
    """Every system with its vendor, devices and work log."""
    return System.objects.select_related("vendor").prefetch_related(
        Prefetch(
            "vendor__channels", queryset=ContactChannel.objects.order_by("order", "id")
        ),
        "remote_access_devices",
        Prefetch(
            "maintenance_log",
            queryset=MaintenanceLogEntry.objects.select_related(
                "performed_by_organisation", "recorded_by"
            ).order_by("-performed_at", "-id"),
        ),
    )
