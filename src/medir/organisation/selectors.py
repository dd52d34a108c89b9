"""Reading the organisation data for the pages that show it."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medir.organisation.models import (
    ChannelKind,
    ContactChannel,
    Department,
    MaintenanceLogEntry,
    Organisation,
    Person,
    RemoteAccessDevice,
    System,
)
from medir.playbook.schema import Playbook, Step


@dataclass(frozen=True)
class DataPage:
    """Where one kind of preparedness data is kept, and who may open it."""

    label: str
    url_name: str
    count: Callable[[], int]
    may_open: Callable[[Any], bool]


def _data_pages() -> dict[str, DataPage]:
    # Imported here: the contacts and network apps build on this one.
    from medir.contacts.models import CallTreeLink
    from medir.contacts.selectors import may_read_directory
    from medir.network.models import AssetVersion
    from medir.network.selectors import may_view as may_view_network

    def in_admin(user) -> bool:
        return user.is_staff

    return {
        "people": DataPage(
            _("People"), "contacts:directory", Person.objects.count, may_read_directory
        ),
        # Departments change rarely and have no page of their own.
        "departments": DataPage(
            _("Departments"),
            "admin:organisation_department_changelist",
            Department.objects.count,
            in_admin,
        ),
        "organisations": DataPage(
            _("Outside organisations"),
            "contacts:directory",
            Organisation.objects.count,
            may_read_directory,
        ),
        "contacts": DataPage(
            _("Contact channels"),
            "contacts:directory",
            ContactChannel.objects.count,
            may_read_directory,
        ),
        "call_tree": DataPage(
            _("Call tree"),
            "contacts:call_tree",
            CallTreeLink.objects.count,
            may_read_directory,
        ),
        "systems": DataPage(
            _("Systems"), "contacts:systems", System.objects.count, may_read_directory
        ),
        "network": DataPage(
            _("Network assets"),
            "network:index",
            lambda: AssetVersion.objects.current().count(),
            may_view_network,
        ),
    }


@dataclass(frozen=True)
class DataLink:
    label: str
    url: str  # empty when the person may not open the page
    count: int


@dataclass(frozen=True)
class PreparednessItem:
    step: Step
    links: list[DataLink]


def get_preparedness(playbook: Playbook, user) -> list[PreparednessItem]:
    """Phase-0 items with the data each is kept in, linked where ``user``
    may open the page."""
    pages = _data_pages()
    items = []
    for step in playbook.preparedness:
        links = []
        for key in step.links:
            page = pages[key]
            url = reverse(page.url_name) if page.may_open(user) else ""
            links.append(DataLink(str(page.label), url, page.count()))
        items.append(PreparednessItem(step, links))
    return items


# How far back step 2-2 looks for work done before an incident.
WORK_BEFORE_INCIDENT = datetime.timedelta(days=3)

# The channels that still work when the hospital network and e-mail are down.
PHONE_KINDS = (ChannelKind.PHONE, ChannelKind.MOBILE)


def patch_max_age_days() -> int:
    return settings.MEDIR_PATCH_MAX_AGE_DAYS


def unpatched_devices(today: datetime.date | None = None) -> list[RemoteAccessDevice]:
    """Remote-access devices never patched or patched too long ago, oldest
    first; the caterer's and the VPN vendor's devices were the way in."""
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=patch_max_age_days())
    devices = RemoteAccessDevice.objects.filter(
        Q(last_patched_on__isnull=True) | Q(last_patched_on__lt=cutoff)
    ).select_related("system", "system__vendor")
    return sorted(
        devices,
        key=lambda d: (d.last_patched_on or datetime.date.min, d.system.name, d.pk),
    )


@dataclass(frozen=True)
class WorkBefore:
    entry: MaintenanceLogEntry
    # Phone channels of whoever did the work, else of the system's vendor.
    phones: list[ContactChannel]


def work_before(incident) -> list[WorkBefore]:
    """Work logged on the incident's affected systems (all systems if none
    are set) in the three days before it was reported, newest first."""
    systems = list(incident.affected_systems.all())
    end = incident.reported_at
    entries = MaintenanceLogEntry.objects.filter(
        performed_at__gte=end - WORK_BEFORE_INCIDENT, performed_at__lte=end
    )
    if systems:
        entries = entries.filter(system__in=systems)
    phones = ContactChannel.objects.filter(kind__in=PHONE_KINDS).order_by("order", "id")
    entries = entries.select_related(
        "system", "system__vendor", "performed_by_organisation"
    ).prefetch_related(
        Prefetch("system__vendor__channels", queryset=phones),
        Prefetch("performed_by_organisation__channels", queryset=phones),
    )
    found = []
    for entry in entries.order_by("-performed_at", "-id"):
        who = entry.performed_by_organisation or entry.system.vendor
        found.append(WorkBefore(entry, list(who.channels.all()) if who else []))
    return found
