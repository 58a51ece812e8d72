"""The transparency report (DSA art. 15): what a period's notices were about, where they came from, how they ended."""

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.tests.factories import StaffUserFactory, WebsiteFactory
from isimedia.models import ClosingDay
from ntd import reports, services
from ntd.models import Category, Notice, SourceType, State
from ntd.tests.factories import decision, handler, make_case, notice_input

pytestmark = pytest.mark.django_db

AMS = ZoneInfo("Europe/Amsterdam")
REPORT = "admin:ntd_notice_report"
NOVEMBER = {"start": "2026-11-01", "end": "2026-11-30"}


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=AMS)


def moved(notice, received, decided=None) -> Notice:
    """The case as if it had been received (and decided) at these moments."""
    Notice.objects.filter(pk=notice.pk).update(received_at=received, decided_at=decided)
    return notice


@pytest.fixture
def staff():
    return handler()


@pytest.fixture
def november(staff):
    """Seven notices in November 2026 with known outcomes and times, and three just outside it."""
    website = WebsiteFactory(host="korenschoof.example")
    notices = {}
    # Taken down after assessment: Mon 10:00 to Wed 12:00 = 50 hours, 2 working days.
    notices["a"] = moved(make_case("taken_down", website=website, user=staff)[0], at(2, 10), at(4, 12))
    # Incomplete: Fri 16:00 to Mon 10:00 = 66 hours, 1 working day.
    notices["b"] = moved(
        make_case("rejected_incomplete", user=staff, category=Category.SCAMS_FRAUD)[0], at(6, 16), at(9, 10)
    )
    # Removed by the client the same day: 4 hours, 0 working days.
    notices["c"] = moved(make_case("resolved_by_customer", website=website, user=staff)[0], at(10, 9), at(10, 13))
    # Still waiting for the client.
    notices["d"] = moved(
        make_case("awaiting_customer", website=website, user=staff, category=Category.VIOLENCE)[0], at(12, 9)
    )
    # An emergency measure straight from "received", referred to the police: 1 hour, 0 working days.
    emergency = services.notice_submit(
        data=notice_input(category=Category.VIOLENCE, is_emergency=True, emergency_reason="Acute dreiging.")
    ).notice
    services.notice_emergency_take_down(
        notice_id=emergency.pk, decision=decision(), reason="Acuut.", website=website, user=staff
    )
    services.notice_refer(notice_id=emergency.pk, referred_to="Politie", reference="PL-1", user=staff)
    notices["e"] = moved(emergency, at(13, 8), at(13, 9))
    # A trusted flagger's notice about a site we do not host: Fri 15:00 to Mon 10:00 = 67 hours, 1 working day.
    api_key, _key = services.api_key_issue(
        name="Meldpunt", contact_email="api@meldpunt.example", trusted_flagger=True, user=staff
    )
    trusted = services.notice_submit(data=notice_input(category=Category.DATA_PROTECTION), api_key=api_key).notice
    services.notice_reject_not_hosted(notice_id=trusted.pk, note="", user=staff)
    notices["g"] = moved(trusted, at(20, 15), at(23, 10))
    # The last minute of the period counts.
    notices["last"] = moved(make_case("received", category=Category.OTHER)[0], at(30, 23, 59))
    # Just before and just after the period, in Amsterdam time.
    moved(make_case("taken_down", website=website, user=staff)[0], at(31, 23, 30, month=10), at(31, 23, 45, month=10))
    moved(make_case("received")[0], datetime(2026, 12, 1, 0, 0, tzinfo=AMS))
    moved(make_case("received")[0], datetime(2025, 11, 15, 12, 0, tzinfo=AMS))
    return notices


def counts(rows) -> dict[str, int]:
    return {row.code: row.notices for row in rows if row.notices}


def test_the_report_counts_a_periods_notices_by_category_source_and_outcome(november):
    report = reports.transparency_report(start=date(2026, 11, 1), end=date(2026, 11, 30))

    assert report.total == 7
    assert counts(report.by_category) == {
        Category.INTELLECTUAL_PROPERTY: 2,
        Category.SCAMS_FRAUD: 1,
        Category.VIOLENCE: 2,
        Category.DATA_PROTECTION: 1,
        Category.OTHER: 1,
    }
    # Every category is listed, also those without notices, as the DSA asks per type of content.
    assert [row.code for row in report.by_category] == list(Category.values)
    offline = {row.code: row.actions for row in report.by_category if row.actions}
    assert offline == {Category.INTELLECTUAL_PROPERTY: 2, Category.VIOLENCE: 1}
    assert counts(report.by_source) == {SourceType.ARTICLE_16: 6, SourceType.TRUSTED_FLAGGER: 1}
    assert counts(report.by_outcome) == {
        State.TAKEN_DOWN: 2,
        State.REJECTED_INCOMPLETE: 1,
        State.RESOLVED_BY_CUSTOMER: 1,
        State.REJECTED_NOT_HOSTED: 1,
        State.AWAITING_CUSTOMER: 1,
        State.RECEIVED: 1,
    }
    assert {row.code for row in report.by_outcome if row.is_open} == {
        State.RECEIVED,
        State.AWAITING_CUSTOMER,
        State.UNDER_ASSESSMENT,
    }
    assert (report.decided, report.emergency_measures, report.referrals) == (5, 1, 1)


def test_the_median_time_to_an_outcome_in_hours_and_working_days(november):
    report = reports.transparency_report(start=date(2026, 11, 1), end=date(2026, 11, 30))

    # 1, 4, 50, 66 and 67 hours; 0, 0, 2, 1 and 1 working days.
    assert report.median_hours == 50.0
    assert report.median_working_days == 1


def test_company_closing_days_are_not_working_days_in_the_report(staff):
    notice, _ = make_case("taken_down", website=WebsiteFactory(host="korenschoof.example"), user=staff)
    moved(notice, at(2, 10), at(4, 12))
    assert reports.transparency_report(start=date(2026, 11, 2), end=date(2026, 11, 2)).median_working_days == 2

    ClosingDay.objects.create(date=date(2026, 11, 3), reason="Brugdag")

    assert reports.transparency_report(start=date(2026, 11, 2), end=date(2026, 11, 2)).median_working_days == 1


def test_a_period_without_decisions_has_no_median(staff):
    make_case("received")
    report = reports.transparency_report(start=date(2000, 1, 1), end=date(2100, 1, 1))
    assert (report.total, report.decided, report.median_hours, report.median_working_days) == (1, 0, None, None)


def test_staff_see_the_report_on_screen(client, staff, november):
    client.force_login(staff)

    response = client.get(reverse(REPORT), NOVEMBER)

    assert response.status_code == 200
    assert response.context["report"].total == 7
    html = response.text
    assert str(Category.SCAMS_FRAUD.label) in html
    assert "<table" in html and 'name="start"' in html and 'value="2026-11-01"' in html


def test_the_report_opens_on_this_year_so_far(client, staff):
    client.force_login(staff)
    report = client.get(reverse(REPORT)).context["report"]
    assert report.start.month == 1 and report.start.day == 1 and report.end.year == report.start.year


def test_staff_download_the_report_as_csv(client, staff, november):
    client.force_login(staff)

    response = client.get(reverse(REPORT), {**NOVEMBER, "format": "csv"})

    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == ('attachment; filename="ntd-transparency-2026-11-01-2026-11-30.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["section", "code", "label", "notices", "content_offline"]
    values = {(row[0], row[1]): row[3:] for row in rows[1:]}
    assert values[("period", "from")] == ["2026-11-01", ""]
    assert values[("total", "received")] == ["7", ""]
    assert values[("category", "intellectual_property")] == ["2", "2"]
    assert values[("category", "animal_welfare")] == ["0", "0"]
    assert values[("source", "SOURCE_TRUSTED_FLAGGER")] == ["1", ""]
    assert values[("outcome", "taken_down")] == ["2", ""]
    assert values[("median", "hours_to_outcome")] == ["50", ""]
    assert values[("median", "working_days_to_outcome")] == ["1", ""]


def test_a_period_that_ends_before_it_starts_is_refused(client, staff):
    client.force_login(staff)
    response = client.get(reverse(REPORT), {"start": "2026-11-30", "end": "2026-11-01"})
    assert response.context["report"] is None
    assert response.context["form"].non_field_errors()
    response = client.get(reverse(REPORT), {"start": "2026-11-30", "end": "2026-11-01", "format": "csv"})
    assert response["Content-Type"].startswith("text/html")


def test_the_report_needs_the_right_to_view_notices(client):
    client.force_login(StaffUserFactory())
    assert client.get(reverse(REPORT)).status_code == 403
    user = StaffUserFactory()
    user.user_permissions.add(Permission.objects.get(content_type__app_label="ntd", codename="view_notice"))
    client.force_login(user)
    assert client.get(reverse(REPORT)).status_code == 200


def test_the_report_costs_the_same_for_2_and_20_notices(client, staff, django_assert_max_num_queries):
    client.force_login(staff)
    website = WebsiteFactory(host="korenschoof.example")

    def make(count):
        for index in range(count):
            make_case(["taken_down", "received", "rejected_incomplete"][index % 3], website=website, user=staff)

    make(2)
    client.get(reverse(REPORT))
    with CaptureQueriesContext(connection) as two:
        client.get(reverse(REPORT))
    make(18)
    with django_assert_max_num_queries(len(two)):
        response = client.get(reverse(REPORT))
    assert response.context["report"].total == 20


@pytest.mark.django_db
def test_emergency_measures_count_what_staff_did_not_what_the_complainant_ticked():
    from django.utils import timezone

    from contracts.tests.factories import WebsiteFactory

    website = WebsiteFactory(host="korenschoof.example")
    staff = handler()
    # Ticked as an emergency by the complainant, but decided the normal way: not an emergency measure.
    make_case("taken_down", website=website, is_emergency=True, emergency_reason="Dringend.", user=staff)
    # Not ticked, but taken down at once by staff while the client's answer was awaited: an emergency measure.
    waiting, _ = make_case("awaiting_customer", website=website, user=staff)
    assessed, _ = make_case("under_assessment", website=website, user=staff)
    for notice in (waiting, assessed):
        services.notice_emergency_take_down(notice_id=notice.pk, decision=decision(), reason="Acuut.", user=staff)

    today = timezone.localdate()
    report = reports.transparency_report(start=today, end=today)

    assert report.emergency_measures == 2
