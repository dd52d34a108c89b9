"""E-mail reminders of report clocks that are due soon or overdue.

Management and the security manager hear of every clock of a live incident
that is due within MEDIR_REMINDER_DAYS days ("near") or past its due date
("overdue"), once per clock, kind and due date. Replayed incidents stay
silent. A mail carries the incident number, the clock's title, its due date
and a link, never the incident's title or anything typed into it.

The job may run twice, or in two processes at once: each reminder is a
``ReminderSent`` row whose unique constraint lets only one writer through,
and the mail goes out inside that writer's transaction, so a mail that
fails rolls its row back and is tried again on the next run.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from medir.audit.services import append_audit_record
from medir.deadlines.clocks import Clock, ClockStatus
from medir.deadlines.models import ReminderKind, ReminderSent
from medir.deadlines.selectors import get_incident_clocks, today_in_japan
from medir.incidents.models import Incident, IncidentState
from medir.organisation.models import ChannelKind, Person, Role

logger = logging.getLogger(__name__)

REMINDED_ROLES = (Role.MANAGEMENT, Role.SECURITY_MANAGER)

# The job runs every few minutes: say once per process that mail is off
# or that nobody has an address, not on every run.
_said = {"mail_off": False, "no_recipients": False}


@dataclass(frozen=True)
class Recipient:
    person_id: int
    address: str


@dataclass
class ReminderRun:
    sent: int = 0
    skipped: int = 0
    mail_enabled: bool = True
    recipients: int = 0
    sent_keys: list[tuple[str, str, str]] = field(default_factory=list)


def reminder_recipients() -> list[Recipient]:
    """Active people in management or the security manager's role, at each
    e-mail address of theirs: their e-mail channels and their account's
    address. An address appears once."""
    people = (
        Person.objects.reachable()
        .filter(roles__role__in=REMINDED_ROLES)
        .distinct()
        .select_related("user")
        .prefetch_related("channels")
        .order_by("id")
    )
    seen: set[str] = set()
    recipients: list[Recipient] = []
    for person in people:
        addresses = [
            channel.value
            for channel in person.channels.all()
            if channel.kind == ChannelKind.EMAIL
        ]
        user = person.user
        if user is not None and user.is_active and user.email:
            addresses.append(user.email)
        for address in (a.strip() for a in addresses):
            try:
                validate_email(address)
            except ValidationError:
                logger.warning(
                    "Reminder address skipped, not an e-mail address person_id=%s",
                    person.pk,
                )
                continue
            if address.lower() in seen:
                continue
            seen.add(address.lower())
            recipients.append(Recipient(person.pk, address))
    return recipients


def reminder_kind(clock: Clock) -> str | None:
    # "Promptly" clocks have no date to be near or past.
    if clock.due is None:
        return None
    if clock.status == ClockStatus.OVERDUE:
        return ReminderKind.OVERDUE
    if clock.status == ClockStatus.DUE_SOON:
        return ReminderKind.NEAR
    return None


def _message(
    incident: Incident, clock: Clock, kind: str, recipients: list[Recipient]
) -> list[EmailMessage]:
    link = settings.PUBLIC_URL + reverse("incidents:detail", args=[incident.number])
    context = {
        "number": incident.number,
        "clock": clock,
        "overdue": kind == ReminderKind.OVERDUE,
        "link": link,
    }
    subject = render_to_string("deadlines/reminder_subject.txt", context)
    body = render_to_string("deadlines/reminder_body.txt", context)
    subject = " ".join(subject.split())
    return [
        EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient.address],
        )
        for recipient in recipients
    ]


def _send_once(
    incident: Incident,
    clock: Clock,
    kind: str,
    recipients: list[Recipient],
    *,
    connection,
) -> bool:
    """Record and send one reminder unless some run already did."""
    key = {
        "incident": incident,
        "clock_key": clock.key,
        "kind": kind,
        "due_on": clock.due,
    }
    # Cheap check first, so a repeated run does not take the write lock.
    if ReminderSent.objects.filter(**key).exists():
        return False
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = ReminderSent.objects.create(
                    **key, sent_at=timezone.now(), recipient_count=len(recipients)
                )
        except IntegrityError:
            # Another process got here between the check and the insert.
            return False
        append_audit_record(
            actor=None,
            action="deadline.reminder_sent",
            obj=row,
            after={
                "incident": incident.number,
                "clock": clock.key,
                "kind": kind,
                "due_on": clock.due,
                "recipient_person_ids": sorted({r.person_id for r in recipients}),
            },
        )
        # Inside the transaction on purpose: a failed send raises and
        # rolls the row back, so the next run tries again.
        connection.send_messages(_message(incident, clock, kind, recipients))
    logger.info(
        "Reminder sent incident_id=%s clock=%s kind=%s recipients=%s",
        incident.pk,
        clock.key,
        kind,
        len(recipients),
    )
    return True


def send_deadline_reminders(*, today: dt.date | None = None) -> ReminderRun:
    """Send every reminder that is due and not yet sent; safe to repeat."""
    run = ReminderRun(mail_enabled=settings.MEDIR_MAIL_ENABLED)
    if not run.mail_enabled:
        if not _said["mail_off"]:
            logger.info("Reminder e-mail is off, no MEDIR_SMTP_HOST")
            _said["mail_off"] = True
        return run

    recipients = reminder_recipients()
    run.recipients = len(recipients)
    if not recipients:
        if not _said["no_recipients"]:
            logger.warning(
                "Reminder e-mail has no recipients, "
                "no management or security manager address"
            )
            _said["no_recipients"] = True
        return run
    _said["no_recipients"] = False

    today = today or today_in_japan()
    incidents = Incident.objects.filter(
        state__in=[IncidentState.REPORTED, IncidentState.OPEN], is_replay=False
    ).order_by("id")
    # Opened by the first send only, so that a run with nothing to say
    # does not knock on the mail server.
    connection = get_connection()
    try:
        for incident in incidents:
            for clock in get_incident_clocks(incident, today=today):
                kind = reminder_kind(clock)
                if kind is None:
                    continue
                if _send_once(incident, clock, kind, recipients, connection=connection):
                    run.sent += 1
                    run.sent_keys.append((incident.number, clock.key, kind))
                else:
                    run.skipped += 1
    finally:
        connection.close()
    return run
