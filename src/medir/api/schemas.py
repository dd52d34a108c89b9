"""What the API accepts and returns.

Request bodies refuse unknown fields, so that a misspelt field is named in
a 400 instead of being silently ignored. Times in requests must carry their
offset; times in responses are UTC with ``+00:00``, and the ``*_local``
fields give the same moment in Japan time.
"""

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import AwareDatetime, ConfigDict

from medir.incidents.models import InfectionSign

# --- Requests --------------------------------------------------------------


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class Timing(Input):
    """When the thing happened: now for a live entry; for an entry copied
    from paper (``source: "transcribed"``) the time written on paper."""

    source: Literal["live", "transcribed"] = "live"
    happened_at: AwareDatetime | None = None


class ReportIn(Timing):
    signs: list[InfectionSign]
    description: str = ""
    # Defaults to the caller's own name and department.
    reporter_name: str = ""
    callback_number: str = ""
    department_id: int | None = None
    department_text: str = ""
    seen_since: AwareDatetime | None = None
    # The number of an open incident to attach the report to.
    incident: str | None = None
    title: str = ""


class ConfirmIn(Timing):
    reason: str = ""
    title: str = ""


class DismissIn(Timing):
    reason: str


class MergeIn(Timing):
    into: str
    reason: str


class CloseIn(Timing):
    reason: str = ""


class StartStepIn(Timing):
    # Needed when the step is not due yet in the flowchart.
    reason: str = ""


class CompleteStepIn(Timing):
    # The ticked item keys, or {key: true/false}.
    checklist: list[str] | dict[str, bool] | None = None
    records: dict[str, Any] | None = None
    note: str = ""
    reason: str = ""


class SkipStepIn(Timing):
    reason: str


class StepNoteIn(Timing):
    text: str


class StepCallIn(Timing):
    """A call made at a step: to a person or to an organisation."""

    callee_person_id: int | None = None
    callee_organisation_id: int | None = None
    outcome: Literal["reached", "no_answer", "left_message", "wrong_number"]
    note: str = ""


class DecisionIn(Timing):
    decision_id: str
    # One outcome key, or a list of keys for a multiple-choice decision.
    outcome: str | list[str]
    reason: str = ""


class TimelineNoteIn(Timing):
    text: str
    step_id: str = ""


class NoticeIn(Timing):
    message: str
    system_ids: list[int] = []


class LiftNoticeIn(Timing):
    reason: str


class ShareIn(Input):
    organisation_id: int
    extra_steps: list[str] = []


# --- Responses -------------------------------------------------------------


class ErrorOut(Schema):
    detail: str
    # The request field at fault, for input errors.
    field: str | None = None


class IncidentSummaryOut(Schema):
    number: str
    title: str
    state: str
    state_label: str
    is_replay: bool
    reported_at: dt.datetime
    reported_at_local: dt.datetime
    # 覚知日時: when the hospital first knew; starts the PPC clock.
    aware_at: dt.datetime | None
    aware_at_local: dt.datetime | None
    closed_at: dt.datetime | None
    closed_at_local: dt.datetime | None
    merged_into: str | None


class ReportOut(Schema):
    id: int
    signs: list[str]
    description: str
    source: str
    received_at: dt.datetime
    received_at_local: dt.datetime
    seen_since: dt.datetime | None
    department: str | None
    # Only for management and the security manager; null for everyone else.
    reporter_name: str | None
    callback_number: str | None


class IncidentOut(IncidentSummaryOut):
    affected_systems: list[str]
    reports: list[ReportOut]
    # What the caller may do here (view, work, decide, confirm, close …).
    allowed_actions: list[str]


class ReportFiledOut(Schema):
    report_id: int
    # Signs of infection: pull the network cable, do not switch off (1-2).
    shows_infection_signs: bool
    incident: IncidentSummaryOut


class ChecklistItemOut(Schema):
    key: str
    text: str
    text_en: str
    checked: bool


class RecordFieldOut(Schema):
    key: str
    label: str
    label_en: str
    type: str
    required: bool
    choices: list[str]


class StepOut(Schema):
    id: str
    phase: int
    title: str
    title_en: str
    roles: list[str]
    vendor_assists: bool
    # Computed by the playbook engine: done, skipped, in_progress, ready,
    # waiting or not_applicable.
    status: str
    waiting_for_steps: list[str]
    waiting_for: list[str]
    # What people recorded: pending, in_progress, done or skipped.
    state: str
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    reason: str
    checklist: list[ChecklistItemOut]
    records: dict[str, Any]
    record_fields: list[RecordFieldOut]
    can_work: bool


class DecisionOut(Schema):
    id: int
    decision_id: str
    title: str
    title_en: str
    step_id: str
    outcome: str | list[str]
    reason: str
    decided_by: str | None
    decided_role: str
    decided_at: dt.datetime
    decided_at_local: dt.datetime
    source: str
    supersedes: int | None
    is_current: bool


class EventOut(Schema):
    id: int
    kind: str
    kind_label: str
    step_id: str
    happened_at: dt.datetime
    happened_at_local: dt.datetime
    recorded_at: dt.datetime
    # live, transcribed (from paper, keeps the paper's time) or replay.
    source: str
    time_assumed: bool
    out_of_order: bool
    # The actor's name for management and the security manager, and for
    # the caller's own entries; null otherwise.
    actor: str | None
    actor_role: str
    text: str
    data: dict[str, Any]


class NoticeOut(Schema):
    id: int
    incident: str
    message: str
    systems: list[str]
    published_at: dt.datetime
    published_at_local: dt.datetime
    lifted_at: dt.datetime | None
    lift_reason: str
    is_active: bool


class ShareOut(Schema):
    id: int
    incident: str
    organisation_id: int
    organisation: str
    extra_steps: list[str]
    shared_at: dt.datetime
    revoked_at: dt.datetime | None
    is_active: bool


class MeOut(Schema):
    username: str
    name: str
    roles: list[str]
