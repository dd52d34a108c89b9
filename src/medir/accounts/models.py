"""Break-glass accounts: sealed log-ins for when the normal way in fails.

Two-factor devices are django-otp's own models (TOTP and static recovery
codes); only the break-glass accounts and their uses are MedIR's.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BreakGlassState(models.TextChoices):
    # Created; the password is in a sealed envelope; log-in refused until
    # the break-glass page is used.
    SEALED = "sealed", _("Sealed")
    # Opened during an incident: works, and its password must be changed
    # (retired or sealed again) once the incident is over.
    USED = "used", _("Used, password to be changed")
    # Disabled after the incident; never logs in again.
    RETIRED = "retired", _("Retired")


class BreakGlassAccount(models.Model):
    """An account prepared ahead of time for when the usual log-in path
    (a phone for the second factor, the normal accounts) is unusable."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="break_glass",
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=BreakGlassState.choices,
        default=BreakGlassState.SEALED,
    )
    sealed_at = models.DateTimeField(_("sealed at"))
    first_used_at = models.DateTimeField(_("first used at"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        verbose_name = _("break-glass account")
        verbose_name_plural = _("break-glass accounts")

    def __str__(self) -> str:
        return self.user.get_username()

    @property
    def password_must_change(self) -> bool:
        return self.state == BreakGlassState.USED


class BreakGlassUse(models.Model):
    """One log-in through the break-glass page, shown on the dashboard
    until an administrator acknowledges it."""

    account = models.ForeignKey(
        BreakGlassAccount,
        verbose_name=_("break-glass account"),
        on_delete=models.PROTECT,
        related_name="uses",
    )
    used_at = models.DateTimeField(_("used at"))
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-used_at"]
        verbose_name = _("break-glass use")
        verbose_name_plural = _("break-glass uses")

    def __str__(self) -> str:
        return f"{self.account} {self.used_at:%Y-%m-%d %H:%M}"
