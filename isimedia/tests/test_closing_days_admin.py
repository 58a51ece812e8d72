"""Staff add company closing days in the admin, and deadlines move with them at once."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from isimedia.models import ClosingDay
from isimedia.workdays import add_working_days

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.mark.django_db
def test_a_closing_day_added_in_the_admin_moves_a_deadline(admin_client):
    forwarded = datetime(2026, 12, 21, 10, 0, tzinfo=AMSTERDAM)  # Monday
    assert add_working_days(forwarded, 2) == datetime(2026, 12, 23, 17, 0, tzinfo=AMSTERDAM)

    response = admin_client.post(
        reverse("admin:isimedia_closingday_add"), {"date": "2026-12-22", "reason": "Kerstborrel"}, follow=True
    )

    assert response.status_code == 200
    assert ClosingDay.objects.filter(date=date(2026, 12, 22)).exists()
    assert add_working_days(forwarded, 2) == datetime(2026, 12, 24, 17, 0, tzinfo=AMSTERDAM)


@pytest.mark.django_db
def test_closing_day_changelist_queries_do_not_grow(admin_client, django_assert_max_num_queries):
    ClosingDay.objects.bulk_create(ClosingDay(date=date(2027, 1, day), reason="dicht") for day in range(1, 29))
    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("admin:isimedia_closingday_changelist"))
    assert response.status_code == 200
    assert "28 sluitingsdagen" in response.text
