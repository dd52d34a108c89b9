"""Reading an incident's state through the playbook engine."""

from dataclasses import dataclass

from medir.authority.selectors import get_ppc_assessment
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


def _ppc_report_mandatory(incident: Incident) -> bool | None:
    """Whether the personal-data facts make a PPC report mandatory.

    Until someone records the facts, nothing beyond management's choice at
    2-12 proposes step 4-3; once recorded, an open answer keeps 4-3 waiting
    so that the question is settled before the incident closes.
    """
    assessment = get_ppc_assessment(incident)
    return False if assessment is None else assessment.mandatory


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
        "ppc_report_mandatory": _ppc_report_mandatory(incident),
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
