"""Working days and deadlines (docs/domain.md section 2). Expected dates are worked out by hand from the calendar."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isimedia.models import ClosingDay
from isimedia.workdays import (
    add_months,
    add_working_days,
    calendar_days_between,
    end_of_day,
    gdpr_due_date,
    is_public_holiday,
    is_working_day,
    next_working_day,
    working_days_between,
)

AMS = ZoneInfo("Europe/Amsterdam")
NEW_YORK = ZoneInfo("America/New_York")


def ams(year, month, day, hour=12, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=AMS)


def utc(year, month, day, hour=0, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def close(*days):
    ClosingDay.objects.bulk_create([ClosingDay(date=day, reason="test") for day in days])


def days_of(year):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


# Algemene termijnenwet holidays, by hand (Easter 2025-04-20, 2026-04-05, 2027-03-28; Ascension = Easter + 39,
# Pentecost = Easter + 49). Easter Sunday and Pentecost are Sundays and listed because the calendar lists them.
HOLIDAYS = {
    2025: {
        date(2025, 1, 1),  # Wed New Year's Day
        date(2025, 4, 18),  # Good Friday
        date(2025, 4, 20),  # Easter Sunday
        date(2025, 4, 21),  # Easter Monday
        date(2025, 4, 26),  # Sat King's Day: 27 April 2025 is a Sunday
        date(2025, 5, 5),  # Mon Liberation Day (not a lustrum year)
        date(2025, 5, 29),  # Ascension Day
        date(2025, 6, 8),  # Pentecost
        date(2025, 6, 9),  # Whit Monday
        date(2025, 12, 25),  # Thu Christmas
        date(2025, 12, 26),  # Fri Boxing Day
    },
    2026: {
        date(2026, 1, 1),  # Thu
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 5),  # Easter Sunday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 4, 27),  # Mon King's Day
        date(2026, 5, 5),  # Tue Liberation Day (not a lustrum year)
        date(2026, 5, 14),  # Ascension Day
        date(2026, 5, 24),  # Pentecost
        date(2026, 5, 25),  # Whit Monday
        date(2026, 12, 25),  # Fri Christmas
        date(2026, 12, 26),  # Sat Boxing Day
    },
    2027: {
        date(2027, 1, 1),  # Fri
        date(2027, 3, 26),  # Good Friday
        date(2027, 3, 28),  # Easter Sunday (also the DST switch)
        date(2027, 3, 29),  # Easter Monday
        date(2027, 4, 27),  # Tue King's Day
        date(2027, 5, 5),  # Wed Liberation Day
        date(2027, 5, 6),  # Thu Ascension Day
        date(2027, 5, 16),  # Pentecost
        date(2027, 5, 17),  # Whit Monday
        date(2027, 12, 25),  # Sat Christmas
        date(2027, 12, 26),  # Sun Boxing Day
    },
}
ALL_HOLIDAYS = set().union(*HOLIDAYS.values())

WEEKDAY_HOLIDAYS = {
    2026: {
        date(2026, 1, 1),
        date(2026, 4, 3),
        date(2026, 4, 6),
        date(2026, 4, 27),
        date(2026, 5, 5),
        date(2026, 5, 14),
        date(2026, 5, 25),
        date(2026, 12, 25),
    },
    2027: {
        date(2027, 1, 1),
        date(2027, 3, 26),
        date(2027, 3, 29),
        date(2027, 4, 27),
        date(2027, 5, 5),
        date(2027, 5, 6),
        date(2027, 5, 17),
    },
}


# --- Holidays ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_public_holidays_are_exactly_the_termijnenwet_list(year):
    assert {day for day in days_of(year) if is_public_holiday(day)} == HOLIDAYS[year]


@pytest.mark.django_db
@pytest.mark.parametrize("year", [2026, 2027])
def test_weekdays_that_are_not_working_days_are_exactly_the_weekday_holidays(year):
    assert {day for day in days_of(year) if day.weekday() < 5 and not is_working_day(day)} == WEEKDAY_HOLIDAYS[year]


@pytest.mark.parametrize("year", range(2025, 2041))
def test_liberation_day_is_a_holiday_every_year(year):
    assert is_public_holiday(date(year, 5, 5))


def test_kings_day_moves_to_26_april_when_27_april_is_a_sunday():
    assert is_public_holiday(date(2025, 4, 26))
    assert not is_public_holiday(date(2025, 4, 27))
    assert is_public_holiday(date(2026, 4, 27))
    assert not is_public_holiday(date(2026, 4, 26))


@pytest.mark.django_db
def test_ordinary_weekdays_are_working_days_and_weekends_are_not():
    assert is_working_day(date(2026, 3, 2))  # Monday
    assert is_working_day(date(2026, 3, 6))  # Friday
    assert not is_working_day(date(2026, 3, 7))  # Saturday
    assert not is_working_day(date(2026, 3, 8))  # Sunday
    assert not is_working_day(date(2026, 4, 3))  # Good Friday
    assert not is_working_day(date(2026, 5, 5))  # Liberation Day


@pytest.mark.django_db
def test_closing_days_are_not_working_days():
    close(date(2026, 5, 15))  # bridge day after Ascension
    assert not is_working_day(date(2026, 5, 15))
    assert is_working_day(date(2026, 5, 13))
    assert is_working_day(date(2026, 5, 18))


@pytest.mark.django_db
def test_next_working_day():
    assert next_working_day(date(2026, 3, 2)) == date(2026, 3, 3)
    assert next_working_day(date(2026, 3, 6)) == date(2026, 3, 9)  # Friday -> Monday
    assert next_working_day(date(2026, 4, 2)) == date(2026, 4, 7)  # over Easter
    close(date(2026, 12, 28), date(2026, 12, 29))
    assert next_working_day(date(2026, 12, 24)) == date(2026, 12, 30)


# --- add_working_days ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_domain_example_monday():
    deadline = add_working_days(ams(2026, 3, 2, 10), 2)
    assert deadline == ams(2026, 3, 4, 17)
    assert deadline == utc(2026, 3, 4, 16)  # winter time
    assert deadline.utcoffset() == timedelta(hours=1)


@pytest.mark.django_db
def test_domain_example_friday():
    assert add_working_days(ams(2026, 3, 6, 16), 2) == ams(2026, 3, 10, 17)


@pytest.mark.django_db
@pytest.mark.parametrize("hour,minute", [(0, 0), (8, 59), (17, 0), (23, 59)])
def test_the_hour_of_the_moment_does_not_matter(hour, minute):
    assert add_working_days(ams(2026, 3, 2, hour, minute), 1) == ams(2026, 3, 3, 17)


@pytest.mark.django_db
def test_moment_on_a_weekend_counts_from_monday():
    assert add_working_days(ams(2026, 3, 7, 9), 1) == ams(2026, 3, 9, 17)  # Saturday -> Monday
    assert add_working_days(ams(2026, 3, 8, 22), 2) == ams(2026, 3, 10, 17)  # Sunday -> Tuesday


@pytest.mark.django_db
@pytest.mark.parametrize(
    "moment,days,expected",
    [
        # Monday 23:59 Amsterdam = 22:59Z: still Monday.
        (utc(2026, 3, 2, 22, 59), 1, utc(2026, 3, 3, 16)),
        # 23:30Z on Monday is Tuesday 00:30 in Amsterdam: Tuesday does not count.
        (utc(2026, 3, 2, 23, 30), 1, utc(2026, 3, 4, 16)),
        # Sunday 23:30Z is Monday 00:30 in Amsterdam.
        (utc(2026, 3, 8, 23, 30), 1, utc(2026, 3, 10, 16)),
        # Summer: Monday 22:30Z is Tuesday 00:30 CEST.
        (utc(2026, 6, 1, 22, 30), 1, utc(2026, 6, 3, 15)),
        # Summer: Monday 21:59Z is Monday 23:59 CEST.
        (utc(2026, 6, 1, 21, 59), 1, utc(2026, 6, 2, 15)),
        # Another zone: Monday 19:00 in New York is Tuesday 01:00 in Amsterdam.
        (datetime(2026, 3, 2, 19, 0, tzinfo=NEW_YORK), 1, utc(2026, 3, 4, 16)),
    ],
)
def test_the_day_is_taken_in_amsterdam_time(moment, days, expected):
    assert add_working_days(moment, days) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "moment,days,expected",
    [
        # Summer time starts Sunday 29 March 2026: 17:00 is 16:00Z before, 15:00Z after.
        (ams(2026, 3, 26, 10), 1, utc(2026, 3, 27, 16)),
        (ams(2026, 3, 27, 10), 1, utc(2026, 3, 30, 15)),
        (ams(2026, 3, 27, 10), 2, utc(2026, 3, 31, 15)),
        (utc(2026, 3, 29, 1, 30), 1, utc(2026, 3, 30, 15)),  # 03:30 CEST on the switch night
        # Winter time starts Sunday 25 October 2026.
        (ams(2026, 10, 22, 10), 1, utc(2026, 10, 23, 15)),
        (ams(2026, 10, 23, 10), 1, utc(2026, 10, 26, 16)),
        (utc(2026, 10, 25, 0, 30), 1, utc(2026, 10, 26, 16)),  # 02:30 CEST, first pass
        (utc(2026, 10, 25, 1, 30), 1, utc(2026, 10, 26, 16)),  # 02:30 CET, second pass
        # Easter 2027 and the switch share a weekend: Thursday 25 March (CET) + 1 -> Tuesday 30 March (CEST).
        (ams(2027, 3, 25, 10), 1, utc(2027, 3, 30, 15)),
    ],
)
def test_daylight_saving_time(moment, days, expected):
    deadline = add_working_days(moment, days)
    assert deadline == expected
    assert deadline.astimezone(AMS).time() == time(17, 0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "moment,days,expected",
    [
        (ams(2026, 4, 2), 1, date(2026, 4, 7)),  # Thursday before Good Friday -> Tuesday after Easter Monday
        (ams(2026, 4, 2), 2, date(2026, 4, 8)),
        (ams(2026, 4, 24), 1, date(2026, 4, 28)),  # Friday -> over King's Day (Monday 27 April)
        (ams(2026, 5, 4), 1, date(2026, 5, 6)),  # over Liberation Day (Tuesday)
        (ams(2026, 5, 13), 1, date(2026, 5, 15)),  # over Ascension Day
        (ams(2026, 5, 22), 1, date(2026, 5, 26)),  # over the weekend and Whit Monday
        (ams(2027, 5, 4), 1, date(2027, 5, 7)),  # Liberation Day and Ascension Day in a row
        (ams(2026, 12, 24), 1, date(2026, 12, 28)),  # Christmas Friday, Boxing Day Saturday
        (ams(2026, 12, 24), 2, date(2026, 12, 29)),
        (ams(2026, 12, 24), 5, date(2027, 1, 4)),  # 28, 29, 30, 31 Dec; 1 Jan Friday holiday; Monday 4 Jan
        (ams(2025, 12, 24), 1, date(2025, 12, 29)),  # Christmas Thursday and Friday
        (ams(2025, 12, 24), 4, date(2026, 1, 2)),  # 29, 30, 31 Dec; New Year Thursday; Friday 2 Jan
        (ams(2025, 4, 25), 1, date(2025, 4, 28)),  # King's Day 2025 is a Saturday: nothing extra skipped
    ],
)
def test_holiday_chains(moment, days, expected):
    assert add_working_days(moment, days) == datetime.combine(expected, time(17), tzinfo=AMS)


@pytest.mark.django_db
def test_closing_days_are_skipped():
    close(date(2026, 3, 3))
    assert add_working_days(ams(2026, 3, 2, 10), 2) == ams(2026, 3, 5, 17)


@pytest.mark.django_db
def test_closed_christmas_week_in_one_query(django_assert_num_queries):
    close(date(2026, 12, 28), date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31))
    with django_assert_num_queries(1):
        assert add_working_days(ams(2026, 12, 24, 15), 1) == ams(2027, 1, 4, 17)
    with django_assert_num_queries(1):
        assert add_working_days(ams(2026, 12, 24, 15), 2) == ams(2027, 1, 5, 17)


@pytest.mark.django_db
def test_two_working_days_take_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        add_working_days(ams(2026, 3, 6, 16), 2)
    with django_assert_num_queries(1):
        add_working_days(ams(2026, 3, 6, 16), 40)


@pytest.mark.django_db
def test_closing_period_longer_than_the_query_window():
    # Closed from Monday 5 January to Friday 13 February 2026 (40 days): the first working day is Monday 16 Feb.
    close(*(date(2026, 1, 5) + timedelta(days=offset) for offset in range(40)))
    assert add_working_days(ams(2026, 1, 2), 1) == ams(2026, 2, 16, 17)
    assert add_working_days(ams(2026, 1, 2), 2) == ams(2026, 2, 17, 17)


@pytest.mark.parametrize("days", [0, -1])
def test_days_must_be_positive(days):
    with pytest.raises(ValueError):
        add_working_days(ams(2026, 3, 2), days)


def test_naive_datetimes_are_rejected():
    naive = datetime(2026, 3, 2, 10, 0)
    with pytest.raises(ValueError):
        add_working_days(naive, 2)
    with pytest.raises(ValueError):
        add_months(naive, 1)
    with pytest.raises(ValueError):
        working_days_between(naive, ams(2026, 3, 4))
    with pytest.raises(ValueError):
        working_days_between(ams(2026, 3, 2), naive)


# --- working_days_between ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_working_days_between():
    assert working_days_between(ams(2026, 3, 2, 10), ams(2026, 3, 4, 17)) == 2
    assert working_days_between(ams(2026, 3, 2, 10), ams(2026, 3, 2, 17)) == 0  # same day
    assert working_days_between(ams(2026, 3, 4, 10), ams(2026, 3, 2, 17)) == 0  # overdue
    assert working_days_between(ams(2026, 3, 6, 10), ams(2026, 3, 8, 17)) == 0  # only a weekend
    assert working_days_between(ams(2026, 12, 24), ams(2027, 1, 4, 17)) == 5
    # Monday 23:30Z is Tuesday in Amsterdam: only Wednesday is left.
    assert working_days_between(utc(2026, 3, 2, 23, 30), utc(2026, 3, 4, 16)) == 1


@pytest.mark.django_db
def test_working_days_between_skips_closing_days_in_one_query(django_assert_num_queries):
    close(date(2026, 12, 28), date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31))
    with django_assert_num_queries(1):
        assert working_days_between(ams(2026, 12, 24), ams(2027, 1, 4, 17)) == 1


# --- add_months ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment,months,expected",
    [
        (ams(2027, 3, 5), 1, date(2027, 4, 5)),  # 5 March -> 5 April (a Monday)
        (ams(2025, 1, 31), 1, date(2025, 2, 28)),  # no 31 February: last day (a Friday)
        (ams(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year (a Tuesday)
        (ams(2026, 3, 31), 1, date(2026, 4, 30)),  # no 31 April
        (ams(2026, 1, 31), 1, date(2026, 3, 2)),  # 28 February 2026 is a Saturday -> Monday
        (ams(2026, 2, 7), 1, date(2026, 3, 9)),  # Saturday 7 March -> Monday 9 March
        (ams(2026, 3, 27), 1, date(2026, 4, 28)),  # King's Day, Monday 27 April -> Tuesday
        (ams(2026, 3, 5), 1, date(2026, 4, 7)),  # Easter Sunday 5 April, Easter Monday -> Tuesday 7 April
        (ams(2026, 11, 25), 1, date(2026, 12, 28)),  # Christmas Friday, Boxing Day Saturday, Sunday -> Monday
        (ams(2026, 12, 15), 1, date(2027, 1, 15)),  # year end
        (ams(2026, 12, 10), 1, date(2027, 1, 11)),  # 10 January 2027 is a Sunday
        (ams(2026, 11, 2), 2, date(2027, 1, 4)),  # Saturday 2 January 2027 -> Monday
        (ams(2026, 11, 30), 3, date(2027, 3, 1)),  # 28 February 2027 is a Sunday -> Monday 1 March
        (ams(2026, 3, 15), 12, date(2027, 3, 15)),  # twelve months: the following year
        (ams(2028, 2, 29), 12, date(2029, 2, 28)),  # leap day + 12 months: 28 February 2029 (a Wednesday)
        (ams(2026, 12, 31, 23, 59), 2, date(2027, 3, 1)),  # 28 Feb 2027 Sunday -> Monday 1 March
    ],
)
def test_add_months(moment, months, expected):
    assert add_months(moment, months) == expected


def test_add_months_uses_the_amsterdam_day():
    # 22:30Z on Tuesday 9 June 2026 is 00:30 CEST on Wednesday 10 June: one month later is Friday 10 July
    # (the UTC day would give Thursday 9 July).
    assert add_months(utc(2026, 6, 9, 22, 30), 1) == date(2026, 7, 10)
    # Winter: 23:30Z on Tuesday 9 March 2027 is Wednesday 10 March in Amsterdam; 10 April 2027 is a Saturday.
    assert add_months(utc(2027, 3, 9, 23, 30), 1) == date(2027, 4, 12)


@pytest.mark.django_db
def test_add_months_ignores_closing_days_and_the_database(django_assert_num_queries):
    # The law rolls over weekends and public holidays only: a company closing day does not extend the period.
    close(date(2026, 4, 28), date(2027, 1, 15))
    with django_assert_num_queries(0):
        assert add_months(ams(2026, 3, 27), 1) == date(2026, 4, 28)
        assert add_months(ams(2026, 12, 15), 1) == date(2027, 1, 15)


@pytest.mark.parametrize("months", [0, -1])
def test_months_must_be_positive(months):
    with pytest.raises(ValueError):
        add_months(ams(2026, 3, 2), months)


def test_end_of_day():
    assert end_of_day(date(2027, 1, 15)) == datetime(2027, 1, 15, 22, 59, 59, 999999, tzinfo=UTC)  # CET
    assert end_of_day(date(2026, 7, 10)) == datetime(2026, 7, 10, 21, 59, 59, 999999, tzinfo=UTC)  # CEST
    # On the switch days the offset at midnight is the new one.
    assert end_of_day(date(2026, 3, 29)) == datetime(2026, 3, 29, 21, 59, 59, 999999, tzinfo=UTC)
    assert end_of_day(date(2026, 10, 25)) == datetime(2026, 10, 25, 22, 59, 59, 999999, tzinfo=UTC)
    assert end_of_day(date(2026, 7, 10)) + timedelta(microseconds=1) == ams(2026, 7, 11, 0)


# --- Properties, checked against the hand-made holiday list for 2025-2027 ------------------------------------------


def oracle_working_day(day, closed=frozenset()):
    return day.weekday() < 5 and day not in ALL_HOLIDAYS and day not in closed


def oracle_add_working_days(day, days, closed=frozenset()):
    while days:
        day += timedelta(days=1)
        if oracle_working_day(day, closed):
            days -= 1
    return day


moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 11, 30), timezones=st.sampled_from([UTC, AMS, NEW_YORK])
)


@pytest.mark.django_db
@settings(max_examples=150, deadline=None)
@given(moment=moments, days=st.integers(min_value=1, max_value=15))
def test_add_working_days_properties(moment, days):
    deadline = add_working_days(moment, days)
    local_day = moment.astimezone(AMS).date()
    local_deadline = deadline.astimezone(AMS)
    assert local_deadline.time() == time(17, 0)
    assert local_deadline.date() > local_day
    assert oracle_working_day(local_deadline.date())
    assert local_deadline.date() == oracle_add_working_days(local_day, days)
    assert add_working_days(moment, days + 1) > deadline
    assert working_days_between(moment, deadline) == days


@pytest.mark.django_db
@settings(max_examples=40, deadline=None)
@given(
    start=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 2, 28)),
    closed=st.frozensets(st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 4, 30)), max_size=25),
    days=st.integers(min_value=1, max_value=10),
)
def test_add_working_days_with_closing_days_property(start, closed, days):
    close(*closed)
    try:
        moment = datetime.combine(start, time(11), tzinfo=AMS)
        expected = oracle_add_working_days(start, days, closed)
        assert add_working_days(moment, days) == datetime.combine(expected, time(17), tzinfo=AMS)
        assert is_working_day(expected)
    finally:
        ClosingDay.objects.all().delete()


# Starts up to the end of 2026, so that 11 months later stays within the oracle's years.
month_moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.sampled_from([UTC, AMS, NEW_YORK])
)


@settings(max_examples=300, deadline=None)
@given(moment=month_moments, months=st.integers(min_value=1, max_value=11))
def test_add_months_properties(moment, months):
    due = add_months(moment, months)
    local_day = moment.astimezone(AMS).date()
    assert oracle_working_day(due)
    # Never earlier than the nominal day (same day-number, clamped), and only non-working days are skipped to reach it.
    nominal = nominal_day(local_day, months)
    assert due >= nominal
    assert all(not oracle_working_day(nominal + timedelta(days=k)) for k in range((due - nominal).days))
    assert (due - nominal).days <= 4  # the longest run: Good Friday to Easter Monday


def nominal_day(day, months):
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for number in range(day.day, 0, -1):
        try:
            return date(year, month, number)
        except ValueError:
            continue
    raise AssertionError("every month has 28 days")


# --- GDPR request due dates: one month, an extension of up to two more, pauses ------------------------------------


def _ams(*args):
    return datetime(*args, tzinfo=AMS)


@pytest.mark.parametrize(
    ("received", "extension", "paused", "expected"),
    [
        # One month: 5 March 2026 (Thursday) -> Sunday 5 April 2026 (Easter) -> Easter Monday -> Tuesday 7 April.
        (_ams(2026, 3, 5, 10), 0, 0, date(2026, 4, 7)),
        # An extension of two further months: 5 June 2026 is a Friday.
        (_ams(2026, 3, 5, 10), 2, 0, date(2026, 6, 5)),
        # One further month: 5 May is Liberation Day (every year under the Algemene termijnenwet) -> 6 May.
        (_ams(2026, 3, 5, 10), 1, 0, date(2026, 5, 6)),
        # 31 January -> 28 February 2027 is a Sunday -> Monday 1 March.
        (_ams(2027, 1, 31, 9), 0, 0, date(2027, 3, 1)),
        # A pause of 10 days moves the end of the period, 5 April, to 15 April (a Wednesday): the days the first
        # date was rolled forward (Easter) are not added on top.
        (_ams(2026, 3, 5, 10), 0, 10, date(2026, 4, 15)),
        # A pause that ends the period on a Saturday rolls it to Monday: 5 April + 13 = Saturday 18 April -> 20th.
        (_ams(2026, 3, 5, 10), 0, 13, date(2026, 4, 20)),
        # Late in the evening of 31 October in Amsterdam is already 1 November in UTC: Amsterdam's day counts.
        (datetime(2026, 10, 31, 23, 30, tzinfo=UTC), 0, 0, date(2026, 12, 1)),
    ],
)
def test_gdpr_due_date(received, extension, paused, expected):
    assert gdpr_due_date(received, extension_months=extension, paused_days=paused) == expected


def test_gdpr_due_date_refuses_more_than_two_months_extension_and_negative_pauses():
    with pytest.raises(ValueError):
        gdpr_due_date(_ams(2026, 3, 5, 10), extension_months=3)
    with pytest.raises(ValueError):
        gdpr_due_date(_ams(2026, 3, 5, 10), paused_days=-1)


def test_calendar_days_between_counts_amsterdam_days():
    assert calendar_days_between(_ams(2026, 3, 5, 23, 0), _ams(2026, 3, 6, 0, 30)) == 1
    assert calendar_days_between(_ams(2026, 3, 5, 8, 0), _ams(2026, 3, 5, 22, 0)) == 0
    assert calendar_days_between(_ams(2026, 3, 6, 8, 0), _ams(2026, 3, 5, 8, 0)) == 0
