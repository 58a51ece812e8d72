"""Reads of requests: secret links, packages, the deadline's colour, who receives the officers' and clients' mail."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from contracts.tests.factories import ClientContactFactory, ClientFactory, UserFactory, WebsiteFactory
from isimedia.models import ClosingDay
from privacy import selectors
from privacy.models import RequestLink, State
from privacy.tests.factories import (
    AwaitingApprovalRequestFactory,
    AwaitingIdentityRequestFactory,
    CompletedRequestFactory,
    ConfirmedRequestFactory,
    ForwardedRequestFactory,
    OfficerFactory,
    RefusedRequestFactory,
    RequestFactory,
    make_link,
    make_package,
)

AMS = ZoneInfo("Europe/Amsterdam")

pytestmark = pytest.mark.django_db


# --- links -----------------------------------------------------------------------------------------------------


def test_request_for_token_finds_the_request_of_any_of_its_links_and_changes_nothing():
    request = ConfirmedRequestFactory()
    first, second = make_link(request), make_link(request)

    assert selectors.request_for_token(first) == request
    assert selectors.request_for_token(second) == request
    assert not RequestLink.objects.filter(last_used_at__isnull=False).exists()


@pytest.mark.parametrize("token", ["", "niet-bestaand", "x" * 43])
def test_an_unknown_token_finds_nothing(token):
    make_link(ConfirmedRequestFactory())
    assert selectors.request_for_token(token) is None


def test_an_anonymised_request_is_not_found_by_its_link():
    request = ConfirmedRequestFactory(anonymised_at=timezone.now())
    assert selectors.request_for_token(make_link(request)) is None


def test_package_for_token_and_its_status():
    request = CompletedRequestFactory()
    package, token = make_package(request)

    assert selectors.package_for_token(token) == package
    assert selectors.package_for_token("onbekend") is None
    assert selectors.package_for_token("") is None
    assert selectors.package_status(package) == "available"
    assert selectors.package_status(package, now=package.expires_at + timedelta(seconds=1)) == "expired"
    package.deleted_at = timezone.now()
    assert selectors.package_status(package) == "deleted"
    package.downloaded_at = timezone.now()
    assert selectors.package_status(package) == "downloaded"


# --- the deadline ----------------------------------------------------------------------------------------------

# Due Friday 19 June 2026; no holidays in June 2026 (Whit Monday is 25 May).
DUE = date(2026, 6, 19)


def status_at(moment, **overrides):
    request = ConfirmedRequestFactory(received_at=datetime(2026, 5, 19, 10, tzinfo=AMS), due_on=DUE, **overrides)
    with translation.override("en"):
        return selectors.deadline_status(request, now=moment)


@pytest.mark.parametrize(
    ("moment", "colour", "left", "label"),
    [
        (datetime(2026, 6, 1, 10, tzinfo=AMS), "green", 14, "14 working days left"),
        (datetime(2026, 6, 11, 10, tzinfo=AMS), "green", 6, "6 working days left"),
        (datetime(2026, 6, 12, 10, tzinfo=AMS), "amber", 5, "5 working days left"),
        (datetime(2026, 6, 16, 10, tzinfo=AMS), "amber", 3, "3 working days left"),
        (datetime(2026, 6, 17, 10, tzinfo=AMS), "red", 2, "2 working days left"),
        (datetime(2026, 6, 18, 23, 59, tzinfo=AMS), "red", 1, "1 working day left"),
        (datetime(2026, 6, 19, 23, 59, tzinfo=AMS), "red", 0, "due today"),
        (datetime(2026, 6, 20, 0, 0, 1, tzinfo=AMS), "overdue", 0, "1 day overdue"),
        (datetime(2026, 6, 23, 9, tzinfo=AMS), "overdue", -2, "4 days overdue"),
    ],
)
def test_deadline_colours(moment, colour, left, label):
    status = status_at(moment)
    assert (status.colour, status.working_days_left, status.label) == (colour, left, label)
    assert status.due_at == datetime(2026, 6, 19, 23, 59, 59, 999999, tzinfo=AMS)


def test_closing_days_count_against_the_days_left():
    ClosingDay.objects.create(date=date(2026, 6, 18))
    assert status_at(datetime(2026, 6, 16, 10, tzinfo=AMS)).working_days_left == 2


@pytest.mark.parametrize(
    "factory", [CompletedRequestFactory, RefusedRequestFactory, ForwardedRequestFactory], ids=lambda f: f.__name__
)
def test_a_closed_request_has_no_deadline(factory):
    request = factory(due_on=DUE)
    status = selectors.deadline_status(request, now=datetime(2026, 7, 1, tzinfo=AMS))
    assert status.colour == "closed" and status.working_days_left is None and status.due_at is None


def test_a_paused_request_shows_paused_not_overdue():
    request = AwaitingIdentityRequestFactory(due_on=DUE, paused_since=datetime(2026, 6, 10, 9, tzinfo=AMS))
    status = selectors.deadline_status(request, now=datetime(2026, 7, 1, tzinfo=AMS))
    assert status.colour == "paused" and status.working_days_left is None
    assert "10-06-2026" in status.label


def test_a_request_awaiting_approval_keeps_its_deadline():
    request = AwaitingApprovalRequestFactory(due_on=DUE)
    assert selectors.deadline_status(request, now=datetime(2026, 6, 17, 10, tzinfo=AMS)).colour == "red"


# --- whom to tell ----------------------------------------------------------------------------------------------


def test_officer_addresses_are_the_active_officers():
    OfficerFactory(email="b@isimedia.example")
    OfficerFactory(email="a@isimedia.example")
    OfficerFactory(email="weg@isimedia.example", is_active=False)
    UserFactory(email="klant@example.nl")
    assert selectors.officer_addresses() == ["a@isimedia.example", "b@isimedia.example"]


def test_without_officers_the_privacy_address(settings):
    settings.PRIVACY_EMAIL = "privacy@isimedia.example"
    assert selectors.officer_addresses() == ["privacy@isimedia.example"]


def test_client_for_hosted_url():
    website = WebsiteFactory(host="bakkerij.example")
    assert selectors.client_for_hosted_url("https://www.bakkerij.example/team/anna") == website.client
    assert selectors.client_for_hosted_url("https://elders.example/") is None
    assert selectors.client_for_hosted_url("") is None
    assert selectors.client_for_hosted_url("geen url") is None


def test_client_addresses_are_its_contact_address_and_active_contacts():
    client = ClientFactory(contact_email="Info@Bakkerij.example")
    ClientContactFactory(client=client, user=UserFactory(email="anna@bakkerij.example"))
    ClientContactFactory(client=client, user=UserFactory(email="oud@bakkerij.example", is_active=False))
    ClientContactFactory(client=client, user=UserFactory(email="info@bakkerij.example"))
    assert selectors.client_addresses(client) == ["info@bakkerij.example", "anna@bakkerij.example"]


def test_factories_make_requests_in_each_state():
    assert RequestFactory().state == State.UNCONFIRMED
    assert AwaitingApprovalRequestFactory().proposed_by is not None
    assert RequestFactory(hosted=True).hosted_url
