"""Staff roles: the three groups and the permissions each needs, written once as data.

The groups are created by a migration; their permissions are synced after every ``migrate`` because each app's
permissions only exist once that app's models have been migrated. A rule names either a whole app (every
permission of every model in it) or one model with the actions allowed on it.
"""

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

NTD_HANDLERS = "NTD-behandelaars"
PRIVACY_OFFICERS = "Privacyfunctionarissen"
CONTRACT_MANAGERS = "Contractbeheerders"

ALL = ("add", "change", "delete", "view")

# group -> {"app_label" or "app_label.model": actions}
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    NTD_HANDLERS: {
        "ntd": ALL,
        "contracts.client": ("view",),
        "contracts.website": ("view",),
        "isimedia.closingday": ALL,
        "isimedia.outboxmessage": ("view",),
    },
    PRIVACY_OFFICERS: {
        "privacy": ALL,
        "contracts.client": ("view",),
        "contracts.website": ("view",),
        "contracts.clientcontact": ("view",),
        "isimedia.closingday": ALL,
        "isimedia.outboxmessage": ("view",),
    },
    CONTRACT_MANAGERS: {
        "contracts": ALL,
        # They look after the client relationship, so satisfaction feedback and its follow-up are theirs.
        "satisfaction": ALL,
        "isimedia.closingday": ("view",),
        "isimedia.outboxmessage": ("view",),
    },
}


def permissions_for(group_name: str, *, using: str = DEFAULT_DB_ALIAS):
    """The Permission rows a group should have, as far as they exist in the database now."""
    Permission = global_apps.get_model("auth", "Permission")
    wanted = []
    for target, actions in ROLE_PERMISSIONS[group_name].items():
        app_label, _, model = target.partition(".")
        query = Permission.objects.using(using).filter(content_type__app_label=app_label)
        if model:
            query = query.filter(content_type__model=model)
        # Custom permissions (e.g. "decide_notice") belong to an app-wide rule; per-model rules list actions.
        wanted.extend(p for p in query if not model or p.codename.split("_", 1)[0] in actions)
    return wanted


def sync_group_permissions(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Create the groups if needed and give each exactly the permissions of its rules."""
    Group = global_apps.get_model("auth", "Group")
    for name in ROLE_PERMISSIONS:
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set(permissions_for(name, using=using))


def sync_group_permissions_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    # post_migrate is sent once per app with models, each time after that app's permissions were created. Syncing
    # on every one is cheap and leaves the groups right after the last, whichever app that is.
    sync_group_permissions(using=using)
