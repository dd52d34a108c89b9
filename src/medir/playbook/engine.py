"""Where each step of an incident stands, computed from the playbook.

The engine is a pure function of the playbook and what the incident has
recorded: which steps people started, completed or skipped, which decisions
were taken, and a few facts (were infection signs reported?). Arrows mean
"recommended after", so nothing here ever refuses a record; the engine only
says which steps are ready, which wait, and which do not apply.

Conditions are three-valued: a decision not yet taken makes a condition
*unknown*, and a step that depends on it neither applies nor falls away
until someone decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from medir.playbook.schema import START, Arrow, Condition, Playbook


class Recorded(StrEnum):
    """What people recorded about a step (stored on the step row)."""

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    SKIPPED = "skipped"


class Status(StrEnum):
    """Where a step stands, as shown to people (computed, never stored)."""

    DONE = "done"
    SKIPPED = "skipped"
    IN_PROGRESS = "in_progress"
    READY = "ready"
    WAITING = "waiting"
    NOT_APPLICABLE = "not_applicable"


FINISHED = {Status.DONE, Status.SKIPPED, Status.NOT_APPLICABLE}

DecisionValue = str | frozenset[str] | None


@dataclass(frozen=True)
class StepStatus:
    step_id: str
    status: Status
    # What a waiting step waits for: steps to finish, and decisions or facts
    # still unknown.
    waiting_for_steps: tuple[str, ...] = ()
    waiting_for: tuple[str, ...] = ()
    # Why a step does not apply: the decisions or facts that ruled its
    # arrows out (empty when only the steps before it fell away).
    ruled_out_by: tuple[str, ...] = ()


def evaluate_condition(
    condition: Condition | None,
    *,
    decisions: dict[str, DecisionValue],
    facts: dict[str, bool | None],
) -> bool | None:
    """True, False, or None while the decision or fact is still unknown."""
    if condition is None:
        return True
    if condition.any_of:
        results = [
            evaluate_condition(c, decisions=decisions, facts=facts)
            for c in condition.any_of
        ]
        if any(result is True for result in results):
            return True
        return False if all(result is False for result in results) else None
    if condition.all_of:
        results = [
            evaluate_condition(c, decisions=decisions, facts=facts)
            for c in condition.all_of
        ]
        if any(result is False for result in results):
            return False
        return True if all(result is True for result in results) else None
    if condition.decision:
        value = decisions.get(condition.decision)
        if value is None:
            return None
        if condition.includes:
            chosen = value if isinstance(value, frozenset) else frozenset({value})
            return condition.includes in chosen
        return value == condition.is_
    fact = facts.get(condition.fact)
    return None if fact is None else fact == condition.is_


def evaluate(
    playbook: Playbook,
    *,
    recorded: dict[str, Recorded],
    decisions: dict[str, DecisionValue],
    facts: dict[str, bool | None],
) -> dict[str, StepStatus]:
    """Compute every step's status, walking the steps in arrow order.

    1. A step someone touched keeps what they recorded (done, skipped, in
       progress), whatever the arrows say.
    2. An untouched step does not apply when every arrow into it is dead:
       its condition is false or its source does not apply.
    3. Otherwise it is ready when every live arrow comes from a finished
       step and no arrow is still undecided; else it waits.
    """
    result: dict[str, StepStatus] = {}

    for step in playbook.steps_in_order():
        state = recorded.get(step.id, Recorded.PENDING)
        if state == Recorded.DONE:
            result[step.id] = StepStatus(step.id, Status.DONE)
            continue
        if state == Recorded.SKIPPED:
            result[step.id] = StepStatus(step.id, Status.SKIPPED)
            continue

        live: list[Arrow] = []
        undecided: list[Arrow] = []
        ruled_out_by: list[str] = []
        for arrow in playbook.arrows_into(step.id):
            verdict = evaluate_condition(arrow.when, decisions=decisions, facts=facts)
            source = result.get(arrow.source) if arrow.source != START else None
            if verdict is False:
                ruled_out_by.extend(arrow.when.subjects())
            elif source is not None and source.status == Status.NOT_APPLICABLE:
                pass
            elif verdict is None:
                undecided.append(arrow)
            else:
                live.append(arrow)

        if state == Recorded.IN_PROGRESS:
            result[step.id] = StepStatus(step.id, Status.IN_PROGRESS)
            continue

        if not live and not undecided:
            result[step.id] = StepStatus(
                step.id,
                Status.NOT_APPLICABLE,
                ruled_out_by=tuple(dict.fromkeys(ruled_out_by)),
            )
            continue

        waiting_steps = [
            arrow.source
            for arrow in live + undecided
            if arrow.source != START and result[arrow.source].status not in FINISHED
        ]
        waiting_for = [subject for a in undecided for subject in a.when.subjects()]
        if waiting_steps or waiting_for:
            result[step.id] = StepStatus(
                step.id,
                Status.WAITING,
                waiting_for_steps=tuple(dict.fromkeys(waiting_steps)),
                waiting_for=tuple(dict.fromkeys(waiting_for)),
            )
        else:
            result[step.id] = StepStatus(step.id, Status.READY)

    return result


def all_finished(statuses: dict[str, StepStatus]) -> bool:
    return all(status.status in FINISHED for status in statuses.values())
