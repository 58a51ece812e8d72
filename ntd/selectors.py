"""Reads of the NTD procedure: the queue, a case with everything around it, the links, the report."""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.expressions import OrderBy
from django.db.models.functions import Lower
from django.utils import timezone

from contracts.hosts import host_suffixes, normalise_host
from contracts.models import Client, Website
from contracts.selectors import client_contact_for_user
from isimedia import roles
from isimedia.tokens import token_hash, token_matches

from .models import (
    OPEN_STATES,
    REJECTED_STATES,
    ApiKey,
    Evidence,
    InternalNote,
    Notice,
    NoticeEvent,
    NoticeUrl,
    SourceType,
    State,
)

# A rejected notice may be filed again; the new one links to it.
REFILABLE_STATES = REJECTED_STATES

# Only these steps show the complainant their note: it is the reason the complainant was sent by e-mail. Other notes
# are the client's words or staff's, which the complainant does not see.
_NOTE_PUBLIC_STATES = frozenset({*REJECTED_STATES, State.TAKEN_DOWN})


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


@dataclass(frozen=True)
class PublicStep:
    """A step of a case as the complainant may see it: the event, and its note or "" when the note is not theirs."""

    event: NoticeEvent
    note: str


def public_steps(*, notice: Notice) -> list[PublicStep]:
    """The steps of a case the complainant sees, oldest first, each with the note only when it was sent to them."""
    return [
        PublicStep(event=event, note=event.note if event.to_state in _NOTE_PUBLIC_STATES else "")
        for event in notice.events.all()  # prefetched in order by notice_for_tracking_token
        # A step that changed nothing (a referral, say) is staff's business.
        if event.from_state != event.to_state
    ]


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


def notice_for_client_contact(*, user: AbstractBaseUser | AnonymousUser, reference: str) -> Notice | None:
    """A case about one of the websites of the user's client, by its reference; None for anyone else's."""
    contact = client_contact_for_user(user=user)
    if contact is None:
        return None
    return (
        notices_for_client(client=contact.client)
        .filter(reference=reference.strip().upper())
        .select_related("website__client", "customer_response")
        .prefetch_related(
            Prefetch("urls", queryset=NoticeUrl.objects.order_by("id")),
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "id")),
        )
        .first()
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


# --- the API ---------------------------------------------------------------------------------------------------


def api_key_for_key(*, key: str) -> ApiKey | None:
    """The active API key with this secret, found by its hash and compared in constant time; None for any other."""
    api_key = ApiKey.objects.filter(key_hash=token_hash(key), is_active=True).first()
    # The lookup is by hash; the comparison once more in constant time is cheap insurance.
    if api_key is None or not token_matches(key, api_key.key_hash):
        return None
    return api_key


def api_keys_with_notice_count(*, api_keys: QuerySet[ApiKey]) -> QuerySet[ApiKey]:
    """API keys, each with ``notice_count``: how many notices came in with it."""
    return api_keys.annotate(notice_count=Count("notices"))


# --- the staff queue and the case page -------------------------------------------------------------------------


def queue_priority() -> Case:
    """0: open emergencies and trusted flaggers' notices; 1: other open cases; 2: closed cases."""
    return Case(
        When(
            Q(state__in=OPEN_STATES) & (Q(is_emergency=True) | Q(source_type=SourceType.TRUSTED_FLAGGER)),
            then=Value(0),
        ),
        When(state__in=OPEN_STATES, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def queue_ordering() -> list[OrderBy]:
    """The queue's order: by priority, then nearest deadline, then longest waiting; closed cases newest first."""
    # Expressions rather than an annotation's name, so that any queryset of notices can be ordered by them.
    # Open cases without a deadline (new ones) oldest first; closed cases newest first.
    waiting_since = Case(When(state__in=OPEN_STATES, then=F("received_at")))
    return [
        queue_priority().asc(),
        F("next_deadline").asc(nulls_last=True),
        waiting_since.asc(nulls_last=True),
        F("received_at").desc(),
    ]


def notices_in_state(*, notices: QuerySet[Notice], state: str) -> QuerySet[Notice]:
    """Notices in one state, or all open or all closed ones ("open", "closed"); any other value keeps them all."""
    if state == "open":
        return notices.filter(state__in=OPEN_STATES)
    if state == "closed":
        return notices.exclude(state__in=OPEN_STATES)
    if state in State.values:
        return notices.filter(state=state)
    return notices


def notices_by_overdue(*, notices: QuerySet[Notice], overdue: bool, now: datetime | None = None) -> QuerySet[Notice]:
    """Notices whose next deadline has passed, or (overdue=False) those whose deadline has not or who have none."""
    now = now or timezone.now()
    if overdue:
        return notices.filter(next_deadline__lt=now)
    return notices.filter(Q(next_deadline__gte=now) | Q(next_deadline__isnull=True))


def notice_with_client(*, notice_id: int, notices: QuerySet[Notice] | None = None) -> Notice | None:
    """A case with its website, client and the client's answer, for a step taken on it; None if there is none."""
    notices = Notice.objects.all() if notices is None else notices
    return notices.select_related("website__client", "customer_response").filter(pk=notice_id).first()


def notice_for_case_page(*, notice_id: int, notices: QuerySet[Notice] | None = None) -> Notice | None:
    """A case with everything the case page shows, in one query each however long its history is."""
    notices = Notice.objects.all() if notices is None else notices
    return (
        notices.filter(pk=notice_id)
        .select_related("website__client", "api_key", "previous_notice", "customer_response", "statement_of_reasons")
        .prefetch_related(
            Prefetch("urls", queryset=NoticeUrl.objects.order_by("id")),
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "id")),
            Prefetch("events", queryset=NoticeEvent.objects.select_related("user").order_by("at", "id")),
            Prefetch(
                "internal_notes",
                queryset=InternalNote.objects.select_related("author").order_by("created_at", "id"),
            ),
            Prefetch("refiled_as", queryset=Notice.objects.order_by("received_at")),
        )
        .first()
    )


def evidence_of_notice(*, notice_id: int, evidence_id: int) -> Evidence | None:
    """One file of a case, of either party; None if the case has no such file."""
    return Evidence.objects.filter(pk=evidence_id, notice_id=notice_id).first()


def notice_hosting_check(*, notice: Notice) -> list[tuple[NoticeUrl, Website | None]]:
    """Each URL of a case with the website it belongs to now, as ``website_for_url`` finds it, in one query for all."""
    urls = list(notice.urls.all())  # in the order given (NoticeUrl's ordering), prefetched on the case page
    suffixes = {}
    for notice_url in urls:
        try:
            suffixes[notice_url.pk] = host_suffixes(normalise_host(notice_url.url))
        except ValidationError:
            suffixes[notice_url.pk] = []
    wanted = {host for hosts in suffixes.values() for host in hosts}
    websites = (
        {website.host: website for website in Website.objects.select_related("client").filter(host__in=wanted)}
        if wanted
        else {}
    )
    # host_suffixes lists the most specific host first, so the first match is the one website_for_url returns.
    return [
        (notice_url, next((websites[host] for host in suffixes[notice_url.pk] if host in websites), None))
        for notice_url in urls
    ]


def related_open_notices(
    *, notice: Notice, hosting: list[tuple[NoticeUrl, Website | None]], limit: int
) -> list[Notice]:
    """Other open cases about the same website or one of the same URLs; at most limit + 1, to tell if there are more."""
    urls = [notice_url for notice_url, _website in hosting]
    website_ids = {website.pk for _url, website in hosting if website} | {u.website_id for u in urls}
    if notice.website_id:
        website_ids.add(notice.website_id)
    website_ids.discard(None)
    same_url_or_site = NoticeUrl.objects.filter(notice=OuterRef("pk")).filter(
        Q(url__in=[u.url for u in urls]) | Q(website_id__in=website_ids)
    )
    return list(
        Notice.objects.filter(state__in=OPEN_STATES)
        .exclude(pk=notice.pk)
        .filter(Q(website_id__in=website_ids) | Exists(same_url_or_site))
        .select_related("website")
        .order_by(F("next_deadline").asc(nulls_last=True), "received_at")[: limit + 1]
    )


def notices_from_same_complainant(*, notice: Notice, limit: int) -> list[Notice]:
    """The complainant's other notices, newest first; at most limit + 1, to tell if there are more."""
    # Not complainant_email__iexact: on PostgreSQL that compares UPPER(...), which the index on
    # Lower("complainant_email") (ntd_notice_email_lower_idx) cannot serve.
    return list(
        Notice.objects.alias(complainant_email_lower=Lower("complainant_email"))
        .filter(complainant_email_lower=Lower(Value(notice.complainant_email)))
        .exclude(pk=notice.pk)
        .order_by("-received_at", "-id")[: limit + 1]
    )
