"""Reads of data-subject requests: the secret links, the deadline's state, who gets the officers' e-mail."""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contracts.models import Client
from contracts.selectors import website_for_url
from isimedia import roles
from isimedia.tokens import token_hash
from isimedia.workdays import add_working_days, calendar_days_between, end_of_day, gdpr_due_date, working_days_between

from ..models import CLOSED_STATES, OPEN_STATES, DataPackage, DataSubjectRequest, RequestLink

__all__ = [
    "DeadlineStatus",
    "client_addresses",
    "client_for_hosted_url",
    "deadline_status",
    "extension_possible",
    "first_due_on",
    "officer_addresses",
    "officer_recipients",
    "package_for_token",
    "package_status",
    "request_for_token",
    "requests_by_deadline",
    "requests_to_remind",
]


def request_for_token(token: str) -> DataSubjectRequest | None:
    """The request a secret link (from any of its e-mails) belongs to; None for an unknown or anonymised one."""
    if not token:
        return None
    link = (
        RequestLink.objects.filter(token_hash=token_hash(token), request__anonymised_at__isnull=True)
        .select_related("request")
        .first()
    )
    return link.request if link else None


def package_for_token(token: str) -> DataPackage | None:
    """The data package of a download link, whatever its state (see ``package_status``); None for an unknown link."""
    if not token:
        return None
    return DataPackage.objects.filter(token_hash=token_hash(token)).select_related("request").first()


def package_status(package: DataPackage, *, now: datetime | None = None) -> str:
    """Whether the single-use link still gives the zip: available, downloaded, expired or deleted."""
    now = now or timezone.now()
    if package.downloaded_at is not None:
        return "downloaded"
    if package.deleted_at is not None or not package.encrypted_path:
        return "deleted"
    if now > package.expires_at:
        return "expired"
    return "available"


@dataclass(frozen=True)
class DeadlineStatus:
    """How a request stands against its legal deadline, for the admin's coloured column and the reminder."""

    due_at: datetime | None
    working_days_left: int | None
    colour: str  # "green", "amber", "red", "overdue", "paused" or "closed"
    label: str


def deadline_status(request: DataSubjectRequest, now: datetime | None = None) -> DeadlineStatus:
    """Working days left until the end of the due day; overdue after it; red at 2 or fewer, amber in reminder range."""
    now = now or timezone.now()
    if request.state in CLOSED_STATES:
        return DeadlineStatus(None, None, "closed", _("closed"))
    if request.due_on is None:
        return DeadlineStatus(None, None, "closed", "")
    due_at = end_of_day(request.due_on)
    if request.paused_since is not None:
        return DeadlineStatus(
            due_at,
            None,
            "paused",
            _("paused since %(date)s (waiting for the requester)")
            % {"date": timezone.localdate(request.paused_since).strftime("%d-%m-%Y")},
        )
    if now > due_at:
        days = max(1, calendar_days_between(due_at, now))
        return DeadlineStatus(
            due_at,
            -working_days_between(due_at, now),
            "overdue",
            ngettext("%(days)d day overdue", "%(days)d days overdue", days) % {"days": days},
        )
    left = working_days_between(now, due_at)
    if left <= 2:
        colour = "red"
    elif left <= settings.PRIVACY_REMINDER_WORKING_DAYS:
        colour = "amber"
    else:
        colour = "green"
    if left == 0:
        label = _("due today")
    else:
        label = ngettext("%(days)d working day left", "%(days)d working days left", left) % {"days": left}
    return DeadlineStatus(due_at, left, colour, label)


def requests_to_remind(*, today: date, horizon: date) -> QuerySet[DataSubjectRequest]:
    """Open requests whose deadline runs (not paused), due by ``horizon`` (or overdue), not yet reminded ``today``.

    A request waiting for proof of identity is paused until the proof arrives; from then on it is staff's turn.
    """
    return DataSubjectRequest.objects.filter(
        state__in=OPEN_STATES,
        paused_since__isnull=True,
        due_on__lte=horizon,
    ).filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))


def officer_addresses() -> list[str]:
    """The e-mail addresses of the active privacy officers; the privacy address when there are none."""
    return [address for address, _language in officer_recipients()]


def officer_recipients() -> list[tuple[str, str]]:
    """(e-mail, language) of every active privacy officer; the privacy address, in Dutch, when there are none."""
    recipients = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=roles.PRIVACY_OFFICERS)
        .exclude(email="")
        .order_by("email")
        .values_list("email", "language")
        .distinct()
    )
    return list(recipients) or [(settings.PRIVACY_EMAIL, settings.LANGUAGE_CODE)]


def client_for_hosted_url(url: str) -> Client | None:
    """The client whose hosted website the URL is on (the controller of its data); None if we host no such site."""
    website = website_for_url(url) if url else None
    return website.client if website else None


def client_addresses(client: Client) -> list[str]:
    """Where a client's privacy mail goes: its contact address and those of its active portal contacts."""
    contacts = client.contacts.filter(user__is_active=True).values_list("user__email", flat=True)
    return list(dict.fromkeys(address.lower() for address in [client.contact_email, *contacts] if address))


def requests_by_deadline(queryset: QuerySet[DataSubjectRequest], which: str, *, now: datetime | None = None):
    """Open requests of ``queryset`` that are "overdue", due "soon" (the reminder's working days) or "paused"."""
    open_requests = queryset.filter(state__in=OPEN_STATES)
    if which == "paused":
        return open_requests.filter(paused_since__isnull=False)
    now = now or timezone.now()
    today = timezone.localdate(now)
    running = open_requests.filter(paused_since__isnull=True, due_on__isnull=False)
    if which == "overdue":
        return running.filter(due_on__lt=today)
    # Every day before the working day after the last one counted: a due date on a closing day counts too.
    beyond = add_working_days(now, settings.PRIVACY_REMINDER_WORKING_DAYS + 1).date()
    return running.filter(due_on__gte=today, due_on__lt=beyond)


def extension_possible(request: DataSubjectRequest, *, now: datetime | None = None) -> bool:
    """Whether staff may still extend: once, while open, up to the end of the first due date."""
    now = now or timezone.now()
    return (
        request.is_open
        and request.extension_months == 0
        and request.due_on is not None
        and now <= end_of_day(request.due_on)
    )


def first_due_on(request: DataSubjectRequest) -> date | None:
    """The due date before an extension, shown beside the extended one."""
    if not request.extension_months:
        return None
    return gdpr_due_date(request.received_at, paused_days=request.paused_days)
