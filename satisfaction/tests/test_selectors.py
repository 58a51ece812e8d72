"""The trend figures for a known set of answers, the distribution of scores, and the CSV export."""

import csv
import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from satisfaction import selectors
from satisfaction.models import Feedback, FollowUp
from satisfaction.selectors import MonthFigure
from satisfaction.tests.factories import FeedbackFactory

AMS = ZoneInfo("Europe/Amsterdam")

pytestmark = pytest.mark.django_db


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def answers():
    """Answers around the month boundaries, as UTC moments (Amsterdam is UTC+1 in winter, UTC+2 in summer)."""
    for score, moment in [
        # December 2025 in Amsterdam: the very first minute of the period and the last of December.
        (5, utc(2025, 11, 30, 23, 0)),  # 1 December 00:00 in Amsterdam
        (2, utc(2025, 12, 31, 22, 59)),  # 31 December 23:59
        # January 2026: three answers, two satisfied.
        (4, utc(2025, 12, 31, 23, 0)),  # 1 January 00:00 in Amsterdam, though still 2025 in UTC
        (3, utc(2026, 1, 15, 12, 0)),
        (5, utc(2026, 1, 31, 22, 59)),  # 31 January 23:59
        # February: 23:30 UTC on 31 January is 00:30 on 1 February in Amsterdam.
        (1, utc(2026, 1, 31, 23, 30)),
        # March: nobody answered. April: summer time, 22:30 UTC on 30 April is 00:30 on 1 May.
        (4, utc(2026, 4, 10, 9, 0)),
        (1, utc(2026, 4, 30, 22, 30)),
        # Outside the period (before 1 December and after 31 May in Amsterdam).
        (1, utc(2025, 11, 30, 22, 59)),
        (1, utc(2026, 5, 31, 22, 0)),
    ]:
        FeedbackFactory(score=score, submitted_at=moment)


def test_every_month_in_the_period_has_its_figure_in_amsterdam_time(answers, django_assert_num_queries):
    with django_assert_num_queries(1):
        figures = selectors.csat_by_month(start=date(2025, 12, 1), end=date(2026, 5, 31))

    assert figures == [
        MonthFigure(month=date(2025, 12, 1), answers=2, satisfied=1, csat=50.0),
        MonthFigure(month=date(2026, 1, 1), answers=3, satisfied=2, csat=66.7),
        MonthFigure(month=date(2026, 2, 1), answers=1, satisfied=0, csat=0.0),
        MonthFigure(month=date(2026, 3, 1), answers=0, satisfied=0, csat=None),
        MonthFigure(month=date(2026, 4, 1), answers=1, satisfied=1, csat=100.0),
        MonthFigure(month=date(2026, 5, 1), answers=1, satisfied=0, csat=0.0),
    ]


def test_the_period_runs_from_the_first_to_the_last_day_inclusive_even_within_a_month(answers):
    # 15 January to 31 January: the answer of 1 January at 00:00 is outside, the two later ones inside.
    assert selectors.csat_by_month(start=date(2026, 1, 15), end=date(2026, 1, 31)) == [
        MonthFigure(month=date(2026, 1, 1), answers=2, satisfied=1, csat=50.0)
    ]
    # A period across a year end lists the months in order.
    assert [f.month for f in selectors.csat_by_month(start=date(2025, 11, 20), end=date(2026, 2, 3))] == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


def test_an_empty_or_reversed_period():
    assert selectors.csat_by_month(start=date(2026, 1, 1), end=date(2026, 2, 28)) == [
        MonthFigure(month=date(2026, 1, 1), answers=0, satisfied=0, csat=None),
        MonthFigure(month=date(2026, 2, 1), answers=0, satisfied=0, csat=None),
    ]
    assert selectors.csat_by_month(start=date(2026, 3, 1), end=date(2026, 2, 1)) == []
    assert selectors.score_distribution(start=date(2026, 3, 1), end=date(2026, 2, 1)) == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}


def test_the_distribution_counts_each_score_in_the_period_with_every_score_present(answers, django_assert_num_queries):
    with django_assert_num_queries(1):
        distribution = selectors.score_distribution(start=date(2025, 12, 1), end=date(2026, 5, 31))
    assert distribution == {1: 2, 2: 1, 3: 1, 4: 2, 5: 2}

    # February alone, in Amsterdam time: only the answer of 00:30 on 1 February.
    assert selectors.score_distribution(start=date(2026, 2, 1), end=date(2026, 2, 28)) == {
        1: 1,
        2: 0,
        3: 0,
        4: 0,
        5: 0,
    }
    assert list(selectors.score_distribution(start=date(2026, 3, 1), end=date(2026, 3, 31))) == [1, 2, 3, 4, 5]


def test_the_csv_has_a_header_and_a_row_per_answer_in_amsterdam_time(django_assert_num_queries):
    FeedbackFactory(
        score=1,
        comment="Site lag plat; bel me, a.u.b.",
        name="Bakker & Zn",
        email="info@bakker.example",
        wants_contact=True,
        language="nl",
        follow_up=FollowUp.CONTACTED,
        submitted_at=utc(2026, 1, 31, 23, 30),
    )
    FeedbackFactory(score=5, comment="", language="en", submitted_at=utc(2026, 7, 1, 8, 0))

    with translation.override("en"), django_assert_num_queries(1):
        rows = selectors.feedback_csv_rows(Feedback.objects.order_by("submitted_at"))

    assert rows == [
        [
            "submitted",
            "score",
            "score in words",
            "what we should do better",
            "name",
            "e-mail address",
            "wants to be contacted",
            "follow-up",
            "language",
        ],
        [
            "2026-02-01T00:30:00+01:00",
            "1",
            "very dissatisfied",
            "Site lag plat; bel me, a.u.b.",
            "Bakker & Zn",
            "info@bakker.example",
            "yes",
            "contacted",
            "Nederlands",
        ],
        ["2026-07-01T10:00:00+02:00", "5", "very satisfied", "", "", "", "no", "new", "English"],
    ]
    # Written as CSV, the comment with its separator stays one cell.
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    assert list(csv.reader(io.StringIO(buffer.getvalue()))) == rows


@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil.example")', "+31 70 123", "-1", "@SUM(A1)", "\tx"])
def test_the_csv_never_holds_a_formula_whatever_a_visitor_typed(text):
    FeedbackFactory(comment=text, name=text)
    [_header, row] = selectors.feedback_csv_rows(Feedback.objects.all())
    assert row[3] == "'" + text
    assert row[4] == "'" + text


def test_the_csv_follows_the_order_and_filter_of_the_queryset():
    old = FeedbackFactory(score=2, submitted_at=utc(2026, 1, 1, 12, 0))
    new = FeedbackFactory(score=3, submitted_at=utc(2026, 2, 1, 12, 0))
    FeedbackFactory(score=5)
    rows = selectors.feedback_csv_rows(Feedback.objects.filter(pk__in=[old.pk, new.pk]))  # newest first by default
    assert [row[1] for row in rows[1:]] == ["3", "2"]
