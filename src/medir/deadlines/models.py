"""What the reminder job has already sent, so that it sends it only once."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from medir.incidents.models import Incident


class ReminderKind(models.TextChoices):
    # The clock is due within MEDIR_REMINDER_DAYS days.
    NEAR = "near", _("Due soon")
    # The due date has passed and nothing was sent.
    OVERDUE = "overdue", _("Overdue")


class ReminderSent(models.Model):
    """One reminder e-mail about one clock.

    Written in the same transaction that sends the mail: the unique
    constraint makes a second run, or a second process, skip it. The due
    date is part of the key so that a deadline that moves (a corrected
    awareness time, 30 days becoming 60) is reminded of again.
    """

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="reminders_sent"
    )
    clock_key = models.CharField(_("clock"), max_length=40)
    kind = models.CharField(_("kind"), max_length=10, choices=ReminderKind.choices)
    due_on = models.DateField(_("due on"))
    sent_at = models.DateTimeField(_("sent at"))
    recipient_count = models.PositiveSmallIntegerField(_("recipients"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "clock_key", "kind", "due_on"],
                name="one_reminder_per_clock_kind_and_due_date",
            )
        ]
        ordering = ["sent_at", "id"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")

    def __str__(self) -> str:
        return f"{self.incident_id} {self.clock_key} {self.kind} {self.due_on}"
