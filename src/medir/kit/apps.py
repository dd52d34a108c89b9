from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class KitConfig(AppConfig):
    name = "medir.kit"
    verbose_name = _("Paper kit")

    def ready(self) -> None:
        from medir.kit.checks import check_public_url

        checks.register(check_public_url)
