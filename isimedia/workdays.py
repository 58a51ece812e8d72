"""Working days and deadlines (docs/domain.md section 2): the one place where every app computes them.

Working days are Monday to Friday, except the public holidays of the Algemene termijnenwet and company closing
days (`isimedia.models.ClosingDay`). All calendar days are taken in Europe/Amsterdam time.
"""

import calendar
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta
from functools import cache
from itertools import islice
from zoneinfo import ZoneInfo

import holidays

# The law and the domain are Dutch: deadlines follow Amsterdam's calendar whatever settings.TIME_ZONE says.
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# "N working days" end at the close of support hours (09:00-17:00) on the N-th working day.
DEADLINE_TIME = time(17, 0)

# Algemene termijnenwet art. 3: the holidays that count. The package's OPTIONAL category is needed for 5 May in
# non-lustrum years; the filter keeps anything else it might ever add to PUBLIC or OPTIONAL out. Easter Sunday and
# Pentecost are Sundays anyway; Queen's Day is the King's birthday before 2014 ("verjaardag van de Koning").
_TERMIJNENWET_HOLIDAYS = frozenset(
    {
        "New Year's Day",
        "Good Friday",
        "Easter Sunday",
        "Easter Monday",
        "King's Day",
        "Queen's Day",
        "Liberation Day",
        "Ascension Day",
        "Pentecost",
        "Pentecost Monday",
        "Christmas Day",
        "Second Day of Christmas",
    }
)

# Closing days are fetched for a window of calendar days at a time; this covers any realistic deadline in one query
# (a couple of weeks of working days plus a closed Christmas week) and grows for longer spans.
_MIN_WINDOW_DAYS = 31


@cache  # functools.lru_cache without a bound: one small frozenset per year
def _public_holidays(year: int) -> frozenset[date]:
    # English names are matched explicitly so the filter does not depend on the package's default language.
    categories = (holidays.PUBLIC, holidays.OPTIONAL)
    dutch = holidays.country_holidays("NL", years=year, categories=categories, language="en_US")
    days = {day for day in dutch if _TERMIJNENWET_HOLIDAYS.intersection(dutch.get_list(day))}
    # The law lists 5 May every year; don't let a future move of the package's categories drop it.
    days.add(date(year, 5, 5))
    return frozenset(days)


def is_public_holiday(day: date) -> bool:
    """A holiday of the Algemene termijnenwet (some, like Easter Sunday, fall on weekends)."""
    return day in _public_holidays(day.year)


def _is_legal_working_day(day: date) -> bool:
    # Weekends and public holidays only: what the law (and add_months) knows about.
    return day.weekday() < 5 and not is_public_holiday(day)


# Set inside `closing_days_loaded()`: every closing day, read once, for pages that work out many deadlines.
_loaded_closing_days: ContextVar[frozenset[date] | None] = ContextVar("loaded_closing_days", default=None)


def _closing_days(start: date, end: date) -> set[date]:
    """Company closing days from start to end inclusive, in one query (none inside `closing_days_loaded`)."""
    loaded = _loaded_closing_days.get()
    if loaded is not None:
        return {day for day in loaded if start <= day <= end}
    # Imported here: models of other apps may import this module, so avoid import cycles at load time.
    from isimedia.models import ClosingDay

    return set(ClosingDay.objects.filter(date__range=(start, end)).values_list("date", flat=True))


@contextmanager
def closing_days_loaded():
    """Read the company closing days once for the block: a list of many deadlines then costs one query, not one each.

    Closing days are a handful per year, so all of them are read; a change made inside the block is not seen.
    """
    from isimedia.models import ClosingDay

    token = _loaded_closing_days.set(frozenset(ClosingDay.objects.values_list("date", flat=True)))
    try:
        yield
    finally:
        _loaded_closing_days.reset(token)


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a time-zone-aware datetime is required")


def _local_date(moment: datetime) -> date:
    _require_aware(moment)
    return moment.astimezone(AMSTERDAM).date()


def _working_days_after(day: date, count: int):
    """Yield the working days after `day` (skipping closing days), fetching closing days window by window."""
    window = max(_MIN_WINDOW_DAYS, 2 * count + 14)
    start = day + timedelta(days=1)
    while True:
        end = start + timedelta(days=window - 1)
        closed = _closing_days(start, end)
        current = start
        while current <= end:
            if current not in closed and _is_legal_working_day(current):
                yield current
            current += timedelta(days=1)
        start = end + timedelta(days=1)


def is_working_day(day: date) -> bool:
    """Monday to Friday, not a public holiday of the Algemene termijnenwet, not a company closing day."""
    return _is_legal_working_day(day) and day not in _closing_days(day, day)


def next_working_day(day: date) -> date:
    """The first working day strictly after `day`."""
    return next(_working_days_after(day, 1))


def add_working_days(moment: datetime, days: int) -> datetime:
    """17:00 Amsterdam on the `days`-th working day after the Amsterdam calendar day of `moment`.

    The moment's own day never counts, whatever the hour: Monday 10:00 + 2 is Wednesday 17:00, Friday 16:00 + 2 is
    Tuesday 17:00. `days` must be at least 1 (a deadline of 0 working days has no meaning in the domain).
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    day = next(islice(_working_days_after(_local_date(moment), days), days - 1, None))
    return datetime.combine(day, DEADLINE_TIME, tzinfo=AMSTERDAM)


def add_months(moment: datetime, months: int) -> date:
    """The last day of a period of `months` months from `moment` (GDPR art. 12(3), Reg. 1182/71).

    The same day-number `months` months later in Amsterdam's calendar; the month's last day if it is shorter; rolled
    forward to the next weekday that is not a public holiday. The period ends at the end of that day: compare with
    `end_of_day(result)`.
    """
    # Company closing days are deliberately NOT skipped: the requester's right follows the law (weekends and public
    # holidays of the Algemene termijnenwet); our internal closing days cannot extend it. No database query.
    if months < 1:
        raise ValueError("months must be at least 1")
    return _roll_to_legal_working_day(_same_day_months_later(moment, months))


def _same_day_months_later(moment: datetime, months: int) -> date:
    start = _local_date(moment)
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _roll_to_legal_working_day(day: date) -> date:
    while not _is_legal_working_day(day):
        day += timedelta(days=1)
    return day


def end_of_day(day: date) -> datetime:
    """The last instant of `day` in Amsterdam (23:59:59.999999), for "due at the end of that day" comparisons."""
    # DST switches happen at 02:00/03:00, so 23:59:59.999999 local always exists exactly once.
    return datetime.combine(day, time.max, tzinfo=AMSTERDAM)


def working_days_between(start: datetime, end: datetime) -> int:
    """Working days after `start`'s Amsterdam day up to and including `end`'s; 0 when `end`'s day is not later.

    For "days left" displays: working_days_between(now, add_working_days(now, n)) == n.
    """
    first, last = _local_date(start) + timedelta(days=1), _local_date(end)
    if last < first:
        return 0
    closed = _closing_days(first, last)
    return sum(
        1
        for offset in range((last - first).days + 1)
        if (day := first + timedelta(days=offset)) not in closed and _is_legal_working_day(day)
    )


def gdpr_due_date(received_at: datetime, *, extension_months: int = 0, paused_days: int = 0) -> date:
    """The day a data-subject request must be answered by (it ends at `end_of_day` of that day).

    One month from receipt (GDPR art. 12(3)), or up to three with an extension of at most two months. A pause
    while the requester is asked for proof of identity moves the end of the period by the calendar days it lasted;
    a date that then falls on a weekend or public holiday rolls forward like the month period itself.
    """
    if not 0 <= extension_months <= 2:
        raise ValueError("an extension is at most two further months")
    if paused_days < 0:
        raise ValueError("paused_days cannot be negative")
    # The pause moves the end of the period itself; only the result is rolled past a weekend or holiday, so a
    # pause never gains the extra day or two that a rolled-forward date would add.
    return _roll_to_legal_working_day(
        _same_day_months_later(received_at, 1 + extension_months) + timedelta(days=paused_days)
    )


def calendar_days_between(start: datetime, end: datetime) -> int:
    """Whole Amsterdam calendar days from `start`'s day to `end`'s day (0 on the same day), for pauses."""
    return max(0, (_local_date(end) - _local_date(start)).days)
