"""The call tree (0-1) and the outcomes of calls made during an incident."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from medir.organisation.models import Organisation, Person


class CallWhen(models.TextChoices):
    # On every incident, failure or attack.
    ALWAYS = "always", _("Always")
    # Only once signs of a cyber attack are seen.
    ATTACK = "attack", _("Attack only")
    # Only outside office hours, e.g. instead of a day-time desk.
    OUT_OF_HOURS = "out_of_hours", _("Out of hours")


class CallOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    LEFT_MESSAGE = "left_message", _("Left a message")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class CallTreeLink(models.Model):
    """One arrow of the call tree: ``caller`` calls the callee, in
    ``position`` order among the caller's calls.

    The callee is a person (who then calls their own callees) or an outside
    organisation (a leaf).
    """

    caller = models.ForeignKey(
        Person,
        verbose_name=_("caller"),
        on_delete=models.CASCADE,
        related_name="calls_made",
    )
    callee_person = models.ForeignKey(
        Person,
        verbose_name=_("calls (person)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="called_by",
    )
    callee_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("calls (organisation)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="called_by",
    )
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    when = models.CharField(
        _("when"), max_length=20, choices=CallWhen.choices, default=CallWhen.ALWAYS
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["caller__display_name", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        callee_person__isnull=False, callee_organisation__isnull=True
                    )
                    | models.Q(
                        callee_person__isnull=True, callee_organisation__isnull=False
                    )
                ),
                name="call_tree_link_has_one_callee",
            )
        ]
        verbose_name = _("call-tree link")
        verbose_name_plural = _("call-tree links")

    def __str__(self) -> str:
        return f"call-tree link #{self.pk}"

    @property
    def callee(self) -> Person | Organisation:
        return self.callee_person or self.callee_organisation
