"""Reading an incident's state through the playbook engine."""

from dataclasses import dataclass

from medir.incidents.models import Decision, Incident, StepState
from medir.playbook.engine import DecisionValue, Recorded, StepStatus, evaluate
from medir.playbook.schema import Playbook, get_playbook


def current_decisions(incident: Incident) -> dict[str, Decision]:
    """The latest, unsuperseded decision of each kind."""
    latest: dict[str, Decision] = {}
    for decision in incident.decisions.order_by("id"):
        latest[decision.decision_id] = decision
    return latest


def decision_values(incident: Incident, playbook: Playbook) -> dict[str, DecisionValue]:
    values: dict[str, DecisionValue] = {}
    for decision_id, decision in current_decisions(incident).items():
        if isinstance(decision.outcome, list):
            values[decision_id] = frozenset(decision.outcome)
        else:
            values[decision_id] = decision.outcome
    return values


def _choice_fact(value) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def incident_facts(incident: Incident) -> dict[str, bool | None]:
    """The facts playbook conditions test, from what the incident recorded."""
    reports = list(incident.reports.all())
    infection_signs = any(r.shows_infection_signs for r in reports) if reports else None
    after_recovery = incident.steps.filter(step_id="4-1").first()
    personal_data = _choice_fact(
        after_recovery.records.get("personal_data_affected") if after_recovery else None
    )
    return {
        "infection_signs": infection_signs,
        "personal_data_affected": personal_data,
        # TODO(#5): derive from the personal-data facts and APPI rule 7;
        # remove when the PPC rules module decides it. Until then only
        # management's 2-12 tracks propose step 4-3.
        "ppc_report_mandatory": False,
    }


@dataclass(frozen=True)
class IncidentPicture:
    playbook: Playbook
    statuses: dict[str, StepStatus]
    decisions: dict[str, Decision]
    facts: dict[str, bool | None]


def get_incident_picture(
    incident: Incident, playbook: Playbook | None = None
) -> IncidentPicture:
    playbook = playbook or get_playbook()
    recorded = {step.step_id: Recorded(step.state) for step in incident.steps.all()}
    facts = incident_facts(incident)
    statuses = evaluate(
        playbook,
        recorded=recorded,
        decisions=decision_values(incident, playbook),
        facts=facts,
    )
    return IncidentPicture(playbook, statuses, current_decisions(incident), facts)


def active_incidents():
    return Incident.objects.filter(state__in=["reported", "open"])


__all__ = ["StepState", "current_decisions", "get_incident_picture", "incident_facts"]
