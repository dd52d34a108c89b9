"""The hospital network (step 0-2): segments, assets and what they connect to.

Each thing has a bare identity row (``Segment``, ``Asset``, ``Connection``,
``ExternalConnection``) that other rows point at, and version rows that hold
its details for a period: ``valid_from`` up to, not including, ``valid_to``
(open while current). A change ends the current version and starts a new
one; removing a thing ends its last version. Nothing is deleted, so the
network as it stood at any moment is the set of versions valid then.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medir.organisation.models import Organisation, RemoteAccessDevice, System


class SegmentPurpose(models.TextChoices):
    # The perimeter: firewall, VPN appliances, public servers.
    DMZ = "dmz", _("DMZ and perimeter")
    # 電子カルテ系: the clinical core.
    EHR = "ehr", _("EHR network")
    # Modalities, PACS and other medical devices.
    MEDICAL_DEVICES = "medical_devices", _("Medical devices")
    # 事務系: office PCs, groupware, internet use.
    OFFICE = "office", _("Office network")
    # Where the backups live; the last thing to lose.
    BACKUP = "backup", _("Backup")
    OTHER = "other", _("Other")


class AssetKind(models.TextChoices):
    SERVER = "server", _("Server")
    CLIENT = "client", _("Client PC")
    NETWORK_DEVICE = "network_device", _("Network device")
    MEDICAL_DEVICE = "medical_device", _("Medical device")
    # VPN appliances and other ways in for remote maintenance.
    REMOTE_ACCESS = "remote_access", _("VPN or remote-access device")
    BACKUP_STORAGE = "backup_storage", _("Backup storage")
    OTHER = "other", _("Other")


class ExternalKind(models.TextChoices):
    INTERNET = "internet", _("Internet")
    VENDOR_REMOTE = "vendor_remote", _("Vendor remote maintenance")
    REGIONAL = "regional", _("Regional medical network")
    OTHER = "other", _("Other outside connection")


class VersionQuerySet(models.QuerySet):
    def current(self):
        return self.filter(valid_to=None)

    def as_of(self, moment: datetime.datetime):
        return self.filter(valid_from__lte=moment).filter(
            Q(valid_to=None) | Q(valid_to__gt=moment)
        )


class Version(models.Model):
    """The details of one thing for the period it held them."""

    valid_from = models.DateTimeField(_("valid from"), db_index=True)
    valid_to = models.DateTimeField(_("valid to"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Ended because the thing was removed, not replaced by a newer version.
    removed = models.BooleanField(_("removed"), default=False)

    objects = VersionQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["valid_from", "id"]


class Segment(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("network segment")
        verbose_name_plural = _("network segments")

    def __str__(self) -> str:
        return f"segment #{self.pk}"


class SegmentVersion(Version):
    segment = models.ForeignKey(
        Segment, on_delete=models.PROTECT, related_name="versions"
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=SegmentPurpose.choices
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta(Version.Meta):
        verbose_name = _("network segment version")
        verbose_name_plural = _("network segment versions")
        constraints = [
            models.UniqueConstraint(
                fields=["segment"],
                condition=Q(valid_to=None),
                name="one_current_segment_version",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Asset(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")

    def __str__(self) -> str:
        return f"asset #{self.pk}"


class AssetVersion(Version):
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="versions")
    kind = models.CharField(_("kind"), max_length=20, choices=AssetKind.choices)
    name = models.CharField(_("name"), max_length=100)
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="asset_versions",
    )
    system = models.ForeignKey(
        System,
        verbose_name=_("system"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="asset_versions",
    )
    remote_access_device = models.ForeignKey(
        RemoteAccessDevice,
        verbose_name=_("remote-access device"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="asset_versions",
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta(Version.Meta):
        verbose_name = _("asset version")
        verbose_name_plural = _("asset versions")
        constraints = [
            models.UniqueConstraint(
                fields=["asset"],
                condition=Q(valid_to=None),
                name="one_current_asset_version",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Connection(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("connection")
        verbose_name_plural = _("connections")

    def __str__(self) -> str:
        return f"connection #{self.pk}"


class ConnectionVersion(Version):
    """A link between two assets inside the hospital; it has no direction."""

    connection = models.ForeignKey(
        Connection, on_delete=models.PROTECT, related_name="versions"
    )
    source = models.ForeignKey(
        Asset,
        verbose_name=_("from"),
        on_delete=models.PROTECT,
        related_name="outgoing_versions",
    )
    target = models.ForeignKey(
        Asset,
        verbose_name=_("to"),
        on_delete=models.PROTECT,
        related_name="incoming_versions",
    )
    label = models.CharField(_("label"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta(Version.Meta):
        verbose_name = _("connection version")
        verbose_name_plural = _("connection versions")
        constraints = [
            models.UniqueConstraint(
                fields=["connection"],
                condition=Q(valid_to=None),
                name="one_current_connection_version",
            )
        ]

    def __str__(self) -> str:
        return self.label or f"{self.source_id}-{self.target_id}"


class ExternalConnection(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("external connection")
        verbose_name_plural = _("external connections")

    def __str__(self) -> str:
        return f"external connection #{self.pk}"


class ExternalConnectionVersion(Version):
    """A line from an asset to a party outside the hospital."""

    external_connection = models.ForeignKey(
        ExternalConnection, on_delete=models.PROTECT, related_name="versions"
    )
    asset = models.ForeignKey(
        Asset,
        verbose_name=_("asset"),
        on_delete=models.PROTECT,
        related_name="external_versions",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ExternalKind.choices)
    # The party as it should read on the diagram, e.g. インターネット.
    party = models.CharField(_("outside party"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("outside organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="network_connection_versions",
    )
    # A way in for someone to maintain a system: the first line to cut.
    is_remote_maintenance = models.BooleanField(_("remote maintenance"), default=False)
    notes = models.TextField(_("notes"), blank=True)

    class Meta(Version.Meta):
        verbose_name = _("external connection version")
        verbose_name_plural = _("external connection versions")
        constraints = [
            models.UniqueConstraint(
                fields=["external_connection"],
                condition=Q(valid_to=None),
                name="one_current_external_version",
            )
        ]

    def __str__(self) -> str:
        return self.party
