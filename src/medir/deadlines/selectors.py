"""Reading an incident's report clocks from the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from medir.authority import reports_queries
from medir.authority.assessment import Facts, assess_ppc_report
from medir.authority.models import PersonalDataFacts
from medir.authority.selectors import get_ppc_assessment
from medir.deadlines.clock import load_rules
from medir.deadlines.clocks import Clock, ClockFacts, compute_clocks
from medir.incidents import permissions
from medir.incidents.models import Incident, IncidentState
from medir.lib.dates import local_date
from medir.organisation.models import Hospital, OperatorType

# 規則7条3号 counts a possible wrongful purpose like a confirmed one.
WRONGFUL_ANSWERS = {"yes", "possibly"}


def today_in_japan() -> dt.date:
    return local_date(timezone.now())


def _ppc_mandatory(incident: Incident, aware_on: dt.date) -> bool | None:
    assessment = get_ppc_assessment(incident)
    if assessment is None:
        # Nothing recorded yet: every fact is unknown, which leaves the
        # report undecided, except where the rules did not yet apply to
        # this hospital on the awareness date.
        hospital = Hospital.objects.first()
        operator = (
            hospital.operator_type if hospital else OperatorType.MEDICAL_CORPORATION
        )
        assessment = assess_ppc_report(
            Facts(), operator_type=operator, aware_on=aware_on
        )
    return assessment.mandatory


def _tracks_chosen(incident: Incident) -> dict[str, dt.datetime]:
    """Each track of the current 2-12 decision, with when it was first
    chosen without a later revision leaving it out."""
    since: dict[str, dt.datetime] = {}
    for decision in incident.decisions.filter(decision_id="tracks").order_by("id"):
        chosen = decision.outcome if isinstance(decision.outcome, list) else []
        since = {
            track: since.get(track, decision.decided_at) for track in map(str, chosen)
        }
    return since


def _sent_reports(incident: Incident) -> dict[str, dt.datetime]:
    _counting, rules = load_rules()
    kinds = {rule.report_kind for rule in rules if rule.report_kind}
    sent = {}
    for kind in sorted(kinds):
        sent_at = reports_queries.latest_sent_at(incident, kind)
        if sent_at is not None:
            sent[kind] = sent_at
    return sent


def clock_facts_for(incident: Incident) -> ClockFacts:
    aware_on = local_date(incident.aware_at or incident.reported_at)
    if incident.state in {IncidentState.DISMISSED, IncidentState.MERGED}:
        return ClockFacts(aware_on=aware_on, state=incident.state)
    personal = PersonalDataFacts.objects.filter(incident=incident).first()
    return ClockFacts(
        aware_on=aware_on,
        state=incident.state,
        closed_on=local_date(incident.closed_at) if incident.closed_at else None,
        is_replay=incident.is_replay,
        ppc_mandatory=_ppc_mandatory(incident, aware_on),
        wrongful_purpose=bool(
            personal and personal.wrongful_purpose in WRONGFUL_ANSWERS
        ),
        tracks=_tracks_chosen(incident),
        sent=_sent_reports(incident),
    )


def get_incident_clocks(
    incident: Incident, *, today: dt.date | None = None
) -> list[Clock]:
    """The incident's clocks as of ``today`` (Japan), soonest first."""
    return compute_clocks(
        clock_facts_for(incident),
        today=today or today_in_japan(),
        soon_days=settings.MEDIR_REMINDER_DAYS,
    )


def may_see_clocks(user, incident: Incident) -> bool:
    # Clocks are about authority reports: management and the security
    # manager only, like decisions.
    return permissions.can(user, permissions.Action.SEE_DECISIONS, incident)


@dataclass(frozen=True)
class IncidentClocks:
    """What ``deadlines/_clocks.html`` shows for one incident."""

    incident: Incident
    clocks: list[Clock]
    counting_confirmed: bool
    calendar_url: str

    @property
    def is_replay(self) -> bool:
        return self.incident.is_replay

    @property
    def needs_attention(self) -> bool:
        return any(c.status in {"due_soon", "overdue"} for c in self.clocks)


def clocks_for_page(
    user, incident: Incident, *, today: dt.date | None = None
) -> IncidentClocks | None:
    """The incident page's clocks, or None for people who may not see
    them."""
    if not may_see_clocks(user, incident):
        return None
    counting, _rules = load_rules()
    may_export = permissions.can(user, permissions.Action.EXPORT, incident)
    return IncidentClocks(
        incident=incident,
        clocks=get_incident_clocks(incident, today=today),
        counting_confirmed=counting.confirmed,
        calendar_url=reverse("deadlines:calendar", args=[incident.number])
        if may_export
        else "",
    )


@dataclass(frozen=True)
class OpenClock:
    incident: Incident
    clock: Clock


def open_clocks_for(user, *, today: dt.date | None = None) -> list[OpenClock] | None:
    """Every clock still running on reported and open incidents this person
    may see, soonest first; None for people who do not see clocks."""
    if not permissions.roles_of(user) & permissions.FULL_ROLES:
        return None
    today = today or today_in_japan()
    incidents = permissions.incidents_visible_to(user).filter(
        state__in=[IncidentState.REPORTED, IncidentState.OPEN]
    )
    items = [
        OpenClock(incident, clock)
        for incident in incidents
        if may_see_clocks(user, incident)
        for clock in get_incident_clocks(incident, today=today)
        if clock.is_open
    ]
    return sorted(items, key=lambda item: (item.clock.sort_date, item.incident.number))
