from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NtdConfig(AppConfig):
    name = "ntd"
    verbose_name = _("Notice-and-Take-Down")
