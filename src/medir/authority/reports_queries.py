"""Read-only questions about authority reports, for other apps.

Kept free of the rendering libraries so that the deadlines clock can
import it cheaply.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Max

from medir.authority.models import NoticeBatch, ReportCopySent, ReportVersion
from medir.authority.reports.kinds import ReportKind, all_kinds, get_kind
from medir.incidents.models import Incident


def latest_sent_at(incident: Incident, kind: str) -> dt.datetime | None:
    """When the latest version (第N報) of a report was recorded as sent, or
    None while none is.

    ``kind`` is a key of report_kinds.yaml (``ppc_preliminary``,
    ``ppc_final``, ``mhlw``, ``police``, ``notice_to_individuals`` …), or
    the key of a copy sent to a second recipient: ``prefecture`` answers
    when a copy of any report (the PPC reports' copy for the prefecture)
    was last recorded as sent to the prefecture.
    """
    if get_kind(kind) is None:
        return ReportCopySent.objects.filter(
            version__draft__incident=incident, variant=kind
        ).aggregate(latest=Max("sent_at"))["latest"]
    return ReportVersion.objects.filter(
        draft__incident=incident, draft__kind=kind, sent_at__isnull=False
    ).aggregate(latest=Max("sent_at"))["latest"]


def first_sent_at(incident: Incident, kind: str) -> dt.datetime | None:
    """When the first version of a report kind was recorded as sent: the
    moment a "report promptly" duty was met."""
    version = (
        ReportVersion.objects.filter(
            draft__incident=incident, draft__kind=kind, sent_at__isnull=False
        )
        .order_by("sent_at", "number")
        .first()
    )
    return version.sent_at if version else None


def sent_versions(incident: Incident, kind: str) -> list[ReportVersion]:
    """The versions of a report kind recorded as sent, oldest first."""
    return list(
        ReportVersion.objects.filter(
            draft__incident=incident, draft__kind=kind, sent_at__isnull=False
        ).order_by("number")
    )


def notice_batches(incident: Incident) -> list[NoticeBatch]:
    """Notices to individuals recorded for the incident, oldest first."""
    return list(NoticeBatch.objects.filter(incident=incident))


@dataclass(frozen=True)
class ReportRow:
    """One kind of report in an incident, for the reports list."""

    kind: ReportKind
    versions: list[ReportVersion]

    @property
    def latest(self) -> ReportVersion | None:
        return self.versions[-1] if self.versions else None


def report_overview(incident: Incident) -> list[ReportRow]:
    """Every report kind, in the order of report_kinds.yaml, with the
    versions written so far."""
    versions: dict[str, list[ReportVersion]] = {}
    for version in (
        ReportVersion.objects.filter(draft__incident=incident)
        .select_related("draft", "sent_by")
        .prefetch_related("copies_sent")
        .order_by("draft__kind", "number")
    ):
        versions.setdefault(version.draft.kind, []).append(version)
    return [ReportRow(kind, versions.get(kind.key, [])) for kind in all_kinds()]


@dataclass(frozen=True)
class EditingState:
    """What the edit page of a report shows and saves into."""

    kind: ReportKind
    number: int  # the version a save changes or creates
    fields: dict[str, Any]
    latest: ReportVersion | None
    # The sent version a new one starts from, if any.
    based_on: ReportVersion | None
    versions: list[ReportVersion]

    @property
    def is_new(self) -> bool:
        return self.latest is None or self.latest.is_frozen


def editing_state(incident: Incident, kind: ReportKind) -> EditingState:
    """The latest unsent version; or, once it is sent, the next one filled
    from it; or, before any, a first draft filled from the incident."""
    # Imported here: the prefill reads most of the incident apps, which
    # the deadlines clock importing this module does not need.
    from medir.authority.reports.prefill import prefill

    versions = list(
        ReportVersion.objects.filter(
            draft__incident=incident, draft__kind=kind.key
        ).order_by("number")
    )
    latest = versions[-1] if versions else None
    if latest is None:
        return EditingState(kind, 1, prefill(kind, incident), None, None, versions)
    if latest.is_frozen:
        return EditingState(
            kind, latest.number + 1, dict(latest.fields), latest, latest, versions
        )
    return EditingState(
        kind, latest.number, dict(latest.fields), latest, None, versions
    )


def get_version(incident: Incident, kind: str, number: int) -> ReportVersion | None:
    return (
        ReportVersion.objects.filter(
            draft__incident=incident, draft__kind=kind, number=number
        )
        .select_related("draft__incident", "created_by", "updated_by", "sent_by")
        .prefetch_related("copies_sent")
        .first()
    )
