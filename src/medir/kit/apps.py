from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class KitConfig(AppConfig):
    name = "medir.kit"
    verbose_name = _("Paper kit")

    def ready(self) -> None:
        from medir.kit.checks import check_public_url

        # With the deployment checks only: every other command would repeat
        # it. `medir serve`, `medir kit` and the kit page say it themselves.
        checks.register(check_public_url, deploy=True)
