from datetime import date

import pytest

from cohorts.periods import add_months


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2026, 1, 15), 3, date(2026, 4, 15)),
        # The month is shorter: the last day of that month, never a day that spills over.
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 8, 31), 3, date(2026, 11, 30)),
        # Leap years.
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2000, 1, 31), 1, date(2000, 2, 29)),
        (date(2100, 1, 31), 1, date(2100, 2, 28)),
        # A whole year, and across the year end.
        (date(2026, 5, 20), 12, date(2027, 5, 20)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
        (date(2026, 12, 31), 1, date(2027, 1, 31)),
        (date(2026, 10, 31), 4, date(2027, 2, 28)),
        (date(2026, 12, 1), 25, date(2029, 1, 1)),
        (date(2026, 6, 10), 0, date(2026, 6, 10)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


def test_add_months_can_go_back_across_the_year_end():
    assert add_months(date(2026, 1, 31), -2) == date(2025, 11, 30)
