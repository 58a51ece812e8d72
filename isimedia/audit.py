"""The audit trail: which models django-auditlog records, what the log must never keep, and the reads it records.

django-auditlog writes a LogEntry (who, when, which object, each changed field's old and new value) from the model
signals of every model registered here, so a staff member's change through the admin, a service or a task is recorded
whatever code path made it. ``AuditlogMiddleware`` puts the logged-in user on entries written during a request;
entries written outside one (Celery beat, management commands) have no actor: the admin shows them as "system".

What the log must never hold:

- secrets: the hashes of link tokens and API keys (and a staff member's password hash) are stored as ``***``, so the
  log still says *that* one changed (a new link was issued) but not to what;
- the personal data the privacy register lists (``privacy.registry``: a complainant's name, a requester's e-mail, a
  client's words): stored as ``***`` too. Erasure and retention remove those values from the records themselves; a
  copy kept for years in the log would undo that. The log keeps who changed which field when, which is what
  accountability needs; the value is in the record (as long as it may be kept);
- object names that are such personal data (a contact's name, a login's address): those entries name the object by
  its number.

Reads are recorded too where the thing read is among the most sensitive the portal holds (``record_access``):
a requester's identity copy, the data package before it is sent, a signed DPA.
"""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import pre_save
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

# Stored instead of a value the log must not keep (and that no real value of those fields can be confused with in
# practice); the admin shows it as "not kept in the log".
HIDDEN = "***"
# What the diff stores for an empty value (it compares values as text).
EMPTY = ("", "None")

# The models whose changes are recorded: every case, request, document and client staff work on, their parts, the
# staff accounts and company closing days (they move deadlines), and the beat schedule (a disabled retention job
# is a change someone must answer for).
AUDITED = (
    "ntd.Notice",
    "ntd.NoticeUrl",
    "ntd.CustomerResponse",
    "ntd.InternalNote",
    "ntd.StatementOfReasons",
    "ntd.ApiKey",
    "privacy.DataSubjectRequest",
    "privacy.RequestMessage",
    "privacy.DataPackage",
    "privacy.Breach",
    "privacy.BreachNotification",
    "contracts.Client",
    "contracts.Website",
    "contracts.ClientContact",
    "contracts.DocumentVersion",
    "contracts.Objection",
    "satisfaction.Feedback",
    "isimedia.User",
    "isimedia.ClosingDay",
    "django_celery_beat.PeriodicTask",
    # A staff member's authenticator app: set up at the first sign-in, removed by a superuser's reset.
    "otp_totp.TOTPDevice",
)

# Models that appear in the log only through recorded reads (``record_access``).
READ_ONLY_LOGGED = ("contracts.Acceptance",)

# Secrets, per model: recorded as changed, never with their value. The path of an encrypted file is not secret
# (the key is), but it is listed in the register; it is here for the models whose register entry does not name it.
SECRET_FIELDS: dict[str, tuple[str, ...]] = {
    "ntd.Notice": ("tracking_token_hash", "customer_token_hash"),
    "ntd.ApiKey": ("key_hash",),
    "privacy.DataPackage": ("token_hash", "encrypted_path"),
    "isimedia.User": ("password",),
    "otp_totp.TOTPDevice": ("key",),
}

# Not recorded at all: bookkeeping that changes on its own and says nothing about what a person did.
UNRECORDED_FIELDS: dict[str, tuple[str, ...]] = {
    "isimedia.User": ("last_login",),
    "django_celery_beat.PeriodicTask": ("last_run_at", "total_run_count", "date_changed"),
    # Each sign-in moves these; the sign-in records (django-axes) say who signed in when.
    "otp_totp.TOTPDevice": (
        "last_t",
        "drift",
        "throttling_failure_timestamp",
        "throttling_failure_count",
        "last_used_at",
    ),
}

# Many-to-many fields whose changes are recorded (the related objects' names): a staff member's roles, and the
# clients a data breach affects.
M2M_FIELDS: dict[str, tuple[str, ...]] = {
    "isimedia.User": ("groups", "user_permissions"),
    "privacy.Breach": ("affected_clients",),
}

# Models whose name (``__str__``) is personal data the register lists: their entries show "#<id>" instead.
NAMED_BY_NUMBER = ("isimedia.User", "contracts.ClientContact", "privacy.RequestMessage")

# What a recorded read was of: the key stored in the entry (additional_data["read"]) -> the text the admin shows.
READS = {
    "identity_copy": _("a copy of an identity document"),
    "requester_file": _("a file from the requester"),
    "package_preview": _("the data package (preview)"),
    "signed_dpa": _("the signed DPA (PDF)"),
}


def logged_models() -> list:
    """Every model whose entries can be in the log."""
    return [apps.get_model(label) for label in (*AUDITED, *READ_ONLY_LOGGED)]


def visible_content_type_ids(user) -> set[int] | None:
    """The content types whose entries ``user`` may read (their own view permission on the model); None: all."""
    if user.is_superuser:
        return None
    readable = [
        model for model in logged_models() if user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
    ]
    return {content_type.pk for content_type in ContentType.objects.get_for_models(*readable).values()}


def hide(value: str) -> str:
    """The mask for secret and personal fields: whether there was a value, never which."""
    return value if value in EMPTY else HIDDEN


def hidden_fields(label: str) -> list[str]:
    """The fields of a model whose values the log does not keep: its secrets and what the register calls personal."""
    from privacy import registry

    covered = sorted(name for model_label, name in registry.registry.covered() if model_label == label)
    return sorted({*SECRET_FIELDS.get(label, ()), *covered})


def register_models() -> None:
    """Register the audited models with django-auditlog; called once from ``IsimediaConfig.ready()``."""
    from auditlog.models import LogEntry
    from auditlog.registry import auditlog

    # The register of personal data decides what the log hides; its declarations are made by each app's
    # personal_data module, which the privacy app would otherwise only import after this app is ready.
    autodiscover_modules("personal_data")
    for label in AUDITED:
        model = apps.get_model(label)
        if auditlog.contains(model):
            continue
        # A new object's entry would otherwise list each reverse relation ("ntd.NoticeUrl.None"): nothing to record.
        reverse_relations = [
            field.name for field in model._meta.get_fields() if field.auto_created and not field.concrete
        ]
        auditlog.register(
            model,
            exclude_fields=[*UNRECORDED_FIELDS.get(label, ()), *reverse_relations],
            mask_fields=hidden_fields(label),
            mask_callable="isimedia.audit.hide",
            m2m_fields=set(M2M_FIELDS.get(label, ())),
        )
    pre_save.connect(_name_by_number, sender=LogEntry, dispatch_uid="isimedia-audit-name-by-number")


def _name_by_number(sender, instance, **kwargs):
    """A new entry about an object whose name is personal data names it by its number instead."""
    model = instance.content_type.model_class()
    if instance.pk is None and model is not None and model._meta.label in NAMED_BY_NUMBER:
        instance.object_repr = f"#{instance.object_pk}"


def record_access(*, user, instance, read: str, **details):
    """Record that a staff member opened or downloaded something sensitive (``read``: a key of READS)."""
    from auditlog.models import LogEntry

    if read not in READS:
        raise ValueError(f"unknown kind of read {read!r}")
    return LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        actor=user,
        actor_email=user.email,
        additional_data={"read": read, **details},
    )
