"""Every change to an incident goes through these functions.

Each one takes the object first, keyword-only arguments and the acting
user, runs in one transaction, and writes the timeline event and the audit
record beside the change, so the web pages, the API and the commands all
leave the same trail. Errors are ``IncidentError`` with a message for the
person who tried.
"""

import datetime as dt
import logging
import math
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from medir.audit.services import append_audit_record, serialise_writes, snapshot
from medir.contacts.models import CallOutcome
from medir.incidents.models import (
    Decision,
    EntrySource,
    EventKind,
    Incident,
    IncidentShare,
    IncidentState,
    IncidentStep,
    InfectionSign,
    Report,
    StepState,
    StopUseNotice,
    TimelineEvent,
)
from medir.incidents.selectors import current_decisions, get_incident_picture
from medir.lib.dates import parse_typed_date, parse_typed_moment
from medir.organisation.models import (
    Department,
    Organisation,
    OrganisationKind,
    Person,
)
from medir.playbook.engine import FINISHED, Status
from medir.playbook.explain import explain_status
from medir.playbook.schema import Playbook, get_playbook

logger = logging.getLogger(__name__)

# Clocks drift between the laptop and the wall; a live entry a little in
# the future is a clock, not a mistake.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)

MAX_TEXT = 10_000

JAPAN = ZoneInfo("Asia/Tokyo")

# Electronic records in hospitals do not predate 1990; a year outside this
# range is a typing slip, and a far one would overflow time-zone maths.
EARLIEST_YEAR = 1990
LATEST_YEAR = 2200


class IncidentError(Exception):
    """A change that cannot be made; the message is for the user."""


def check_year(moment: dt.datetime | dt.date) -> None:
    """Refuse years no incident record can have, before any time-zone
    arithmetic on them can overflow."""
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise IncidentError(
            _("The year %(year)s cannot be right; check the date.")
            % {"year": moment.year}
        )


def _event_time(happened_at: dt.datetime | None, source: str) -> dt.datetime:
    """When the thing happened: now for a live entry, the time written on
    paper for a transcribed one, the scenario's time for a replay."""
    now = timezone.now()
    if happened_at is None:
        return now
    if timezone.is_naive(happened_at):
        raise IncidentError(_("The time must include a time zone."))
    check_year(happened_at)
    if source != EntrySource.REPLAY and happened_at > now + FUTURE_TOLERANCE:
        raise IncidentError(_("The time lies in the future; check the date and time."))
    if source == EntrySource.LIVE and happened_at < now - FUTURE_TOLERANCE:
        # An earlier time is only believable with its source: otherwise a
        # back-dated "live" entry could move the awareness time and the
        # PPC clock.
        raise IncidentError(
            _(
                "A live entry takes the current time. To record an earlier "
                "time, mark the entry as transcribed from paper."
            )
        )
    return happened_at


def _has_bad_characters(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return any(ord(c) < 32 and c not in "\t\n\r" for c in value)


def _clean_text(
    value: str, *, field: str, required: bool = False, max_length: int = MAX_TEXT
) -> str:
    value = (value or "").strip()
    if required and not value:
        raise IncidentError(_("Please give %(field)s.") % {"field": field})
    # Lone surrogates cannot be stored as UTF-8 and NUL is refused by
    # PostgreSQL: both mean the text did not come from a keyboard.
    if _has_bad_characters(value):
        raise IncidentError(
            _("%(field)s contains characters that are not text.") % {"field": field}
        )
    if len(value) > max_length:
        raise IncidentError(
            _("%(field)s is too long (at most %(max)s characters).")
            % {"field": field, "max": max_length}
        )
    return value


def _require_active(incident: Incident) -> None:
    if not incident.is_active:
        raise IncidentError(
            _("Incident %(number)s is %(state)s; it can no longer be changed.")
            % {"number": incident.number, "state": incident.get_state_display()}
        )


def _actor_role(actor, explicit: str, step_roles: tuple[str, ...] = ()) -> str:
    """The lane the actor acts in: as given, else their role in this step."""
    if explicit:
        return explicit
    person = getattr(actor, "person", None) if actor is not None else None
    if person is None:
        return ""
    roles = person.role_keys()
    for role in step_roles:
        if role in roles:
            return role
    return sorted(roles)[0] if roles else ""


def _write_event(
    incident: Incident,
    *,
    kind: str,
    actor,
    happened_at: dt.datetime,
    source: str,
    actor_role: str = "",
    step_id: str = "",
    text: str = "",
    data: dict[str, Any] | None = None,
    time_assumed: bool = False,
    out_of_order: bool = False,
) -> TimelineEvent:
    event = TimelineEvent.objects.create(
        incident=incident,
        kind=kind,
        step_id=step_id,
        happened_at=happened_at,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_role=actor_role,
        source=source,
        time_assumed=time_assumed,
        out_of_order=out_of_order,
        text=text,
        data=data or {},
    )
    return event


def _audit(actor, action: str, obj, *, before=None, after=None, event=None) -> None:
    after = dict(after or {})
    if event is not None:
        after["timeline_event_id"] = event.pk
    append_audit_record(actor=actor, action=action, obj=obj, before=before, after=after)


def _next_incident_number(happened_at: dt.datetime) -> str:
    """The next number of the year in Japan, e.g. 2026-0003, as staff would
    write it on paper. Writers are serialised so two reports never share
    a number."""
    serialise_writes()
    year = happened_at.astimezone(JAPAN).year
    numbers = Incident.objects.filter(number__startswith=f"{year}-").values_list(
        "number", flat=True
    )
    last = max((int(n.split("-")[1]) for n in numbers), default=0)
    return f"{year}-{last + 1:04d}"


def _default_title() -> str:
    # Records are kept in Japanese whatever language the reporter chose.
    with translation.override("ja"):
        return _("Anomaly report")


def _instantiate_steps(incident: Incident, playbook: Playbook) -> None:
    IncidentStep.objects.bulk_create(
        IncidentStep(incident=incident, step_id=step.id) for step in playbook.steps
    )


# --- Reports and the incident lifecycle ----------------------------------


def file_report(
    *,
    actor,
    reporter_name: str,
    signs: list[str],
    department: Department | None = None,
    department_text: str = "",
    callback_number: str = "",
    seen_since: dt.datetime | None = None,
    description: str = "",
    incident: Incident | None = None,
    title: str = "",
    actor_role: str = "",
    happened_at: dt.datetime | None = None,
    source: str = EntrySource.LIVE,
    time_assumed: bool = False,
    scenario: str = "",
) -> Report:
    """Store an anomaly report (1-1/1-3), opening a reported incident unless
    it is attached to an existing one."""
    happened_at = _event_time(happened_at, source)
    reporter_name = _clean_text(
        reporter_name, field=_("your name"), required=True, max_length=100
    )
    description = _clean_text(description, field=_("the description"))
    unknown = [sign for sign in signs if sign not in InfectionSign.values]
    if unknown:
        raise IncidentError(_("Unknown sign: %(sign)s") % {"sign": unknown[0]})
    if not signs:
        raise IncidentError(_("Please tick at least one thing you saw."))
    if seen_since is not None:
        # When the trouble began is in the past by nature, even for a live
        # report; it must only be a real, not a future, time.
        seen_since = _event_time(seen_since, EntrySource.TRANSCRIBED)

    playbook = get_playbook()
    with transaction.atomic():
        if incident is None:
            incident = Incident.objects.create(
                number=_next_incident_number(happened_at),
                title=_clean_text(title, field=_("the title"), max_length=200)
                or _default_title(),
                reported_at=happened_at,
                aware_at=happened_at,
                is_replay=source == EntrySource.REPLAY,
                scenario=scenario,
                playbook_digest=playbook.digest,
            )
            _instantiate_steps(incident, playbook)
        else:
            incident = Incident.objects.select_for_update().get(pk=incident.pk)
            _require_active(incident)

        report = Report.objects.create(
            incident=incident,
            reporter_name=reporter_name,
            department=department,
            department_text=_clean_text(
                department_text, field=_("the department"), max_length=100
            ),
            callback_number=_clean_text(
                callback_number, field=_("the call-back number"), max_length=40
            ),
            signs=sorted(set(signs)),
            seen_since=seen_since,
            description=description,
            received_at=happened_at,
            source=source,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        event = _write_event(
            incident,
            kind=EventKind.REPORTED,
            actor=actor,
            # Without an account the reporter is a member of staff at the
            # report page, unless the caller says otherwise (a vendor).
            actor_role=_actor_role(
                actor, actor_role or ("staff" if actor is None else "")
            ),
            happened_at=happened_at,
            source=source,
            time_assumed=time_assumed,
            step_id="1-3",
            data={"report_id": report.pk, "signs": report.signs},
        )
        # Names and numbers stay out of the audit log's readable part too;
        # the report row holds them.
        _audit(
            actor,
            "report.filed",
            report,
            after={"incident": incident.number, "signs": report.signs},
            event=event,
        )
    logger.info("Report filed report_id=%s incident_id=%s", report.pk, incident.pk)
    return report


def _record_decision_row(
    incident: Incident,
    *,
    decision_id: str,
    outcome: str | list[str],
    actor,
    actor_role: str,
    reason: str,
    happened_at: dt.datetime,
    source: str,
    time_assumed: bool,
    playbook: Playbook,
) -> tuple[Decision, TimelineEvent]:
    definition = playbook.decision_index.get(decision_id)
    if definition is None:
        raise IncidentError(_("Unknown decision: %(id)s") % {"id": decision_id})

    if definition.kind == "multiple":
        chosen = [outcome] if isinstance(outcome, str) else list(outcome)
        chosen = sorted(set(chosen))
        bad = [key for key in chosen if key not in definition.outcome_keys()]
        stored: str | list[str] = chosen
    else:
        if not isinstance(outcome, str):
            raise IncidentError(_("Choose exactly one outcome."))
        bad = [] if outcome in definition.outcome_keys() else [outcome]
        stored = outcome
    if bad:
        raise IncidentError(
            _("%(outcome)s is not an outcome of this decision.") % {"outcome": bad[0]}
        )

    previous = current_decisions(incident).get(decision_id)
    if previous is not None:
        if previous.outcome == stored:
            raise IncidentError(_("This decision already has that outcome."))
        if not definition.revisable:
            raise IncidentError(
                _("This decision has been taken and cannot be revised.")
            )
        if not reason:
            raise IncidentError(_("Please give a reason for revising the decision."))

    step = playbook.step(definition.step)
    decision = Decision.objects.create(
        incident=incident,
        decision_id=decision_id,
        outcome=stored,
        reason=reason,
        decided_by=actor if getattr(actor, "is_authenticated", False) else None,
        decided_role=_actor_role(actor, actor_role, step.roles),
        decided_at=happened_at,
        source=source,
        supersedes=previous,
    )
    event = _write_event(
        incident,
        kind=EventKind.DECISION_REVISED if previous else EventKind.DECISION,
        actor=actor,
        actor_role=decision.decided_role,
        happened_at=happened_at,
        source=source,
        time_assumed=time_assumed,
        step_id=definition.step,
        text=reason,
        data={
            "decision": decision_id,
            "outcome": stored,
            "previous": previous.outcome if previous else None,
        },
    )
    _audit(
        actor,
        "decision.revised" if previous else "decision.recorded",
        decision,
        before=snapshot(previous) if previous else None,
        after=snapshot(decision),
        event=event,
    )
    return decision, event


def _lock(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().get(pk=incident.pk)


def confirm_incident(
    incident: Incident,
    *,
    actor,
    reason: str = "",
    title: str = "",
    actor_role: str = "",
    happened_at: dt.datetime | None = None,
    source: str = EntrySource.LIVE,
    time_assumed: bool = False,
) -> Incident:
    """The security manager confirms a reported incident (1-4)."""
    happened_at = _event_time(happened_at, source)
    reason = _clean_text(reason, field=_("the reason"))
    playbook = get_playbook()
    with transaction.atomic():
        incident = _lock(incident)
        if incident.state != IncidentState.REPORTED:
            raise IncidentError(_("Only a reported incident can be confirmed."))
        before = snapshot(incident)
        _record_decision_row(
            incident,
            decision_id="confirmation",
            outcome="confirmed",
            actor=actor,
            actor_role=actor_role,
            reason=reason,
            happened_at=happened_at,
            source=source,
            time_assumed=time_assumed,
            playbook=playbook,
        )
        incident.state = IncidentState.OPEN
        if title:
            incident.title = _clean_text(title, field=_("the title"), max_length=200)
        incident.save(update_fields=["state", "title"])
        event = _write_event(
            incident,
            kind=EventKind.CONFIRMED,
            actor=actor,
            actor_role=_actor_role(actor, actor_role, ("security_manager",)),
            happened_at=happened_at,
            source=source,
            time_assumed=time_assumed,
            step_id="1-4",
            text=reason,
        )
        _audit(
            actor,
            "incident.confirmed",
            incident,
            before=before,
            after=snapshot(incident),
            event=event,
        )
    logger.info("Incident confirmed incident_id=%s", incident.pk)
    return incident


def dismiss_incident(
    incident: Incident,
    *,
    actor,
    reason: str,
    actor_role: str = "",
    happened_at: dt.datetime | None = None,
    source: str = EntrySource.LIVE,
    time_assumed: bool = False,
) -> Incident:
    """Close a report as a false alarm, saying who decided and why."""
    happened_at = _event_time(happened_at, source)
    reason = _clean_text(reason, field=_("the reason"), required=True)
    playbook = get_playbook()
    with transaction.atomic():
        incident = _lock(incident)
        if incident.state != IncidentState.REPORTED:
            raise IncidentError(_("Only a reported incident can be dismissed."))
        before = snapshot(incident)
        _record_decision_row(
            incident,
            decision_id="confirmation",
            outcome="dismissed",
            actor=actor,
            actor_role=actor_role,
            reason=reason,
            happened_at=happened_at,
            source=source,
            time_assumed=time_assumed,
            playbook=playbook,
        )
        incident.state = IncidentState.DISMISSED
        incident.closed_at = happened_at
        incident.save(update_fields=["state", "closed_at"])
        _lift_remaining_notices(
            incident, actor=actor, happened_at=happened_at, source=source
        )
        event = _write_event(
            incident,
            kind=EventKind.DISMISSED,
            actor=actor,
            actor_role=_actor_role(actor, actor_role, ("security_manager",)),
            happened_at=happened_at,
            source=source,
            time_assumed=time_assumed,
            step_id="1-4",
            text=reason,
        )
        _audit(
            actor,
            "incident.dismissed",
            incident,
            before=before,
            after=snapshot(incident),
            event=event,
        )
    logger.info("Incident dismissed incident_id=%s", incident.pk)
    return incident


def merge_incident(
    incident: Incident,
    *,
    into: Incident,
    actor,
    reason: str,
    actor_role: str = "",
    happened_at: dt.datetime | None = None,
    source: str = EntrySource.LIVE,
) -> Incident:
    """Fold a reported incident into an open one; its reports and timeline
    move along, and both timelines say so."""
    happened_at = _event_time(happened_at, source)
    reason = _clean_text(reason, field=_("the reason"), required=True)
    playbook = get_playbook()
    with transaction.atomic():
        # Lock in id order so two opposite merges cannot deadlock.
        first, second = sorted([incident, into], key=lambda i: i.pk)
        locked = {first.pk: _lock(first), second.pk: _lock(second)}
        incident, into = locked[incident.pk], locked[into.pk]
        if incident.pk == into.pk:
            raise IncidentError(_("An incident cannot be merged into itself."))
        if incident.state != IncidentState.REPORTED:
            raise IncidentError(_("Only a reported incident can be merged."))
        if into.state != IncidentState.OPEN:
            raise IncidentError(_("The incident to merge into must be open."))
        if into.is_replay != incident.is_replay:
            raise IncidentError(
                _("A replayed incident and a live one cannot be merged.")
            )

        before = snapshot(incident)
        _record_decision_row(
            incident,
            decision_id="confirmation",
            outcome="merged",
            actor=actor,
            actor_role=actor_role,
            reason=reason,
            happened_at=happened_at,
            source=source,
            time_assumed=False,
            playbook=playbook,
        )
        moved_reports = list(incident.reports.values_list("id", flat=True))
        moved_events = list(incident.events.values_list("id", flat=True))
        incident.reports.update(incident=into)
        incident.events.update(incident=into)
        # A notice published on the duplicate still holds for the incident
        # it now belongs to.
        incident.notices.filter(lifted_at=None).update(incident=into)
        incident.state = IncidentState.MERGED
        incident.merged_into = into
        incident.closed_at = happened_at
        incident.save(update_fields=["state", "merged_into", "closed_at"])

        role = _actor_role(actor, actor_role, ("security_manager",))
        event = _write_event(
            incident,
            kind=EventKind.MERGED,
            actor=actor,
            actor_role=role,
            happened_at=happened_at,
            source=source,
            step_id="1-4",
            text=reason,
            data={"into": into.number},
        )
        _write_event(
            into,
            kind=EventKind.MERGED_IN,
            actor=actor,
            actor_role=role,
            happened_at=happened_at,
            source=source,
            step_id="1-4",
            text=reason,
            data={
                "from": incident.number,
                "reports": moved_reports,
                "events": moved_events,
            },
        )
        _audit(
            actor,
            "incident.merged",
            incident,
            before=before,
            after={
                **snapshot(incident),
                "moved_reports": moved_reports,
                "moved_events": moved_events,
            },
            event=event,
        )
    logger.info("Incident merged incident_id=%s into_id=%s", incident.pk, into.pk)
    return incident


def _lift_remaining_notices(
    incident: Incident, *, actor, happened_at: dt.datetime, source: str
) -> None:
    """An incident that ends takes its stop-use notices down with it, so no
    banner keeps telling staff to avoid a system that is back."""
    for notice in incident.notices.select_for_update().filter(lifted_at=None):
        before = snapshot(notice)
        notice.lifted_at = happened_at
        notice.lifted_by = actor if getattr(actor, "is_authenticated", False) else None
        notice.lift_reason = _("Lifted because the incident ended.")
        notice.save()
        event = _write_event(
            incident,
            kind=EventKind.NOTICE_LIFTED,
            actor=actor,
            happened_at=happened_at,
            source=source,
            text=notice.lift_reason,
            data={"notice_id": notice.pk},
        )
        _audit(
            actor,
            "notice.lifted",
            notice,
            before=before,
            after=snapshot(notice),
            event=event,
        )


def close_incident(
    incident: Incident,
    *,
    actor,
    reason: str = "",
    actor_role: str = "",
    happened_at: dt.datetime | None = None,
    source: str = EntrySource.LIVE,
    time_assumed: bool = False,
) -> Incident:
    """Management closes an incident once every step is finished."""
    happened_at = _event_time(happened_at, source)
    reason = _clean_text(reason, field=_("the reason"))
    with transaction.atomic():
        incident = _lock(incident)
        if incident.state != IncidentState.OPEN:
            raise IncidentError(_("Only an open incident can be closed."))
        picture = get_incident_picture(incident)
        unfinished = [
            s for s, status in picture.statuses.items() if status.status not in FINISHED
        ]
        if unfinished:
            raise IncidentError(
                _(
                    "These steps are not finished yet: %(steps)s. "
                    "Complete or skip them first."
                )
                % {"steps": ", ".join(unfinished)}
            )
        before = snapshot(incident)
        incident.state = IncidentState.CLOSED
        incident.closed_at = happened_at
        incident.save(update_fields=["state", "closed_at"])
        _lift_remaining_notices(
            incident, actor=actor, happened_at=happened_at, source=source
        )
        event = _write_event(
            incident,
            kind=EventKind.CLOSED,
            actor=actor,
            actor_role=_actor_role(actor, actor_role, ("management",)),
            happened_at=happened_at,
            source=source,
            time_assumed=time_assumed,
            text=reason,
        )
        _audit(
            actor,
            "incident.closed",
            incident,
            before=before,
            after=snapshot(incident),
            event=event,
        )
    logger.info("Incident closed incident_id=%s", incident.pk)
    return incident


# --- Steps and decisions --------------------------------------------------


def _get_step(incident: Incident, step_id: str, playbook: Playbook):
    if step_id not in playbook.step_index:
        raise IncidentError(_("Unknown step: %(step)s") % {"step": step_id})
    row = (
        IncidentStep.objects.select_for_update()
        .filter(incident=incident, step_id=step_id)
        .first()
    )
    if row is None:
        # The playbook gained a step after this incident began.
        row = IncidentStep.objects.create(incident=incident, step_id=step_id)
    return playbook.step(step_id), row


def _out_of_order(incident: Incident, step_id: str, reason: str) -> bool:
    """Steps not ready yet may still be recorded, but only with a reason."""
    picture = get_incident_picture(incident)
    status = picture.statuses[step_id]
    if status.status in {Status.WAITING, Status.NOT_APPLICABLE}:
        if not reason:
            raise IncidentError(
                _(
                    "Step %(step)s is not due yet in the flowchart: %(why)s "
                    "To record it anyway, give a reason."
                )
                % {"step": step_id, "why": explain_status(status, picture.playbook)}
            )
        return True
    return False


def _clean_checklist(
    step, checklist: dict[str, bool] | list[str] | None
) -> dict[str, bool]:
    keys = {item.key for item in step.checklist}
    if checklist is None:
        return {}
    ticked = (
        checklist
        if isinstance(checklist, list)
        else [k for k, v in checklist.items() if v]
    )
    unknown = [key for key in ticked if key not in keys]
    if unknown:
        raise IncidentError(_("Unknown checklist item: %(key)s") % {"key": unknown[0]})
    return {key: key in ticked for key in sorted(keys)}


def _clean_records(step, records: dict[str, Any] | None) -> dict[str, Any]:
    fields = {field.key: field for field in step.records}
    cleaned: dict[str, Any] = {}
    for key, value in (records or {}).items():
        field = fields.get(key)
        if field is None:
            raise IncidentError(_("Unknown record field: %(key)s") % {"key": key})
        # Messages name the field as the person sees it on the page.
        label = field.label.get(get_language() or "ja")
        if field.type == "choice" and (
            not isinstance(value, str) or value not in {c.key for c in field.choices}
        ):
            raise IncidentError(
                _("%(value)s is not a choice for %(key)s.")
                % {"value": value, "key": label}
            )
        if field.type == "boolean" and not isinstance(value, bool):
            raise IncidentError(_("%(key)s must be yes or no.") % {"key": label})
        if field.type == "number" and (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise IncidentError(_("%(key)s must be a number.") % {"key": label})
        if field.type in {"text", "longtext"} and not isinstance(value, str):
            raise IncidentError(_("%(key)s must be text.") % {"key": label})
        if field.type in {"datetime", "date"}:
            value = _clean_moment(value, field_type=field.type, key=label)
        elif isinstance(value, str):
            value = _clean_text(value, field=label)
        cleaned[key] = value
    return cleaned


def _clean_moment(value: Any, *, field_type: str, key: str) -> str:
    """A date, or a date and time read as Japan time when it has no
    offset (ISO, 和暦 or full-width digits); stored as ISO text with its
    offset so it reads back unchanged."""
    try:
        if field_type == "date":
            day = parse_typed_date(str(value))
            check_year(day)
            return day.isoformat()
        moment = parse_typed_moment(str(value), JAPAN)
    except ValueError:
        raise IncidentError(
            _("%(key)s is not a date and time like 2026-12-01T06:38.") % {"key": key}
        ) from None
    check_year(moment)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=JAPAN)
    return moment.isoformat()


def start_step(
    incident: Incident,
    *,
    step_id: str,
    actor,
    reason: str = "",
    actor_role: str = "",
    happened_at: dt.datetime | None = None,
    source: str = EntrySource.LIVE,
    time_assumed: bool = False,
) -> IncidentStep:
    happened_at = _event_time(happened_at, source)
    reason = _clean_text(reason, field=_("the reason"))
    playbook = get_playbook()
    with transaction.atomic():
        incident = _lock(incident)
        _require_active(incident)
        step, row = _get_step(incident, step_id, playbook)
        if row.state != StepState.PENDING:
            raise IncidentError(
                _("Step %(step)s has already been started.") % {"step": step_id}
            )
        out_of_order = _out_of_order(incident, step_id, reason)
        before = snapshot(row)
        row.state = StepState.IN_PROGRESS
        row.started_at = happened_at
        if out_of_order:
            row.reason = reason
        row.save()
        event = _write_event(
            incident,
            kind=EventKind.STEP_STARTED,
            actor=actor,
            actor_role=_actor_role(actor, actor_role, step.roles),
            happened_at=happened_at,
            source=source,
            time_assumed=time_assumed,
            out_of_order=out_of_order,
            step_id=step_id,
            text=reason,
        )
        _audit(
            actor, "step.started", row, before=before, after=snapshot(row), event=event
        )
    logger.info("Step started incident_id=%s step=%s", incident.pk, step_id)
    return row


def complete_step(
    incident: Incident,
    *,
    step_id: str,
    actor,
    checklist: dict[str, bool] | list[str] | None = None,
    records: dict[str, Any] | None = None,
    note: str = "",
    reason: str = "",
    actor_role: str = "",
    happened_at: dt.datetime | None = None,
    source: str = EntrySource.LIVE,
    time_assumed: bool = False,
) -> IncidentStep:
    """Mark a step done with its checklist and records; a step that is not
    due yet needs a reason and is marked as recorded out of order."""
    happened_at = _event_time(happened_at, source)
    reason = _clean_text(reason, field=_("the reason"))
    note = _clean_text(note, field=_("the note"))
    playbook = get_playbook()
    with transaction.atomic():
        incident = _lock(incident)
        _require_active(incident)
        step, row = _get_step(incident, step_id, playbook)
        if row.state in {StepState.DONE, StepState.SKIPPED}:
            raise IncidentError(
                _("Step %(step)s is already finished.") % {"step": step_id}
            )
        out_of_order = row.state == StepState.PENDING and _out_of_order(
            incident, step_id, reason
        )
        before = snapshot(row)
        row.checklist = _clean_checklist(step, checklist) or row.checklist
        row.records = {**row.records, **_clean_records(step, records)}
        missing = [
            f.key for f in step.records if f.required and f.key not in row.records
        ]
        if missing:
            raise IncidentError(
                _("Please record: %(fields)s") % {"fields": ", ".join(missing)}
            )
        row.state = StepState.DONE
        row.started_at = row.started_at or happened_at
        row.finished_at = happened_at
        if out_of_order:
            row.reason = reason
        row.save()
        event = _write_event(
            incident,
            kind=EventKind.STEP_COMPLETED,
            actor=actor,
            actor_role=_actor_role(actor, actor_role, step.roles),
            happened_at=happened_at,
            source=source,
            time_assumed=time_assumed,
            out_of_order=out_of_order,
            step_id=step_id,
            text=note or reason,
            data={"checklist": row.checklist, "records": sorted(row.records)},
        )
        _audit(
            actor,
            "step.completed",
            row,
            before=before,
            after=snapshot(row),
            event=event,
        )
    logger.info("Step completed incident_id=%s step=%s", incident.pk, step_id)
    return row


def skip_step(
    incident: Incident,
    *,
    step_id: str,
    actor,
    reason: str,
    actor_role: str = "",
    happened_at: dt.datetime | None = None,
    source: str = EntrySource.LIVE,
    time_assumed: bool = False,
) -> IncidentStep:
    happened_at = _event_time(happened_at, source)
    reason = _clean_text(reason, field=_("the reason"), required=True)
    playbook = get_playbook()
    with transaction.atomic():
        incident = _lock(incident)
        _require_active(incident)
        step, row = _get_step(incident, step_id, playbook)
        if row.state in {StepState.DONE, StepState.SKIPPED}:
            raise IncidentError(
                _("Step %(step)s is already finished.") % {"step": step_id}
            )
        before = snapshot(row)
        row.state = StepState.SKIPPED
        row.reason = reason
        row.finished_at = happened_at
        row.save()
        event = _write_event(
            incident,
            kind=EventKind.STEP_SKIPPED,
            actor=actor,
            actor_role=_actor_role(actor, actor_role, step.roles),
            happened_at=happened_at,
            source=source,
            time_assumed=time_assumed,
            step_id=step_id,
            text=reason,
        )
        _audit(
            actor, "step.skipped", row, before=before, after=snapshot(row), event=event
        )
    logger.info("Step skipped incident_id=%s step=%s", incident.pk, step_id)
    return row


def add_note(
    incident: Incident,
    *,
    actor,
    text: str,
    step_id: str = "",
    actor_role: str = "",
    happened_at: dt.datetime | None = None,
    source: str = EntrySource.LIVE,
    time_assumed: bool = False,
) -> TimelineEvent:
    happened_at = _event_time(happened_at, source)
    text = _clean_text(text, field=_("the note"), required=True)
    playbook = get_playbook()
    if step_id and step_id not in playbook.step_index:
        raise IncidentError(_("Unknown step: %(step)s") % {"step": step_id})
    roles = playbook.step(step_id).roles if step_id else ()
    # Notes stay possible after an incident ends: a correction or a late
    # finding is recorded as a new entry, never by editing the old one.
    with transaction.atomic():
        incident = _lock(incident)
        event = _write_event(
            incident,
            kind=EventKind.NOTE,
            actor=actor,
            actor_role=_actor_role(actor, actor_role, roles),
            happened_at=happened_at,
            source=source,
            time_assumed=time_assumed,
            step_id=step_id,
            text=text,
        )
        _audit(
            actor,
            "note.added",
            event,
            after={"incident": incident.number, "step": step_id},
        )
    logger.info("Note added incident_id=%s event_id=%s", incident.pk, event.pk)
    return event


def record_decision(
    incident: Incident,
    *,
    decision_id: str,
    outcome: str | list[str],
    actor,
    reason: str = "",
    actor_role: str = "",
    happened_at: dt.datetime | None = None,
    source: str = EntrySource.LIVE,
    time_assumed: bool = False,
) -> Decision:
    """Record a decision of the playbook (attack signs, tracks …); a
    revisable decision may be revised later with a reason."""
    if decision_id == "confirmation":
        raise IncidentError(
            _("Use confirm, dismiss or merge for the confirmation at 1-4.")
        )
    happened_at = _event_time(happened_at, source)
    reason = _clean_text(reason, field=_("the reason"))
    playbook = get_playbook()
    with transaction.atomic():
        incident = _lock(incident)
        if incident.state != IncidentState.OPEN:
            raise IncidentError(_("Decisions are recorded on open incidents."))
        decision, _event = _record_decision_row(
            incident,
            decision_id=decision_id,
            outcome=outcome,
            actor=actor,
            actor_role=actor_role,
            reason=reason,
            happened_at=happened_at,
            source=source,
            time_assumed=time_assumed,
            playbook=playbook,
        )
    logger.info(
        "Decision recorded incident_id=%s decision=%s", incident.pk, decision_id
    )
    return decision


# --- Stop-use notices and sharing -----------------------------------------


def publish_stop_use_notice(
    incident: Incident,
    *,
    actor,
    message: str,
    systems=(),
    actor_role: str = "",
    happened_at: dt.datetime | None = None,
    source: str = EntrySource.LIVE,
) -> StopUseNotice:
    """Tell every member of staff which systems not to use (2-7/2-9)."""
    happened_at = _event_time(happened_at, source)
    message = _clean_text(message, field=_("the notice"), required=True)
    systems = list(systems)
    with transaction.atomic():
        incident = _lock(incident)
        _require_active(incident)
        notice = StopUseNotice.objects.create(
            incident=incident,
            message=message,
            published_at=happened_at,
            published_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        notice.systems.set(systems)
        system_ids = sorted(system.pk for system in systems)
        event = _write_event(
            incident,
            kind=EventKind.NOTICE_PUBLISHED,
            actor=actor,
            actor_role=_actor_role(actor, actor_role, ("security_manager",)),
            happened_at=happened_at,
            source=source,
            step_id="2-7",
            text=message,
            data={"notice_id": notice.pk, "systems": system_ids},
        )
        _audit(
            actor,
            "notice.published",
            notice,
            after={**snapshot(notice), "systems": system_ids},
            event=event,
        )
    logger.info(
        "Stop-use notice published incident_id=%s notice_id=%s", incident.pk, notice.pk
    )
    return notice


def lift_stop_use_notice(
    notice: StopUseNotice,
    *,
    actor,
    reason: str,
    actor_role: str = "",
    happened_at: dt.datetime | None = None,
    source: str = EntrySource.LIVE,
) -> StopUseNotice:
    happened_at = _event_time(happened_at, source)
    reason = _clean_text(reason, field=_("the reason"), required=True)
    with transaction.atomic():
        notice = StopUseNotice.objects.select_for_update().get(pk=notice.pk)
        if not notice.is_active:
            raise IncidentError(_("This notice has already been lifted."))
        before = snapshot(notice)
        notice.lifted_at = happened_at
        notice.lifted_by = actor if getattr(actor, "is_authenticated", False) else None
        notice.lift_reason = reason
        notice.save()
        event = _write_event(
            notice.incident,
            kind=EventKind.NOTICE_LIFTED,
            actor=actor,
            actor_role=_actor_role(actor, actor_role, ("security_manager",)),
            happened_at=happened_at,
            source=source,
            step_id="3-4",
            text=reason,
            data={"notice_id": notice.pk},
        )
        _audit(
            actor,
            "notice.lifted",
            notice,
            before=before,
            after=snapshot(notice),
            event=event,
        )
    logger.info("Stop-use notice lifted notice_id=%s", notice.pk)
    return notice


def share_incident(
    incident: Incident,
    *,
    actor,
    organisation: Organisation,
    extra_steps: list[str] | None = None,
    actor_role: str = "",
) -> IncidentShare:
    """Let an outside organisation's people see their part of an incident;
    sharing again with the same organisation updates the extra steps."""
    if organisation.kind not in {OrganisationKind.VENDOR, OrganisationKind.CONTRACTOR}:
        # Authorities receive reports; they never work inside MedIR.
        raise IncidentError(
            _("Incidents are shared only with vendors and contractors.")
        )
    extra = sorted(set(extra_steps or []))
    playbook = get_playbook()
    unknown = [step_id for step_id in extra if step_id not in playbook.step_index]
    if unknown:
        raise IncidentError(_("Unknown step: %(step)s") % {"step": unknown[0]})
    happened_at = timezone.now()
    with transaction.atomic():
        incident = _lock(incident)
        _require_active(incident)
        share = incident.shares.filter(
            organisation=organisation, revoked_at=None
        ).first()
        before = snapshot(share) if share else None
        if share is None:
            share = IncidentShare(
                incident=incident,
                organisation=organisation,
                shared_at=happened_at,
                shared_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
        elif share.extra_steps == extra:
            raise IncidentError(_("The incident is already shared that way."))
        share.extra_steps = extra
        share.save()
        event = _write_event(
            incident,
            kind=EventKind.SHARED,
            actor=actor,
            actor_role=_actor_role(actor, actor_role, ("security_manager",)),
            happened_at=happened_at,
            source=EntrySource.LIVE,
            data={"organisation": organisation.name, "extra_steps": extra},
        )
        _audit(
            actor,
            "incident.shared",
            share,
            before=before,
            after=snapshot(share),
            event=event,
        )
    logger.info(
        "Incident shared incident_id=%s organisation_id=%s",
        incident.pk,
        organisation.pk,
    )
    return share


def unshare_incident(
    share: IncidentShare, *, actor, actor_role: str = ""
) -> IncidentShare:
    happened_at = timezone.now()
    with transaction.atomic():
        share = IncidentShare.objects.select_for_update().get(pk=share.pk)
        if share.revoked_at is not None:
            raise IncidentError(_("This sharing has already ended."))
        before = snapshot(share)
        share.revoked_at = happened_at
        share.save(update_fields=["revoked_at"])
        event = _write_event(
            share.incident,
            kind=EventKind.UNSHARED,
            actor=actor,
            actor_role=_actor_role(actor, actor_role, ("security_manager",)),
            happened_at=happened_at,
            source=EntrySource.LIVE,
            data={"organisation": share.organisation.name},
        )
        _audit(
            actor,
            "incident.unshared",
            share,
            before=before,
            after=snapshot(share),
            event=event,
        )
    logger.info("Incident sharing ended share_id=%s", share.pk)
    return share


# --- Calls -------------------------------------------------------------------

# A call is recorded after hanging up, often after a second and third call;
# a live entry may lie this far back before it must come from paper.
CALL_LATE_LIMIT = dt.timedelta(hours=12)


def _call_time(happened_at: dt.datetime | None, source: str) -> dt.datetime:
    now = timezone.now()
    if happened_at is None or source != EntrySource.LIVE:
        return _event_time(happened_at, source)
    if timezone.is_naive(happened_at):
        raise IncidentError(_("The time must include a time zone."))
    check_year(happened_at)
    if happened_at > now + FUTURE_TOLERANCE:
        raise IncidentError(_("The time lies in the future; check the date and time."))
    if happened_at < now - CALL_LATE_LIMIT:
        raise IncidentError(
            _(
                "A live entry takes the current time. To record an earlier "
                "time, mark the entry as transcribed from paper."
            )
        )
    return happened_at


def record_call(
    incident: Incident,
    *,
    actor,
    step_id: str,
    callee: Person | Organisation,
    outcome: str,
    note: str = "",
    happened_at: dt.datetime | None = None,
    source: str = EntrySource.LIVE,
    actor_role: str = "",
) -> TimelineEvent:
    """Record that someone was called at a step, and how it went.

    The callee's name is kept in the event as it was at the time of the
    call; numbers are not, since the directory holds them.
    """
    happened_at = _call_time(happened_at, source)
    if outcome not in CallOutcome.values:
        raise IncidentError(_("Choose how the call went."))
    if not isinstance(callee, Person | Organisation) or callee.pk is None:
        raise IncidentError(_("Choose whom you called."))
    note = _clean_text(note, field=_("the note"), max_length=500)
    playbook = get_playbook()
    if step_id not in playbook.step_index:
        raise IncidentError(_("Unknown step: %(step)s") % {"step": step_id})
    callee_type = "person" if isinstance(callee, Person) else "organisation"
    name = callee.display_name if isinstance(callee, Person) else callee.name
    data = {
        "callee_type": callee_type,
        "callee_id": callee.pk,
        "callee": name,
        "outcome": outcome,
    }
    with transaction.atomic():
        incident = _lock(incident)
        event = _write_event(
            incident,
            kind=EventKind.CALL_MADE,
            actor=actor,
            actor_role=_actor_role(actor, actor_role, playbook.step(step_id).roles),
            happened_at=happened_at,
            source=source,
            step_id=step_id,
            text=note,
            data=data,
        )
        _audit(
            actor,
            "call.recorded",
            event,
            after={"incident": incident.number, "step": step_id, **data},
            event=event,
        )
    logger.info(
        "Call recorded incident_id=%s step=%s callee_type=%s callee_id=%s outcome=%s",
        incident.pk,
        step_id,
        callee_type,
        callee.pk,
        outcome,
    )
    return event
