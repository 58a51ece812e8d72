"""seed_demo gives the trend chart a year to show and the follow-up a few recent cases, and can run twice."""

from datetime import date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from isimedia.demo import seed_staff
from isimedia.models import OutboxMessage
from satisfaction import demo, selectors
from satisfaction.models import Feedback, FeedbackEvent, FollowUp

AMS = ZoneInfo("Europe/Amsterdam")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _staff():
    seed_staff()


def year_figures(today: date):
    """The figures of the month of ``today`` and the eleven before it."""
    year, month = divmod(today.year * 12 + today.month - 1 - 11, 12)
    return selectors.csat_by_month(start=date(year, month + 1, 1), end=today)


def test_a_year_of_feedback_with_a_rising_csat_and_recent_follow_up_twice_without_duplicates():
    now = timezone.now()
    demo.seed_demo(now=now)
    count = Feedback.objects.count()
    demo.seed_demo(now=now + timedelta(hours=1))
    assert Feedback.objects.count() == count

    figures = year_figures(timezone.localdate(now))
    assert len(figures) == demo.MONTHS
    assert all(25 <= figure.answers <= 60 for figure in figures[:-1])
    assert figures[-1].answers >= 5
    assert sum(figure.answers for figure in figures) == count
    # A believable trend: about 70% a year ago, about 85% last month, never falling far on the way.
    assert 65 <= figures[0].csat <= 76 and 80 <= figures[-2].csat <= 90
    assert all(b.csat >= a.csat - 5 for a, b in pairwise(figures[:-1]))

    feedback = Feedback.objects.all()
    assert all(item.submitted_at <= now for item in feedback)
    assert {item.language for item in feedback} == {"nl", "en"}
    assert feedback.exclude(comment="").count() > count // 4
    assert all(item.email.endswith(demo.MARKER_DOMAIN) for item in feedback.exclude(email=""))
    assert feedback.filter(wants_contact=True).exists() and feedback.filter(score__lte=2).exists()
    # Demo data e-mails nobody.
    assert not OutboxMessage.objects.exists()

    # The last two weeks: low scores new, contacted and closed, handled by the contract manager.
    recent = feedback.filter(submitted_at__gte=now - timedelta(days=demo.RECENT_DAYS), score__lte=2)
    assert {FollowUp.NEW, FollowUp.CONTACTED, FollowUp.CLOSED} <= set(recent.values_list("follow_up", flat=True))
    # Every step is the contract manager's, in order, after the answer, and the state matches the last step.
    events = FeedbackEvent.objects.select_related("feedback", "user")
    assert {event.user.email for event in events} == {"contracten@demo.isimedia.nl"}
    for item in feedback.exclude(follow_up=FollowUp.NEW).prefetch_related("events"):
        steps = list(item.events.all())
        assert steps and steps[-1].to_state == item.follow_up
        assert steps[0].from_state == FollowUp.NEW
        assert all(item.submitted_at < step.at <= now for step in steps)
        assert item.follow_up_changed_at == steps[-1].at
    # What needed attention more than two weeks ago has been dealt with.
    old = feedback.filter(submitted_at__lt=now - timedelta(days=demo.RECENT_DAYS))
    assert not [item for item in old if item.needs_attention and item.follow_up != FollowUp.CLOSED]


@pytest.mark.parametrize(
    "now",
    [
        datetime(2027, 3, 1, 0, 10, tzinfo=AMS),  # minutes into a month
        datetime(2026, 10, 25, 2, 30, tzinfo=AMS) + timedelta(hours=1),  # the night summer time ends
        datetime(2026, 12, 31, 23, 59, tzinfo=AMS),  # the last minute of a year
    ],
)
def test_the_demo_year_is_complete_whenever_it_is_seeded(now):
    demo.seed_demo(now=now)
    figures = year_figures(timezone.localdate(now))
    assert len(figures) == 12
    assert all(figure.answers for figure in figures)
    assert Feedback.objects.filter(submitted_at__gt=now).count() == 0
    assert not FeedbackEvent.objects.filter(at__gt=now).exists()


def test_the_same_seed_tells_the_same_story():
    now = datetime(2026, 6, 15, 12, 0, tzinfo=AMS)
    demo.seed_demo(now=now)
    first = list(Feedback.objects.order_by("submitted_at", "id").values_list("score", "comment", "submitted_at"))
    Feedback.objects.all().delete()
    demo.seed_demo(now=now)
    assert (
        list(Feedback.objects.order_by("submitted_at", "id").values_list("score", "comment", "submitted_at")) == first
    )
