"""Reads of the satisfaction app: the monthly CSAT, the distribution of scores and the CSV export.

Periods are whole days in Amsterdam time, both ends included, and months are Amsterdam months: an answer given at
00:30 on 1 February in Amsterdam (23:30 UTC on 31 January) counts for February.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, DateField, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from isimedia.spreadsheets import text_cell
from isimedia.workdays import AMSTERDAM

from .models import SATISFIED_SCORES, Feedback, Score

__all__ = [
    "MonthFigure",
    "csat_by_month",
    "feedback_csv_rows",
    "feedback_in_period",
    "score_distribution",
]


@dataclass(frozen=True)
class MonthFigure:
    """One month of the trend: how many answered, how many of them were satisfied (4 or 5), and the CSAT in %."""

    month: date  # the first day of the month
    answers: int
    satisfied: int
    csat: float | None  # satisfied / answers * 100, one decimal; None when nobody answered


def _csat(satisfied: int, answers: int) -> float | None:
    return round(satisfied / answers * 100, 1) if answers else None


def feedback_in_period(*, start: date, end: date) -> QuerySet[Feedback]:
    """Feedback given from the start of ``start`` to the end of ``end``, in Amsterdam time."""
    return Feedback.objects.filter(
        submitted_at__gte=datetime.combine(start, time.min, tzinfo=AMSTERDAM),
        submitted_at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=AMSTERDAM),
    )


def _months(start: date, end: date) -> list[date]:
    months = []
    month = start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def csat_by_month(*, start: date, end: date) -> list[MonthFigure]:
    """A figure for every month from ``start``'s to ``end``'s, also the months nobody answered, in one query."""
    if start > end:
        return []
    rows = (
        feedback_in_period(start=start, end=end)
        .annotate(month=TruncMonth("submitted_at", tzinfo=AMSTERDAM, output_field=DateField()))
        .values("month")
        .annotate(answers=Count("id"), satisfied=Count("id", filter=Q(score__in=SATISFIED_SCORES)))
        .order_by("month")
    )
    counts = {row["month"]: (row["answers"], row["satisfied"]) for row in rows}
    figures = []
    for month in _months(start, end):
        answers, satisfied = counts.get(month, (0, 0))
        figures.append(MonthFigure(month=month, answers=answers, satisfied=satisfied, csat=_csat(satisfied, answers)))
    return figures


def score_distribution(*, start: date, end: date) -> dict[int, int]:
    """How many answers gave each score, 1 to 5 (each always present), in the period; one query."""
    if start > end:
        return dict.fromkeys(Score.values, 0)
    counts = feedback_in_period(start=start, end=end).aggregate(
        **{f"score_{score}": Count("id", filter=Q(score=score)) for score in Score.values}
    )
    return {score: counts[f"score_{score}"] for score in Score.values}


# --- the CSV export --------------------------------------------------------------------------------------------


def feedback_csv_rows(queryset: QuerySet[Feedback]) -> list[list[str]]:
    """The feedback as CSV rows, a header first, in the queryset's order; times are Amsterdam local time."""
    header = [
        _("submitted"),
        _("score"),
        _("score in words"),
        _("what we should do better"),
        _("name"),
        _("e-mail address"),
        _("wants to be contacted"),
        _("follow-up"),
        _("language"),
    ]
    rows = [header]
    for feedback in queryset:
        rows.append(
            [
                text_cell(value)
                for value in [
                    timezone.localtime(feedback.submitted_at, AMSTERDAM).isoformat(timespec="seconds"),
                    feedback.score,
                    feedback.get_score_display(),
                    feedback.comment,
                    feedback.name,
                    feedback.email,
                    _("yes") if feedback.wants_contact else _("no"),
                    feedback.get_follow_up_display(),
                    feedback.get_language_display(),
                ]
            ]
        )
    return rows
