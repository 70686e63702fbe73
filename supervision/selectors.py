"""Every read about supervision, already scoped to what the user may see.

Compliance and enforcement figures are gathered here in a fixed number of queries, for one
person or a whole team, and calculated by `supervision.compliance`.
"""

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from cohorts.models import CohortMembership, CohortSetting, Nominal
from cohorts.selectors import get_nominal_for_user, nominals_visible_to, open_nominal_record
from iom.core import access
from iom.core.models import TEAM_ROLES, Membership, Team, User
from supervision.compliance import (
    EnforcementStatus,
    MembershipSpan,
    PersonStandard,
    StandardInputs,
    WeekCompliance,
    required_in_week,
    week_starting,
    weekly_compliance,
)
from supervision.models import (
    COUNTS_TOWARDS_STANDARD,
    Contact,
    ContactAttendee,
    ContactStandard,
    EnforcementAction,
    Kind,
    Outcome,
)

COMPLIANCE_WEEKS = 8
UPCOMING_DAYS = 28
_DEFAULT_WINDOW = CohortSetting._meta.get_field("absence_window_days").get_default()
_DEFAULT_THRESHOLD = CohortSetting._meta.get_field("absence_threshold").get_default()


def team_staff(nominal: Nominal) -> list[User]:
    """Who may be recorded as attending a contact with this person: staff of their team."""
    return list(
        User.objects.filter(
            is_active=True,
            pk__in=Membership.objects.filter(team_id=nominal.team_id, role__in=TEAM_ROLES).values("user_id"),
        )
        .select_related("organisation")
        .order_by("organisation__name", "full_name")
    )


def _with_attendance(contacts: QuerySet[Contact]) -> QuerySet[Contact]:
    return contacts.prefetch_related(
        Prefetch(
            "attendance",
            queryset=ContactAttendee.objects.select_related("user", "organisation").order_by(
                "user__full_name"
            ),
        )
    )


def get_contact_for_user(*, user: User, contact_id: int, page: str) -> Contact:
    """The contact or appointment, if the user may see its person (audited as a consultation); else 404."""
    nominal_id = Contact.objects.filter(pk=contact_id).values_list("nominal_id", flat=True).first()
    if nominal_id is None:
        raise Http404("No such contact")
    nominal = open_nominal_record(user=user, nominal_id=nominal_id, page=page)
    contact = _with_attendance(
        Contact.objects.select_related("series", "logged_by", "outcome_recorded_by")
    ).get(pk=contact_id)
    contact.nominal = nominal
    return contact


def note_is_readable(user: User, contact: Contact) -> bool:
    return access.can_read_note(user, contact.nominal, contact.sensitivity)


def contacts_for(nominal: Nominal) -> QuerySet[Contact]:
    """Contacts held (with an outcome), newest first."""
    return _with_attendance(nominal.contacts.exclude(outcome="").select_related("logged_by")).order_by(
        "-date", "-time", "-id"
    )


def planned_for(nominal: Nominal) -> QuerySet[Contact]:
    """Appointments without an outcome, soonest first; those already past are due an outcome."""
    return _with_attendance(nominal.contacts.filter(outcome="")).order_by("date", "time", "id")


# Compliance ------------------------------------------------------------------------------


def _cohort_settings() -> dict[str, CohortSetting]:
    return {setting.cohort: setting for setting in CohortSetting.objects.all()}


def _spans(memberships: Iterable[CohortMembership]) -> dict[int, list[MembershipSpan]]:
    spans: dict[int, list[MembershipSpan]] = defaultdict(list)
    for membership in memberships:
        if membership.entry_date is not None:
            spans[membership.nominal_id].append(
                MembershipSpan(membership.cohort, membership.entry_date, membership.exit_date)
            )
    return spans


type People = QuerySet[Nominal] | Iterable[int]


def _in(people: People) -> Any:
    """The people as a subquery when they are a queryset: a team's thousands of ids sent back as
    an IN list cost more to plan than to run (docs/benchmarks.md)."""
    return people.values("pk") if isinstance(people, QuerySet) else people


def _entered_memberships(nominal_ids: People, since: dt.date) -> QuerySet[CohortMembership]:
    return CohortMembership.objects.filter(
        Q(exit_date__isnull=True) | Q(exit_date__gte=since),
        nominal_id__in=_in(nominal_ids),
        entry_date__isnull=False,
    ).only("nominal_id", "cohort", "entry_date", "exit_date")


def _standards(nominal_ids: People, until: dt.date) -> dict[int, list[PersonStandard]]:
    standards: dict[int, list[PersonStandard]] = defaultdict(list)
    rows = ContactStandard.objects.filter(nominal_id__in=_in(nominal_ids), set_on__lte=until).order_by(
        "nominal_id", "-set_on", "-recorded_at", "-id"
    )
    for nominal_id, set_on, per_week in rows.values_list("nominal_id", "set_on", "contacts_per_week"):
        standards[nominal_id].append(PersonStandard(set_on, per_week))
    return standards


def _counting_contacts(nominal_ids: People, since: dt.date, until: dt.date) -> QuerySet[Contact]:
    return Contact.objects.filter(
        nominal_id__in=_in(nominal_ids), date__range=(since, until), outcome__in=COUNTS_TOWARDS_STANDARD
    )


def person_compliance(
    nominal: Nominal, *, today: dt.date | None = None, weeks: int = COMPLIANCE_WEEKS
) -> list[WeekCompliance]:
    """This week and the weeks before it, newest first. Four queries."""
    today = today or timezone.localdate()
    since = week_starting(today) - dt.timedelta(weeks=weeks - 1)
    settings = _cohort_settings()
    person = StandardInputs(
        memberships=_spans(_entered_memberships([nominal.pk], since))[nominal.pk],
        standards=_standards([nominal.pk], today)[nominal.pk],
        cohort_defaults={cohort: s.contacts_per_week for cohort, s in settings.items()},
        in_custody=nominal.in_custody,
    )
    dates = _counting_contacts([nominal.pk], since, today).values_list("date", flat=True)
    return weekly_compliance(person, dates, today=today, weeks=weeks)


def week_compliance_for(
    nominals: QuerySet[Nominal], *, week_starts: dt.date, today: dt.date | None = None
) -> dict[int, WeekCompliance]:
    """One week's compliance for every person in `nominals`, by nominal id.

    Five queries, whatever the team size."""
    today = today or timezone.localdate()
    # A week is Monday to Sunday: gathering from another day would miss the week's first contacts.
    week_starts = week_starting(week_starts)
    if week_starts > today:
        raise ValueError("Compliance is only known for weeks that have started")
    week_ends = week_starts + dt.timedelta(days=6)
    people = list(nominals.values_list("pk", "in_custody"))
    settings = _cohort_settings()
    defaults = {cohort: s.contacts_per_week for cohort, s in settings.items()}
    spans = _spans(_entered_memberships(nominals, week_starts))
    standards = _standards(nominals, min(week_ends, today))
    dates: dict[int, list[dt.date]] = defaultdict(list)
    for nominal_id, day in _counting_contacts(nominals, week_starts, min(week_ends, today)).values_list(
        "nominal_id", "date"
    ):
        dates[nominal_id].append(day)
    in_progress = week_starts == week_starting(today)
    result = {}
    for pk, in_custody in people:
        person = StandardInputs(spans[pk], standards[pk], defaults, in_custody)
        # The same rule as weekly_compliance, for the one week asked about (its contacts alone were read).
        required, why, cohort = required_in_week(person, week_starts, today)
        result[pk] = WeekCompliance(
            starts=week_starts,
            required=required,
            achieved=len(dates[pk]),
            in_progress=in_progress,
            not_assessed_because=why,
            cohort=cohort,
        )
    return result


def below_standard(
    nominals: QuerySet[Nominal], *, week_starts: dt.date, today: dt.date | None = None
) -> list[tuple[Nominal, WeekCompliance]]:
    """People short of their contact standard in the week, most short first."""
    weeks = week_compliance_for(nominals, week_starts=week_starts, today=today)
    short = [pk for pk, week in weeks.items() if week.assessed and not week.met]
    people = Nominal.objects.filter(pk__in=short).select_related(
        "police_offender_manager", "probation_practitioner", "support_worker"
    )
    return sorted(
        ((person, weeks[person.pk]) for person in people), key=lambda row: (-row[1].short, row[0].family_name)
    )


# Enforcement -----------------------------------------------------------------------------


def _window(settings: dict[str, CohortSetting], cohort: str | None) -> tuple[int, int]:
    setting = settings.get(cohort or "")
    if setting is None:
        return _DEFAULT_WINDOW, _DEFAULT_THRESHOLD
    return setting.absence_window_days, setting.absence_threshold


def enforcement_for(
    nominals: QuerySet[Nominal] | list[int], *, today: dt.date | None = None
) -> dict[int, EnforcementStatus]:
    """Unacceptable absences in each person's window and their latest decision. Four queries."""
    today = today or timezone.localdate()
    ids = list(nominals.values_list("pk", flat=True)) if isinstance(nominals, QuerySet) else list(nominals)
    settings = _cohort_settings()
    cohorts = dict(
        CohortMembership.objects.filter(
            nominal_id__in=_in(nominals), status=CohortMembership.Status.ACTIVE
        ).values_list("nominal_id", "cohort")
    )
    longest = max([_DEFAULT_WINDOW, *(s.absence_window_days for s in settings.values())])
    absences: dict[int, list[dt.date]] = defaultdict(list)
    for nominal_id, day in (
        Contact.objects.filter(
            nominal_id__in=_in(nominals),
            outcome=Outcome.UNACCEPTABLE_ABSENCE,
            date__range=(today - dt.timedelta(days=longest), today),
        )
        .order_by("date")
        .values_list("nominal_id", "date")
    ):
        absences[nominal_id].append(day)
    last_decided: dict[int, dt.date] = {}
    for nominal_id, day in (
        EnforcementAction.objects.filter(nominal_id__in=_in(nominals))
        .order_by("nominal_id", "decided_on")
        .values_list("nominal_id", "decided_on")
    ):
        last_decided[nominal_id] = day
    result = {}
    for pk in ids:
        window, threshold = _window(settings, cohorts.get(pk))
        # A 365-day window is today and the 364 days before it.
        since = today - dt.timedelta(days=window - 1)
        result[pk] = EnforcementStatus(
            window_days=window,
            threshold=threshold,
            absences=[day for day in absences[pk] if day >= since],
            last_decided_on=last_decided.get(pk),
        )
    return result


def enforcement_status(nominal: Nominal, *, today: dt.date | None = None) -> EnforcementStatus:
    return enforcement_for([nominal.pk], today=today)[nominal.pk]


def enforcement_history(nominal: Nominal) -> QuerySet[EnforcementAction]:
    return nominal.enforcement_actions.select_related("recorded_by")


def standard_history(nominal: Nominal) -> QuerySet[ContactStandard]:
    return nominal.contact_standards.select_related("set_by")


def at_enforcement_threshold(
    nominals: QuerySet[Nominal], *, today: dt.date | None = None
) -> list[tuple[Nominal, EnforcementStatus]]:
    statuses = enforcement_for(nominals, today=today)
    reached = [pk for pk, status in statuses.items() if status.threshold_reached]
    people = Nominal.objects.filter(pk__in=reached).order_by("family_name", "given_name")
    return [(person, statuses[person.pk]) for person in people]


# Diaries ---------------------------------------------------------------------------------


def _diary(contacts: QuerySet[Contact]) -> QuerySet[Contact]:
    return _with_attendance(contacts.select_related("nominal")).order_by("date", "time", "id")


def my_diary(user: User, *, start: dt.date, end: dt.date) -> QuerySet[Contact]:
    """Appointments and contacts the user attends, in their teams, between two dates."""
    contacts = access.scope_to_teams(user, Contact.objects.all(), team_field="nominal__team_id")
    return _diary(contacts.filter(date__range=(start, end), attendance__user=user))


def team_diary(
    user: User, *, start: dt.date, end: dt.date, team_id: int | None = None, worker_id: int | None = None
) -> QuerySet[Contact]:
    contacts = access.scope_to_teams(user, Contact.objects.all(), team_field="nominal__team_id")
    contacts = contacts.filter(date__range=(start, end))
    if team_id is not None:
        contacts = contacts.filter(nominal__team_id=team_id)
    if worker_id is not None:
        contacts = contacts.filter(attendance__user_id=worker_id)
    return _diary(contacts)


def outcomes_due(user: User, *, now: dt.datetime | None = None) -> QuerySet[Contact]:
    """Appointments the user attends whose time has passed with no outcome recorded."""
    now = timezone.localtime(now)
    contacts = access.scope_to_teams(user, Contact.objects.all(), team_field="nominal__team_id")
    return _diary(
        # The plain date bound lets the partial index of planned contacts be read as a range.
        contacts.filter(outcome="", attendance__user=user, date__lte=now.date()).filter(
            Q(date__lt=now.date()) | Q(date=now.date(), time__lte=now.time())
        )
    )


def upcoming_custody_visits(user: User, *, today: dt.date, days: int = UPCOMING_DAYS) -> QuerySet[Contact]:
    contacts = access.scope_to_teams(user, Contact.objects.all(), team_field="nominal__team_id")
    return _diary(
        contacts.filter(
            kind=Kind.CUSTODY_VISIT, outcome="", date__range=(today, today + dt.timedelta(days=days))
        )
    )


def upcoming_releases(user: User, *, today: dt.date, days: int = UPCOMING_DAYS) -> QuerySet[Nominal]:
    return (
        nominals_visible_to(user)
        .filter(in_custody=True, conditional_release_date__range=(today, today + dt.timedelta(days=days)))
        .order_by("conditional_release_date", "family_name")
    )


def diary_staff(user: User) -> list[User]:
    """Staff of the user's teams, for the team diary's worker filter."""
    return list(
        User.objects.filter(
            is_active=True,
            pk__in=Membership.objects.filter(team_id__in=access.team_ids(user), role__in=TEAM_ROLES).values(
                "user_id"
            ),
        ).order_by("full_name")
    )


# Diary pages and the iCalendar download ----------------------------------------------------


def diary_teams(user: User) -> list[Team]:
    """The teams whose diary the user may open, by name."""
    return list(Team.objects.filter(pk__in=access.team_ids(user)).order_by("name"))


# An appointment that did not go ahead leaves the calendar; a missed one stays, as the worker was there.
_OFF_THE_CALENDAR = (Outcome.CANCELLED_BY_SERVICE, Outcome.RESCHEDULED)


def calendar_appointments(user: User, *, start: dt.date, end: dt.date) -> QuerySet[Contact]:
    """The user's appointments for a calendar file: planned and held, never their notes. One query."""
    return (
        my_diary(user, start=start, end=end)
        .exclude(outcome__in=_OFF_THE_CALENDAR)
        .prefetch_related(None)
        .defer("notes")
    )


# The person's supervision tab ------------------------------------------------------------


@dataclass(frozen=True)
class StandardInForce:
    """The contact standard that applies to a person today, and where it comes from."""

    contacts_per_week: int | None
    cohort: str  # "" when the person is not on a cohort
    set_for_person: ContactStandard | None  # None: the cohort's default applies, if it has one


def standard_in_force(nominal: Nominal, *, today: dt.date | None = None) -> StandardInForce:
    """The standard as `compliance.required_in_week` reads it for today. Two queries."""
    today = today or timezone.localdate()
    membership = (
        CohortMembership.objects.filter(
            Q(exit_date__isnull=True) | Q(exit_date__gte=today), nominal=nominal, entry_date__lte=today
        )
        .annotate(
            default=Subquery(
                CohortSetting.objects.filter(cohort=OuterRef("cohort")).values("contacts_per_week")[:1]
            )
        )
        .order_by("-entry_date", "-id")
        .values_list("cohort", "entry_date", "default")
        .first()
    )
    if membership is None:
        return StandardInForce(None, "", None)
    cohort, entry_date, default = membership
    own = standard_history(nominal).filter(set_on__range=(entry_date, today)).first()
    if own is not None:
        return StandardInForce(own.contacts_per_week, cohort, own)
    return StandardInForce(default, cohort, None)


def next_appointment(nominal: Nominal, *, now: dt.datetime | None = None) -> Contact | None:
    """The person's next planned appointment that has not started yet. One query."""
    now = timezone.localtime(now)
    return (
        nominal.contacts.filter(outcome="")
        .filter(Q(date__gt=now.date()) | Q(date=now.date(), time__gte=now.time()))
        .order_by("date", "time", "id")
        .first()
    )


# Contact and appointment pages ------------------------------------------------------------


def get_contact_for_change(*, user: User, contact_id: int) -> Contact:
    """As get_contact_for_user, for a form being submitted: the service that writes audits it,
    so the submission is not also recorded as a consultation."""
    nominal_id = Contact.objects.filter(pk=contact_id).values_list("nominal_id", flat=True).first()
    if nominal_id is None:
        raise Http404("No such contact")
    nominal = get_nominal_for_user(user=user, nominal_id=nominal_id)
    contact = _with_attendance(Contact.objects.select_related("series")).get(pk=contact_id)
    contact.nominal = nominal
    return contact


# The API -----------------------------------------------------------------------------------


def contacts_and_appointments_for(nominal: Nominal) -> QuerySet[Contact]:
    """Everything in the person's supervision record, held and planned, newest first: the API lists
    both in one collection, told apart by their outcome. Three queries for any page of it."""
    return _with_attendance(nominal.contacts.select_related("logged_by", "outcome_recorded_by")).order_by(
        "-date", "-time", "-id"
    )


def submission_recorded(submission_id: uuid.UUID) -> bool:
    """Whether a contact form with this one-time key has been saved already."""
    return Contact.objects.filter(submission_id=submission_id).exists()


def contact_locked_for_change(*, contact_id: int) -> Contact:
    """The row locked until the end of the caller's transaction, read only to compare the client's
    ETag with the row as it is now: a change made meanwhile waits for the lock, then shows."""
    return Contact.objects.select_for_update().only("pk", "updated_at").get(pk=contact_id)
