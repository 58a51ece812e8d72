"""Reads of the staff dashboard (the admin's start page): what is due, what failed, which breach clocks run, and the
monthly figures of its charts.

Every function takes the moment (``now``) or the months it reports on, so a test can put it anywhere in the calendar.
Each one is a fixed number of queries however many cases there are; working days come from ``isimedia.workdays``,
so a page that calls several of them reads the closing days once inside ``workdays.closing_days_loaded()``.
Months are Amsterdam months: a notice received at 00:30 on 1 March in Amsterdam counts for March.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Case, CharField, Count, DateField, F, Q, QuerySet, Value, When, Window
from django.db.models.functions import Coalesce, RowNumber, TruncDate, TruncMonth

from isimedia.models import OutboxMessage
from isimedia.workdays import AMSTERDAM, add_working_days
from ntd.models import OPEN_STATES as NTD_OPEN_STATES
from ntd.models import Notice
from ntd.models import State as NoticeState
from privacy.models import CLOSED_STATES as PRIVACY_CLOSED_STATES
from privacy.models import OPEN_STATES as PRIVACY_OPEN_STATES
from privacy.models import Breach, DataSubjectRequest
from privacy.selectors import BreachClock, breach_clock, breaches_with_counts

# "Due soon" means by the end of the second working day after today.
DUE_SOON_WORKING_DAYS = 2
# How many cases each group lists; the rest are counted, with a link to the filtered list.
LIST_LIMIT = 8
MONTHS = 12


# --- what is due -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueGroup:
    """The cases of one group ("overdue", "today" or "soon"): how many there are, and the first ``LIST_LIMIT``."""

    key: str
    count: int
    items: list = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.items)


@dataclass(frozen=True)
class Due:
    """Open cases by their deadline: past it, due later today, due by the end of the second working day after today."""

    today: date
    horizon: date  # the last day counted as "soon"
    groups: tuple[DueGroup, DueGroup, DueGroup]

    @property
    def count(self) -> int:
        return sum(group.count for group in self.groups)

    def group(self, key: str) -> DueGroup:
        return next(group for group in self.groups if group.key == key)


def due_window(now: datetime) -> tuple[date, date]:
    """Today in Amsterdam, and the second working day after it: the last day whose deadlines are "due soon"."""
    return now.astimezone(AMSTERDAM).date(), add_working_days(now, DUE_SOON_WORKING_DAYS).date()


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=AMSTERDAM)


def _grouped(queryset: QuerySet, group: Case, order_by: list, *, today: date, horizon: date, limit: int) -> Due:
    """The rows of ``queryset`` in their groups, at most ``limit`` of each, with each group's count: one query."""
    rows = (
        queryset.annotate(due_group=group)
        .annotate(
            due_rank=Window(RowNumber(), partition_by=[F("due_group")], order_by=order_by),
            due_count=Window(Count("pk"), partition_by=[F("due_group")]),
        )
        .filter(due_rank__lte=limit)
        .order_by("due_rank")
    )
    items: dict[str, list] = {"overdue": [], "today": [], "soon": []}
    counts = dict.fromkeys(items, 0)
    for row in rows:
        items[row.due_group].append(row)
        counts[row.due_group] = row.due_count
    return Due(
        today=today,
        horizon=horizon,
        groups=tuple(DueGroup(key, counts[key], items[key]) for key in items),
    )


def _due_group(*, overdue: Q, today: Q) -> Case:
    return Case(
        When(overdue, then=Value("overdue")),
        When(today, then=Value("today")),
        default=Value("soon"),
        output_field=CharField(),
    )


def ntd_due(*, now: datetime, limit: int = LIST_LIMIT) -> Due:
    """Open NTD cases whose next deadline has passed, falls later today, or by the second working day after today."""
    today, horizon = due_window(now)
    notices = Notice.objects.filter(
        state__in=NTD_OPEN_STATES, next_deadline__lt=_start_of(horizon + timedelta(days=1))
    ).select_related("website__client")
    group = _due_group(
        overdue=Q(next_deadline__lt=now), today=Q(next_deadline__lt=_start_of(today + timedelta(days=1)))
    )
    return _grouped(
        notices, group, [F("next_deadline").asc(), F("pk").asc()], today=today, horizon=horizon, limit=limit
    )


def privacy_due(*, now: datetime, limit: int = LIST_LIMIT) -> Due:
    """Open requests whose deadline runs (not paused for proof of identity) and that are overdue (the due day has
    ended, as ``privacy.selectors.requests_by_deadline`` counts it), due today, or by the second working day after."""
    today, horizon = due_window(now)
    requests = DataSubjectRequest.objects.filter(
        state__in=PRIVACY_OPEN_STATES, paused_since__isnull=True, due_on__isnull=False, due_on__lte=horizon
    )
    group = _due_group(overdue=Q(due_on__lt=today), today=Q(due_on=today))
    return _grouped(
        requests,
        group,
        [F("due_on").asc(), F("received_at").asc(), F("pk").asc()],
        today=today,
        horizon=horizon,
        limit=limit,
    )


def breaches_on_the_clock(*, now: datetime, limit: int = LIST_LIMIT * 3) -> list[tuple[Breach, BreachClock]]:
    """Breaches whose 72-hour clock runs (see ``privacy.selectors.breach_clock``), oldest discovery first; one query."""
    breaches = (
        breaches_with_counts(Breach.objects.filter(closed_at__isnull=True))
        # The clock stops once every affected client was told, or, with none affected, once the AP was.
        .exclude(Q(affected_count__gt=0, notified_count__gte=F("affected_count")))
        .exclude(Q(affected_count=0, authority_notified_at__isnull=False))
        .order_by("discovered_at", "pk")[:limit]
    )
    clocks = [(breach, breach_clock(breach, now)) for breach in breaches]
    return [(breach, clock) for breach, clock in clocks if clock.running]


@dataclass(frozen=True)
class FailedEmails:
    count: int
    items: list

    @property
    def more(self) -> int:
        return self.count - len(self.items)


def failed_emails(*, messages: QuerySet[OutboxMessage], limit: int = LIST_LIMIT) -> FailedEmails:
    """The failed e-mails of ``messages`` (those the user may see in the outbox), last attempt first; one query."""
    rows = list(
        messages.filter(status=OutboxMessage.Status.FAILED)
        .annotate(failed_count=Window(Count("pk")))
        .order_by(F("last_attempt_at").desc(nulls_last=True), "-pk")[:limit]
    )
    return FailedEmails(count=rows[0].failed_count if rows else 0, items=rows)


# --- the monthly figures ---------------------------------------------------------------------------------------


def last_months(today: date, count: int = MONTHS) -> list[date]:
    """The first days of the ``count`` months up to and including today's, oldest first."""
    months = [today.replace(day=1)]
    while len(months) < count:
        months.insert(0, (months[0] - timedelta(days=1)).replace(day=1))
    return months


def _period(months: list[date]) -> tuple[datetime, datetime]:
    """The first instant of the first month and the first instant after the last one, in Amsterdam."""
    after = (months[-1] + timedelta(days=32)).replace(day=1)
    return _start_of(months[0]), _start_of(after)


def _month(field_name: str) -> TruncMonth:
    return TruncMonth(field_name, tzinfo=AMSTERDAM, output_field=DateField())


@dataclass(frozen=True)
class Outcome:
    key: str
    states: tuple[str, ...]


# The outcomes of the notices chart, bottom of the stack first; the open ones on top, as they may still change.
NTD_OUTCOMES = (
    Outcome("resolved", (NoticeState.RESOLVED_BY_CUSTOMER,)),
    Outcome("taken_down", (NoticeState.TAKEN_DOWN,)),
    Outcome("not_unlawful", (NoticeState.REJECTED_NOT_UNLAWFUL,)),
    Outcome("rejected", (NoticeState.REJECTED_INCOMPLETE, NoticeState.REJECTED_NOT_HOSTED)),
    Outcome("open", tuple(NTD_OPEN_STATES)),
)


@dataclass(frozen=True)
class OutcomeMonth:
    month: date
    counts: dict[str, int]  # by outcome key, every key present

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def ntd_outcomes_by_month(*, months: list[date]) -> list[OutcomeMonth]:
    """Notices received in each month, by what became of them so far (``NTD_OUTCOMES``); one query."""
    since, until = _period(months)
    rows = (
        Notice.objects.filter(received_at__gte=since, received_at__lt=until)
        .annotate(month=_month("received_at"))
        .values("month", "state")
        .annotate(notices=Count("pk"))
        .order_by()
    )
    outcome_of = {state: outcome.key for outcome in NTD_OUTCOMES for state in outcome.states}
    counts = {month: dict.fromkeys((outcome.key for outcome in NTD_OUTCOMES), 0) for month in months}
    for row in rows:
        counts[row["month"]][outcome_of[row["state"]]] += row["notices"]
    return [OutcomeMonth(month=month, counts=counts[month]) for month in months]


@dataclass(frozen=True)
class InTimeMonth:
    """Of the cases closed in a month that had a deadline: how many, and how many by that deadline."""

    month: date
    closed: int
    in_time: int

    @property
    def late(self) -> int:
        return self.closed - self.in_time

    @property
    def share(self) -> float | None:
        """The share closed in time, in %, one decimal; None when nothing was closed."""
        return round(self.in_time / self.closed * 100, 1) if self.closed else None


def _in_time_months(months: list[date], rows) -> list[InTimeMonth]:
    by_month = {row["month"]: (row["closed"], row["in_time"]) for row in rows}
    return [InTimeMonth(month, *by_month.get(month, (0, 0))) for month in months]


def ntd_decisions_in_time_by_month(*, months: list[date]) -> list[InTimeMonth]:
    """NTD cases decided in each month against the deadline that ran when they were decided; one query.

    That is the assessment deadline (2 working days from the start of ISI Media's assessment) for a case that was
    being assessed, and otherwise the client's (2 working days from forwarding). A notice decided before it was
    forwarded (rejected as incomplete or not hosted, or taken down at once in an emergency) had no deadline yet and is
    not counted.
    """
    since, until = _period(months)
    rows = (
        Notice.objects.filter(decided_at__gte=since, decided_at__lt=until)
        .alias(deadline=Coalesce("assessment_deadline", "customer_deadline"))
        .filter(deadline__isnull=False)
        .annotate(month=_month("decided_at"))
        .values("month")
        .annotate(closed=Count("pk"), in_time=Count("pk", filter=Q(decided_at__lte=F("deadline"))))
        .order_by()
    )
    return _in_time_months(months, rows)


def privacy_answered_in_time_by_month(*, months: list[date]) -> list[InTimeMonth]:
    """Data-subject requests answered (completed, refused or forwarded) in each month, and how many of them by the
    end of their due day (the extended one, if extended); one query."""
    since, until = _period(months)
    rows = (
        DataSubjectRequest.objects.filter(
            state__in=PRIVACY_CLOSED_STATES, closed_at__gte=since, closed_at__lt=until, due_on__isnull=False
        )
        .alias(closed_on=TruncDate("closed_at", tzinfo=AMSTERDAM))
        .annotate(month=_month("closed_at"))
        .values("month")
        .annotate(closed=Count("pk"), in_time=Count("pk", filter=Q(closed_on__lte=F("due_on"))))
        .order_by()
    )
    return _in_time_months(months, rows)
