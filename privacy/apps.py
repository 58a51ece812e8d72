from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy requests")

    def ready(self):
        # Each app declares the personal data it holds in <app>/personal_data.py (see privacy.registry).
        autodiscover_modules("personal_data")
