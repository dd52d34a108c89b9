from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PrintedVia(models.TextChoices):
    # Downloaded from the kit page.
    WEB = "web", _("Web page")
    # Written by `medir kit FILE.pdf`.
    COMMAND = "command", _("Command line")


class KitPrint(models.Model):
    """One paper kit made, and the data version it was made from.

    The dashboard compares ``data_version`` with the version of today's
    data to tell whether the paper on the shelf is still current.
    """

    printed_at = models.DateTimeField(_("printed at"))
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("printed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    via = models.CharField(_("made by"), max_length=10, choices=PrintedVia.choices)
    data_version = models.CharField(_("data version"), max_length=64)
    # The audit chain's head as printed in the kit.
    chain_head_id = models.PositiveBigIntegerField(_("audit chain head"))
    chain_head_digest = models.CharField(_("audit chain head digest"), max_length=64)
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64)
    pages = models.PositiveIntegerField(_("pages"))

    class Meta:
        ordering = ["-printed_at", "-id"]
        verbose_name = _("printed kit")
        verbose_name_plural = _("printed kits")

    def __str__(self) -> str:
        return f"{self.printed_at:%Y-%m-%d %H:%M} {self.data_version}"
