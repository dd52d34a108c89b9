from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KitConfig(AppConfig):
    name = "medir.kit"
    verbose_name = _("Paper kit")
