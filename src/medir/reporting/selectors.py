"""What the public report pages read: notices, contacts, departments."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from medir.incidents.models import StopUseNotice
from medir.organisation.models import (
    ChannelKind,
    ContactChannel,
    Department,
    Person,
    Role,
)

PHONE_KINDS = (ChannelKind.PHONE, ChannelKind.MOBILE)


@dataclass(frozen=True)
class Contact:
    """A person to phone about a report, with their numbers in order."""

    person: Person
    is_deputy: bool
    channels: list[ContactChannel]


def active_stop_use_notices() -> QuerySet[StopUseNotice]:
    """Notices not yet lifted, newest first.

    Notices of replayed incidents are left out: a drill must never tell real
    staff to stop using a real system.
    """
    return (
        StopUseNotice.objects.filter(lifted_at__isnull=True, incident__is_replay=False)
        .select_related("incident")
        .prefetch_related("systems")
    )


def _phones() -> Prefetch:
    return Prefetch(
        "channels",
        queryset=ContactChannel.objects.filter(kind__in=PHONE_KINDS).order_by(
            "order", "id"
        ),
        to_attr="phones",
    )


def security_manager_contacts() -> list[Contact]:
    """The security managers and, after each, their deputies, with phone
    and mobile numbers in the order to try them.

    A manager who is someone else's deputy is listed under that person.
    People without a phone number are left out: the page is for calling.
    """
    managers = list(
        Person.objects.reachable()
        .filter(roles__role=Role.SECURITY_MANAGER)
        .distinct()
        .prefetch_related(
            _phones(),
            Prefetch(
                "deputies",
                queryset=Person.objects.reachable().prefetch_related(_phones()),
                to_attr="active_deputies",
            ),
        )
    )
    manager_ids = {person.pk for person in managers}
    principals = [p for p in managers if p.deputy_for_id not in manager_ids]

    contacts: list[Contact] = []
    seen: set[int] = set()

    def add(person: Person, *, is_deputy: bool) -> None:
        if person.pk in seen:
            return
        seen.add(person.pk)
        if person.phones:
            contacts.append(Contact(person, is_deputy, person.phones))

    for principal in principals:
        add(principal, is_deputy=False)
        for deputy in principal.active_deputies:
            add(deputy, is_deputy=True)
    # Managers caught in a loop of deputies are still worth a call.
    for person in managers:
        add(person, is_deputy=person.deputy_for_id is not None)
    return contacts


def department_names() -> list[str]:
    return list(Department.objects.values_list("name", flat=True))


def find_department(text: str) -> Department | None:
    """The department whose Japanese or English name was typed, if any."""
    if not text:
        return None
    return (
        Department.objects.filter(name=text).first()
        or Department.objects.filter(name_en__iexact=text).first()
    )
