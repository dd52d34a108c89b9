"""Incidents and everything recorded while handling one.

Nothing here is ever deleted: a correction is a new timeline event or a new
decision that supersedes the old one.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from medir.lib.models import NeverDeletedModel
from medir.organisation.models import Department, System


class IncidentState(models.TextChoices):
    # A report arrived; the security manager has not confirmed it (1-4).
    REPORTED = "reported", _("Reported")
    # Confirmed; the response is under way.
    OPEN = "open", _("Open")
    # Management closed it with every step done, skipped or not applicable.
    CLOSED = "closed", _("Closed")
    # A false alarm, with who decided and why.
    DISMISSED = "dismissed", _("Dismissed")
    # Folded into another incident, which carries its reports on.
    MERGED = "merged", _("Merged")


class EntrySource(models.TextChoices):
    # Entered in MedIR as it happened.
    LIVE = "live", _("Live")
    # Copied in later from paper; keeps the time written on paper.
    TRANSCRIBED = "transcribed", _("Transcribed from paper")
    # Played from a scenario file; never sends anything outside MedIR.
    REPLAY = "replay", _("Replayed")


class Incident(NeverDeletedModel):
    number = models.CharField(_("number"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=IncidentState.choices,
        default=IncidentState.REPORTED,
    )
    is_replay = models.BooleanField(_("replay"), default=False)
    scenario = models.CharField(_("scenario"), max_length=100, blank=True)
    # When the first report says the trouble was noticed (event time).
    reported_at = models.DateTimeField(_("reported at"))
    # 覚知日時: when any part of the hospital first knew; starts the PPC
    # clocks. Defaults to the first report, corrected with a reason.
    aware_at = models.DateTimeField(
        _("awareness time (覚知日時)"), null=True, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_incidents",
    )
    affected_systems = models.ManyToManyField(
        System, verbose_name=_("affected systems"), blank=True, related_name="incidents"
    )
    playbook_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_active(self) -> bool:
        return self.state in {IncidentState.REPORTED, IncidentState.OPEN}


class InfectionSign(models.TextChoices):
    """What a member of staff may see; all but slowness count as signs of
    infection that call for pulling the network cable (1-2)."""

    RANSOM_NOTE = "ransom_note", _("A ransom note was printed or shown")
    FILES_ENCRYPTED = "files_encrypted", _("Files will not open or have new extensions")
    DATA_MISSING = "data_missing", _("Data is missing or deleted")
    WEBSITE_DEFACED = "website_defaced", _("The website has been changed")
    ANTIVIRUS_ALERT = "antivirus_alert", _("Antivirus software raised an alert")
    SLOW_OR_STOPPED = "slow_or_stopped", _("PCs or systems are slow or stopped")
    OTHER = "other", _("Something else")


INFECTION_SIGNS = {
    InfectionSign.RANSOM_NOTE,
    InfectionSign.FILES_ENCRYPTED,
    InfectionSign.DATA_MISSING,
    InfectionSign.WEBSITE_DEFACED,
    InfectionSign.ANTIVIRUS_ALERT,
}


class Report(NeverDeletedModel):
    """An anomaly report from a member of staff or an outside party.

    Holds names and call-back numbers: never write these to logs.
    """

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="reports"
    )
    reporter_name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department_text = models.CharField(_("department"), max_length=100, blank=True)
    callback_number = models.CharField(_("call-back number"), max_length=40, blank=True)
    signs = models.JSONField(_("what was seen"), default=list)
    seen_since = models.DateTimeField(_("since when"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    received_at = models.DateTimeField(_("received at"))
    source = models.CharField(max_length=20, choices=EntrySource.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"report #{self.pk}"

    @property
    def shows_infection_signs(self) -> bool:
        return any(sign in INFECTION_SIGNS for sign in self.signs)


class StepState(models.TextChoices):
    # What people recorded; readiness and applicability are computed by
    # the playbook engine and never stored.
    PENDING = "pending", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")


class IncidentStep(NeverDeletedModel):
    """One box of the flowchart within one incident."""

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="steps"
    )
    step_id = models.CharField(_("step"), max_length=10)
    state = models.CharField(
        _("state"), max_length=20, choices=StepState.choices, default=StepState.PENDING
    )
    checklist = models.JSONField(_("checklist"), default=dict)
    records = models.JSONField(_("records"), default=dict)
    # Why it was skipped, or why it was recorded against the recommended
    # order.
    reason = models.TextField(_("reason"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "step_id"], name="one_row_per_step"
            )
        ]
        verbose_name = _("incident step")
        verbose_name_plural = _("incident steps")

    def __str__(self) -> str:
        return f"{self.incident.number} {self.step_id}"


class Decision(NeverDeletedModel):
    """A choice taken at a step (confirm, attack signs, tracks …).

    A revision is a new row pointing at the one it supersedes.
    """

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="decisions"
    )
    decision_id = models.CharField(_("decision"), max_length=50)
    # A single outcome key, or a list of keys for multiple-choice decisions.
    outcome = models.JSONField(_("outcome"))
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_role = models.CharField(_("role"), max_length=20, blank=True)
    decided_at = models.DateTimeField(_("decided at"))
    source = models.CharField(max_length=20, choices=EntrySource.choices)
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.decision_id}={self.outcome}"


class EventKind(models.TextChoices):
    REPORTED = "reported", _("Report received")
    CONFIRMED = "confirmed", _("Confirmed by the security manager")
    DISMISSED = "dismissed", _("Dismissed as a false alarm")
    MERGED = "merged", _("Merged into another incident")
    MERGED_IN = "merged_in", _("Another incident merged in")
    STEP_STARTED = "step_started", _("Step started")
    STEP_COMPLETED = "step_completed", _("Step completed")
    STEP_SKIPPED = "step_skipped", _("Step skipped")
    DECISION = "decision", _("Decision")
    DECISION_REVISED = "decision_revised", _("Decision revised")
    NOTE = "note", _("Note")
    CLOSED = "closed", _("Closed")
    NOTICE_PUBLISHED = "notice_published", _("Stop-use notice published")
    NOTICE_LIFTED = "notice_lifted", _("Stop-use notice lifted")
    SHARED = "shared", _("Shared with an outside organisation")
    UNSHARED = "unshared", _("Sharing ended")
    AWARENESS_SET = "awareness_set", _("Awareness time corrected")
    FACTS_RECORDED = "facts_recorded", _("Personal-data facts recorded")
    REPORT_SAVED = "report_saved", _("Authority report saved")
    REPORT_SENT = "report_sent", _("Authority report recorded as sent")
    NOTICES_SENT = "notices_sent", _("Notices to individuals recorded")
    CALL_MADE = "call_made", _("Call made")


class TimelineEvent(NeverDeletedModel):
    """Something that happened in an incident, at the time it happened.

    ``happened_at`` is the event's own time (from paper or a scenario when
    transcribed or replayed); ``recorded_at`` is when MedIR stored it.
    """

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices)
    step_id = models.CharField(_("step"), max_length=10, blank=True)
    happened_at = models.DateTimeField(_("happened at"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_role = models.CharField(_("role"), max_length=20, blank=True)
    source = models.CharField(
        _("source"),
        max_length=20,
        choices=EntrySource.choices,
        default=EntrySource.LIVE,
    )
    # The time was not public in the scenario and was chosen plausibly.
    time_assumed = models.BooleanField(_("time assumed"), default=False)
    out_of_order = models.BooleanField(_("out of order"), default=False)
    text = models.TextField(_("text"), blank=True)
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["happened_at", "id"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")

    @property
    def is_for_the_response_team(self) -> bool:
        """Decisions and notes about evidence are for management and the
        security manager only, whatever step they belong to."""
        return self.kind in {
            EventKind.DECISION,
            EventKind.DECISION_REVISED,
        } or "evidence" in (self.data or {})

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind} {self.step_id}"


class StopUseNotice(NeverDeletedModel):
    """Which systems staff must stop using (2-7/2-9), shown on the report
    page and every dashboard until lifted."""

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="notices"
    )
    systems = models.ManyToManyField(
        System, verbose_name=_("systems"), blank=True, related_name="+"
    )
    message = models.TextField(_("what must not be used"))
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lift_reason = models.TextField(_("why lifted"), blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("stop-use notice")
        verbose_name_plural = _("stop-use notices")

    def __str__(self) -> str:
        return f"notice #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class IncidentShare(NeverDeletedModel):
    """An incident made visible to an outside organisation's people.

    They see the outside parties' lane, the steps vendors assist with, and
    the extra steps listed here; never decisions or reports' contact data.
    """

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="shares"
    )
    organisation = models.ForeignKey(
        "organisation.Organisation",
        verbose_name=_("outside organisation"),
        on_delete=models.PROTECT,
        related_name="incident_shares",
    )
    extra_steps = models.JSONField(_("extra steps"), default=list, blank=True)
    shared_at = models.DateTimeField(_("shared at"))
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["shared_at", "id"]
        verbose_name = _("incident share")
        verbose_name_plural = _("incident shares")

    def __str__(self) -> str:
        return f"{self.incident_id} → {self.organisation_id}"
