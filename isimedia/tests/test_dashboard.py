"""The staff dashboard on the admin's start page (issue 9): each role sees what is due in its own work, with links,
the e-mails that failed that it may see, the breach clocks that run, and the last twelve months in charts with their
figures as tables; the page costs the same number of queries however many cases there are.

The selectors take the moment, so deadlines are tested at fixed dates around a weekend, Christmas and a company
closing day; the pages are tested with cases made relative to now.
"""

import re
from datetime import date, datetime, time, timedelta
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.tests.factories import ClientFactory, StaffUserFactory, WebsiteFactory
from isimedia import dashboard, roles, workdays
from isimedia.models import ClosingDay, OutboxMessage
from isimedia.tests.staff import staff_in
from isimedia.workdays import AMSTERDAM
from ntd.models import Notice
from ntd.tests.factories import make_case
from privacy.models import DataSubjectRequest
from privacy.tests.factories import AwaitingIdentityRequestFactory, CompletedRequestFactory, ConfirmedRequestFactory
from privacy.tests.factories_breach import BreachFactory
from satisfaction.tests.factories import FeedbackFactory

pytestmark = pytest.mark.django_db

INDEX = "admin:index"
SVG = "{http://www.w3.org/2000/svg}"


def amsterdam(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=AMSTERDAM)


@pytest.fixture
def as_role(client):
    """The test client signed in as a new staff member of a group (or a superuser), the admin in English."""

    def login(group_name: str | None):
        user = StaffUserFactory(is_superuser=True) if group_name is None else staff_in(group_name)
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return login


@pytest.fixture
def website():
    return WebsiteFactory(client=ClientFactory(name="Bakkerij De Korenschoof"), host="korenschoof.example")


def open_case(website, deadline: datetime, state: str = "awaiting_customer") -> Notice:
    """A case in ``state`` whose next deadline is ``deadline``."""
    notice, _token = make_case(state, website=website)
    Notice.objects.filter(pk=notice.pk).update(next_deadline=deadline)
    notice.refresh_from_db()
    return notice


def request_due(due_on: date, factory=ConfirmedRequestFactory, **fields) -> DataSubjectRequest:
    return factory(due_on=due_on, **fields)


def failed_email(template: str, subject: str) -> OutboxMessage:
    return OutboxMessage.objects.create(
        template=template,
        language="nl",
        to="iemand@example.nl",
        subject=subject,
        body_text="...",
        status=OutboxMessage.Status.FAILED,
        attempts=8,
        last_attempt_at=timezone.now(),
        last_error="SMTPRecipientsRefused",
    )


def references(due: dashboard.Due) -> dict[str, list[str]]:
    return {group.key: [item.reference for item in group.items] for group in due.groups}


# --- due today, within two working days, overdue ---------------------------------------------------------------

# Thursday 24 December 2026, 10:00. Friday 25 and Saturday 26 are Christmas, then a weekend: the next working days
# are Monday 28 and Tuesday 29 December.
CHRISTMAS_EVE = amsterdam(date(2026, 12, 24), 10)


def test_ntd_cases_are_grouped_by_deadline_across_christmas_and_a_weekend(website):
    cases = {
        "yesterday": open_case(website, amsterdam(date(2026, 12, 23), 17)),
        "this morning": open_case(website, amsterdam(date(2026, 12, 24), 9), state="under_assessment"),
        "this afternoon": open_case(website, amsterdam(date(2026, 12, 24), 17)),
        "monday": open_case(website, amsterdam(date(2026, 12, 28), 17)),
        "tuesday": open_case(website, amsterdam(date(2026, 12, 29), 17)),
        "wednesday": open_case(website, amsterdam(date(2026, 12, 30), 17)),
    }
    # A decided case whose old deadline passed long ago is not due.
    decided = make_case("taken_down", website=website)[0]
    Notice.objects.filter(pk=decided.pk).update(next_deadline=amsterdam(date(2026, 12, 1), 17))

    with workdays.closing_days_loaded():
        due = dashboard.ntd_due(now=CHRISTMAS_EVE)

    ref = {name: notice.reference for name, notice in cases.items()}
    assert (due.today, due.horizon) == (date(2026, 12, 24), date(2026, 12, 29))
    assert references(due) == {
        "overdue": [ref["yesterday"], ref["this morning"]],
        "today": [ref["this afternoon"]],
        "soon": [ref["monday"], ref["tuesday"]],
    }
    assert [group.count for group in due.groups] == [2, 1, 2]
    assert due.count == 5


def test_a_company_closing_day_moves_the_horizon(website):
    ClosingDay.objects.create(date=date(2026, 12, 28), reason="Tussen kerst en oud en nieuw")
    wednesday = open_case(website, amsterdam(date(2026, 12, 30), 17))
    thursday = open_case(website, amsterdam(date(2026, 12, 31), 17))

    with workdays.closing_days_loaded():
        due = dashboard.ntd_due(now=CHRISTMAS_EVE)

    assert due.horizon == date(2026, 12, 30)
    assert references(due)["soon"] == [wednesday.reference]
    assert thursday.reference not in [reference for listed in references(due).values() for reference in listed]


def test_on_a_saturday_nothing_is_due_today_and_monday_and_tuesday_are_soon(website):
    saturday = amsterdam(date(2026, 11, 21), 11)
    friday = open_case(website, amsterdam(date(2026, 11, 20), 17))
    monday = open_case(website, amsterdam(date(2026, 11, 23), 17))
    tuesday = open_case(website, amsterdam(date(2026, 11, 24), 17))
    open_case(website, amsterdam(date(2026, 11, 25), 17))

    with workdays.closing_days_loaded():
        due = dashboard.ntd_due(now=saturday)

    assert references(due) == {
        "overdue": [friday.reference],
        "today": [],
        "soon": [monday.reference, tuesday.reference],
    }


def test_a_late_ntd_case_after_17_00_is_overdue_the_same_day(website):
    notice = open_case(website, amsterdam(date(2026, 12, 24), 17))

    due = dashboard.ntd_due(now=amsterdam(date(2026, 12, 24), 17, 1))

    assert references(due)["overdue"] == [notice.reference]


def test_privacy_requests_are_grouped_by_due_day_and_paused_or_closed_ones_are_left_out():
    requests = {
        "yesterday": request_due(date(2026, 12, 23)),
        "today": request_due(date(2026, 12, 24)),
        "tuesday": request_due(date(2026, 12, 29)),
        "wednesday": request_due(date(2026, 12, 30)),
    }
    # Paused while the requester sends proof of identity, answered, or never confirmed: not due.
    request_due(date(2026, 12, 23), factory=AwaitingIdentityRequestFactory)
    request_due(date(2026, 12, 23), factory=CompletedRequestFactory)
    request_due(date(2026, 12, 23), factory=ConfirmedRequestFactory, state="unconfirmed")

    with workdays.closing_days_loaded():
        due = dashboard.privacy_due(now=CHRISTMAS_EVE)

    ref = {name: request.reference for name, request in requests.items()}
    assert references(due) == {"overdue": [ref["yesterday"]], "today": [ref["today"]], "soon": [ref["tuesday"]]}


def test_each_group_lists_a_few_cases_and_counts_them_all(website):
    for hours in range(1, 5):
        open_case(website, CHRISTMAS_EVE - timedelta(hours=hours * 24))

    due = dashboard.ntd_due(now=CHRISTMAS_EVE, limit=3)

    overdue = due.group("overdue")
    assert (overdue.count, len(overdue.items), overdue.more) == (4, 3, 1)
    # The longest overdue first.
    deadlines = [item.next_deadline for item in overdue.items]
    assert deadlines == sorted(deadlines)


def test_only_breaches_whose_clock_runs_are_listed():
    now = timezone.now()
    client = ClientFactory()
    running = BreachFactory(discovered_at=now - timedelta(hours=5), affected_clients=[client])
    overdue = BreachFactory(discovered_at=now - timedelta(hours=80))
    BreachFactory(discovered_at=now - timedelta(hours=5), closed_at=now)
    BreachFactory(discovered_at=now - timedelta(hours=5), authority_notified_at=now)
    told = BreachFactory(discovered_at=now - timedelta(hours=5), affected_clients=[client])
    told.notifications.create(client=client, recipients=["info@klant.example"])

    listed = dashboard.breaches_on_the_clock(now=now)

    assert [(breach.reference, clock.colour) for breach, clock in listed] == [
        (overdue.reference, "overdue"),
        (running.reference, "green"),
    ]


# --- the monthly figures ---------------------------------------------------------------------------------------

MONTHS = dashboard.last_months(date(2026, 11, 21))


def test_the_last_twelve_months_end_with_this_one():
    assert MONTHS[0] == date(2025, 12, 1)
    assert MONTHS[-1] == date(2026, 11, 1)
    assert len(MONTHS) == 12


def test_notices_per_month_by_outcome_in_amsterdam_months(website):
    def received(state: str, moment: datetime) -> Notice:
        notice = make_case(state, website=website)[0]
        Notice.objects.filter(pk=notice.pk).update(received_at=moment)
        return notice

    # 00:30 on 1 March in Amsterdam is still 28 February in UTC: it counts for March.
    received("taken_down", amsterdam(date(2026, 3, 1), 0, 30))
    received("resolved_by_customer", amsterdam(date(2026, 3, 15)))
    received("rejected_incomplete", amsterdam(date(2026, 3, 20)))
    received("rejected_not_hosted", amsterdam(date(2026, 3, 31), 23, 30))
    received("awaiting_customer", amsterdam(date(2026, 11, 2)))
    received("rejected_not_unlawful", amsterdam(date(2026, 11, 3)))
    # 23:30 on 28 February in Amsterdam: February. Before the twelve months: not counted.
    received("taken_down", amsterdam(date(2026, 2, 28), 23, 30))
    received("taken_down", amsterdam(date(2025, 11, 30)))

    figures = {figure.month: figure for figure in dashboard.ntd_outcomes_by_month(months=MONTHS)}

    assert list(figures) == MONTHS
    assert figures[date(2026, 3, 1)].counts == {
        "resolved": 1,
        "taken_down": 1,
        "not_unlawful": 0,
        "rejected": 2,
        "open": 0,
    }
    assert figures[date(2026, 11, 1)].counts == {
        "resolved": 0,
        "taken_down": 0,
        "not_unlawful": 1,
        "rejected": 0,
        "open": 1,
    }
    assert figures[date(2026, 2, 1)].total == 1
    assert sum(figure.total for figure in figures.values()) == 7


def test_ntd_decisions_against_the_deadline_that_ran(website):
    def decided(state: str, decided_at: datetime, **deadlines) -> None:
        notice = make_case(state, website=website)[0]
        Notice.objects.filter(pk=notice.pk).update(decided_at=decided_at, **deadlines)

    deadline = amsterdam(date(2026, 10, 14), 17)
    # October: assessed and decided in time, one late, a client that removed the content in time.
    decided("taken_down", deadline - timedelta(hours=2), assessment_deadline=deadline)
    decided("rejected_not_unlawful", deadline + timedelta(hours=20), assessment_deadline=deadline)
    decided("resolved_by_customer", deadline - timedelta(days=1), assessment_deadline=None, customer_deadline=deadline)
    # Rejected before forwarding: no deadline ran, not counted.
    decided("rejected_incomplete", deadline)

    figures = {f.month: f for f in dashboard.ntd_decisions_in_time_by_month(months=MONTHS)}

    october = figures[date(2026, 10, 1)]
    assert (october.closed, october.in_time, october.late, october.share) == (3, 2, 1, 66.7)
    assert figures[date(2026, 9, 1)].share is None


def test_privacy_requests_answered_on_time_by_their_due_day():
    # Due Monday 12 October; answered that evening in Amsterdam (the next day in UTC is still on time), or late.
    due = date(2026, 10, 12)
    CompletedRequestFactory(due_on=due, closed_at=amsterdam(due, 23, 30))
    CompletedRequestFactory(due_on=due, closed_at=amsterdam(due + timedelta(days=1), 9))
    CompletedRequestFactory(due_on=date(2026, 9, 30), closed_at=amsterdam(date(2026, 9, 30), 10))
    # Still open: not answered.
    ConfirmedRequestFactory(due_on=due)

    figures = {f.month: f for f in dashboard.privacy_answered_in_time_by_month(months=MONTHS)}

    assert (figures[date(2026, 10, 1)].closed, figures[date(2026, 10, 1)].in_time) == (2, 1)
    assert figures[date(2026, 10, 1)].share == 50.0
    assert figures[date(2026, 9, 1)].share == 100.0


# --- the page, per role ----------------------------------------------------------------------------------------


class World:
    """One thing of each kind the dashboard shows, every one due or failed now."""

    def __init__(self):
        now = timezone.now()
        # The host of the URL that make_case's notices name.
        site = WebsiteFactory(client=ClientFactory(name="Fietsenmaker Spaak"), host="korenschoof.example")
        self.notice = open_case(site, now - timedelta(hours=3), state="under_assessment")
        self.request = request_due(timezone.localdate(now, AMSTERDAM) - timedelta(days=2))
        self.breach = BreachFactory(title="Back-up onbeveiligd bereikbaar", discovered_at=now - timedelta(hours=6))
        # make_case queued its own e-mails; only these failed.
        OutboxMessage.objects.all().delete()
        self.emails = {
            "ntd": failed_email("ntd_received", "NTD-mail mislukt"),
            "privacy": failed_email("privacy_received", "Privacymail mislukt"),
            "satisfaction": failed_email("satisfaction_alert", "Tevredenheidsmail mislukt"),
            "accounts": failed_email("password_reset", "Wachtwoordmail mislukt"),
        }
        FeedbackFactory(score=5, submitted_at=now - timedelta(days=1))


@pytest.fixture
def world(db):
    return World()


def seen(html: str, world: World) -> set[str]:
    """Which of the world's things the page names."""
    things = {
        "notice": world.notice.reference,
        "request": world.request.reference,
        "breach": world.breach.reference,
        **{f"email-{key}": message.subject for key, message in world.emails.items()},
        "chart-ntd-outcomes": 'id="dashboard-ntd-outcomes"',
        "chart-ntd-in-time": 'id="dashboard-ntd-in-time"',
        "chart-privacy-in-time": 'id="dashboard-privacy-in-time"',
        "chart-csat": 'id="dashboard-csat"',
    }
    return {name for name, marker in things.items() if marker in html}


ROLE_SEES = {
    roles.NTD_HANDLERS: {"notice", "email-ntd", "email-accounts", "chart-ntd-outcomes", "chart-ntd-in-time"},
    roles.PRIVACY_OFFICERS: {"request", "breach", "email-privacy", "email-accounts", "chart-privacy-in-time"},
    roles.CONTRACT_MANAGERS: {"email-satisfaction", "email-accounts", "chart-csat"},
    None: {
        "notice",
        "request",
        "breach",
        "email-ntd",
        "email-privacy",
        "email-satisfaction",
        "email-accounts",
        "chart-ntd-outcomes",
        "chart-ntd-in-time",
        "chart-privacy-in-time",
        "chart-csat",
    },
}


@pytest.mark.parametrize("group_name", list(ROLE_SEES), ids=["ntd", "privacy", "contracts", "superuser"])
def test_each_role_sees_its_own_work_and_nothing_else(as_role, world, group_name):
    response = as_role(group_name).get(reverse(INDEX))

    assert response.status_code == 200
    assert seen(response.text, world) == ROLE_SEES[group_name]
    # Django's list of apps is still there below the dashboard.
    assert 'id="content-main"' in response.text and "app-isimedia" in response.text


def test_the_links_lead_to_the_case_the_request_the_breach_and_the_filtered_lists(as_role, world):
    html = as_role(None).get(reverse(INDEX)).text

    for url in [
        reverse("admin:ntd_notice_change", args=[world.notice.pk]),
        reverse("admin:privacy_datasubjectrequest_change", args=[world.request.pk]),
        reverse("admin:privacy_breach_change", args=[world.breach.pk]),
        reverse("admin:isimedia_outboxmessage_change", args=[world.emails["ntd"].pk]),
        reverse("admin:ntd_notice_changelist") + "?state=open&amp;overdue=yes",
        reverse("admin:privacy_datasubjectrequest_changelist") + "?deadline=overdue",
        reverse("admin:isimedia_outboxmessage_changelist") + "?status__exact=failed",
    ]:
        assert f'href="{url}"' in html, url


def test_the_filtered_lists_show_what_the_dashboard_counted(as_role, world):
    client = as_role(None)
    queue = client.get(reverse("admin:ntd_notice_changelist") + "?state=open&overdue=yes")
    requests = client.get(reverse("admin:privacy_datasubjectrequest_changelist") + "?deadline=overdue")
    emails = client.get(reverse("admin:isimedia_outboxmessage_changelist") + "?status__exact=failed")

    assert world.notice.reference in queue.text
    assert world.request.reference in requests.text
    assert all(message.subject in emails.text for message in world.emails.values())


def test_the_overdue_case_is_under_overdue_with_its_badge(as_role, world):
    html = as_role(roles.NTD_HANDLERS).get(reverse(INDEX)).text

    group = re.search(r'<div class="dashboard-group dashboard-group-overdue">(.*?)</div>', html, re.S).group(1)
    assert "Overdue" in group and "(1)" in group
    assert world.notice.reference in group
    assert "ntd-urgency-overdue" in group and "overdue" in group


def test_a_staff_member_without_a_role_sees_only_the_app_list(client):
    user = StaffUserFactory()
    client.force_login(user)

    response = client.get(reverse(INDEX))

    assert response.status_code == 200
    assert "dashboard-board" not in response.text


# --- the charts on the page ------------------------------------------------------------------------------------


def table(html: str, table_id: str) -> list[tuple[str, ...]]:
    body = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S).group(1)
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append(tuple(" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells))
    return rows


def test_every_chart_is_an_image_named_by_its_heading_and_described_by_its_table(as_role, world):
    html = as_role(None).get(reverse(INDEX)).text

    svgs = re.findall(r'<svg xmlns="http://www.w3.org/2000/svg" viewBox=.*?</svg>', html, re.S)
    assert len(svgs) == 4
    for markup in svgs:
        svg = ElementTree.fromstring(markup)  # noqa: S314 - the page's own markup
        assert svg.get("role") == "img"
        heading, figures = svg.get("aria-labelledby"), svg.get("aria-describedby")
        assert re.search(rf'<h3 id="{heading}">[^<]+</h3>', html)
        caption = re.search(rf'<table id="{figures}">\s*<caption>([^<]+)</caption>', html)
        assert caption and caption.group(1).startswith("Figures: ")
        assert len(table(html, figures)) == 1 + 12 + 1  # the heading row, twelve months, the total
        # Drawn by the portal: no script, no event handler, nothing loaded from elsewhere.
        assert "<script" not in markup and "href" not in markup
        assert not [name for element in svg.iter() for name in element.attrib if name.startswith("on")]


def test_the_chart_tables_hold_the_known_figures(as_role, website):
    now = timezone.now()
    this_month = timezone.localdate(now, AMSTERDAM).replace(day=1)
    month_name = this_month.strftime("%B %Y")
    taken_down = make_case("taken_down", website=website)[0]
    deadline = now - timedelta(hours=1)
    Notice.objects.filter(pk=taken_down.pk).update(
        assessment_deadline=deadline, decided_at=deadline - timedelta(hours=1)
    )
    late = make_case("rejected_not_unlawful", website=website)[0]
    Notice.objects.filter(pk=late.pk).update(assessment_deadline=deadline, decided_at=deadline + timedelta(minutes=30))
    make_case("awaiting_customer", website=website)
    CompletedRequestFactory(due_on=timezone.localdate(now, AMSTERDAM), closed_at=now)
    for score in (5, 4, 2):
        FeedbackFactory(score=score, submitted_at=now)

    html = as_role(None).get(reverse(INDEX)).text

    outcomes = {row[0]: row[1:] for row in table(html, "dashboard-ntd-outcomes-table")}
    assert outcomes["month"] == (
        "removed by the client",
        "taken down",
        "rejected: not manifestly unlawful",
        "rejected: incomplete or not hosted",
        "still open",
        "total",
    )
    assert outcomes[month_name] == ("0", "1", "1", "0", "1", "3")
    assert outcomes["last 12 months"] == ("0", "1", "1", "0", "1", "3")
    decisions = {row[0]: row[1:] for row in table(html, "dashboard-ntd-in-time-table")}
    assert decisions[month_name] == ("2", "1", "1", "50.0%")
    privacy = {row[0]: row[1:] for row in table(html, "dashboard-privacy-in-time-table")}
    assert privacy[month_name] == ("1", "1", "0", "100.0%")
    csat = {row[0]: row[1:] for row in table(html, "dashboard-csat-table")}
    assert csat[month_name] == ("3", "2", "66.7%")


def test_the_dashboard_is_in_dutch_by_default(client, world):
    client.force_login(StaffUserFactory(is_superuser=True))

    html = client.get(reverse(INDEX)).text

    assert 'lang="nl"' in html
    # The months of the tables are Dutch whatever the strings' translation.
    assert any(name in html for name in ("januari", "februari", "maart", "april", "mei", "juni", "juli"))


# --- the cost of the page --------------------------------------------------------------------------------------


def fill(count: int, website) -> None:
    """``count`` of each: due NTD cases, due privacy requests, running breaches, failed e-mails."""
    now = timezone.now()
    today = timezone.localdate(now, AMSTERDAM)
    for index in range(count):
        open_case(website, now + timedelta(hours=index - count // 2))
        request_due(today - timedelta(days=index % 3))
        BreachFactory(discovered_at=now - timedelta(hours=index + 1))
        failed_email("ntd_received", f"Mislukt {index}")


def dashboard_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(INDEX))
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def test_the_page_costs_the_same_queries_for_3_cases_as_for_30(as_role, website):
    client = as_role(None)
    fill(3, website)
    few = dashboard_queries(client)
    fill(27, website)
    many = dashboard_queries(client)

    assert len(many) == len(few)
    # The closing days are read once for the whole page.
    assert len([sql for sql in many if '"isimedia_closingday"' in sql]) == 1
    assert len(many) <= 25
