"""Turning incidents and their records into response data for one caller.

What a caller sees depends on who they are: reporters' names and numbers
only for management and the security manager, decisions never for staff
or outside parties, and only the steps and events of their own lane.
"""

import datetime as dt
from typing import Any

from django.utils import timezone

from medir.incidents.models import (
    Decision,
    EventKind,
    Incident,
    IncidentShare,
    Report,
    StopUseNotice,
    TimelineEvent,
)
from medir.incidents.permissions import Action, can, visible_step_ids
from medir.incidents.selectors import IncidentPicture, current_decisions
from medir.incidents.services import JAPAN
from medir.playbook.schema import Playbook

# Staff must see stop-use notices come and go, and the close, whatever
# lane the event was filed under.
EVENTS_FOR_EVERYONE = {
    EventKind.NOTICE_PUBLISHED,
    EventKind.NOTICE_LIFTED,
    EventKind.CLOSED,
}


def local(moment: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(moment, JAPAN) if moment is not None else None


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.astimezone(dt.UTC) if moment is not None else None


def _name(user) -> str:
    person = getattr(user, "person", None)
    return person.display_name if person is not None else user.get_username()


def incident_summary(incident: Incident) -> dict[str, Any]:
    return {
        "number": incident.number,
        "title": incident.title,
        "state": incident.state,
        "state_label": str(incident.get_state_display()),
        "is_replay": incident.is_replay,
        "reported_at": _utc(incident.reported_at),
        "reported_at_local": local(incident.reported_at),
        "aware_at": _utc(incident.aware_at),
        "aware_at_local": local(incident.aware_at),
        "closed_at": _utc(incident.closed_at),
        "closed_at_local": local(incident.closed_at),
        "merged_into": incident.merged_into.number if incident.merged_into else None,
    }


def report(row: Report, *, with_contact: bool) -> dict[str, Any]:
    department = row.department.name if row.department else row.department_text
    return {
        "id": row.pk,
        "signs": list(row.signs),
        "description": row.description,
        "source": row.source,
        "received_at": _utc(row.received_at),
        "received_at_local": local(row.received_at),
        "seen_since": _utc(row.seen_since),
        "department": department or None,
        "reporter_name": row.reporter_name if with_contact else None,
        "callback_number": (row.callback_number or None) if with_contact else None,
    }


def incident_detail(incident: Incident, user) -> dict[str, Any]:
    with_contact = can(user, Action.SEE_REPORTERS, incident)
    reports = incident.reports.select_related("department")
    if not with_contact:
        # Staff and outside parties see the reports they filed themselves,
        # as on the web page; a description may mention patients.
        reports = reports.filter(created_by=user)
    return {
        **incident_summary(incident),
        "affected_systems": [s.name for s in incident.affected_systems.all()],
        "reports": [report(r, with_contact=with_contact) for r in reports],
        "allowed_actions": [str(a) for a in Action if can(user, a, incident)],
    }


def steps(incident: Incident, picture: IncidentPicture, user) -> list[dict[str, Any]]:
    playbook = picture.playbook
    visible = visible_step_ids(user, incident, playbook)
    rows = {row.step_id: row for row in incident.steps.all()}
    may_work = can(user, Action.WORK, incident)
    result = []
    for step in playbook.steps:
        if step.id not in visible:
            continue
        status = picture.statuses[step.id]
        row = rows.get(step.id)
        ticked = row.checklist if row else {}
        result.append(
            {
                "id": step.id,
                "phase": step.phase,
                "title": step.title,
                "title_en": step.title_en,
                "roles": list(step.roles),
                "vendor_assists": step.vendor_assists,
                "status": str(status.status),
                "waiting_for_steps": list(status.waiting_for_steps),
                "waiting_for": list(status.waiting_for),
                "state": row.state if row else "pending",
                "started_at": _utc(row.started_at) if row else None,
                "finished_at": _utc(row.finished_at) if row else None,
                "reason": row.reason if row else "",
                "checklist": [
                    {
                        "key": item.key,
                        "text": item.text.ja,
                        "text_en": item.text.en,
                        "checked": bool(ticked.get(item.key)),
                    }
                    for item in step.checklist
                ],
                "records": dict(row.records) if row else {},
                "record_fields": [
                    {
                        "key": field.key,
                        "label": field.label.ja,
                        "label_en": field.label.en,
                        "type": field.type,
                        "required": field.required,
                        "choices": [choice.key for choice in field.choices],
                    }
                    for field in step.records
                ],
                # Visible steps are the caller's to work on, as long as
                # the incident lets them work at all.
                "can_work": may_work,
            }
        )
    return result


def decisions(incident: Incident, playbook: Playbook) -> list[dict[str, Any]]:
    current = {d.pk for d in current_decisions(incident).values()}
    rows = incident.decisions.select_related("decided_by__person").order_by(
        "decided_at", "id"
    )
    return [decision(row, playbook, is_current=row.pk in current) for row in rows]


def decision(row: Decision, playbook: Playbook, *, is_current: bool) -> dict:
    definition = playbook.decision_index.get(row.decision_id)
    return {
        "id": row.pk,
        "decision_id": row.decision_id,
        "title": definition.title.ja if definition else row.decision_id,
        "title_en": definition.title.en if definition else row.decision_id,
        "step_id": definition.step if definition else "",
        "outcome": row.outcome,
        "reason": row.reason,
        "decided_by": _name(row.decided_by) if row.decided_by else None,
        "decided_role": row.decided_role,
        "decided_at": _utc(row.decided_at),
        "decided_at_local": local(row.decided_at),
        "source": row.source,
        "supersedes": row.supersedes_id,
        "is_current": is_current,
    }


def timeline(incident: Incident, user) -> list[dict[str, Any]]:
    """The incident's events in the order they happened, as far as this
    caller may see them."""
    events = incident.events.select_related("actor__person").order_by(
        "happened_at", "id"
    )
    full = can(user, Action.SEE_DECISIONS, incident)
    with_names = can(user, Action.SEE_REPORTERS, incident)
    visible = None if full else visible_step_ids(user, incident)
    result = []
    for event in events:
        if visible is not None and not _may_see_event(event, user, visible):
            continue
        result.append(timeline_event(event, user, with_names=with_names))
    return result


def _may_see_event(event: TimelineEvent, user, visible: set[str]) -> bool:
    if event.is_for_the_response_team:
        return False
    if event.kind in EVENTS_FOR_EVERYONE:
        return True
    if event.actor_id is not None and event.actor_id == user.pk:
        return True
    return bool(event.step_id) and event.step_id in visible


def timeline_event(event: TimelineEvent, user, *, with_names: bool) -> dict:
    actor = None
    if event.actor is not None and (with_names or event.actor_id == user.pk):
        actor = _name(event.actor)
    return {
        "id": event.pk,
        "kind": event.kind,
        "kind_label": str(event.get_kind_display()),
        "step_id": event.step_id,
        "happened_at": _utc(event.happened_at),
        "happened_at_local": local(event.happened_at),
        "recorded_at": _utc(event.recorded_at),
        "source": event.source,
        "time_assumed": event.time_assumed,
        "out_of_order": event.out_of_order,
        "actor": actor,
        "actor_role": event.actor_role,
        "text": event.text,
        "data": event.data,
    }


def notice(row: StopUseNotice) -> dict[str, Any]:
    return {
        "id": row.pk,
        "incident": row.incident.number,
        "message": row.message,
        "systems": [system.name for system in row.systems.all()],
        "published_at": _utc(row.published_at),
        "published_at_local": local(row.published_at),
        "lifted_at": _utc(row.lifted_at),
        "lift_reason": row.lift_reason,
        "is_active": row.is_active,
    }


def share(row: IncidentShare) -> dict[str, Any]:
    return {
        "id": row.pk,
        "incident": row.incident.number,
        "organisation_id": row.organisation_id,
        "organisation": row.organisation.name,
        "extra_steps": list(row.extra_steps),
        "shared_at": _utc(row.shared_at),
        "revoked_at": _utc(row.revoked_at),
        "is_active": row.revoked_at is None,
    }
