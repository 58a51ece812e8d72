"""seed_demo gives staff a living NTD queue: every state, deadlines near and past, and can run twice."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from isimedia.workdays import add_working_days
from ntd.demo import MARKER_DOMAIN
from ntd.models import ApiKey, Notice, NoticeEvent, SourceType, State, StatementOfReasons


@pytest.mark.django_db
def test_seed_demo_twice_gives_cases_in_every_state_without_duplicates():
    call_command("seed_demo")
    first = sorted(Notice.objects.values_list("reference", flat=True))
    call_command("seed_demo")

    notices = Notice.objects.select_related("website")
    assert sorted(notices.values_list("reference", flat=True)) == first
    assert ApiKey.objects.count() == 1
    assert all(notice.complainant_email.endswith(MARKER_DOMAIN) for notice in notices)
    assert {notice.state for notice in notices} == set(State.values)

    now = timezone.now()
    waiting = [n for n in notices if n.state == State.AWAITING_CUSTOMER]
    assessing = [n for n in notices if n.state == State.UNDER_ASSESSMENT]
    # Some deadlines are past (the beat or a handler must act), some still ahead.
    assert any(n.next_deadline < now for n in waiting) and any(n.next_deadline > now for n in waiting)
    assert any(n.next_deadline < now for n in assessing) and any(n.next_deadline > now for n in assessing)
    # The deadlines were worked out from the moments the cases were moved back to, as the services do.
    for notice in waiting:
        assert notice.customer_deadline == add_working_days(notice.forwarded_at, 2) == notice.next_deadline
        assert notice.forwarded_at <= now and notice.received_at <= notice.forwarded_at
    for notice in assessing:
        assert notice.assessment_deadline == add_working_days(notice.assessment_started_at, 2)

    assert notices.filter(is_emergency=True, state=State.TAKEN_DOWN).exclude(referred_to="").exists()
    assert notices.filter(is_emergency=True, state=State.RECEIVED).exists()
    assert notices.filter(source_type=SourceType.TRUSTED_FLAGGER, api_key__trusted_flagger=True).exists()
    assert notices.filter(previous_notice__state=State.REJECTED_INCOMPLETE).exists()
    assert StatementOfReasons.objects.count() == notices.filter(state=State.TAKEN_DOWN).count()

    # Each case's timeline runs forward, and nothing happened in the future.
    for notice in notices:
        moments = list(NoticeEvent.objects.filter(notice=notice).order_by("id").values_list("at", flat=True))
        assert moments == sorted(moments) and moments[-1] <= now and moments[0] == notice.received_at, notice
        assert notice.website is not None or notice.state in (
            State.RECEIVED,
            State.REJECTED_INCOMPLETE,
            State.REJECTED_NOT_HOSTED,
        )
