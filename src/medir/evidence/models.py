"""Evidence preserved during an incident and its chain of custody.

Nothing here is edited or deleted: an item is registered once, and every
hand-over is a new custody record. The models refuse changes themselves so
that no code path (admin, shell, a future view) can rewrite the trail.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from medir.incidents.models import Incident

# The flowchart's steps at which evidence is collected or handed over; an
# item may be attached to any step, these are offered first.
EVIDENCE_STEPS = ("2-6", "2-10", "2-14", "2-15")


class AppendOnlyError(Exception):
    """Evidence and custody records are never changed or deleted."""


class AppendOnlyQuerySet(models.QuerySet):
    def delete(self):
        raise AppendOnlyError("evidence records are never deleted")

    def update(self, **kwargs):
        raise AppendOnlyError("evidence records are never edited")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("evidence records are never edited")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("evidence records are never deleted")


class EvidenceKind(models.TextChoices):
    DISK_IMAGE = "disk_image", _("Disk image")
    MEMORY_IMAGE = "memory_image", _("Memory image")
    LOG_EXPORT = "log_export", _("Log export")
    RANSOM_NOTE_TEXT = "ransom_note_text", _("Ransom note (text)")
    RANSOM_NOTE_PHOTO = "ransom_note_photo", _("Ransom note (photo)")
    MALWARE_SAMPLE = "malware_sample", _("Malware sample")
    SCREENSHOT = "screenshot", _("Screenshot")
    OTHER = "other", _("Other")


class EvidenceItem(AppendOnlyModel):
    """One piece of evidence, stored by MedIR or registered by its hash.

    A stored item's file lies under the data folder as ``evidence/<sha256>``;
    a hash-only item stays with ``holder`` (a vendor, the police) and MedIR
    keeps only its digest.
    """

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="evidence_items"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=EvidenceKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    step_id = models.CharField(_("step"), max_length=10, blank=True)
    collected_at = models.DateTimeField(_("collected at"))
    collected_by = models.CharField(_("collected by"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.BigIntegerField(_("size in bytes"), null=True, blank=True)
    original_filename = models.CharField(
        _("original file name"), max_length=255, blank=True
    )
    # Relative to the data folder; empty for a hash-only item.
    stored_path = models.CharField(max_length=255, blank=True)
    hash_only = models.BooleanField(_("hash only"), default=False)
    holder = models.CharField(_("held by"), max_length=200, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        ordering = ["collected_at", "id"]
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")

    def __str__(self) -> str:
        return f"evidence #{self.pk}"


class CustodyTransfer(AppendOnlyModel):
    """One hand-over of an evidence item, from one holder to the next."""

    item = models.ForeignKey(
        EvidenceItem, on_delete=models.PROTECT, related_name="custody"
    )
    from_holder = models.CharField(_("from"), max_length=200)
    to_holder = models.CharField(_("to"), max_length=200)
    handed_at = models.DateTimeField(_("handed over at"))
    reason = models.TextField(_("why"))
    stored_at = models.CharField(_("where it is kept"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["handed_at", "id"]
        verbose_name = _("custody transfer")
        verbose_name_plural = _("custody transfers")

    def __str__(self) -> str:
        return f"custody #{self.pk}"
