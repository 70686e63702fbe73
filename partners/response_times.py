"""Working days, the unit partners answer referrals in.

Weekends do not count. Bank holidays are not known to the service yet, so a referral sent before
one is due a day early (docs/decisions/0008-referrals.md).
"""

import datetime as dt


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (a referral sent on Friday with 1 day is due Monday)."""
    current = start
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end`; 0 when `end` is not after `start`."""
    if end <= start:
        return 0
    whole_weeks, rest = divmod((end - start).days, 7)
    count = whole_weeks * 5
    for offset in range(1, rest + 1):
        if (start + dt.timedelta(days=offset)).weekday() < 5:
            count += 1
    return count
