"""The breach register: recording a personal data breach and telling the affected clients (GDPR art. 33).

ISI Media is mostly a processor: its clients are the controllers of what their websites hold. A processor tells
each affected controller without undue delay, with the cause, the consequences and the measures taken (GDPR art.
33(2), the DPA's breach article); the controller decides whether to notify the Autoriteit Persoonsgegevens and the
people affected. Every breach goes into the register, whether or not anyone is notified (art. 33(5)).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import Client
from isimedia.outbox import email_queue

from ..errors import PrivacyError
from ..models import Breach, BreachNotification
from ..selectors import client_addresses
from .references import next_reference

__all__ = ["BreachInput", "breach_notify_clients", "breach_register", "breach_update", "breach_validate"]

SERIES = "DL"
REQUIRED_TEXT = ("title", "what_happened", "cause", "consequences", "remedy")


@dataclass
class BreachInput:
    """Everything the register records about a breach, as staff enter it."""

    title: str
    discovered_at: datetime
    what_happened: str
    cause: str
    consequences: str
    remedy: str
    occurred_at: datetime | None = None
    data_categories: list[str] = field(default_factory=list)
    data_subjects_estimate: int | None = None
    affected_clients: Iterable[Client] = ()
    authority_notified_at: datetime | None = None
    authority_reference: str = ""
    closed_at: datetime | None = None


def breach_validate(*, data: BreachInput, now: datetime | None = None) -> None:
    """Refuse a register entry that is incomplete or has impossible times; errors per field."""
    now = now or timezone.now()
    errors: dict[str, str] = {}
    for name in REQUIRED_TEXT:
        if not (getattr(data, name) or "").strip():
            errors[name] = _("This field is required.")
    if data.discovered_at is None:
        errors["discovered_at"] = _("This field is required.")
    elif data.discovered_at > now:
        errors["discovered_at"] = _("The discovery cannot be in the future.")
    else:
        if data.occurred_at and data.occurred_at > data.discovered_at:
            errors["occurred_at"] = _("A breach cannot have happened after it was discovered.")
        if data.authority_notified_at and data.authority_notified_at < data.discovered_at:
            errors["authority_notified_at"] = _("The report to the authority cannot precede the discovery.")
        if data.closed_at and data.closed_at < data.discovered_at:
            errors["closed_at"] = _("A breach cannot be closed before it was discovered.")
    for name in ("authority_notified_at", "closed_at"):
        moment = getattr(data, name)
        if moment and moment > now and name not in errors:
            errors[name] = _("This moment cannot be in the future.")
    unknown = set(data.data_categories or ()) - set(Breach.DataCategory.values)
    if unknown:
        errors["data_categories"] = _("Unknown kind of personal data: %(kinds)s.") % {
            "kinds": ", ".join(sorted(unknown))
        }
    if data.data_subjects_estimate is not None and data.data_subjects_estimate < 0:
        errors["data_subjects_estimate"] = _("The number cannot be negative.")
    if errors:
        raise PrivacyError(errors)


def _apply(breach: Breach, data: BreachInput) -> list[str]:
    """Copy the input onto the breach; returns the names of the fields set."""
    values = {
        "title": data.title.strip(),
        "discovered_at": data.discovered_at,
        "occurred_at": data.occurred_at,
        "what_happened": data.what_happened.strip(),
        "cause": data.cause.strip(),
        "consequences": data.consequences.strip(),
        "remedy": data.remedy.strip(),
        # Kept in the order of the choices, so the register and the e-mails list them the same way every time.
        "data_categories": [value for value in Breach.DataCategory.values if value in set(data.data_categories)],
        "data_subjects_estimate": data.data_subjects_estimate,
        "authority_notified_at": data.authority_notified_at,
        "authority_reference": (data.authority_reference or "").strip(),
        "closed_at": data.closed_at,
    }
    for name, value in values.items():
        setattr(breach, name, value)
    return list(values)


def breach_register(*, data: BreachInput, user) -> Breach:
    """Put a breach in the register with the next reference (DL-YYYY-NNNNN); nobody is notified yet."""
    now = timezone.now()
    breach_validate(data=data, now=now)
    with transaction.atomic():
        breach = Breach(reference=next_reference(SERIES, timezone.localtime(now).year), created_at=now, created_by=user)
        _apply(breach, data)
        breach.save()
        breach.affected_clients.set(list(data.affected_clients))
    return breach


def breach_update(*, breach_id: int, data: BreachInput, user) -> Breach:
    """Correct or complete a register entry as more becomes known; notifications already sent stay recorded."""
    breach_validate(data=data)
    with transaction.atomic():
        breach = Breach.objects.select_for_update().get(pk=breach_id)
        breach.save(update_fields=_apply(breach, data))
        breach.affected_clients.set(list(data.affected_clients))
    return breach


def breach_notify_clients(*, breach_id: int, user) -> list[BreachNotification]:
    """E-mail every affected client that was not told yet; returns the new notifications (empty: all were told).

    The breach row is locked, so two clicks at once notify each client once; the unique constraint on
    (breach, client) holds it in the database as well.
    """
    with transaction.atomic():
        breach = Breach.objects.select_for_update().get(pk=breach_id)
        affected = list(breach.affected_clients.order_by("name", "pk"))
        if not affected:
            raise PrivacyError(_("No affected clients are registered for this breach: add them first."))
        told = set(BreachNotification.objects.filter(breach=breach).values_list("client_id", flat=True))
        # Lazy labels: each e-mail renders them in its client's language.
        labels = dict(Breach.DataCategory.choices)
        categories = [labels.get(value, value) for value in breach.data_categories]
        now = timezone.now()
        notifications = []
        for client in affected:
            if client.pk in told:
                continue
            addresses = client_addresses(client)
            for address in addresses:
                email_queue(
                    template="privacy_breach_client",
                    to=address,
                    language=client.language,
                    context={
                        "client": client,
                        "breach": breach,
                        "categories": categories,
                        "privacy_email": settings.PRIVACY_EMAIL,
                    },
                    reply_to=settings.PRIVACY_EMAIL,
                )
            notifications.append(
                BreachNotification.objects.create(
                    breach=breach, client=client, notified_at=now, notified_by=user, recipients=addresses
                )
            )
    return notifications
