"""Every figure the service reports, computed in one place.

Dashboards and governance packs both call these functions, so a number on a page and the
same number in a PDF cannot disagree.
"""

import math
import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, F, Func, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from cohorts.models import (
    PRE_RELEASE_WEEKS,
    Cohort,
    CohortMembership,
    Need,
    NeedStatus,
    Nominal,
    Pathway,
    UnmetReason,
)
from cohorts.selectors import holds_a_case_team_place
from iom.core import access
from iom.core.models import Membership, Role, User
from partners.models import Referral, ReferralEvent
from partners.response_times import working_days_between
from supervision import selectors as supervision
from supervision.compliance import week_starting

# The manager's dashboard for one team (issue 4). Not suppressed: it is a manager's
# operational view of their own people, and the small numbers are the ones to act on.

FLOW_WEEKS = 12
REVIEW_DUE_SOON_DAYS = 14
OPEN_STATUSES = (CohortMembership.Status.PROPOSED, CohortMembership.Status.ACTIVE)
# The roles that carry a caseload: they appear on the dashboard even with no one allocated.
CASELOAD_ROLES = (
    Role.POLICE_OFFENDER_MANAGER,
    Role.PROBATION_PRACTITIONER,
    Role.SUPPORT_WORKER,
    Role.YOUNG_ADULT_SUPPORT_WORKER,
)


@dataclass(frozen=True)
class CohortSizes:
    fixed: int
    flex: int
    free: int
    proposed: int

    @property
    def active(self) -> int:
        return self.fixed + self.flex + self.free


@dataclass(frozen=True)
class WeekFlow:
    week_start: date
    entries: int
    exits: int


@dataclass(frozen=True)
class ExitReasonCount:
    reason: str
    label: str
    exits: int


@dataclass(frozen=True)
class CohortFlows:
    weeks: list[WeekFlow]
    exits_by_reason: list[ExitReasonCount]

    @property
    def period_start(self) -> date:
        return self.weeks[0].week_start

    @property
    def entries(self) -> int:
        return sum(week.entries for week in self.weeks)

    @property
    def exits(self) -> int:
        return sum(week.exits for week in self.weeks)


@dataclass(frozen=True)
class ReviewsDue:
    overdue: int
    due_soon: int


@dataclass(frozen=True)
class WorkerCaseload:
    worker_id: int
    name: str
    role: str
    people: int


@dataclass(frozen=True)
class PathwayNeeds:
    pathway: str
    label: str
    unmet: int
    no_service: int


@dataclass(frozen=True)
class BelowStandard:
    """A person short of their contact standard in a week."""

    nominal_id: int
    name: str
    cohort: str
    required: int
    contacts: int

    @property
    def short(self) -> int:
        return max(0, self.required - self.contacts)


@dataclass(frozen=True)
class EnforcementDue:
    """A person whose unacceptable absences reached the threshold with no decision since."""

    nominal_id: int
    name: str
    absences: int
    threshold: int
    window_days: int


@dataclass(frozen=True)
class TeamDashboard:
    today: date
    people: int
    cohorts: CohortSizes
    flows: CohortFlows
    reviews: ReviewsDue
    releases_due: int
    unallocated: int
    workers: list[WorkerCaseload]
    needs: list[PathwayNeeds]
    last_week: date
    below_standard: list[BelowStandard]
    enforcement_due: list[EnforcementDue]

    @property
    def unmet_needs(self) -> int:
        return sum(pathway.unmet for pathway in self.needs)


def _open_membership() -> Exists:
    return Exists(CohortMembership.objects.filter(nominal=OuterRef("pk"), status__in=OPEN_STATUSES))


def people_on_caseload(*, team_id: int) -> int:
    # Records restricted or erased after retention review are out of normal use: not on the caseload.
    return Nominal.objects.filter(team_id=team_id, retention_status="").count()


def cohort_sizes(*, team_id: int) -> CohortSizes:
    """People on each cohort now, and people proposed and awaiting the panel. One query."""
    active = Q(status=CohortMembership.Status.ACTIVE)
    counts = CohortMembership.objects.filter(nominal__team_id=team_id).aggregate(
        fixed=Count("id", filter=active & Q(cohort=Cohort.FIXED)),
        flex=Count("id", filter=active & Q(cohort=Cohort.FLEX)),
        free=Count("id", filter=active & Q(cohort=Cohort.FREE)),
        proposed=Count("id", filter=Q(status=CohortMembership.Status.PROPOSED)),
    )
    return CohortSizes(**counts)


def flow_weeks(today: date) -> list[date]:
    """The Mondays of the last FLOW_WEEKS weeks, oldest first; the last is this week, to date."""
    this_monday = today - timedelta(days=today.weekday())
    return [this_monday - timedelta(weeks=back) for back in range(FLOW_WEEKS - 1, -1, -1)]


def cohort_flows(*, team_id: int, today: date) -> CohortFlows:
    """Entries and exits in each of the last 12 weeks, and exits by reason over them. One query."""
    mondays = flow_weeks(today)
    period = (mondays[0], today)
    # Every figure is a filtered count over the same rows, so the database does it in one pass.
    counts = (
        CohortMembership.objects.filter(nominal__team_id=team_id)
        .filter(Q(entry_date__range=period) | Q(exit_date__range=period))
        .aggregate(
            **{
                f"entries_{index}": Count("id", filter=Q(entry_date__range=_week(monday, today)))
                for index, monday in enumerate(mondays)
            },
            **{
                f"exits_{index}": Count("id", filter=Q(exit_date__range=_week(monday, today)))
                for index, monday in enumerate(mondays)
            },
            **{
                f"reason_{reason.value}": Count("id", filter=Q(exit_date__range=period, exit_reason=reason))
                for reason in CohortMembership.ExitReason
            },
        )
    )
    return CohortFlows(
        weeks=[
            WeekFlow(monday, counts[f"entries_{index}"], counts[f"exits_{index}"])
            for index, monday in enumerate(mondays)
        ],
        exits_by_reason=[
            ExitReasonCount(reason.value, reason.label, counts[f"reason_{reason.value}"])
            for reason in CohortMembership.ExitReason
        ],
    )


def _week(monday: date, today: date) -> tuple[date, date]:
    return monday, min(monday + timedelta(days=6), today)


def reviews_due(*, team_id: int, today: date) -> ReviewsDue:
    """Active memberships past their review date, and due within 14 days (today included). One query."""
    active = Q(status=CohortMembership.Status.ACTIVE)
    counts = CohortMembership.objects.filter(active, nominal__team_id=team_id).aggregate(
        overdue=Count("id", filter=Q(review_due__lt=today)),
        due_soon=Count(
            "id", filter=Q(review_due__range=(today, today + timedelta(days=REVIEW_DUE_SOON_DAYS)))
        ),
    )
    return ReviewsDue(**counts)


def releases_due(*, team_id: int, today: date) -> int:
    """People in custody due out within PRE_RELEASE_WEEKS, as Nominal.due_out_within says. One query."""
    return Nominal.objects.filter(
        team_id=team_id,
        in_custody=True,
        conditional_release_date__range=(today, today + timedelta(weeks=PRE_RELEASE_WEEKS)),
    ).count()


def unallocated(*, team_id: int) -> int:
    """People on or proposed for a cohort with no one on their case team. One query."""
    return (
        Nominal.objects.filter(
            _open_membership(),
            team_id=team_id,
            police_offender_manager__isnull=True,
            probation_practitioner__isnull=True,
            support_worker__isnull=True,
        )
        .order_by()
        .count()
    )


def caseload_by_worker(*, team_id: int) -> list[WorkerCaseload]:
    """The team's people allocated to each worker, in any case-team role, counted once.

    The same people the caseload lists for `?team=<id>&worker=<id>`, so the figure and its list agree.

    Frontline members of the team appear with 0, so an empty caseload shows as well as a full
    one; anyone else allocated (a manager, a worker from another team) appears too. One query.
    """
    allocated = Nominal.objects.filter(team_id=team_id, retention_status="").filter(
        Q(police_offender_manager=OuterRef("pk"))
        | Q(probation_practitioner=OuterRef("pk"))
        | Q(support_worker=OuterRef("pk"))
    )
    # COUNT as a plain function, not an aggregate: the subquery is one row per worker with no GROUP BY.
    people = allocated.order_by().annotate(people=Func("id", function="COUNT")).values("people")
    team_roles = Membership.objects.filter(user=OuterRef("pk"), team_id=team_id, role__in=CASELOAD_ROLES)
    holds_a_place = holds_a_case_team_place(Nominal.objects.filter(team_id=team_id))
    workers = (
        User.objects.filter(Exists(team_roles) | holds_a_place)
        .annotate(
            people=Coalesce(Subquery(people), 0),
            team_role=Subquery(team_roles.order_by("role").values("role")[:1]),
        )
        .order_by("-people", "full_name", "id")
        .values_list("id", "full_name", "team_role", "people")
    )
    return [
        WorkerCaseload(worker_id, name, Role(role).label if role else "", count)
        for worker_id, name, role, count in workers
    ]


def unmet_needs(*, team_id: int) -> list[PathwayNeeds]:
    """Unmet needs on each pathway, and how many of them no service exists to meet. One query."""
    counts: dict[str, tuple[int, int]] = {
        pathway: (unmet, no_service)
        for pathway, unmet, no_service in Need.objects.filter(
            nominal__team_id=team_id, status=NeedStatus.UNMET
        )
        .values("pathway")
        .annotate(unmet=Count("id"), no_service=Count("id", filter=Q(unmet_reason=UnmetReason.NO_SERVICE)))
        .order_by()
        .values_list("pathway", "unmet", "no_service")
    }
    return [
        PathwayNeeds(pathway.value, pathway.label, *counts.get(pathway.value, (0, 0))) for pathway in Pathway
    ]


def _people_named_to(viewer: User | None, team_id: int) -> QuerySet[Nominal]:
    """The team's people a list on the dashboard may name. The figures count everyone, restricted
    cases included (DESIGN §3, docs/decisions/0013-restricted-cases.md), but a list names a restricted
    case only to a viewer who may open it, and a record hidden by retention review to no one. The
    grant is looked up inside the list's own query."""
    people = Nominal.objects.filter(team_id=team_id)
    if viewer is None:
        return people.filter(access_restricted=False, retention_status="")
    return access.scope_to_open_cases(viewer, people, team_field="team_id")


def _on_a_cohort(team_id: int, viewer: User | None = None) -> QuerySet[Nominal]:
    """The team's people on IOM now that the viewer may see named: standards and enforcement do not
    apply to those who left."""
    return _people_named_to(viewer, team_id).filter(
        Exists(CohortMembership.objects.filter(nominal=OuterRef("pk"), status=CohortMembership.Status.ACTIVE))
    )


def last_complete_week(today: date) -> date:
    """The Monday of the last whole week (Monday to Sunday) before this one."""
    return week_starting(today) - timedelta(weeks=1)


def below_standard(*, team_id: int, today: date, viewer: User | None = None) -> list[BelowStandard]:
    """The team's people short of their contact standard in the last complete week, most short
    first. Six queries (five when no one is short), as supervision's compliance counts them. A list
    of names: restricted cases only for a viewer who may open them."""
    week = last_complete_week(today)
    on_a_cohort_that_week = _people_named_to(viewer, team_id).filter(
        Exists(
            CohortMembership.objects.filter(
                Q(exit_date__isnull=True) | Q(exit_date__gte=week),
                nominal=OuterRef("pk"),
                entry_date__lte=week + timedelta(days=6),
            )
        )
    )
    rows = supervision.below_standard(on_a_cohort_that_week, week_starts=week, today=today)
    return [
        BelowStandard(
            nominal.pk,
            nominal.full_name,
            Cohort(week.cohort).label if week.cohort in Cohort.values else "",
            week.required or 0,
            week.achieved,
        )
        for nominal, week in rows
    ]


def enforcement_due(*, team_id: int, today: date, viewer: User | None = None) -> list[EnforcementDue]:
    """The team's people at the enforcement threshold who await the case team's decision, by name
    (restricted cases only for a viewer who may open them). Six queries (five when there are none)."""
    return [
        EnforcementDue(
            nominal.pk, nominal.full_name, len(status.absences), status.threshold, status.window_days
        )
        for nominal, status in supervision.at_enforcement_threshold(
            _on_a_cohort(team_id, viewer), today=today
        )
    ]


def team_dashboard(*, team_id: int, today: date, viewer: User | None = None) -> TeamDashboard:
    """Every figure on a team manager's dashboard: twenty queries however many people (eighteen
    when no one is below the contact standard or at the enforcement threshold). The lists of names
    leave out restricted cases the viewer may not open (all of them when no viewer is given)."""
    return TeamDashboard(
        today=today,
        people=people_on_caseload(team_id=team_id),
        cohorts=cohort_sizes(team_id=team_id),
        flows=cohort_flows(team_id=team_id, today=today),
        reviews=reviews_due(team_id=team_id, today=today),
        releases_due=releases_due(team_id=team_id, today=today),
        unallocated=unallocated(team_id=team_id),
        workers=caseload_by_worker(team_id=team_id),
        needs=unmet_needs(team_id=team_id),
        last_week=last_complete_week(today),
        below_standard=below_standard(team_id=team_id, today=today, viewer=viewer),
        enforcement_due=enforcement_due(team_id=team_id, today=today, viewer=viewer),
    )


# The manager's view of the team's referrals to partners (issue 6). Not suppressed either: the
# team's own operational figures. The lists behind them are the team's referral list, filtered with
# ReferralFilters' names, and the caseload; each figure counts what its list shows.

REFERRAL_PERIOD_DAYS = 365
# Every status a sent referral can be in, in the order of its lifecycle: the table's columns.
REFERRAL_STATUSES = (
    Referral.Status.SENT,
    Referral.Status.ACCEPTED,
    Referral.Status.IN_PROGRESS,
    Referral.Status.DECLINED,
    Referral.Status.COMPLETED,
    Referral.Status.WITHDRAWN,
)
PARTNERS_NOT_RESPONDING_SHOWN = 25


def referral_period_start(today: date) -> date:
    """The first day of the last 12 months, as the referral list's `since` reads it."""
    return today - timedelta(days=REFERRAL_PERIOD_DAYS)


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class PathwayReferrals:
    """One row of the table: a pathway's referrals by status ("" for the totals row)."""

    pathway: str
    label: str
    statuses: list[StatusCount]

    @property
    def total(self) -> int:
        return sum(cell.count for cell in self.statuses)


@dataclass(frozen=True)
class ReferralsByPathway:
    since: date
    pathways: list[PathwayReferrals]
    totals: PathwayReferrals

    @property
    def total(self) -> int:
        return self.totals.total


@dataclass(frozen=True)
class AcceptanceTimes:
    """How fast partners accepted referrals on a pathway ("" for every pathway), in working days."""

    pathway: str
    label: str
    accepted: int
    median_days: float | None
    p90_days: int | None
    within_deadline: int
    declined: int

    @property
    def answered(self) -> int:
        return self.accepted + self.declined

    @property
    def within_deadline_percent(self) -> int | None:
        return _percent(self.within_deadline, self.accepted)

    @property
    def declined_percent(self) -> int | None:
        return _percent(self.declined, self.answered)


@dataclass(frozen=True)
class TimeToAccept:
    since: date
    overall: AcceptanceTimes
    pathways: list[AcceptanceTimes]


@dataclass(frozen=True)
class PartnerNotResponding:
    organisation_id: int
    name: str
    overdue: int
    oldest_due: date
    answered_late: int


@dataclass(frozen=True)
class PartnersNotResponding:
    """Organisations holding the team's referrals past their answer date, most overdue first;
    `partners` is the first PARTNERS_NOT_RESPONDING_SHOWN, the totals count them all."""

    partners: list[PartnerNotResponding]
    organisations: int
    overdue: int


@dataclass(frozen=True)
class ReferralsDashboard:
    today: date
    since: date
    by_pathway: ReferralsByPathway
    time_to_accept: TimeToAccept
    not_responding: PartnersNotResponding
    needs: list[PathwayNeeds]

    @property
    def no_service(self) -> int:
        return sum(pathway.no_service for pathway in self.needs)


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _team_referrals(team_id: int) -> QuerySet[Referral]:
    return Referral.objects.filter(nominal__team_id=team_id)


def referrals_by_pathway(*, team_id: int, today: date) -> ReferralsByPathway:
    """Referrals of the team's people sent in the last 12 months, by pathway and status now. One query."""
    since = referral_period_start(today)
    counts = {
        (pathway, status): count
        for pathway, status, count in _team_referrals(team_id)
        .filter(sent_at__date__gte=since)  # the referral list's `since`, so the counts agree
        .values("pathway", "status")
        .annotate(count=Count("id"))
        .order_by()
        .values_list("pathway", "status", "count")
    }
    rows = [
        PathwayReferrals(
            pathway.value,
            pathway.label,
            [
                StatusCount(status.value, status.label, counts.get((pathway.value, status.value), 0))
                for status in REFERRAL_STATUSES
            ],
        )
        for pathway in Pathway
    ]
    totals = PathwayReferrals(
        "",
        "All pathways",
        [
            StatusCount(status.value, status.label, sum(row.statuses[index].count for row in rows))
            for index, status in enumerate(REFERRAL_STATUSES)
        ],
    )
    return ReferralsByPathway(since, rows, totals)


def _acceptance_times(pathway: str, label: str, answers: list[tuple[int, bool, bool]]) -> AcceptanceTimes:
    """`answers` holds (working days, accepted, within the deadline) for each answered referral."""
    days = sorted(working for working, accepted, _ in answers if accepted)
    return AcceptanceTimes(
        pathway=pathway,
        label=label,
        accepted=len(days),
        median_days=float(statistics.median(days)) if days else None,
        # Nearest rank: the smallest time within which at least 90% were accepted.
        p90_days=days[math.ceil(0.9 * len(days)) - 1] if days else None,
        within_deadline=sum(1 for _, accepted, in_time in answers if accepted and in_time),
        declined=sum(1 for _, accepted, _ in answers if not accepted),
    )


def time_to_accept(*, team_id: int, today: date) -> TimeToAccept:
    """Working days from sending to acceptance, for referrals accepted in the last 12 months, and
    the share accepted by the service's deadline; referrals declined in them too. One query: the
    rows are one team's answers over a year, so the working days are counted here."""
    since = referral_period_start(today)
    accepted_event = ReferralEvent.objects.filter(
        referral=OuterRef("pk"), kind=ReferralEvent.Kind.STATUS, to_status=Referral.Status.ACCEPTED
    )
    rows = (
        _team_referrals(team_id)
        .alias(was_accepted=Exists(accepted_event))
        .filter(
            # Accepted, whatever became of it since (withdrawn later included), or declined.
            Q(was_accepted=True) | Q(status=Referral.Status.DECLINED),
            sent_at__isnull=False,
            responded_at__date__gte=since,
        )
        .values_list("pathway", "status", "sent_at", "responded_at", "response_due")
    )
    by_pathway: dict[str, list[tuple[int, bool, bool]]] = {pathway.value: [] for pathway in Pathway}
    for pathway, status, sent_at, responded_at, response_due in rows.order_by():
        answered_on = timezone.localdate(responded_at)
        by_pathway.setdefault(pathway, []).append(
            (
                working_days_between(timezone.localdate(sent_at), answered_on),
                status != Referral.Status.DECLINED,
                response_due is not None and answered_on <= response_due,
            )
        )
    return TimeToAccept(
        since=since,
        overall=_acceptance_times(
            "", "All pathways", [answer for answers in by_pathway.values() for answer in answers]
        ),
        pathways=[
            _acceptance_times(pathway.value, pathway.label, by_pathway[pathway.value]) for pathway in Pathway
        ],
    )


def referrals_overdue(*, team_id: int, today: date) -> int:
    """Referrals of the team's people still waiting for the partner's answer after their due date:
    the referral list's `overdue=1`. One query."""
    return _team_referrals(team_id).filter(status=Referral.Status.SENT, response_due__lt=today).count()


def partners_not_responding(*, team_id: int, today: date) -> PartnersNotResponding:
    """Partner organisations holding the team's referrals past their answer date, with how many of
    the team's referrals each answered late in the last 12 months. One query, one row per
    organisation, so the rows are as many as the directory's partners at most."""
    overdue = Q(status=Referral.Status.SENT, response_due__lt=today)
    late = Q(responded_at__date__gte=referral_period_start(today), responded_at__date__gt=F("response_due"))
    rows = list(
        _team_referrals(team_id)
        .filter(overdue | late)
        .values("organisation_id", "organisation__name")
        .annotate(
            overdue=Count("id", filter=overdue),
            oldest_due=Min("response_due", filter=overdue),
            answered_late=Count("id", filter=late),
        )
        .filter(overdue__gt=0)
        .order_by("-overdue", "oldest_due", "organisation__name", "organisation_id")
        .values_list("organisation_id", "organisation__name", "overdue", "oldest_due", "answered_late")
    )
    return PartnersNotResponding(
        partners=[PartnerNotResponding(*row) for row in rows[:PARTNERS_NOT_RESPONDING_SHOWN]],
        organisations=len(rows),
        overdue=sum(row[2] for row in rows),
    )


def referrals_dashboard(*, team_id: int, today: date) -> ReferralsDashboard:
    """Every figure on a team manager's referrals dashboard: four queries however many referrals."""
    return ReferralsDashboard(
        today=today,
        since=referral_period_start(today),
        by_pathway=referrals_by_pathway(team_id=team_id, today=today),
        time_to_accept=time_to_accept(team_id=team_id, today=today),
        not_responding=partners_not_responding(team_id=team_id, today=today),
        # The same figures as the team dashboard's "No service available", so the two agree.
        needs=unmet_needs(team_id=team_id),
    )
