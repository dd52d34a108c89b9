"""Every change to an authority report goes through these functions.

Like the incident services, each takes the object first, keyword-only
arguments and the acting user, runs in one transaction and writes a
timeline event and an audit record beside the change. Report texts may
hold patients' and staff's details, so the audit trail records which
fields changed and a digest of the content, never the text itself.

MedIR never sends a report anywhere: people send it themselves and record
here when and how. That holds for replayed incidents too, where marking a
report sent is allowed so that a drill can be walked through.
"""

import datetime as dt
import hashlib
import json
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from medir.audit.services import append_audit_record
from medir.authority.models import (
    NoticeBatch,
    ReportCopySent,
    ReportDraft,
    ReportVersion,
    SentVia,
)
from medir.authority.reports.formatting import (
    parse_day,
    parse_moment,
    store_moment,
    version_label,
)
from medir.authority.reports.kinds import ReportKind, get_kind
from medir.authority.reports.prefill import prefill
from medir.incidents.models import (
    EntrySource,
    EventKind,
    Incident,
    IncidentState,
    TimelineEvent,
)
from medir.incidents.services import FUTURE_TOLERANCE, IncidentError

logger = logging.getLogger(__name__)

MAX_LENGTH = {"text": 2_000, "longtext": 20_000}
MAX_NOTE = 2_000
# Far beyond any hospital's patients; stops a typo of extra digits.
MAX_PEOPLE = 100_000_000


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _role(actor, explicit: str) -> str:
    """The lane the actor acts in: as given, else the lane of theirs that
    reports to authorities (management first, as the flowchart has it)."""
    if explicit:
        return explicit
    person = getattr(actor, "person", None) if _user(actor) else None
    roles = person.role_keys() if person is not None else set()
    for role in ("management", "security_manager"):
        if role in roles:
            return role
    return ""


def _kind(key: str) -> ReportKind:
    kind = get_kind(key)
    if kind is None:
        raise IncidentError(_("Unknown report: %(kind)s") % {"kind": key})
    return kind


def _digest(fields: dict[str, Any]) -> str:
    """A fingerprint of a version's content for the audit trail, which
    proves later what was sent without storing the text."""
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _clean_value(kind: ReportKind, key: str, value: Any) -> Any:
    """One field's value in its stored form; None clears the field."""
    try:
        field = kind.field(key)
    except KeyError:
        raise IncidentError(
            _("%(field)s is not a field of this report.") % {"field": key}
        ) from None
    label = field.label.get(get_language() or "ja")
    if value is None or value == "" or value == []:
        return None
    if field.type in {"text", "longtext"}:
        text = str(value).strip()
        if len(text) > MAX_LENGTH[field.type]:
            raise IncidentError(
                _("%(field)s is too long (at most %(max)s characters).")
                % {"field": label, "max": MAX_LENGTH[field.type]}
            )
        return text or None
    if field.type == "datetime":
        moment = parse_moment(value)
        if moment is None:
            raise IncidentError(
                _("%(field)s is not a date and time like 2026-12-01T06:38.")
                % {"field": label}
            )
        return store_moment(moment)
    if field.type == "date":
        day = parse_day(value)
        if day is None:
            raise IncidentError(
                _("%(field)s is not a date like 2026-12-01.") % {"field": label}
            )
        return day.isoformat()
    if field.type == "number":
        if isinstance(value, bool):
            value = None
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = -1
        if number < 0:
            raise IncidentError(
                _("%(field)s must be a whole number, 0 or more.") % {"field": label}
            )
        return number
    keys = [choice.key for choice in field.choices]
    chosen = value if isinstance(value, list | tuple) else [value]
    unknown = [str(item) for item in chosen if str(item) not in keys]
    if unknown or (field.type == "choice" and len(chosen) != 1):
        raise IncidentError(
            _("%(value)s is not a choice for %(field)s.")
            % {"value": ", ".join(unknown) or chosen, "field": label}
        )
    if field.type == "choice":
        return str(chosen[0])
    return [key for key in keys if key in {str(item) for item in chosen}]


def clean_fields(kind: ReportKind, fields: dict[str, Any]) -> dict[str, Any]:
    """Given fields in stored form; a None value means "clear it"."""
    return {key: _clean_value(kind, key, value) for key, value in fields.items()}


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def _require_reportable(incident: Incident) -> None:
    # Reports outlive the response (the PPC final report may be due after
    # closing), so only incidents that never were, or live on elsewhere,
    # refuse them.
    if incident.state in {IncidentState.DISMISSED, IncidentState.MERGED}:
        raise IncidentError(
            _("Incident %(number)s is %(state)s; reports are not made on it.")
            % {"number": incident.number, "state": incident.get_state_display()}
        )


def _event(
    incident: Incident,
    *,
    kind: str,
    actor,
    actor_role: str,
    happened_at: dt.datetime,
    step_id: str,
    data: dict,
    text: str = "",
) -> TimelineEvent:
    return TimelineEvent.objects.create(
        incident=incident,
        kind=kind,
        step_id=step_id,
        happened_at=happened_at,
        actor=_user(actor),
        actor_role=_role(actor, actor_role),
        source=EntrySource.LIVE,
        text=text,
        data=data,
    )


def _report_name(kind: ReportKind | None, key: str, number: int) -> str:
    """The report's official (Japanese) name and 第N報, for the timeline."""
    return f"{kind.title.ja if kind else key} {version_label(number)}"


def _frozen_message(version: ReportVersion) -> str:
    first_copy = version.copies_sent.order_by("sent_at").first()
    sent_at = version.sent_at or (first_copy.sent_at if first_copy else None)
    return _(
        "%(version)s was recorded as sent on %(date)s and can no longer be "
        "changed. Open the report again to write %(next)s from it."
    ) % {
        "version": version_label(version.number),
        "date": timezone.localtime(sent_at).strftime("%Y-%m-%d %H:%M")
        if sent_at
        else "?",
        "next": version_label(version.number + 1),
    }


def edit_report(
    incident: Incident,
    *,
    kind: str,
    fields: dict[str, Any],
    actor,
    number: int | None = None,
    actor_role: str = "",
) -> ReportVersion:
    """Save changes to a report of an incident.

    The latest version is updated while it is unsent. Once it is marked
    sent it is frozen, and the changes start the next version (第2報 …),
    pre-filled from the last one; the first version starts pre-filled from
    the incident. ``fields`` holds only what changes (None clears a field).
    ``number``, when given, is the version the person was editing: if it
    is no longer the one that would change (someone marked it sent
    meanwhile), nothing is saved and the message says why.
    """
    report_kind = _kind(kind)
    changes = clean_fields(report_kind, fields)
    now = timezone.now()
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        _require_reportable(incident)
        draft, _created = ReportDraft.objects.get_or_create(
            incident=incident, kind=kind, defaults={"created_by": _user(actor)}
        )
        latest = draft.versions.order_by("-number").first()
        if latest is None:
            target, base = 1, prefill(report_kind, incident)
        elif latest.is_frozen:
            target, base = latest.number + 1, dict(latest.fields)
        else:
            target, base = latest.number, dict(latest.fields)

        if number is not None and number != target:
            edited = draft.versions.filter(number=number).first()
            if edited is not None and edited.is_frozen:
                raise IncidentError(_frozen_message(edited))
            raise IncidentError(
                _("This report changed while you were editing it; reload the page.")
            )

        after = _merge(base, changes)
        changed = _changed(base, after)
        if latest is not None and target == latest.number:
            if not changed:
                raise IncidentError(_("Nothing changed."))
            version = latest
            version.fields = after
            version.updated_at = now
            version.updated_by = _user(actor)
            version.save(update_fields=["fields", "updated_at", "updated_by"])
            action = "report.edited"
        else:
            version = ReportVersion.objects.create(
                draft=draft,
                number=target,
                fields=after,
                created_at=now,
                created_by=_user(actor),
                updated_at=now,
                updated_by=_user(actor),
            )
            action = "report.version_started"

        data = {"kind": kind, "number": version.number, "changed": changed}
        event = _event(
            incident,
            kind=EventKind.REPORT_SAVED,
            actor=actor,
            actor_role=actor_role,
            happened_at=now,
            step_id=report_kind.step,
            data=data,
            text=_report_name(report_kind, kind, version.number),
        )
        append_audit_record(
            actor=actor,
            action=action,
            obj=version,
            before={"filled": sorted(base)},
            after={
                **data,
                "incident": incident.number,
                "filled": sorted(after),
                "content_sha256": _digest(after),
                "timeline_event_id": event.pk,
            },
        )
    logger.info(
        "Report saved incident_id=%s kind=%s version=%s",
        incident.pk,
        kind,
        version.number,
    )
    return version


def _check_sending(sent_at: dt.datetime, sent_via: str, sent_note: str) -> str:
    if sent_via not in SentVia.values:
        raise IncidentError(_("Choose how the report was sent."))
    if timezone.is_naive(sent_at):
        raise IncidentError(_("The time must include a time zone."))
    if sent_at > timezone.now() + FUTURE_TOLERANCE:
        raise IncidentError(_("The time lies in the future; check the date and time."))
    sent_note = (sent_note or "").strip()
    if len(sent_note) > MAX_NOTE:
        raise IncidentError(
            _("%(field)s is too long (at most %(max)s characters).")
            % {"field": _("the note"), "max": MAX_NOTE}
        )
    return sent_note


def mark_report_sent(
    version: ReportVersion,
    *,
    actor,
    sent_at: dt.datetime,
    sent_via: str,
    sent_note: str = "",
    actor_role: str = "",
) -> ReportVersion:
    """Record that people sent this version to the report's recipient, and
    freeze it. MedIR itself sends nothing, for live and replayed incidents
    alike."""
    sent_note = _check_sending(sent_at, sent_via, sent_note)
    with transaction.atomic():
        version = (
            ReportVersion.objects.select_for_update()
            .select_related("draft__incident")
            .get(pk=version.pk)
        )
        incident = version.draft.incident
        _require_reportable(incident)
        if version.is_sent:
            raise IncidentError(
                _("%(version)s has already been recorded as sent.")
                % {"version": version_label(version.number)}
            )
        version.sent_at = sent_at
        version.sent_via = sent_via
        version.sent_by = _user(actor)
        version.sent_note = sent_note
        version.save(update_fields=["sent_at", "sent_via", "sent_by", "sent_note"])

        kind = version.draft.kind
        report_kind = get_kind(kind)
        data = {"kind": kind, "number": version.number, "sent_via": sent_via}
        event = _event(
            incident,
            kind=EventKind.REPORT_SENT,
            actor=actor,
            actor_role=actor_role,
            happened_at=sent_at,
            step_id=report_kind.step if report_kind else "",
            data=data,
            text=_report_name(report_kind, kind, version.number),
        )
        append_audit_record(
            actor=actor,
            action="report.marked_sent",
            obj=version,
            before={"sent_at": None},
            after={
                **data,
                "incident": incident.number,
                "sent_at": sent_at,
                "has_note": bool(sent_note),
                "content_sha256": _digest(version.fields),
                "timeline_event_id": event.pk,
            },
        )
    logger.info(
        "Report marked sent incident_id=%s kind=%s version=%s",
        incident.pk,
        kind,
        version.number,
    )
    return version


def mark_copy_sent(
    version: ReportVersion,
    *,
    variant: str,
    actor,
    sent_at: dt.datetime,
    sent_via: str,
    sent_note: str = "",
    actor_role: str = "",
) -> ReportCopySent:
    """Record that people sent a copy of this version to a second
    recipient (e.g. the prefecture's copy of a PPC report), and freeze the
    version."""
    sent_note = _check_sending(sent_at, sent_via, sent_note)
    with transaction.atomic():
        version = (
            ReportVersion.objects.select_for_update()
            .select_related("draft__incident")
            .get(pk=version.pk)
        )
        incident = version.draft.incident
        _require_reportable(incident)
        kind = version.draft.kind
        report_kind = get_kind(kind)
        chosen = report_kind.variant(variant) if report_kind else None
        if chosen is None:
            raise IncidentError(
                _("This report has no copy called %(copy)s.") % {"copy": variant}
            )
        if version.copies_sent.filter(variant=variant).exists():
            raise IncidentError(
                _("This copy of %(version)s has already been recorded as sent.")
                % {"version": version_label(version.number)}
            )
        copy = ReportCopySent.objects.create(
            version=version,
            variant=variant,
            sent_at=sent_at,
            sent_via=sent_via,
            sent_by=_user(actor),
            sent_note=sent_note,
        )
        data = {
            "kind": kind,
            "number": version.number,
            "copy": variant,
            "sent_via": sent_via,
        }
        event = _event(
            incident,
            kind=EventKind.REPORT_SENT,
            actor=actor,
            actor_role=actor_role,
            happened_at=sent_at,
            step_id=report_kind.step,
            data=data,
            text=f"{_report_name(report_kind, kind, version.number)}"
            f"（{chosen.title.ja}）",
        )
        append_audit_record(
            actor=actor,
            action="report.copy_marked_sent",
            obj=copy,
            after={
                **data,
                "incident": incident.number,
                "sent_at": sent_at,
                "has_note": bool(sent_note),
                "content_sha256": _digest(version.fields),
                "timeline_event_id": event.pk,
            },
        )
    logger.info(
        "Report copy marked sent incident_id=%s kind=%s version=%s copy=%s",
        incident.pk,
        kind,
        version.number,
        variant,
    )
    return copy


def record_notice_batch(
    incident: Incident,
    *,
    actor,
    sent_on: dt.date,
    method: str,
    count: int,
    note: str = "",
    actor_role: str = "",
) -> NoticeBatch:
    """Record notices to individuals sent in one go (個人情報保護法26条2項):
    how many, when and how. Who received them stays in the hospital's own
    systems."""
    if method not in SentVia.values:
        raise IncidentError(_("Choose how the notices were sent."))
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise IncidentError(
            _("The number of people must be a whole number, 1 or more.")
        )
    if count > MAX_PEOPLE:
        raise IncidentError(_("The number of people is implausibly large."))
    if isinstance(sent_on, dt.datetime) or not isinstance(sent_on, dt.date):
        raise IncidentError(_("Give the date the notices were sent."))
    if sent_on > timezone.localdate():
        raise IncidentError(_("The date lies in the future; check it."))
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise IncidentError(
            _("%(field)s is too long (at most %(max)s characters).")
            % {"field": _("the note"), "max": MAX_NOTE}
        )
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        _require_reportable(incident)
        batch = NoticeBatch.objects.create(
            incident=incident,
            sent_on=sent_on,
            method=method,
            count=count,
            note=note,
            recorded_by=_user(actor),
        )
        data = {"notice_batch_id": batch.pk, "count": count, "method": method}
        event = _event(
            incident,
            kind=EventKind.NOTICES_SENT,
            actor=actor,
            actor_role=actor_role,
            happened_at=timezone.now(),
            step_id="4-3",
            data={**data, "sent_on": sent_on.isoformat()},
        )
        append_audit_record(
            actor=actor,
            action="report.notices_recorded",
            obj=batch,
            after={
                **data,
                "incident": incident.number,
                "sent_on": sent_on,
                "has_note": bool(note),
                "timeline_event_id": event.pk,
            },
        )
    logger.info(
        "Notice batch recorded incident_id=%s batch_id=%s", incident.pk, batch.pk
    )
    return batch


def record_report_export(
    version: ReportVersion, *, actor, fmt: str, variant: str = ""
) -> None:
    """Note in the audit trail who took a report out of MedIR, and in which
    form: the files carry patients' and staff's details."""
    with transaction.atomic():
        append_audit_record(
            actor=actor,
            action="report.exported",
            obj=version,
            after={
                "kind": version.draft.kind,
                "number": version.number,
                "format": fmt,
                "variant": variant,
                "content_sha256": _digest(version.fields),
            },
        )
    logger.info(
        "Report exported version_id=%s format=%s variant=%s",
        version.pk,
        fmt,
        variant or "-",
    )
