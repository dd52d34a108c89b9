"""Helpers for the web page tests: more of the cast, and page reading."""

from medir.incidents import services
from medir.incidents.models import TimelineEvent
from medir.organisation.models import Organisation, OrganisationKind, System
from medir.organisation.services import create_person
from tests.conftest import PASSWORD


def make_outsider():
    """An engineer of a vendor the incident is never shared with."""
    organisation = Organisation.objects.create(
        name="無関係システム株式会社", kind=OrganisationKind.VENDOR
    )
    return create_person(
        actor=None,
        display_name="他社技術者F",
        roles=["external"],
        username="outsider",
        password=PASSWORD,
        organisation=organisation,
    ).user


def make_ehr_system(vendor_organisation=None):
    return System.objects.create(
        name="電子カルテ", name_en="EHR", kind="ehr", vendor=vendor_organisation
    )


def share_with(incident, organisation, manager, extra_steps=()):
    return services.share_incident(
        incident,
        actor=manager,
        organisation=organisation,
        extra_steps=list(extra_steps),
    )


def event_count() -> int:
    return TimelineEvent.objects.count()


def page_text(response) -> str:
    return response.content.decode()
