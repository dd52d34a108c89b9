"""Reading the contact directory and what is missing from it."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from medir.incidents.permissions import roles_of
from medir.organisation.models import (
    ChannelKind,
    ContactChannel,
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
        Person.objects.filter(is_active=True)
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
    """Organisations and channels never verified or verified too long ago."""
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
