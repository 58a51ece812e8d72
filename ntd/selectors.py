"""Reads of the NTD procedure: the queue, a case with everything around it, the links, the report."""

from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from contracts.models import Client
from isimedia import roles
from isimedia.tokens import token_hash

from .models import OPEN_STATES, REJECTED_STATES, Evidence, Notice, NoticeEvent, NoticeUrl, State

# A rejected notice may be filed again; the new one links to it.
REFILABLE_STATES = REJECTED_STATES


def notice_for_tracking_token(token: str) -> Notice | None:
    """The complainant's view of a case: its URLs, its public steps and its own evidence."""
    return (
        Notice.objects.filter(tracking_token_hash=token_hash(token))
        .prefetch_related(
            Prefetch("urls", queryset=NoticeUrl.objects.order_by("id")),
            Prefetch("events", queryset=NoticeEvent.objects.order_by("at", "id")),
            Prefetch("evidence", queryset=Evidence.objects.filter(party=Evidence.Party.COMPLAINANT)),
        )
        .first()
    )


def notice_for_customer_token(token: str) -> Notice | None:
    """The client's view of a case, through the link in its e-mail; the link works until the case is closed."""
    return (
        Notice.objects.filter(customer_token_hash=token_hash(token), state__in=OPEN_STATES)
        .select_related("website__client", "customer_response")
        .prefetch_related("urls", Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "id")))
        .first()
    )


def notices_for_client(*, client: Client) -> QuerySet[Notice]:
    """Cases about a client's websites, for its account page: open ones first, then by deadline."""
    return (
        Notice.objects.filter(website__client=client)
        .exclude(state=State.RECEIVED)
        .select_related("website")
        # Open cases (not decided) first, nearest deadline first; then closed ones, latest decision first.
        .order_by(F("decided_at").desc(nulls_first=True), F("next_deadline").asc(nulls_last=True), "-received_at")
    )


def customer_deadline_passed_ids(*, now: datetime, limit: int = 1000) -> list[int]:
    return list(
        Notice.objects.filter(state=State.AWAITING_CUSTOMER, next_deadline__lte=now)
        .order_by("next_deadline")
        .values_list("pk", flat=True)[:limit]
    )


def overdue_assessment_ids(*, now: datetime, today: date) -> list[int]:
    """Assessments past their deadline that were not in today's reminder yet."""
    return list(
        Notice.objects.filter(state=State.UNDER_ASSESSMENT, next_deadline__lte=now)
        .filter(Q(assessment_reminded_on__isnull=True) | Q(assessment_reminded_on__lt=today))
        .values_list("pk", flat=True)
    )


def handler_addresses() -> list[tuple[str, str]]:
    """(e-mail, language) of every active NTD handler; the staff address when there are none."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, groups__name=roles.NTD_HANDLERS)
        .values_list("email", "language")
        .distinct()
    )
    return list(users) or [(_staff_email(), "nl")]


def _staff_email() -> str:
    from django.conf import settings

    return settings.STAFF_EMAIL


def client_addresses(client: Client) -> list[str]:
    """Where a client's NTD mail goes: its contact address and those of its active portal contacts."""
    contacts = client.contacts.filter(user__is_active=True).values_list("user__email", flat=True)
    addresses = [client.contact_email, *contacts]
    return list(dict.fromkeys(address.lower() for address in addresses if address))


def urgency(notice: Notice, *, now: datetime | None = None) -> str:
    """green, amber, red or overdue, for the queue's deadline column."""
    if notice.next_deadline is None:
        return ""
    now = now or timezone.now()
    left = notice.next_deadline - now
    hours = left.total_seconds() / 3600
    if hours < 0:
        return "overdue"
    if hours < 8:
        return "red"
    if hours < 24:
        return "amber"
    return "green"
