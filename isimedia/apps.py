from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IsimediaConfig(AppConfig):
    name = "isimedia"
    verbose_name = _("Portal")

    def ready(self):
        from . import roles

        # Permissions of later apps appear only when their models are migrated, so the staff groups are
        # brought up to date after every migrate rather than once in a data migration.
        post_migrate.connect(roles.sync_group_permissions_after_migrate, dispatch_uid="isimedia-sync-roles")

        # The audit trail: which models django-auditlog records and what it must never keep (isimedia/audit.py).
        from . import audit

        audit.register_models()
