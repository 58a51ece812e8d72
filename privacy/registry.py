"""The register of personal data: what each app holds about a person, and how it is exported, erased and kept.

Each app declares its entries in ``<app>/personal_data.py`` (imported by ``PrivacyConfig.ready()``)::

    registry.register(PersonalData(key="ntd.complaints", label=_("Complaints you filed"),
                                   fields={Notice: ["complainant_name", ...]}, export=..., erase=...))
    registry.not_personal(Evidence, ["original_name"], _("why"))

An entry names the model fields it covers, exports a person's records as JSON-able dicts (datetimes as ISO text;
a generator reading in chunks of ``EXPORT_CHUNK`` where a person may have many, as the data package streams them),
and erases them: anonymising or deleting what no legal duty requires, and keeping the rest with the reason
(``Outcome``). An entry may also carry retention rules, which ``privacy.retention`` runs on schedule.

Every model field that looks personal (an e-mail or IP address field, or a name containing ``name``, ``email``,
``phone`` or ``ip_address``) must be covered by an entry or declared not personal with a reason;
``uncovered_fields()`` lists those that are neither, and a test fails on any.

A person is matched by e-mail address, case-insensitively. Texts (labels, reasons) are produced in the active
language: callers wrap the call in ``translation.override``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.utils import formats, timezone, translation
from django.utils.encoding import force_str

from isimedia.workdays import AMSTERDAM

# The apps of this project; Django's own and third-party apps are outside the register.
PROJECT_APPS = ("isimedia", "contracts", "ntd", "privacy", "satisfaction")
# A field whose name contains one of these, or that is an e-mail or IP address field, looks personal.
PERSONAL_NAME_PARTS = ("name", "email", "phone", "ip_address")
PERSONAL_FIELD_TYPES = (models.EmailField, models.GenericIPAddressField)

# The address an anonymised row keeps where a column must not be empty (.invalid is reserved, RFC 2606): it can
# never match a real person, and it marks the row as done, so anonymising again changes nothing.
ANONYMISED_EMAIL = "anonymised@anonymised.invalid"

# Rows read at a time by the exports that stream (with their prefetches, per chunk).
EXPORT_CHUNK = 200

ERASED = "erased"
ANONYMISED = "anonymised"
KEPT = "kept"
ACTIONS = (ERASED, ANONYMISED, KEPT)


def anonymised_address(pk: int) -> str:
    """A unique stand-in address for a column with a unique constraint (a user's login)."""
    return f"anonymised-{pk}@anonymised.invalid"


@dataclass(frozen=True)
class Outcome:
    """What erasure did, or would do, to one thing (or a group of alike things) of one entry."""

    label: str
    action: str
    reason: str = ""
    count: int = 1

    def __post_init__(self):
        if self.action not in ACTIONS:
            raise ValueError(f"unknown erasure action {self.action!r}")


@dataclass(frozen=True)
class RetentionRule:
    """A rule that deletes or anonymises what has been kept long enough; ``apply(now)`` returns how many.

    ``description`` is a callable giving the text in the active language (it usually names a setting's value).
    ``apply`` must change nothing that an earlier run already handled.
    """

    key: str
    description: Callable[[], str]
    apply: Callable[[datetime], int]

    def describe(self) -> str:
        return str(self.description())


@dataclass(frozen=True)
class PersonalData:
    """One kind of personal data an app holds, with its export, its erasure and its retention rules.

    ``fields``: model (class or ``"app_label.Model"``) -> the field names this entry covers.
    ``export(email) -> Iterable[dict]`` (a list, or a generator); ``erase(email, *, dry_run) -> list[Outcome]``.
    ``titles``: readable titles for the keys of the exported records, for the summary in the data package.
    ``order``: entries run in this order (then by key); entries that change how a person is matched (their
    login address) run last, so that the others still find that person's records in the same erasure.
    """

    key: str
    label: object
    fields: Mapping[type[models.Model] | str, Sequence[str]]
    export: Callable[[str], Iterable[dict]]
    erase: Callable[..., list[Outcome]]
    retention: Sequence[RetentionRule] = ()
    titles: Mapping[str, object] = field(default_factory=dict)
    order: int = 100

    def covered(self) -> set[tuple[str, str]]:
        return {(_model_label(model), name) for model, names in self.fields.items() for name in names}


@dataclass(frozen=True)
class NotPersonal:
    model: str
    field: str
    reason: str


class Registry:
    """The entries and exemptions; the module-level functions use the one project-wide instance."""

    def __init__(self):
        self._entries: dict[str, PersonalData] = {}
        self._exemptions: dict[tuple[str, str], NotPersonal] = {}

    def register(self, entry: PersonalData) -> PersonalData:
        existing = self._entries.get(entry.key)
        if existing is not None and existing is not entry:
            raise ValueError(f"personal data entry {entry.key!r} is registered twice")
        self._entries[entry.key] = entry
        return entry

    def not_personal(self, model, fields: Iterable[str], reason) -> None:
        if not str(reason).strip():
            raise ValueError("a field declared not personal needs a reason")
        label = _model_label(model)
        for name in fields:
            self._exemptions[(label, name)] = NotPersonal(model=label, field=name, reason=reason)

    def entries(self) -> list[PersonalData]:
        return sorted(self._entries.values(), key=lambda entry: (entry.order, entry.key))

    def entry(self, key: str) -> PersonalData:
        return self._entries[key]

    def exemptions(self) -> list[NotPersonal]:
        return sorted(self._exemptions.values(), key=lambda item: (item.model, item.field))

    def retention_rules(self) -> list[RetentionRule]:
        return [rule for entry in self.entries() for rule in entry.retention]

    def covered(self) -> set[tuple[str, str]]:
        return {pair for entry in self._entries.values() for pair in entry.covered()}

    def declaration_errors(self) -> list[str]:
        """Declarations that name a model or field that does not exist (a typo would otherwise cover nothing)."""
        errors = []
        pairs = [(pair, f"entry {entry.key}") for entry in self._entries.values() for pair in entry.covered()]
        pairs += [((item.model, item.field), "not_personal") for item in self._exemptions.values()]
        for (label, name), where in sorted(pairs):
            try:
                apps.get_model(label)._meta.get_field(name)
            except (LookupError, FieldDoesNotExist):
                errors.append(f"{where}: {label}.{name} does not exist")
        return errors

    def uncovered_fields(self, candidates: Iterable[tuple[str, models.Field]] | None = None) -> list[str]:
        """Personal-looking fields neither covered by an entry nor declared not personal, as ``app.Model.field``.

        ``candidates``: (model label, field) pairs to check; by default every concrete field of every model of
        the project apps.
        """
        if candidates is None:
            candidates = project_fields()
        known = self.covered() | set(self._exemptions)
        return sorted(
            f"{label}.{model_field.name}"
            for label, model_field in candidates
            if looks_personal(model_field) and (label, model_field.name) not in known
        )


def looks_personal(model_field: models.Field) -> bool:
    name = model_field.name.lower()
    return isinstance(model_field, PERSONAL_FIELD_TYPES) or any(part in name for part in PERSONAL_NAME_PARTS)


def project_fields(app_labels: Sequence[str] = PROJECT_APPS) -> list[tuple[str, models.Field]]:
    """Every concrete field of every model of the given apps, with its model's label."""
    return [
        (model._meta.label, model_field)
        for app_label in app_labels
        for model in apps.get_app_config(app_label).get_models()
        for model_field in model._meta.concrete_fields
    ]


def _model_label(model) -> str:
    if isinstance(model, str):
        return apps.get_model(model)._meta.label
    return model._meta.label


registry = Registry()


def register(entry: PersonalData) -> PersonalData:
    return registry.register(entry)


def not_personal(model, fields: Iterable[str], reason) -> None:
    registry.not_personal(model, fields, reason)


def entries() -> list[PersonalData]:
    return registry.entries()


def retention_rules() -> list[RetentionRule]:
    return registry.retention_rules()


def uncovered_fields(candidates: Iterable[tuple[str, models.Field]] | None = None) -> list[str]:
    return registry.uncovered_fields(candidates)


def normalise_email(email: str) -> str:
    """The address to match on; refuses an empty address and the anonymised stand-in, which would match rows
    whose address was cleared or anonymised rather than a person."""
    address = (email or "").strip()
    if not address or "@" not in address or address.lower().endswith("@anonymised.invalid"):
        raise ValueError(f"not a person's e-mail address: {email!r}")
    return address


def export_all(email: str) -> dict[str, dict]:
    """Everything every entry holds about ``email``: {key: {"label": text, "records": [...]}}, in entry order."""
    address = normalise_email(email)
    return {entry.key: {"label": str(entry.label), "records": list(entry.export(address))} for entry in entries()}


def erase_all(email: str, *, dry_run: bool) -> list[dict]:
    """Erase (or, with ``dry_run``, plan to erase) everything about ``email`` that no legal duty keeps.

    One transaction: all entries or none. A dry run is rolled back whatever an entry does. Returns JSON-able
    dicts: entry, entry_label, label (what), action (erased | anonymised | kept), reason, count.
    """
    address = normalise_email(email)
    results = []
    with transaction.atomic():
        for entry in entries():
            for outcome in entry.erase(address, dry_run=dry_run):
                results.append(
                    {
                        "entry": entry.key,
                        "entry_label": str(entry.label),
                        "label": str(outcome.label),
                        "action": outcome.action,
                        "reason": str(outcome.reason),
                        "count": outcome.count,
                    }
                )
        if dry_run:
            transaction.set_rollback(True)
    return results


# --- helpers for the apps' declarations ----------------------------------------------------------------------------


def iso(value: datetime | date | None) -> str | None:
    """A datetime as ISO 8601 text in Amsterdam time, a date as YYYY-MM-DD, None as None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value, AMSTERDAM).isoformat()
    return value.isoformat()


def streamed(queryset: models.QuerySet) -> Iterator[models.Model]:
    """The rows of ``queryset`` in chunks of ``EXPORT_CHUNK`` (prefetches per chunk), each let go of once the caller
    asks for the next: an export then holds one chunk, however many records a person has.

    Prefetched rows point back at their parent, a reference cycle that only a full garbage collection frees (rarely,
    in a large process), so memory would still grow with the rows; emptying the exported instance breaks it.
    """
    for instance in queryset.iterator(chunk_size=EXPORT_CHUNK):
        yield instance
        vars(instance).clear()


def label(instance: models.Model, field_name: str) -> str:
    """``instance.get_<field_name>_display()``, remembered per value and language: an export of thousands of
    records asks for the same few labels over and over (bench/data_scale.py)."""
    return _label(type(instance), field_name, getattr(instance, field_name), translation.get_language())


@lru_cache(maxsize=4096)
def _label(model: type[models.Model], field_name: str, value, language: str | None):
    choices = dict(model._meta.get_field(field_name).flatchoices)
    return force_str(choices.get(value, value), strings_only=True)


def local_date(value: datetime) -> date:
    return timezone.localtime(value, AMSTERDAM).date()


def kept_until(start: datetime, days: int) -> date:
    """The last day something is kept when it is kept ``days`` days from ``start``."""
    return local_date(start + timedelta(days=days))


def format_date(value: date) -> str:
    """A date in the active language, for reasons and labels."""
    return formats.date_format(value, "DATE_FORMAT")


def field_titles(model: type[models.Model], *names: str) -> dict[str, object]:
    """The verbose names of a model's fields, as titles for exported records."""
    return {name: model._meta.get_field(name).verbose_name for name in names}
