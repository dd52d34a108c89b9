"""The hospital, its people and the outside organisations it depends on."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The flowchart's swimlanes, plus the people who keep MedIR's data."""

    # Director and executives: decide, report to authorities, fund.
    MANAGEMENT = "management", _("Management")
    # 医療情報システム安全管理責任者: runs the response.
    SECURITY_MANAGER = "security_manager", _("Security manager")
    # Clinicians and every other system user: first to notice.
    STAFF = "staff", _("Clinical and other staff")
    # Vendors, contractors and authorities' people.
    EXTERNAL = "external", _("Outside party")
    # Maintains MedIR's organisation data; no flowchart lane.
    ADMINISTRATOR = "administrator", _("Administrator")


class OperatorType(models.TextChoices):
    """Who runs the hospital; decides which personal-data rules apply."""

    PRIVATE = "private", _("Private (individual)")
    MEDICAL_CORPORATION = "medical_corporation", _("Medical corporation")
    LOCAL_GOVERNMENT = "local_government", _("Local government")
    LOCAL_INCORPORATED = (
        "local_incorporated",
        _("Local incorporated administrative agency"),
    )
    NATIONAL = "national", _("National or other public body")


class Hospital(models.Model):
    """The one hospital this installation serves."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    operator_type = models.CharField(
        _("operated by"),
        max_length=30,
        choices=OperatorType.choices,
        default=OperatorType.MEDICAL_CORPORATION,
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("demo hospital"), default=False)

    class Meta:
        verbose_name = _("hospital")
        verbose_name_plural = _("hospitals")

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class OrganisationKind(models.TextChoices):
    # System vendors and service providers (ベンダ・サービス事業者).
    VENDOR = "vendor", _("Vendor or service provider")
    # Contractors (委託業者), e.g. catering, cleaning, facilities.
    CONTRACTOR = "contractor", _("Contractor")
    # Authorities (所管官庁等): MHLW, prefecture, police, PPC, IPA.
    AUTHORITY = "authority", _("Authority")
    OTHER = "other", _("Other")


class Authority(models.TextChoices):
    """Which authority an organisation is, so each step shows the right one."""

    MHLW = "mhlw", _("Ministry of Health, Labour and Welfare (MHLW)")
    PPC = "ppc", _("Personal Information Protection Commission (PPC)")
    POLICE = "police", _("Police")
    IPA = "ipa", _("IPA")
    JPCERT = "jpcert", _("JPCERT/CC")
    PREFECTURE = "prefecture", _("Prefecture")


class Organisation(models.Model):
    """An outside organisation the hospital calls on or reports to."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    notes = models.TextField(_("notes"), blank=True)
    source_url = models.URLField(_("source URL"), blank=True)
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    # 要確認: the details were not confirmed from a primary source.
    needs_verification = models.BooleanField(
        _("to be verified (要確認)"), default=False
    )
    # Set on the one organisation that plays this part for the hospital.
    authority = models.CharField(
        _("authority"), max_length=20, choices=Authority.choices, blank=True
    )

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority"],
                condition=~models.Q(authority=""),
                name="one_organisation_per_authority",
            )
        ]
        verbose_name = _("outside organisation")
        verbose_name_plural = _("outside organisations")

    def __str__(self) -> str:
        return self.name


class PersonQuerySet(models.QuerySet):
    def reachable(self):
        """Active people one may call: not the sealed break-glass accounts,
        which hold roles for when the usual log-ins fail but are nobody to
        phone."""
        return self.filter(is_active=True, user__break_glass__isnull=True)


class Person(models.Model):
    """Someone who takes part in a response, with or without an account."""

    objects = PersonQuerySet.as_manager()

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="person",
    )
    display_name = models.CharField(_("name"), max_length=100)
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("outside organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    deputy_for = models.ForeignKey(
        "self",
        verbose_name=_("deputy for"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deputies",
    )
    is_active = models.BooleanField(_("active"), default=True)
    # When someone last confirmed the person's details; their channels
    # carry their own dates.
    verified_on = models.DateField(_("verified on"), null=True, blank=True)

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.display_name

    def role_keys(self) -> set[str]:
        return {assignment.role for assignment in self.roles.all()}


class RoleAssignment(models.Model):
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "role"], name="one_role_once")
        ]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.get_role_display()


class ChannelKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    MOBILE = "mobile", _("Mobile")
    FAX = "fax", _("Fax")
    EMAIL = "email", _("E-mail")
    IN_PERSON = "in_person", _("In person")
    OTHER = "other", _("Other")


class ContactChannel(models.Model):
    """One way to reach a person or an organisation, tried in ``order``."""

    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="channels",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("outside organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="channels",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ChannelKind.choices)
    value = models.CharField(_("number or address"), max_length=200)
    label = models.CharField(_("label"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    out_of_hours = models.BooleanField(_("out of hours"), default=False)
    source_url = models.URLField(_("source URL"), blank=True)
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    needs_verification = models.BooleanField(
        _("to be verified (要確認)"), default=False
    )

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(person__isnull=False, organisation__isnull=True)
                    | models.Q(person__isnull=True, organisation__isnull=False)
                ),
                name="channel_belongs_to_one_owner",
            )
        ]
        verbose_name = _("contact channel")
        verbose_name_plural = _("contact channels")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class SystemKind(models.TextChoices):
    EHR = "ehr", _("Electronic health record")
    PACS = "pacs", _("PACS (imaging)")
    LAB = "lab", _("Laboratory")
    PHARMACY = "pharmacy", _("Pharmacy")
    BILLING = "billing", _("Billing (医事会計)")
    CATERING = "catering", _("Catering (nutrition)")
    NETWORK = "network", _("Network and infrastructure")
    OTHER = "other", _("Other")


class System(models.Model):
    """A medical information system the hospital runs."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SystemKind.choices)
    vendor = models.ForeignKey(
        Organisation,
        verbose_name=_("maintained by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="systems",
    )
    notes = models.TextField(_("notes"), blank=True)
    maintenance_contract = models.TextField(
        _("maintenance contract"),
        blank=True,
        help_text=_("What the contract covers, its term and its number."),
    )
    support_hours = models.TextField(
        _("support hours and numbers"),
        blank=True,
        help_text=_("When the vendor answers, and on which numbers, day and night."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("system")
        verbose_name_plural = _("systems")

    def __str__(self) -> str:
        return self.name


class DeviceKind(models.TextChoices):
    # The remote-maintenance VPN appliance: the way in, in both A and B.
    VPN = "vpn", _("VPN device")
    # Remote-desktop gateways, modems and the like.
    OTHER = "other", _("Other remote access")


class DeviceOwner(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital")
    VENDOR = "vendor", _("Vendor or contractor")


class RemoteAccessDevice(models.Model):
    """A device through which someone maintains a system from outside.

    Only who holds the credentials is recorded, never the credentials.
    """

    system = models.ForeignKey(
        System,
        verbose_name=_("system"),
        on_delete=models.CASCADE,
        related_name="remote_access_devices",
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=DeviceKind.choices, default=DeviceKind.VPN
    )
    make = models.CharField(_("make"), max_length=100)
    model = models.CharField(_("model"), max_length=100, blank=True)
    firmware_version = models.CharField(_("firmware version"), max_length=100)
    owner = models.CharField(_("owned by"), max_length=20, choices=DeviceOwner.choices)
    credentials_held_by = models.CharField(
        _("credentials held by"),
        max_length=200,
        blank=True,
        help_text=_("Who holds the log-in details. Never enter a password here."),
    )
    last_patched_on = models.DateField(_("last patched on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["system__name", "make", "id"]
        verbose_name = _("remote-access device")
        verbose_name_plural = _("remote-access devices")

    def __str__(self) -> str:
        return f"{self.make} {self.model} ({self.system})".replace("  ", " ")

    def is_unpatched(self, today, max_age_days: int) -> bool:
        """Never patched, or patched longer ago than ``max_age_days``."""
        if self.last_patched_on is None:
            return True
        return (today - self.last_patched_on).days > max_age_days


class LogEntryAppendOnlyError(Exception):
    """Work-log entries are never changed or deleted."""


class AppendOnlyQuerySet(models.QuerySet):
    def delete(self):
        raise LogEntryAppendOnlyError("work-log entries are never deleted")

    def update(self, **kwargs):
        raise LogEntryAppendOnlyError("work-log entries are never edited")


class MaintenanceKind(models.TextChoices):
    MAINTENANCE = "maintenance", _("Maintenance")
    DATA_MIGRATION = "data_migration", _("Data migration")
    OTHER = "other", _("Other work")


class MaintenanceLogEntry(models.Model):
    """Work done on a system, so step 2-2 can ask "what changed yesterday?".

    Entries are only appended: the model refuses edits and deletions itself
    so that no code path can rewrite what was done before an incident.
    """

    system = models.ForeignKey(
        System,
        verbose_name=_("system"),
        on_delete=models.PROTECT,
        related_name="maintenance_log",
    )
    performed_at = models.DateTimeField(_("performed at"), default=timezone.now)
    # Either the organisation that did the work, or a free-text name (the
    # hospital's own staff, a subcontractor), or both.
    performed_by_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("performed by (organisation)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="maintenance_log",
    )
    performed_by = models.CharField(_("performed by"), max_length=200, blank=True)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=MaintenanceKind.choices,
        default=MaintenanceKind.MAINTENANCE,
    )
    summary = models.TextField(_("summary"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-performed_at", "-id"]
        verbose_name = _("maintenance log entry")
        verbose_name_plural = _("maintenance log entries")

    def __str__(self) -> str:
        return f"{self.system} {self.get_kind_display()}"

    def clean(self) -> None:
        if not (self.performed_by or self.performed_by_organisation_id):
            raise ValidationError(_("Say who performed the work."))

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LogEntryAppendOnlyError("work-log entries are never edited")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LogEntryAppendOnlyError("work-log entries are never deleted")

    @property
    def performer(self) -> str:
        names = [str(self.performed_by_organisation or ""), self.performed_by]
        return " / ".join(name for name in names if name)
