"""Working days, the unit partners answer referrals in: weekends do not count."""

import datetime as dt

import pytest

from partners.response_times import add_working_days, working_days_between

# November 2026: Monday 16, Wednesday 18, Friday 20, Saturday 21, Sunday 22, Monday 23.
MON, WED, FRI, SAT, SUN = (dt.date(2026, 11, day) for day in (16, 18, 20, 21, 22))


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (WED, 0, WED),
        (WED, 1, dt.date(2026, 11, 19)),  # Thursday
        (WED, 5, dt.date(2026, 11, 25)),  # a week later
        (FRI, 1, dt.date(2026, 11, 23)),  # Friday's next working day is Monday
        (FRI, 2, dt.date(2026, 11, 24)),
        (SAT, 1, dt.date(2026, 11, 23)),  # sent at the weekend: the clock starts on Monday
        (SUN, 5, dt.date(2026, 11, 27)),
        (FRI, 10, dt.date(2026, 12, 4)),  # two whole weeks
        (MON, 30, dt.date(2026, 12, 28)),  # the most a service may allow: six weeks
    ],
)
def test_add_working_days_skips_weekends(start, days, due):
    assert add_working_days(start, days) == due


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (WED, WED, 0),
        (WED, MON, 0),  # an end before the start counts nothing
        (FRI, SAT, 0),
        (FRI, SUN, 0),
        (FRI, dt.date(2026, 11, 23), 1),
        (dt.date(2026, 11, 19), dt.date(2026, 11, 24), 3),  # Friday, Monday, Tuesday
        (SAT, SUN, 0),
        (SUN, dt.date(2026, 11, 23), 1),
        (WED, dt.date(2026, 11, 25), 5),
        (MON, dt.date(2026, 11, 30), 10),
        (MON, dt.date(2026, 12, 28), 30),
    ],
)
def test_working_days_between_counts_the_days_after_the_start_up_to_the_end(start, end, days):
    assert working_days_between(start, end) == days


def test_the_two_agree_from_every_day_of_a_fortnight():
    for offset in range(14):
        start = MON + dt.timedelta(days=offset)
        for days in range(31):
            assert working_days_between(start, add_working_days(start, days)) == days, (start, days)
