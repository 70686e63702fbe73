"""The weekly contact standard and the enforcement prompt, as plain calculations.

Selectors gather the rows (for one person or a whole team) and these functions give the
answer, so the person page, the manager dashboard and the governance pack cannot disagree.
The rules are explained in docs/decisions/0007-contact-standards.md.
"""

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

ONE_WEEK = dt.timedelta(days=7)


def week_starting(day: dt.date) -> dt.date:
    """Weeks run Monday to Sunday."""
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class MembershipSpan:
    cohort: str
    entry_date: dt.date
    exit_date: dt.date | None


@dataclass(frozen=True)
class PersonStandard:
    set_on: dt.date
    contacts_per_week: int


@dataclass(frozen=True)
class StandardInputs:
    """Everything about one person that decides what they need in a week."""

    memberships: Sequence[MembershipSpan]
    standards: Sequence[PersonStandard]  # newest first
    cohort_defaults: dict[str, int | None]
    in_custody: bool = False


@dataclass(frozen=True)
class WeekCompliance:
    starts: dt.date
    required: int | None
    achieved: int
    in_progress: bool = False
    not_assessed_because: str = ""
    cohort: str = ""

    @property
    def ends(self) -> dt.date:
        return self.starts + dt.timedelta(days=6)

    @property
    def assessed(self) -> bool:
        return self.required is not None

    @property
    def met(self) -> bool:
        return self.required is not None and self.achieved >= self.required

    @property
    def short(self) -> int:
        return 0 if self.required is None else max(0, self.required - self.achieved)


def required_in_week(person: StandardInputs, starts: dt.date, today: dt.date) -> tuple[int | None, str, str]:
    """(contacts required, why not assessed, cohort) for the week that starts on `starts`.

    The standard is the one in force on the week's last day (today, for the current week):
    the latest set for the person since their current cohort entry, or else the cohort's
    default. A week the person joined or left part-way through needs its share of the
    standard, rounded up."""
    ends = starts + dt.timedelta(days=6)
    assess_on = min(ends, today)
    spans = [
        span
        for span in person.memberships
        if span.entry_date <= assess_on and (span.exit_date is None or span.exit_date >= starts)
    ]
    if not spans:
        return None, "Not on a cohort", ""
    span = max(spans, key=lambda s: s.entry_date)
    if person.in_custody and starts <= today <= ends:
        return None, "In custody", span.cohort
    own = next((s for s in person.standards if span.entry_date <= s.set_on <= assess_on), None)
    per_week = own.contacts_per_week if own else person.cohort_defaults.get(span.cohort)
    if per_week is None:
        return None, "No standard set", span.cohort
    first = max(starts, span.entry_date)
    last = min(ends, span.exit_date) if span.exit_date else ends
    days_on = (last - first).days + 1
    return math.ceil(per_week * days_on / 7), "", span.cohort


def weekly_compliance(
    person: StandardInputs, contact_dates: Iterable[dt.date], *, today: dt.date, weeks: int
) -> list[WeekCompliance]:
    """The current week and the `weeks - 1` before it, newest first.

    `contact_dates` are the dates of contacts that count towards the standard."""
    current = week_starting(today)
    counts: dict[dt.date, int] = {}
    for day in contact_dates:
        counts[week_starting(day)] = counts.get(week_starting(day), 0) + 1
    result = []
    for back in range(weeks):
        starts = current - back * ONE_WEEK
        required, why, cohort = required_in_week(person, starts, today)
        result.append(
            WeekCompliance(
                starts=starts,
                required=required,
                achieved=counts.get(starts, 0),
                in_progress=back == 0,
                not_assessed_because=why,
                cohort=cohort,
            )
        )
    return result


@dataclass(frozen=True)
class EnforcementStatus:
    """Unacceptable absences in the window, and how many the case team has not yet answered.

    An absence is answered by any enforcement decision recorded on or after its date,
    including "no further action". Nothing here decides anything: it prompts."""

    window_days: int
    threshold: int
    absences: list[dt.date] = field(default_factory=list)
    last_decided_on: dt.date | None = None

    @property
    def unanswered(self) -> int:
        if self.last_decided_on is None:
            return len(self.absences)
        return sum(1 for day in self.absences if day > self.last_decided_on)

    @property
    def needs_decision(self) -> bool:
        return self.unanswered > 0

    @property
    def threshold_reached(self) -> bool:
        return self.needs_decision and len(self.absences) >= self.threshold
