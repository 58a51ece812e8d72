"""Reads for the transparency report (DSA art. 15): notices of a period by category, source and outcome.

The counts and the median in hours are computed by the database; only the median in working days is counted in
Python, from one query for the notices' two moments and one for the company closing days in between.
"""

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
)
from django.utils.functional import Promise

from isimedia.models import ClosingDay
from isimedia.workdays import AMSTERDAM, is_public_holiday

from .models import OPEN_STATES, Category, Notice, NoticeEvent, SourceType, State

# The outcomes in which the content went offline: the client removed it, or ISI Media took it down.
ACTION_STATES = (State.RESOLVED_BY_CUSTOMER, State.TAKEN_DOWN)
# Final states first, in the order of the procedure, then the cases that are still open.
OUTCOME_ORDER = (
    State.REJECTED_INCOMPLETE,
    State.REJECTED_NOT_HOSTED,
    State.RESOLVED_BY_CUSTOMER,
    State.TAKEN_DOWN,
    State.REJECTED_NOT_UNLAWFUL,
    *OPEN_STATES,
)


class Median(Aggregate):
    """PostgreSQL's continuous median; NULL values (undecided notices) are left out by the database."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class EpochSeconds(Func):
    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


@dataclass(frozen=True)
class Row:
    code: str
    label: str | Promise
    notices: int
    # Notices of this row whose content went offline (removed by the client or taken down); categories only.
    actions: int | None = None
    is_open: bool = False


@dataclass(frozen=True)
class TransparencyReport:
    start: date
    end: date
    total: int
    by_category: list[Row]
    by_source: list[Row]
    by_outcome: list[Row]
    decided: int
    emergency_measures: int
    referrals: int
    median_hours: float | None
    median_working_days: float | None


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The first instant of ``start`` and the first instant after ``end``, in Amsterdam."""
    return (
        datetime.combine(start, time.min, tzinfo=AMSTERDAM),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=AMSTERDAM),
    )


def transparency_report(*, start: date, end: date) -> TransparencyReport:
    """Notices received from ``start`` to ``end`` (inclusive, Amsterdam dates) and what became of them."""
    since, until = period_bounds(start, end)
    notices = Notice.objects.filter(received_at__gte=since, received_at__lt=until).order_by()

    per_category = {
        row["category"]: row
        for row in notices.values("category").annotate(
            notices=Count("pk"), actions=Count("pk", filter=Q(state__in=ACTION_STATES))
        )
    }
    per_source = dict(notices.values("source_type").annotate(notices=Count("pk")).values_list("source_type", "notices"))
    per_state = dict(notices.values("state").annotate(notices=Count("pk")).values_list("state", "notices"))
    duration = ExpressionWrapper(F("decided_at") - F("received_at"), output_field=DurationField())
    emergency_measure = Exists(NoticeEvent.objects.filter(notice=OuterRef("pk"), transition="emergency_take_down"))
    totals = notices.annotate(emergency_measure=emergency_measure).aggregate(
        total=Count("pk"),
        decided=Count("pk", filter=Q(decided_at__isnull=False)),
        # The measure staff took as an emergency, not the complainant's emergency flag.
        emergency_measures=Count("pk", filter=Q(emergency_measure=True)),
        referrals=Count("pk", filter=Q(referred_at__isnull=False)),
        median_seconds=Median(EpochSeconds(duration)),
    )

    by_category = [
        Row(
            code=category.value,
            label=category.label,
            notices=per_category.get(category.value, {}).get("notices", 0),
            actions=per_category.get(category.value, {}).get("actions", 0),
        )
        for category in Category
    ]
    by_source = [
        Row(code=source.value, label=source.label, notices=per_source.get(source.value, 0)) for source in SourceType
    ]
    by_outcome = [
        Row(code=state.value, label=state.label, notices=per_state.get(state.value, 0), is_open=state in OPEN_STATES)
        for state in OUTCOME_ORDER
    ]
    median_seconds = totals["median_seconds"]
    return TransparencyReport(
        start=start,
        end=end,
        total=totals["total"],
        by_category=by_category,
        by_source=by_source,
        by_outcome=by_outcome,
        decided=totals["decided"],
        emergency_measures=totals["emergency_measures"],
        referrals=totals["referrals"],
        median_hours=None if median_seconds is None else round(median_seconds / 3600, 1),
        median_working_days=_median_working_days(notices) if totals["decided"] else None,
    )


def _median_working_days(notices) -> float | None:
    """The median of the working days from each notice to its outcome, as ``workdays.working_days_between`` counts."""
    moments = list(notices.filter(decided_at__isnull=False).values_list("received_at", "decided_at"))
    if not moments:
        return None
    first = min(received for received, _ in moments).astimezone(AMSTERDAM).date()
    last = max(decided for _, decided in moments).astimezone(AMSTERDAM).date()
    closed = set(ClosingDay.objects.filter(date__range=(first, last)).values_list("date", flat=True))
    return statistics.median(_working_days_between(received, decided, closed) for received, decided in moments)


def _working_days_between(start: datetime, end: datetime, closed: set[date]) -> int:
    # The same count as isimedia.workdays.working_days_between, with the closing days fetched once for all notices.
    first = start.astimezone(AMSTERDAM).date() + timedelta(days=1)
    last = end.astimezone(AMSTERDAM).date()
    days = (first + timedelta(days=offset) for offset in range((last - first).days + 1))
    return sum(1 for day in days if day.weekday() < 5 and not is_public_holiday(day) and day not in closed)


def csv_rows(report: TransparencyReport) -> list[list]:
    """The report as rows for a CSV file: section, code, label, notices, content offline."""
    rows: list[list] = [
        ["section", "code", "label", "notices", "content_offline"],
        ["period", "from", "", report.start.isoformat(), ""],
        ["period", "to", "", report.end.isoformat(), ""],
        ["total", "received", "", report.total, ""],
    ]
    rows += [["category", row.code, str(row.label), row.notices, row.actions] for row in report.by_category]
    rows += [["source", row.code, str(row.label), row.notices, ""] for row in report.by_source]
    rows += [["outcome", row.code, str(row.label), row.notices, ""] for row in report.by_outcome]
    rows += [
        ["total", "decided", "", report.decided, ""],
        ["total", "emergency_measures", "", report.emergency_measures, ""],
        ["total", "referrals", "", report.referrals, ""],
        ["median", "hours_to_outcome", "", _number(report.median_hours), ""],
        ["median", "working_days_to_outcome", "", _number(report.median_working_days), ""],
    ]
    return rows


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"
