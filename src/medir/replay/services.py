"""Replaying a scenario through the same services people use.

Every event goes through the incident services with the scenario's time
and role and the source ``replay``, so the timeline looks as it would have
live while the audit chain records the real time of the replay. A replayed
incident is marked as such and never sends anything outside MedIR.
"""

import datetime as dt
import logging

from django.db import transaction

from medir.incidents import services
from medir.incidents.models import EntrySource, Incident
from medir.playbook.schema import get_playbook
from medir.replay.scenario import Scenario, ScenarioEvent

logger = logging.getLogger(__name__)


class ReplayError(Exception):
    def __init__(self, event: ScenarioEvent, message: str):
        self.event = event
        super().__init__(f"event {event.number} ({event.action}): {message}")


def _shift_records(step_id: str, records: dict, offset: dt.timedelta) -> dict:
    """Move the dates a step records by the same offset as the scenario, so
    a moved replay does not say the damage was found years earlier."""
    if not offset or not records:
        return records
    fields = {field.key: field for field in get_playbook().step(step_id).records}
    shifted = dict(records)
    for key, value in records.items():
        field = fields.get(key)
        if field is None or field.type not in {"datetime", "date"}:
            continue
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except ValueError:
            continue
        moment += offset
        shifted[key] = (
            moment.date().isoformat() if field.type == "date" else moment.isoformat()
        )
    return shifted


def _apply(
    incident: Incident | None,
    event: ScenarioEvent,
    *,
    actor,
    scenario: Scenario,
    offset: dt.timedelta,
):
    f = event.fields
    common = {
        "actor": actor,
        "happened_at": event.at,
        "source": EntrySource.REPLAY,
        "time_assumed": event.assumed,
    }
    if event.action == "report":
        report = services.file_report(
            reporter_name=f.get("reporter", event.role),
            signs=list(f.get("signs", [])),
            department_text=f.get("department", ""),
            description=f.get("description", ""),
            incident=incident,
            title=scenario.title if incident is None else "",
            actor_role=event.role,
            scenario=scenario.key,
            **common,
        )
        return report.incident
    assert incident is not None
    role = {"actor_role": event.role}
    if event.action == "confirm":
        return services.confirm_incident(
            incident, reason=f.get("reason", ""), **role, **common
        )
    if event.action == "dismiss":
        return services.dismiss_incident(
            incident, reason=f.get("reason", ""), **role, **common
        )
    if event.action == "decide":
        services.record_decision(
            incident,
            decision_id=str(f["decision"]),
            outcome=f["outcome"],
            reason=f.get("reason", ""),
            **role,
            **common,
        )
    elif event.action == "start":
        services.start_step(
            incident, step_id=f["step"], reason=f.get("reason", ""), **role, **common
        )
    elif event.action == "complete":
        services.complete_step(
            incident,
            step_id=f["step"],
            checklist=f.get("checklist"),
            records=_shift_records(f["step"], f.get("records") or {}, offset),
            note=f.get("note", ""),
            reason=f.get("reason", ""),
            **role,
            **common,
        )
    elif event.action == "skip":
        services.skip_step(
            incident, step_id=f["step"], reason=f["reason"], **role, **common
        )
    elif event.action == "note":
        services.add_note(
            incident, text=f["text"], step_id=f.get("step", ""), **role, **common
        )
    elif event.action == "close":
        services.close_incident(incident, reason=f.get("reason", ""), **role, **common)
    return incident


def replay_scenario(
    scenario: Scenario, *, actor, start: dt.datetime | None = None
) -> Incident:
    """Play every event into one new incident; all or nothing."""
    incident: Incident | None = None
    offset = start - scenario.events[0].at if start else dt.timedelta(0)
    with transaction.atomic():
        for event in scenario.shifted(start):
            try:
                incident = _apply(
                    incident, event, actor=actor, scenario=scenario, offset=offset
                )
            except services.IncidentError as error:
                raise ReplayError(event, str(error)) from None
    assert incident is not None
    # The services work on their own locked copies; read the final state.
    incident.refresh_from_db()
    logger.info(
        "Scenario replayed scenario=%s incident_id=%s events=%s",
        scenario.key,
        incident.pk,
        len(scenario.events),
    )
    return incident
