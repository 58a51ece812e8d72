"""The legal deadline of a request: one month, one extension of up to two months, pauses, and the daily reminder."""

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from isimedia.models import ClosingDay, OutboxMessage
from isimedia.workdays import end_of_day, gdpr_due_date
from privacy import services
from privacy.errors import PrivacyError
from privacy.models import DataSubjectRequest, State
from privacy.tests.factories import (
    AwaitingIdentityRequestFactory,
    CompletedRequestFactory,
    ConfirmedRequestFactory,
    OfficerFactory,
    RequestFactory,
)

AMS = ZoneInfo("Europe/Amsterdam")
# Thursday 5 March 2026: one month ends on Sunday 5 April (Easter), rolled past Easter Monday to Tuesday 7 April.
RECEIVED = datetime(2026, 3, 5, 10, 0, tzinfo=AMS)
FIRST_DUE = date(2026, 4, 7)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return OfficerFactory(email="officer@isimedia.example")


def received_request(**overrides):
    return ConfirmedRequestFactory(received_at=RECEIVED, **overrides)


# --- the first due date ----------------------------------------------------------------------------------------


def test_the_due_date_is_set_at_submission_from_the_moment_of_receipt():
    request = services.request_submit(
        data=services.RequestInput(
            right="access",
            relation="visitor",
            name="Sanne de Vries",
            email="sanne@voorbeeld.example",
            description="Inzage graag.",
        ),
        now=RECEIVED,
    )
    assert request.due_on == FIRST_DUE == gdpr_due_date(RECEIVED)


# --- extension -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("months", "due"), [(1, date(2026, 5, 6)), (2, date(2026, 6, 5))])
def test_an_extension_moves_the_due_date_and_tells_the_requester_at_once(months, due, officer):
    request = received_request()
    assert request.due_on == FIRST_DUE

    request = services.request_extend(
        request_id=request.pk,
        months=months,
        reason="Uw gegevens staan in vijf systemen.",
        user=officer,
        now=datetime(2026, 3, 20, 9, tzinfo=AMS),
    )

    # 5 May is Liberation Day, a holiday of the Algemene termijnenwet every year: one month further is 6 May.
    assert request.due_on == due
    assert request.extension_months == months and request.extended_at
    assert request.extension_reason == "Uw gegevens staan in vijf systemen."
    (told,) = OutboxMessage.objects.filter(template="privacy_extended")
    assert told.to == request.email and told.sensitive
    assert "Uw gegevens staan in vijf systemen." in told.body_text
    assert f"{due.day} " in told.body_text and "7 april 2026" in told.body_text  # new and previous due date
    assert request.events.get(transition="extend").user == officer


def test_an_extension_is_allowed_until_the_end_of_the_first_due_day(officer):
    request = received_request()
    services.request_extend(request_id=request.pk, months=1, reason="Complex.", user=officer, now=end_of_day(FIRST_DUE))
    request.refresh_from_db()
    assert request.extension_months == 1


def test_no_extension_after_the_first_due_date(officer):
    request = received_request()
    with pytest.raises(PrivacyError):
        services.request_extend(
            request_id=request.pk,
            months=1,
            reason="Te laat bedacht.",
            user=officer,
            now=end_of_day(FIRST_DUE) + timedelta(seconds=1),
        )
    request.refresh_from_db()
    assert request.extension_months == 0 and request.due_on == FIRST_DUE
    assert not OutboxMessage.objects.filter(template="privacy_extended").exists()


def test_only_one_extension(officer):
    request = received_request()
    when = datetime(2026, 3, 20, 9, tzinfo=AMS)
    services.request_extend(request_id=request.pk, months=1, reason="Complex.", user=officer, now=when)
    with pytest.raises(PrivacyError):
        services.request_extend(request_id=request.pk, months=1, reason="Nog complexer.", user=officer, now=when)
    request.refresh_from_db()
    assert request.extension_months == 1 and request.extension_reason == "Complex."
    assert OutboxMessage.objects.filter(template="privacy_extended").count() == 1


@pytest.mark.parametrize(
    ("months", "reason", "field"), [(3, "Heel complex.", "months"), (0, "Complex.", "months"), (2, "   ", "reason")]
)
def test_no_extension_beyond_two_months_or_without_reason(months, reason, field, officer):
    request = received_request()
    with pytest.raises(PrivacyError) as error:
        services.request_extend(
            request_id=request.pk, months=months, reason=reason, user=officer, now=datetime(2026, 3, 20, tzinfo=AMS)
        )
    assert field in error.value.message_dict
    request.refresh_from_db()
    assert request.extension_months == 0


def test_no_extension_of_a_closed_request(officer):
    request = CompletedRequestFactory(received_at=RECEIVED)
    with pytest.raises(PrivacyError):
        services.request_extend(
            request_id=request.pk, months=1, reason="Complex.", user=officer, now=datetime(2026, 3, 20, tzinfo=AMS)
        )


# --- pauses ----------------------------------------------------------------------------------------------------


def test_a_pause_for_identity_moves_the_due_date_by_the_days_it_lasted(officer):
    request = received_request()
    asked = datetime(2026, 3, 10, 14, 0, tzinfo=AMS)
    checked = datetime(2026, 3, 20, 9, 0, tzinfo=AMS)  # ten calendar days later

    request = services.request_identity_ask(
        request_id=request.pk, doubt="Andere naam dan bij het account.", message="", user=officer, now=asked
    )
    assert request.paused_since == asked and request.due_on == FIRST_DUE

    request = services.request_identity_checked(request_id=request.pk, user=officer, now=checked)

    assert request.paused_days == 10 and request.paused_since is None
    # 5 April + 10 days = Wednesday 15 April (the Easter roll of the first date is not added on top).
    assert request.due_on == date(2026, 4, 15) == gdpr_due_date(RECEIVED, paused_days=10)


def test_pauses_add_up_and_combine_with_an_extension(officer):
    request = received_request()
    services.request_identity_ask(
        request_id=request.pk, doubt="Twijfel.", user=officer, now=datetime(2026, 3, 6, 9, tzinfo=AMS)
    )
    services.request_identity_checked(request_id=request.pk, user=officer, now=datetime(2026, 3, 9, 9, tzinfo=AMS))
    services.request_identity_ask(
        request_id=request.pk, doubt="Nog steeds twijfel.", user=officer, now=datetime(2026, 3, 10, 9, tzinfo=AMS)
    )
    services.request_identity_checked(request_id=request.pk, user=officer, now=datetime(2026, 3, 12, 9, tzinfo=AMS))
    request = services.request_extend(
        request_id=request.pk, months=2, reason="Complex.", user=officer, now=datetime(2026, 3, 13, tzinfo=AMS)
    )
    assert request.paused_days == 5
    assert request.due_on == gdpr_due_date(RECEIVED, extension_months=2, paused_days=5) == date(2026, 6, 10)


def test_closing_a_paused_request_ends_the_pause(officer):
    request = received_request()
    services.request_identity_ask(
        request_id=request.pk, doubt="Twijfel.", user=officer, now=datetime(2026, 3, 6, 9, tzinfo=AMS)
    )
    request = services.request_refuse(
        request_id=request.pk, reasons="Geen reactie.", user=officer, now=datetime(2026, 3, 9, 9, tzinfo=AMS)
    )
    assert request.state == State.REFUSED and request.paused_since is None and request.paused_days == 3


# --- the daily reminder ----------------------------------------------------------------------------------------

# Monday 15 June 2026, 09:00: five working days ahead is Monday 22 June.
MONDAY = datetime(2026, 6, 15, 9, 0, tzinfo=AMS)


@pytest.fixture
def queue():
    """Requests in every situation the reminder distinguishes; returns those it must list."""
    received = MONDAY - timedelta(days=40)
    overdue = ConfirmedRequestFactory(received_at=received, due_on=date(2026, 6, 12))
    due_soon = ConfirmedRequestFactory(received_at=received, due_on=date(2026, 6, 22))
    ConfirmedRequestFactory(received_at=received, due_on=date(2026, 6, 23))  # six working days: not yet
    AwaitingIdentityRequestFactory(received_at=received, due_on=date(2026, 6, 16))  # paused
    CompletedRequestFactory(received_at=received, due_on=date(2026, 6, 10))  # closed
    RequestFactory(received_at=received, due_on=date(2026, 6, 10))  # never confirmed
    return [overdue, due_soon]


def test_the_reminder_lists_due_and_overdue_requests_once_a_working_day(queue):
    officers = [OfficerFactory(email="a@isimedia.example"), OfficerFactory(email="b@isimedia.example")]
    overdue, due_soon = queue

    assert services.requests_remind(now=MONDAY) == 2

    reminders = OutboxMessage.objects.filter(template="privacy_reminder").order_by("id")
    assert sorted(reminder.to for reminder in reminders) == [officer.email for officer in officers]
    body = reminders[0].body_text
    assert overdue.reference in body and due_soon.reference in body
    assert body.index(overdue.reference) < body.index(due_soon.reference)
    assert "3 dagen te laat" in body and "nog 5 werkdagen" in body
    assert f"/privacy/datasubjectrequest/{overdue.pk}/change/" in body
    assert reminders[0].language == "nl"

    # Beat runs every quarter of an hour: later runs the same day send nothing.
    assert services.requests_remind(now=MONDAY + timedelta(minutes=15)) == 0
    assert services.requests_remind(now=MONDAY + timedelta(hours=8)) == 0
    assert reminders.all().count() == 2

    # The next working day both are listed again, with the one that is now due within five working days.
    assert services.requests_remind(now=MONDAY + timedelta(days=1)) == 3
    assert reminders.all().count() == 4


def test_no_reminder_on_a_weekend_a_closing_day_or_before_eight(queue):
    OfficerFactory()
    saturday = datetime(2026, 6, 20, 9, 0, tzinfo=AMS)
    assert services.requests_remind(now=saturday) == 0
    assert services.requests_remind(now=saturday + timedelta(days=1)) == 0
    ClosingDay.objects.create(date=date(2026, 6, 15), reason="Brugdag")
    assert services.requests_remind(now=MONDAY) == 0
    assert services.requests_remind(now=datetime(2026, 6, 16, 7, 59, tzinfo=AMS)) == 0
    assert not OutboxMessage.objects.filter(template="privacy_reminder").exists()
    assert services.requests_remind(now=datetime(2026, 6, 16, 8, 0, tzinfo=AMS)) == 3


def test_without_officers_the_reminder_goes_to_the_privacy_address(queue, settings):
    settings.PRIVACY_EMAIL = "privacy@isimedia.example"
    services.requests_remind(now=MONDAY)
    assert list(OutboxMessage.objects.filter(template="privacy_reminder").values_list("to", flat=True)) == [
        "privacy@isimedia.example"
    ]


@pytest.mark.django_db(transaction=True)
def test_two_reminder_runs_at_once_send_one_reminder():
    OfficerFactory(email="a@isimedia.example")
    received = MONDAY - timedelta(days=40)
    for day in (12, 16, 17, 18):
        ConfirmedRequestFactory(received_at=received, due_on=date(2026, 6, day))
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(services.requests_remind(now=MONDAY))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(results) == 4
    # Each request is in exactly one reminder, however the two runs divided them.
    bodies = "".join(OutboxMessage.objects.filter(template="privacy_reminder").values_list("body_text", flat=True))
    assert [
        bodies.count(reference) for reference in DataSubjectRequest.objects.values_list("reference", flat=True)
    ] == [1] * 4


def test_the_pause_ends_when_the_proof_arrives_not_when_staff_check_it():
    from datetime import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile

    from isimedia.workdays import AMSTERDAM, gdpr_due_date
    from privacy import services
    from privacy.models import State
    from privacy.tests.factories import ConfirmedRequestFactory, OfficerFactory

    received = datetime(2026, 3, 5, 10, tzinfo=AMSTERDAM)
    request = ConfirmedRequestFactory(received_at=received, due_on=gdpr_due_date(received))
    officer = OfficerFactory()
    services.request_identity_ask(
        request_id=request.pk,
        doubt="Other name on the account.",
        user=officer,
        now=datetime(2026, 3, 10, 9, tzinfo=AMSTERDAM),
    )
    # The copy arrives two days later; the officer only gets to it eighteen days after that.
    services.request_upload(
        request_id=request.pk,
        files=[SimpleUploadedFile("id.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)],
        now=datetime(2026, 3, 12, 20, tzinfo=AMSTERDAM),
    )
    request.refresh_from_db()
    assert request.state == State.AWAITING_IDENTITY and not request.is_paused
    assert request.paused_days == 2
    services.request_identity_checked(
        request_id=request.pk, user=officer, now=datetime(2026, 3, 30, 9, tzinfo=AMSTERDAM)
    )
    request.refresh_from_db()
    assert request.paused_days == 2
    assert request.due_on == gdpr_due_date(received, paused_days=2)
