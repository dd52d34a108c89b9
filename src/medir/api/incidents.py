"""Reports, incidents, steps, decisions and the timeline.

Each endpoint finds what the URL names, asks ``permissions`` whether the
caller may act, and calls the same service function as the web pages.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from medir.api import present
from medir.api.errors import BadInput
from medir.api.lookups import (
    ERRORS,
    check_step,
    get_incident,
    permitted_incident,
    timing,
)
from medir.api.schemas import (
    CloseIn,
    CompleteStepIn,
    ConfirmIn,
    DecisionIn,
    DecisionOut,
    DismissIn,
    EventOut,
    IncidentOut,
    IncidentSummaryOut,
    MergeIn,
    ReportFiledOut,
    ReportIn,
    SkipStepIn,
    StartStepIn,
    StepCallIn,
    StepNoteIn,
    StepOut,
    TimelineNoteIn,
)
from medir.contacts.selectors import may_read_directory
from medir.incidents import services
from medir.incidents.models import Incident, IncidentState
from medir.incidents.permissions import Action, incidents_visible_to, require
from medir.incidents.selectors import get_incident_picture
from medir.organisation.models import Department, Organisation, Person
from medir.playbook.schema import get_playbook

router = Router()


# --- Reports and the incident lifecycle ----------------------------------


@router.post("/reports", response={201: ReportFiledOut, **ERRORS}, tags=["reports"])
def file_report(request, payload: ReportIn):
    """File an anomaly report (1-1/1-3); it opens a reported incident
    unless ``incident`` names an open one to attach it to."""
    user = request.auth
    person = getattr(user, "person", None)

    incident = None
    if payload.incident:
        incident = Incident.objects.filter(number=payload.incident).first()
        if incident is None:
            raise BadInput("incident", _("There is no such incident."))
        require(user, Action.VIEW, incident)

    department = person.department if person and not payload.department_text else None
    if payload.department_id is not None:
        department = Department.objects.filter(pk=payload.department_id).first()
        if department is None:
            raise BadInput("department_id", _("There is no such department."))

    report = services.file_report(
        actor=user,
        reporter_name=payload.reporter_name
        or (person.display_name if person else user.get_username()),
        signs=[str(sign) for sign in payload.signs],
        department=department,
        department_text=payload.department_text,
        callback_number=payload.callback_number,
        seen_since=payload.seen_since,
        description=payload.description,
        incident=incident,
        title=payload.title,
        **timing(payload),
    )
    return Status(
        201,
        {
            "report_id": report.pk,
            "shows_infection_signs": report.shows_infection_signs,
            "incident": present.incident_summary(report.incident),
        },
    )


@router.get(
    "/incidents", response={200: list[IncidentSummaryOut], **ERRORS}, tags=["incidents"]
)
def list_incidents(
    request,
    state: IncidentState | None = None,
    limit: int = Query(100, ge=1, le=500),
    # Bounded so that no database is asked for a row past its integers.
    offset: int = Query(0, ge=0, le=1_000_000),
):
    """The incidents the caller may see, newest first."""
    incidents = incidents_visible_to(request.auth).select_related("merged_into")
    if state:
        incidents = incidents.filter(state=state)
    return [present.incident_summary(i) for i in incidents[offset : offset + limit]]


@router.get(
    "/incidents/{number}", response={200: IncidentOut, **ERRORS}, tags=["incidents"]
)
def get_incident_detail(request, number: str):
    incident = permitted_incident(request, number, Action.VIEW)
    return present.incident_detail(incident, request.auth)


@router.post(
    "/incidents/{number}/confirm",
    response={200: IncidentOut, **ERRORS},
    tags=["incidents"],
)
def confirm_incident(request, number: str, payload: ConfirmIn):
    """The security manager confirms a reported incident (1-4)."""
    incident = permitted_incident(request, number, Action.CONFIRM)
    incident = services.confirm_incident(
        incident,
        actor=request.auth,
        reason=payload.reason,
        title=payload.title,
        **timing(payload),
    )
    return present.incident_detail(incident, request.auth)


@router.post(
    "/incidents/{number}/dismiss",
    response={200: IncidentOut, **ERRORS},
    tags=["incidents"],
)
def dismiss_incident(request, number: str, payload: DismissIn):
    """Dismiss a reported incident as a false alarm, with the reason."""
    incident = permitted_incident(request, number, Action.CONFIRM)
    incident = services.dismiss_incident(
        incident, actor=request.auth, reason=payload.reason, **timing(payload)
    )
    return present.incident_detail(incident, request.auth)


@router.post(
    "/incidents/{number}/merge",
    response={200: IncidentOut, **ERRORS},
    tags=["incidents"],
)
def merge_incident(request, number: str, payload: MergeIn):
    """Fold a reported incident into the open incident ``into``."""
    incident = permitted_incident(request, number, Action.CONFIRM)
    into = Incident.objects.filter(number=payload.into).first()
    if into is None:
        raise BadInput("into", _("There is no such incident."))
    require(request.auth, Action.CONFIRM, into)
    incident = services.merge_incident(
        incident,
        into=into,
        actor=request.auth,
        reason=payload.reason,
        **timing(payload),
    )
    return present.incident_detail(incident, request.auth)


@router.post(
    "/incidents/{number}/close",
    response={200: IncidentOut, **ERRORS},
    tags=["incidents"],
)
def close_incident(request, number: str, payload: CloseIn):
    """Management closes an incident whose steps are all finished."""
    incident = permitted_incident(request, number, Action.CLOSE)
    incident = services.close_incident(
        incident, actor=request.auth, reason=payload.reason, **timing(payload)
    )
    return present.incident_detail(incident, request.auth)


# --- Steps ------------------------------------------------------------------


@router.get(
    "/incidents/{number}/steps",
    response={200: list[StepOut], **ERRORS},
    tags=["steps"],
)
def list_steps(request, number: str):
    """The steps the caller may see, with the engine's status and what
    people recorded."""
    incident = permitted_incident(request, number, Action.VIEW)
    return present.steps(incident, get_incident_picture(incident), request.auth)


def _step_to_work_on(request, number: str, step_id: str) -> Incident:
    incident = get_incident(number)
    check_step(step_id)
    require(request.auth, Action.WORK, incident, step_id=step_id)
    return incident


def _one_step(request, incident: Incident, step_id: str) -> dict:
    incident.refresh_from_db()
    picture = get_incident_picture(incident)
    rows = present.steps(incident, picture, request.auth)
    return next(row for row in rows if row["id"] == step_id)


@router.post(
    "/incidents/{number}/steps/{step_id}/start",
    response={200: StepOut, **ERRORS},
    tags=["steps"],
)
def start_step(request, number: str, step_id: str, payload: StartStepIn):
    incident = _step_to_work_on(request, number, step_id)
    services.start_step(
        incident,
        step_id=step_id,
        actor=request.auth,
        reason=payload.reason,
        **timing(payload),
    )
    return _one_step(request, incident, step_id)


@router.post(
    "/incidents/{number}/steps/{step_id}/complete",
    response={200: StepOut, **ERRORS},
    tags=["steps"],
)
def complete_step(request, number: str, step_id: str, payload: CompleteStepIn):
    """Mark a step done with its checklist and records; a step not due yet
    needs a ``reason``."""
    incident = _step_to_work_on(request, number, step_id)
    services.complete_step(
        incident,
        step_id=step_id,
        actor=request.auth,
        checklist=payload.checklist,
        records=payload.records,
        note=payload.note,
        reason=payload.reason,
        **timing(payload),
    )
    return _one_step(request, incident, step_id)


@router.post(
    "/incidents/{number}/steps/{step_id}/skip",
    response={200: StepOut, **ERRORS},
    tags=["steps"],
)
def skip_step(request, number: str, step_id: str, payload: SkipStepIn):
    incident = _step_to_work_on(request, number, step_id)
    services.skip_step(
        incident,
        step_id=step_id,
        actor=request.auth,
        reason=payload.reason,
        **timing(payload),
    )
    return _one_step(request, incident, step_id)


@router.post(
    "/incidents/{number}/steps/{step_id}/note",
    response={201: EventOut, **ERRORS},
    tags=["steps"],
)
def add_step_note(request, number: str, step_id: str, payload: StepNoteIn):
    incident = _step_to_work_on(request, number, step_id)
    event = services.add_note(
        incident,
        actor=request.auth,
        text=payload.text,
        step_id=step_id,
        **timing(payload),
    )
    return Status(201, present.timeline_event(event, request.auth, with_names=True))


@router.post(
    "/incidents/{number}/steps/{step_id}/calls",
    response={201: EventOut, **ERRORS},
    tags=["steps"],
)
def record_step_call(request, number: str, step_id: str, payload: StepCallIn):
    """Record a call made at a step (who, when, outcome); not for outside
    parties, who do not read the hospital's directory."""
    incident = _step_to_work_on(request, number, step_id)
    if not may_read_directory(request.auth):
        raise PermissionDenied
    if (payload.callee_person_id is None) == (payload.callee_organisation_id is None):
        raise BadInput(
            "callee_person_id",
            _("Choose one person or one organisation to call."),
        )
    if payload.callee_person_id is not None:
        callee = Person.objects.filter(pk=payload.callee_person_id).first()
        field = "callee_person_id"
    else:
        callee = Organisation.objects.filter(pk=payload.callee_organisation_id).first()
        field = "callee_organisation_id"
    if callee is None:
        raise BadInput(field, _("Choose whom you called."))
    event = services.record_call(
        incident,
        actor=request.auth,
        step_id=step_id,
        callee=callee,
        outcome=payload.outcome,
        note=payload.note,
        **timing(payload),
    )
    return Status(201, present.timeline_event(event, request.auth, with_names=True))


# --- Decisions --------------------------------------------------------------


@router.get(
    "/incidents/{number}/decisions",
    response={200: list[DecisionOut], **ERRORS},
    tags=["decisions"],
)
def list_decisions(request, number: str):
    """Every decision, revisions included; not for staff or outside
    parties."""
    incident = permitted_incident(request, number, Action.SEE_DECISIONS)
    return present.decisions(incident, get_playbook())


@router.post(
    "/incidents/{number}/decisions",
    response={201: DecisionOut, **ERRORS},
    tags=["decisions"],
)
def record_decision(request, number: str, payload: DecisionIn):
    incident = permitted_incident(request, number, Action.DECIDE)
    decision = services.record_decision(
        incident,
        decision_id=payload.decision_id,
        outcome=payload.outcome,
        actor=request.auth,
        reason=payload.reason,
        **timing(payload),
    )
    return Status(201, present.decision(decision, get_playbook(), is_current=True))


# --- Timeline ---------------------------------------------------------------


@router.get(
    "/incidents/{number}/timeline",
    response={200: list[EventOut], **ERRORS},
    tags=["timeline"],
)
def get_timeline(request, number: str):
    """Events in the order they happened; staff and outside parties see
    those of their own lane, never decisions."""
    incident = permitted_incident(request, number, Action.VIEW)
    return present.timeline(incident, request.auth)


@router.post(
    "/incidents/{number}/timeline",
    response={201: EventOut, **ERRORS},
    tags=["timeline"],
)
def add_timeline_note(request, number: str, payload: TimelineNoteIn):
    """Add a note; one copied from paper keeps the paper's time
    (``source: "transcribed"`` with ``happened_at``)."""
    incident = get_incident(number)
    if payload.step_id and payload.step_id not in get_playbook().step_index:
        raise BadInput("step_id", _("There is no such step."))
    require(request.auth, Action.WORK, incident, step_id=payload.step_id)
    event = services.add_note(
        incident,
        actor=request.auth,
        text=payload.text,
        step_id=payload.step_id,
        **timing(payload),
    )
    return Status(201, present.timeline_event(event, request.auth, with_names=True))
