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


class SentVia(models.TextChoices):
    """How a report left the hospital. MedIR never sends reports itself:
    people send them and record here how and when."""

    ONLINE_FORM = "online_form", _("Online form")
    EMAIL = "email", _("E-mail")
    FAX = "fax", _("Fax")
    PHONE = "phone", _("Phone")
    IN_PERSON = "in_person", _("In person")
    POST = "post", _("Post")


class ReportDraft(models.Model):
    """One report owed to an authority in one incident, e.g. the PPC
    preliminary report; its content lives in numbered versions (第1報 …)."""

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="report_drafts"
    )
    # A key of report_kinds.yaml; kept as text so that a kind removed from
    # the file leaves its history readable.
    kind = models.CharField(_("report"), max_length=40)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "kind"], name="one_draft_per_report_kind"
            )
        ]
        verbose_name = _("report draft")
        verbose_name_plural = _("report drafts")

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind}"


class ReportVersion(models.Model):
    """第N報 of a report. Editable until marked sent, then frozen: later
    changes start the next version."""

    draft = models.ForeignKey(
        ReportDraft, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    # Field key → value as typed in report_kinds.yaml; empty fields absent.
    fields = models.JSONField(_("fields"), default=dict)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_via = models.CharField(
        _("sent via"), max_length=20, choices=SentVia.choices, blank=True
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_note = models.TextField(_("note on sending"), blank=True)

    class Meta:
        ordering = ["draft", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["draft", "number"], name="one_row_per_report_version"
            )
        ]
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")

    def __str__(self) -> str:
        return f"{self.draft} v{self.number}"

    @property
    def is_sent(self) -> bool:
        """Recorded as sent to the report's main recipient."""
        return self.sent_at is not None

    @property
    def is_frozen(self) -> bool:
        """Sent to anyone, the main recipient or a copy's: its content is
        out of the hospital and must stay as it went."""
        # all() rather than exists(): uses the copies when prefetched.
        return self.is_sent or len(self.copies_sent.all()) > 0


class NoticeBatch(models.Model):
    """Notices to the individuals sent in one go (法26条2項): how many, when
    and how. Names and addresses stay in the hospital's own systems."""

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="notice_batches"
    )
    sent_on = models.DateField(_("sent on"))
    method = models.CharField(_("method"), max_length=20, choices=SentVia.choices)
    count = models.PositiveIntegerField(_("number of people"))
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["sent_on", "id"]
        verbose_name = _("notice batch")
        verbose_name_plural = _("notice batches")

    def __str__(self) -> str:
        return f"notice batch #{self.pk}"


class ReportCopySent(models.Model):
    """A copy of a version sent to a second recipient, e.g. the PPC report's
    copy for the prefecture (report_kinds.yaml ``variants``). The version is
    frozen from then on, like one sent to its main recipient."""

    version = models.ForeignKey(
        ReportVersion, on_delete=models.PROTECT, related_name="copies_sent"
    )
    # A variant key of the report's kind, e.g. ``prefecture``.
    variant = models.CharField(_("copy"), max_length=40)
    sent_at = models.DateTimeField(_("sent at"))
    sent_via = models.CharField(_("sent via"), max_length=20, choices=SentVia.choices)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_note = models.TextField(_("note on sending"), blank=True)

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "variant"], name="one_copy_per_variant"
            )
        ]
        verbose_name = _("copy sent")
        verbose_name_plural = _("copies sent")

    def __str__(self) -> str:
        return f"{self.version} copy {self.variant}"
