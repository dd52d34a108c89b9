from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuthorityConfig(AppConfig):
    name = "medir.authority"
    verbose_name = _("Authority reports")
