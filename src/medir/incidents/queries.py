"""Reads for the incident web pages: the dashboard, the banner and the
choices the action forms offer.

Who may see what is decided in ``permissions``; these functions only
narrow what the pages show to the steps a person may see.
"""

from dataclasses import dataclass

from medir.incidents import permissions
from medir.incidents.models import (
    Incident,
    IncidentState,
    StopUseNotice,
    TimelineEvent,
)
from medir.incidents.selectors import IncidentPicture, get_incident_picture
from medir.organisation.models import Organisation, OrganisationKind, Role
from medir.playbook.engine import Status, StepStatus
from medir.playbook.schema import Playbook, Step

ACTIVE_STATES = [IncidentState.REPORTED, IncidentState.OPEN]
FINISHED_STATES = [
    IncidentState.CLOSED,
    IncidentState.DISMISSED,
    IncidentState.MERGED,
]


@dataclass(frozen=True)
class Progress:
    finished: int
    applicable: int


@dataclass(frozen=True)
class NextStep:
    incident: Incident
    step: Step
    status: StepStatus


@dataclass(frozen=True)
class IncidentSummary:
    incident: Incident
    progress: Progress


def active_notices():
    """Stop-use notices in force, newest first. A replayed incident's notice
    stays on its own page: a drill must never tell real staff to stop using
    a system."""
    return (
        StopUseNotice.objects.filter(lifted_at=None, incident__is_replay=False)
        .select_related("incident")
        .prefetch_related("systems")
    )


def visible_statuses(
    picture: IncidentPicture, visible: set[str]
) -> dict[str, StepStatus]:
    """The engine's verdicts for the steps this person may see only."""
    return {
        step_id: status
        for step_id, status in picture.statuses.items()
        if step_id in visible
    }


def progress_of(statuses: dict[str, StepStatus]) -> Progress:
    """Finished (done or skipped) out of the steps that apply."""
    applicable = [s for s in statuses.values() if s.status != Status.NOT_APPLICABLE]
    finished = [s for s in applicable if s.status in {Status.DONE, Status.SKIPPED}]
    return Progress(len(finished), len(applicable))


def _lane_steps(user, playbook: Playbook) -> set[str]:
    roles = permissions.roles_of(user)
    return {step.id for step in playbook.steps if roles & set(step.roles)}


def dashboard_for(user) -> tuple[list[IncidentSummary], list[NextStep]]:
    """Active incidents this person may see, with their progress, and the
    steps due in this person's lanes across them, newest incident first."""
    incidents = (
        permissions.incidents_visible_to(user)
        .filter(state__in=ACTIVE_STATES)
        .order_by("-reported_at", "-id")
    )
    summaries: list[IncidentSummary] = []
    next_steps: list[NextStep] = []
    for incident in incidents:
        picture = get_incident_picture(incident)
        visible = permissions.visible_step_ids(user, incident, picture.playbook)
        statuses = visible_statuses(picture, visible)
        summaries.append(IncidentSummary(incident, progress_of(statuses)))

        # A vendor works the steps shared with their organisation, which
        # include vendor-assisted steps outside their own lane.
        mine = _lane_steps(user, picture.playbook)
        if Role.EXTERNAL in permissions.roles_of(user):
            mine |= visible
        for step in picture.playbook.steps:
            status = statuses.get(step.id)
            if step.id not in mine or status is None:
                continue
            if status.status in {Status.READY, Status.IN_PROGRESS}:
                next_steps.append(NextStep(incident, step, status))
    return summaries, next_steps


def finished_incidents_for(user, limit: int = 20):
    return (
        permissions.incidents_visible_to(user)
        .filter(state__in=FINISHED_STATES)
        .order_by("-reported_at", "-id")[:limit]
    )


def timeline_for(user, incident: Incident, visible: set[str]):
    """Timeline events a person may see: everything for the people who run
    the response; for others only the events of their visible steps and
    never a decision."""
    events = incident.events.select_related("actor").order_by("happened_at", "id")
    if permissions.can(user, permissions.Action.SEE_DECISIONS, incident):
        return list(events)
    return [
        event
        for event in events
        if event.step_id in visible and not event.is_for_the_response_team
    ]


def merge_targets(incident: Incident):
    """Open incidents a report could be folded into; replays and live
    incidents never mix."""
    return (
        Incident.objects.filter(state=IncidentState.OPEN, is_replay=incident.is_replay)
        .exclude(pk=incident.pk)
        .order_by("-reported_at", "-id")
    )


def shareable_organisations():
    return Organisation.objects.filter(
        kind__in=[OrganisationKind.VENDOR, OrganisationKind.CONTRACTOR]
    ).order_by("name")


def steps_outside_parties_always_see(playbook: Playbook) -> list[Step]:
    """The outside parties' lane and the vendor-assisted steps, which any
    share includes (see ``permissions.visible_step_ids``)."""
    return [
        step
        for step in playbook.steps
        if Role.EXTERNAL in step.roles or step.vendor_assists
    ]


def own_reports(user, incident: Incident):
    """The reports this person filed themselves on the incident."""
    return incident.reports.filter(created_by=user).order_by("received_at", "id")


def events_of_step(user, incident: Incident, step_id: str) -> list[TimelineEvent]:
    events = incident.events.filter(step_id=step_id).order_by("happened_at", "id")
    if permissions.can(user, permissions.Action.SEE_DECISIONS, incident):
        return list(events)
    return [event for event in events if not event.is_for_the_response_team]
