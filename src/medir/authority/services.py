"""Changes to what an incident knows about awareness and personal data.

Each writes its timeline event and audit record in the same transaction,
like every other change to an incident.
"""

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from medir.audit.services import append_audit_record, snapshot
from medir.authority.models import Answer, CountKind, PersonalDataFacts
from medir.incidents.models import EntrySource, EventKind, Incident, TimelineEvent
from medir.incidents.services import IncidentError, check_year

logger = logging.getLogger(__name__)

ANSWER_FIELDS = (
    "leaked",
    "lost",
    "damaged",
    "sensitive",
    "financial_risk",
    "wrongful_purpose",
)


def _event(incident, *, kind, actor, actor_role, text="", data=None) -> TimelineEvent:
    return TimelineEvent.objects.create(
        incident=incident,
        kind=kind,
        happened_at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_role=actor_role,
        source=EntrySource.LIVE,
        text=text,
        data=data or {},
    )


def set_awareness_time(
    incident: Incident,
    *,
    actor,
    aware_at: dt.datetime,
    reason: str,
    actor_role: str = "",
) -> Incident:
    """Correct when the hospital first knew (覚知日時); the PPC clocks run
    from this, so a reason is required and the old value is kept."""
    reason = (reason or "").strip()
    if not reason:
        raise IncidentError(_("Please give a reason for changing the awareness time."))
    if timezone.is_naive(aware_at):
        raise IncidentError(_("The time must include a time zone."))
    # Before any arithmetic: year 1 would overflow, 1900 would start the
    # legal clocks a century ago.
    check_year(aware_at)
    if aware_at > timezone.now():
        raise IncidentError(_("The time lies in the future; check the date and time."))
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if incident.aware_at == aware_at:
            raise IncidentError(_("The awareness time already has that value."))
        before = {"aware_at": incident.aware_at}
        incident.aware_at = aware_at
        incident.save(update_fields=["aware_at"])
        event = _event(
            incident,
            kind=EventKind.AWARENESS_SET,
            actor=actor,
            actor_role=actor_role,
            text=reason,
            data={
                "aware_at": aware_at.isoformat(),
                "previous": before["aware_at"].isoformat()
                if before["aware_at"]
                else None,
            },
        )
        append_audit_record(
            actor=actor,
            action="incident.awareness_set",
            obj=incident,
            before=before,
            after={"aware_at": aware_at, "timeline_event_id": event.pk},
        )
    logger.info("Awareness time set incident_id=%s", incident.pk)
    return incident


def record_personal_data_facts(
    incident: Incident, *, actor, actor_role: str = "", **facts
) -> PersonalDataFacts:
    """Record what is known about personal data; unknown keys or values
    are refused and change nothing."""
    allowed = {
        *ANSWER_FIELDS,
        "strongly_encrypted",
        "people_count",
        "people_count_kind",
        "data_items",
    }
    unknown = sorted(set(facts) - allowed)
    if unknown:
        raise IncidentError(_("Unknown item: %(key)s") % {"key": unknown[0]})
    for key in ANSWER_FIELDS:
        if key in facts and facts[key] not in Answer.values:
            raise IncidentError(
                _("%(value)s is not a choice for %(key)s.")
                % {"value": facts[key], "key": key}
            )
    if (
        "people_count_kind" in facts
        and facts["people_count_kind"] not in CountKind.values
    ):
        raise IncidentError(
            _("%(value)s is not a choice for %(key)s.")
            % {"value": facts["people_count_kind"], "key": "people_count_kind"}
        )
    count = facts.get("people_count")
    if count is not None and (
        isinstance(count, bool) or not isinstance(count, int) or count < 0
    ):
        raise IncidentError(
            _("The number of people must be a whole number, 0 or more.")
        )
    if len(facts.get("data_items") or "") > 2000:
        raise IncidentError(
            _("The list of data items is too long (at most 2000 characters).")
        )

    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        row = PersonalDataFacts.objects.filter(incident=incident).first()
        before = snapshot(row) if row else None
        row = row or PersonalDataFacts(incident=incident)
        for key, value in facts.items():
            setattr(row, key, value)
        row.updated_by = actor if getattr(actor, "is_authenticated", False) else None
        row.save()
        event = _event(
            incident,
            kind=EventKind.FACTS_RECORDED,
            actor=actor,
            actor_role=actor_role,
            data={"changed": sorted(facts)},
        )
        append_audit_record(
            actor=actor,
            action="incident.personal_data_recorded",
            obj=row,
            before=before,
            after={**snapshot(row), "timeline_event_id": event.pk},
        )
    logger.info("Personal-data facts recorded incident_id=%s", incident.pk)
    return row
