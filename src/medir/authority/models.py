"""What is known about personal data in an incident, which decides the
reports owed to the Personal Information Protection Commission (PPC)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from medir.incidents.models import Incident


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    # おそれ: the rules count a possible breach like a confirmed one.
    POSSIBLY = "possibly", _("Possibly")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Not known yet")


class CountKind(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    ESTIMATED = "estimated", _("Estimated")
    UNKNOWN = "unknown", _("Unknown")


class PersonalDataFacts(models.Model):
    """The personal-data facts of one incident; changed only through
    ``record_personal_data_facts`` so every version is audited."""

    incident = models.OneToOneField(
        Incident, on_delete=models.PROTECT, related_name="personal_data"
    )
    leaked = models.CharField(
        _("leaked (漏えい)"), max_length=10, choices=Answer.choices, default="unknown"
    )
    lost = models.CharField(
        _("lost (滅失)"), max_length=10, choices=Answer.choices, default="unknown"
    )
    damaged = models.CharField(
        _("damaged (毀損)"), max_length=10, choices=Answer.choices, default="unknown"
    )
    sensitive = models.CharField(
        _("special-care data such as medical records (要配慮個人情報)"),
        max_length=10,
        choices=Answer.choices,
        default="unknown",
    )
    financial_risk = models.CharField(
        _("risk of financial damage"),
        max_length=10,
        choices=Answer.choices,
        default="unknown",
    )
    wrongful_purpose = models.CharField(
        _("possibly done with a wrongful purpose (不正の目的)"),
        max_length=10,
        choices=Answer.choices,
        default="unknown",
    )
    strongly_encrypted = models.BooleanField(
        _("the data was strongly encrypted and the key is safe"), default=False
    )
    people_count = models.PositiveIntegerField(
        _("number of people"), null=True, blank=True
    )
    people_count_kind = models.CharField(
        _("the number is"), max_length=10, choices=CountKind.choices, default="unknown"
    )
    data_items = models.TextField(_("data items involved"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("personal-data facts")
        verbose_name_plural = _("personal-data facts")

    def __str__(self) -> str:
        return f"personal data of incident {self.incident_id}"
