"""Reading the organisation data for the pages that show it."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from medir.organisation.models import (
    ContactChannel,
    Department,
    Organisation,
    Person,
    System,
)
from medir.playbook.schema import Playbook, Step

# Where each kind of organisation data is kept, with its label.
# TODO(#4): point at MedIR's own contact and system pages once they exist;
# until then the organisation data is edited in Django's admin.
LINK_DATA = {
    "people": (Person, "admin:organisation_person_changelist", _("People")),
    "departments": (
        Department,
        "admin:organisation_department_changelist",
        _("Departments"),
    ),
    "organisations": (
        Organisation,
        "admin:organisation_organisation_changelist",
        _("Outside organisations"),
    ),
    "contacts": (
        ContactChannel,
        "admin:organisation_contactchannel_changelist",
        _("Contact channels"),
    ),
    "systems": (System, "admin:organisation_system_changelist", _("Systems")),
}


@dataclass(frozen=True)
class DataLink:
    label: str
    url: str
    count: int


@dataclass(frozen=True)
class PreparednessItem:
    step: Step
    links: list[DataLink]


def get_preparedness(playbook: Playbook) -> list[PreparednessItem]:
    """Phase-0 items with the organisation data each is kept in."""
    items = []
    for step in playbook.preparedness:
        links = []
        for key in step.links:
            model, url_name, label = LINK_DATA[key]
            links.append(DataLink(str(label), reverse(url_name), model.objects.count()))
        items.append(PreparednessItem(step, links))
    return items
