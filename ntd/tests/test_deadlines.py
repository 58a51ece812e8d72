"""The deadline sweep (beat task ``ntd.enforce_deadlines``): moves late cases once, reminds once a working day."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.tests.factories import ClientFactory, WebsiteFactory
from isimedia.models import OutboxMessage
from ntd import selectors, services, tasks
from ntd.models import Notice, NoticeEvent, State
from ntd.tests.factories import handler, make_case

AMS = ZoneInfo("Europe/Amsterdam")
COMPLAINANT = "marieke@fotografie.example"
HANDLERS = ["behandelaar@isimedia.example", "collega@isimedia.example"]


def ams(year, month, day, hour=12, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMS)


@pytest.fixture
def staff():
    first = handler(email=HANDLERS[0])
    handler(email=HANDLERS[1])
    return first


@pytest.fixture
def website():
    return WebsiteFactory(host="korenschoof.example", client=ClientFactory(contact_email="info@korenschoof.example"))


def awaiting(staff, website, count=1) -> list[Notice]:
    return [make_case("awaiting_customer", user=staff, website=website)[0] for _ in range(count)]


def assessing(staff, website, count=1) -> list[Notice]:
    return [make_case("under_assessment", user=staff, website=website)[0] for _ in range(count)]


def mails(template) -> list[str]:
    return sorted(OutboxMessage.objects.filter(template=template).values_list("to", flat=True))


def state_of(notice) -> str:
    return Notice.objects.values_list("state", flat=True).get(pk=notice.pk)


def run_at_once(count, function):
    """Run ``function`` in ``count`` threads that start together; returns their results."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(function())
        except Exception as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


# --- the task and its schedule ---------------------------------------------------------------------------------


def test_beat_runs_the_task_every_five_minutes():
    from isimedia.schedule import PERIODIC_TASKS

    (entry,) = [entry for entry in PERIODIC_TASKS if entry.task == "ntd.enforce_deadlines"]
    assert entry.every_seconds == 300
    assert tasks.enforce_deadlines.name == "ntd.enforce_deadlines"


@pytest.mark.django_db
def test_the_task_calls_the_service(staff, website):
    # Real time: the case forwarded now is not late yet, so the task changes nothing.
    notice = awaiting(staff, website)[0]
    assert tasks.enforce_deadlines.apply().get()["moved_to_assessment"] == 0
    assert state_of(notice) == State.AWAITING_CUSTOMER


# --- the client's deadline -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_cases_past_the_clients_deadline_move_to_assessment(staff, website):
    late, on_time = awaiting(staff, website, 2)
    Notice.objects.filter(pk=late.pk).update(
        customer_deadline=late.customer_deadline - timedelta(hours=2),
        next_deadline=late.customer_deadline - timedelta(hours=2),
    )
    answered = awaiting(staff, website)[0]
    services.notice_customer_removed(notice_id=answered.pk, text="Verwijderd.")
    OutboxMessage.objects.all().delete()

    now = on_time.customer_deadline - timedelta(hours=1)
    assert services.enforce_deadlines(now=now)["moved_to_assessment"] == 1

    assert state_of(late) == State.UNDER_ASSESSMENT
    assert state_of(on_time) == State.AWAITING_CUSTOMER
    assert state_of(answered) == State.RESOLVED_BY_CUSTOMER
    assert mails("ntd_assessment_started") == HANDLERS
    assert mails("ntd_under_assessment") == [COMPLAINANT]
    event = late.events.order_by("id").last()
    assert (event.actor, event.from_state, event.to_state) == (
        NoticeEvent.Actor.SYSTEM,
        State.AWAITING_CUSTOMER,
        State.UNDER_ASSESSMENT,
    )


@pytest.mark.django_db
def test_a_case_moves_at_its_deadline_not_a_minute_before(staff, website):
    (notice,) = awaiting(staff, website)
    assert services.enforce_deadlines(now=notice.customer_deadline - timedelta(minutes=1)) == {
        "moved_to_assessment": 0,
        "reminded": 0,
    }
    assert services.enforce_deadlines(now=notice.customer_deadline)["moved_to_assessment"] == 1
    assert state_of(notice) == State.UNDER_ASSESSMENT


@pytest.mark.django_db
def test_running_twice_moves_and_tells_once(staff, website):
    notices = awaiting(staff, website, 3)
    OutboxMessage.objects.all().delete()
    now = max(n.customer_deadline for n in notices) + timedelta(minutes=5)

    assert services.enforce_deadlines(now=now)["moved_to_assessment"] == 3
    assert services.enforce_deadlines(now=now)["moved_to_assessment"] == 0
    assert services.enforce_deadlines(now=now + timedelta(minutes=5))["moved_to_assessment"] == 0

    assert OutboxMessage.objects.filter(template="ntd_assessment_started").count() == 3 * len(HANDLERS)
    assert mails("ntd_under_assessment") == [COMPLAINANT] * 3
    for notice in notices:
        assert notice.events.filter(to_state=State.UNDER_ASSESSMENT).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_move_each_case_once_and_send_each_email_once(staff, website):
    notices = awaiting(staff, website, 6)
    OutboxMessage.objects.all().delete()
    now = max(n.customer_deadline for n in notices) + timedelta(minutes=5)

    results = run_at_once(2, lambda: services.enforce_deadlines(now=now))

    assert sum(result["moved_to_assessment"] for result in results) == 6
    for notice in notices:
        assert state_of(notice) == State.UNDER_ASSESSMENT
        assert notice.events.filter(to_state=State.UNDER_ASSESSMENT).count() == 1
    assert OutboxMessage.objects.filter(template="ntd_assessment_started").count() == 6 * len(HANDLERS)
    assert mails("ntd_under_assessment") == [COMPLAINANT] * 6


# --- overdue assessments ---------------------------------------------------------------------------------------

# Wednesday 25 November 2026 and the days around it; no holidays that week.
WEDNESDAY = ams(2026, 11, 25, 9)
THURSDAY = ams(2026, 11, 26, 9)
SATURDAY = ams(2026, 11, 28, 9)
MONDAY = ams(2026, 11, 30, 9)


def overdue(notices, *, by=WEDNESDAY - timedelta(days=1)):
    """Set the assessment deadline (to one before Wednesday 25 November 2026 unless ``by`` says otherwise)."""
    Notice.objects.filter(pk__in=[n.pk for n in notices]).update(assessment_deadline=by, next_deadline=by)


def reminders() -> list[tuple[str, str]]:
    return sorted(OutboxMessage.objects.filter(template="ntd_assessment_overdue").values_list("to", "body_text"))


@pytest.mark.django_db
def test_handlers_get_one_reminder_a_working_day_listing_the_overdue_assessments(staff, website):
    late_one, late_two, in_time = assessing(staff, website, 3)
    overdue([late_one, late_two])
    overdue([in_time], by=MONDAY + timedelta(days=30))
    OutboxMessage.objects.all().delete()

    assert services.enforce_deadlines(now=WEDNESDAY)["reminded"] == 2
    sent = reminders()
    assert [to for to, _ in sent] == HANDLERS
    for _, body in sent:
        assert late_one.reference in body and late_two.reference in body
        assert in_time.reference not in body

    # Later the same day: nothing new. The next working day: again.
    assert services.enforce_deadlines(now=WEDNESDAY + timedelta(hours=6))["reminded"] == 0
    assert len(reminders()) == len(HANDLERS)
    assert services.enforce_deadlines(now=THURSDAY)["reminded"] == 2
    assert len(reminders()) == 2 * len(HANDLERS)

    # No reminders at the weekend; on Monday the handlers hear again.
    assert services.enforce_deadlines(now=SATURDAY)["reminded"] == 0
    assert len(reminders()) == 2 * len(HANDLERS)
    assert services.enforce_deadlines(now=MONDAY)["reminded"] == 2
    assert len(reminders()) == 3 * len(HANDLERS)

    # The state does not change: the handlers decide.
    assert state_of(late_one) == state_of(late_two) == State.UNDER_ASSESSMENT


@pytest.mark.django_db
def test_a_case_that_becomes_overdue_later_that_day_gets_its_own_reminder(staff, website):
    first, second = assessing(staff, website, 2)
    overdue([first])
    overdue([second], by=WEDNESDAY + timedelta(hours=8))
    OutboxMessage.objects.all().delete()

    assert services.enforce_deadlines(now=WEDNESDAY)["reminded"] == 1
    assert services.enforce_deadlines(now=WEDNESDAY + timedelta(hours=8, minutes=5))["reminded"] == 1
    sent = reminders()
    assert len(sent) == 2 * len(HANDLERS)
    assert sum(second.reference in body for _, body in sent) == len(HANDLERS)
    assert sum(first.reference in body for _, body in sent) == len(HANDLERS)


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_remind_each_case_once(staff, website):
    notices = assessing(staff, website, 4)
    overdue(notices)
    OutboxMessage.objects.all().delete()

    results = run_at_once(2, lambda: services.enforce_deadlines(now=WEDNESDAY))

    assert sum(result["reminded"] for result in results) == 4
    for notice in notices:
        assert sum(notice.reference in body for _, body in reminders()) == len(HANDLERS)


@pytest.mark.django_db(transaction=True)
def test_a_run_that_reads_the_overdue_list_just_before_another_commits_does_not_remind_again(
    staff, website, monkeypatch
):
    notices = assessing(staff, website, 2)
    overdue(notices)
    OutboxMessage.objects.all().delete()

    # The slow run reads the overdue list, then (only the clock is slowed here) waits until the fast run is done.
    read_list, fast_done = threading.Event(), threading.Event()
    original = selectors.overdue_assessment_ids

    def slowly(**kwargs):
        ids = original(**kwargs)
        if threading.current_thread().name == "slow":
            read_list.set()
            fast_done.wait(timeout=10)
        return ids

    monkeypatch.setattr(selectors, "overdue_assessment_ids", slowly)
    results = {}

    def run(name):
        try:
            if name == "fast":
                read_list.wait(timeout=10)
            results[name] = services.enforce_deadlines(now=WEDNESDAY)
        finally:
            if name == "fast":
                fast_done.set()
            connection.close()

    threads = [threading.Thread(target=run, args=(name,), name=name) for name in ("slow", "fast")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert results["fast"]["reminded"] + results["slow"]["reminded"] == 2
    assert len(reminders()) == len(HANDLERS)


# --- cost ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_sweep_with_nothing_due_costs_a_few_queries_however_many_cases_are_open(staff, website):
    counts = []
    for total in (5, 50):
        existing = Notice.objects.filter(state__in=[State.AWAITING_CUSTOMER, State.UNDER_ASSESSMENT]).count()
        half = (total - existing) // 2
        awaiting(staff, website, half)
        assessing(staff, website, total - existing - half)
        assert Notice.objects.filter(state__in=[State.AWAITING_CUSTOMER, State.UNDER_ASSESSMENT]).count() == total
        # Just before the first deadline: a working day (deadlines are 17:00 on one), so reminders are looked for too.
        first_deadline = Notice.objects.order_by("next_deadline").values_list("next_deadline", flat=True).first()
        with CaptureQueriesContext(connection) as queries:
            result = services.enforce_deadlines(now=first_deadline - timedelta(minutes=1))
        assert result == {"moved_to_assessment": 0, "reminded": 0}
        # The test runs in a transaction, so the service's atomic block adds SAVEPOINT statements beat never sends.
        counts.append(sum(q["sql"].split()[0] not in ("SAVEPOINT", "RELEASE") for q in queries.captured_queries))
    assert counts[0] == counts[1] <= 4, counts


@pytest.mark.django_db
def test_a_sweep_with_cases_due_costs_the_same_however_many_cases_are_open_and_a_few_queries_a_case(staff, website):
    def due_sweep_queries(total_open: int) -> int:
        due = awaiting(staff, website, 3)
        existing = Notice.objects.filter(state__in=[State.AWAITING_CUSTOMER, State.UNDER_ASSESSMENT]).count()
        assessing(staff, website, total_open - existing)
        # Far enough ahead that every waiting case is late: all of them are due, the assessments are not yet.
        now = max(n.customer_deadline for n in due) + timedelta(minutes=1)
        Notice.objects.filter(state=State.AWAITING_CUSTOMER).exclude(pk__in=[n.pk for n in due]).update(
            customer_deadline=now + timedelta(days=30), next_deadline=now + timedelta(days=30)
        )
        Notice.objects.filter(state=State.UNDER_ASSESSMENT).update(next_deadline=now + timedelta(days=30))
        with CaptureQueriesContext(connection) as queries:
            result = services.enforce_deadlines(now=now)
        assert result["moved_to_assessment"] == 3
        return sum(q["sql"].split()[0] not in ("SAVEPOINT", "RELEASE") for q in queries.captured_queries)

    few, many = due_sweep_queries(5), due_sweep_queries(40)
    # The handlers and the closing days are read once a run, not once a case; each case is locked once, and its
    # handlers' e-mails are written in one query (bench/data_scale.py: 15 queries a case before, 9 now).
    assert few == many <= 6 + 3 * 7, (few, many)
