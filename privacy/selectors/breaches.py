"""Reads of the breach register: the 72-hour clock, counts for the register's list, and the CSV export."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from isimedia.spreadsheets import text_cell

from ..models import Breach, BreachNotification

__all__ = [
    "BREACH_CLOCK_HOURS",
    "BreachClock",
    "breach_clients_to_notify",
    "breach_clock",
    "breach_notifications",
    "breach_register_csv_rows",
    "breaches_with_counts",
    "category_labels",
]

# GDPR art. 33(1) and the DPA: within 72 hours of discovery.
BREACH_CLOCK_HOURS = 72
AMBER_HOURS = 24
RED_HOURS = 8


@dataclass(frozen=True)
class BreachClock:
    """Where a breach stands against the 72 hours; ``colour`` is green, amber, red, overdue, notified or closed."""

    deadline: datetime
    hours_left: int
    colour: str
    label: str
    affected: int
    notified: int

    @property
    def running(self) -> bool:
        return self.colour in ("green", "amber", "red", "overdue")


def breaches_with_counts(breaches: QuerySet | None = None) -> QuerySet:
    """Breaches with ``affected_count`` and ``notified_count`` (affected clients already told), in one query."""
    breaches = Breach.objects.all() if breaches is None else breaches
    through = Breach.affected_clients.through
    told = BreachNotification.objects.filter(breach_id=OuterRef("breach_id"), client_id=OuterRef("client_id"))
    notified = (
        through.objects.filter(breach_id=OuterRef("pk"))
        .filter(Exists(told))
        .order_by()
        .values("breach_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return breaches.annotate(
        affected_count=Count("affected_clients", distinct=True),
        notified_count=Coalesce(Subquery(notified, output_field=IntegerField()), Value(0)),
    )


def _counts(breach: Breach) -> tuple[int, int]:
    if hasattr(breach, "affected_count") and hasattr(breach, "notified_count"):
        return breach.affected_count, breach.notified_count
    counted = breaches_with_counts(Breach.objects.filter(pk=breach.pk)).values("affected_count", "notified_count")
    row = counted.first() or {"affected_count": 0, "notified_count": 0}
    return row["affected_count"], row["notified_count"]


def breach_clock(breach: Breach, now: datetime | None = None) -> BreachClock:
    """The 72-hour clock from discovery: hours left (negative once overdue) and a colour with words.

    The clock stops once every affected client was told, or, when no client is affected, once the Autoriteit
    Persoonsgegevens was; a closed breach is no longer on the clock.
    """
    now = now or timezone.now()
    deadline = breach.discovered_at + timedelta(hours=BREACH_CLOCK_HOURS)
    seconds_left = (deadline - now).total_seconds()
    # Whole hours, never flattering: 70 h 59 min left is "70 hours left"; overdue counts full hours, at least one.
    hours_left = math.floor(seconds_left / 3600) if seconds_left >= 0 else -max(1, math.floor(-seconds_left / 3600))
    affected, notified = _counts(breach)

    def clock(colour: str, label: str) -> BreachClock:
        return BreachClock(deadline, hours_left, colour, label, affected, notified)

    if affected and notified >= affected:
        return clock(
            "notified",
            ngettext(
                "notified: the affected client was told",
                "notified: all %(count)d affected clients were told",
                affected,
            )
            % {"count": affected},
        )
    if not affected and breach.authority_notified_at:
        return clock("notified", _("reported to the Autoriteit Persoonsgegevens"))
    if breach.closed_at:
        return clock("closed", _("closed"))
    if seconds_left < 0:
        return clock(
            "overdue",
            ngettext("overdue by %(hours)d hour", "overdue by %(hours)d hours", -hours_left) % {"hours": -hours_left},
        )
    colour = "red" if seconds_left <= RED_HOURS * 3600 else "amber" if seconds_left <= AMBER_HOURS * 3600 else "green"
    label = ngettext("%(hours)d hour left", "%(hours)d hours left", hours_left) % {"hours": hours_left}
    if affected and notified:
        label += " " + _("(%(notified)d of %(affected)d clients told)") % {"notified": notified, "affected": affected}
    return clock(colour, label)


def breach_notifications(breach: Breach) -> list[BreachNotification]:
    """Who was told of a breach, when, at which addresses and by whom."""
    return list(breach.notifications.select_related("client", "notified_by").order_by("notified_at", "pk"))


def breach_clients_to_notify(breach: Breach) -> list:
    """The affected clients that were not told yet."""
    told = BreachNotification.objects.filter(breach=breach, client_id=OuterRef("pk"))
    return list(breach.affected_clients.exclude(Exists(told)).order_by("name", "pk"))


def category_labels(values: list[str]) -> list[str]:
    """The labels of the kinds of personal data, in the active language."""
    labels = dict(Breach.DataCategory.choices)
    return [str(labels.get(value, value)) for value in values]


# --- the CSV export --------------------------------------------------------------------------------------------


def _moment(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def breach_register_csv_rows(breaches: QuerySet) -> list[list[str]]:
    """The register as CSV rows, a header first: every field, the affected clients and when each was told."""
    breaches = breaches.select_related("created_by").prefetch_related(
        "affected_clients",
        Prefetch(
            "notifications",
            queryset=BreachNotification.objects.select_related("client").order_by("notified_at", "pk"),
        ),
    )
    header = [
        _("reference"),
        _("short description"),
        _("discovered at"),
        _("happened at"),
        _("registered at"),
        _("registered by"),
        _("what happened"),
        _("cause"),
        _("consequences"),
        _("measures taken"),
        _("kinds of personal data"),
        _("number of people affected (estimate)"),
        _("affected clients"),
        _("clients notified at"),
        _("all affected clients notified"),
        _("reported to the Autoriteit Persoonsgegevens"),
        _("AP reference"),
        _("closed"),
    ]
    rows = [header]
    for breach in breaches.order_by("discovered_at", "pk"):
        clients = sorted(breach.affected_clients.all(), key=lambda client: (client.name, client.pk))
        notified = {}
        for notification in breach.notifications.all():
            notified.setdefault(notification.client_id, notification)
        notified_cells = []
        for client in clients:
            notification = notified.get(client.pk)
            if notification:
                notified_cells.append(
                    f"{client.name}: {_moment(notification.notified_at)} ({', '.join(notification.recipients)})"
                )
            else:
                notified_cells.append(f"{client.name}: {_('not notified')}")
        # Clients told before they were taken off the list stay in the record of who was told.
        for client_id, notification in notified.items():
            if client_id not in {client.pk for client in clients}:
                notified_cells.append(
                    f"{notification.client.name}: {_moment(notification.notified_at)} "
                    f"({', '.join(notification.recipients)})"
                )
        all_told = bool(clients) and all(client.pk in notified for client in clients)
        rows.append(
            [
                text_cell(value)
                for value in [
                    breach.reference,
                    breach.title,
                    _moment(breach.discovered_at),
                    _moment(breach.occurred_at),
                    _moment(breach.created_at),
                    breach.created_by.email if breach.created_by else "",
                    breach.what_happened,
                    breach.cause,
                    breach.consequences,
                    breach.remedy,
                    "; ".join(category_labels(breach.data_categories)),
                    breach.data_subjects_estimate,
                    "; ".join(f"{client.name} ({client.kvk_number})" for client in clients),
                    "; ".join(notified_cells),
                    (_("yes") if all_told else _("no")) if clients else "",
                    _moment(breach.authority_notified_at),
                    breach.authority_reference,
                    _moment(breach.closed_at),
                ]
            ]
        )
    return rows
