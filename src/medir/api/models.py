"""Personal API tokens.

Only the SHA-256 digest of a token is stored: a copy of the database (a
backup, a laptop left in a taxi) must not let anyone call the API.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """One person's token for one integration or script."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="api_tokens",
    )
    label = models.CharField(_("label"), max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    # The token's first characters, enough to tell tokens apart in lists
    # and to name one when revoking it; too few to guess the rest.
    prefix = models.CharField(_("prefix"), max_length=20, db_index=True)
    created_at = models.DateTimeField(_("created at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
