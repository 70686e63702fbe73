from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from cohorts import identifiers
from cohorts.models import (
    PRE_RELEASE_WEEKS,
    Assessment,
    CohortMembership,
    CohortReview,
    Need,
    NeedStatus,
    Nominal,
    NominalChange,
    TimelineEvent,
)
from iom.core import access, audit
from iom.core.models import TEAM_ROLES, AuditEvent, CaseAccessGrant, Membership, User

# People with no CRN, activity or review date come last either way: PostgreSQL would put them
# first when sorting newest first, and SQLite first when sorting oldest first.
CASELOAD_SORTS: dict[str, tuple[str | OrderBy, ...]] = {
    "name": ("family_name", "given_name", "id"),
    "-name": ("-family_name", "-given_name", "-id"),
    "crn": (F("crn").asc(nulls_last=True), "id"),
    "-crn": (F("crn").desc(nulls_last=True), "-id"),
    "last_activity": (F("last_activity").asc(nulls_last=True), "family_name", "id"),
    "-last_activity": (F("last_activity").desc(nulls_last=True), "family_name", "id"),
    "review_due": (F("review_due").asc(nulls_last=True), "family_name", "id"),
    "-review_due": (F("review_due").desc(nulls_last=True), "family_name", "id"),
}
REVIEW_DUE_SOON_DAYS = 14
OPEN = [CohortMembership.Status.PROPOSED, CohortMembership.Status.ACTIVE]


@dataclass(frozen=True)
class CaseloadFilters:
    """What the caseload list can be narrowed to. Dashboards link here with these names."""

    search: str = ""
    team: int | None = None
    cohort: str = ""  # fixed | flex | free | proposed | none
    worker: int | None = None
    statutory_status: str = ""
    risk: str = ""  # latest RoSH level
    custody: str = ""  # in | out | pre_release
    review: str = ""  # overdue | due_soon
    allocated: str = ""  # none
    need: str = ""  # a pathway with an unmet need
    need_reason: str = ""  # why it is unmet (an UnmetReason): on `need`'s pathway, or any without it

    @property
    def any(self) -> bool:
        return any(value not in ("", None) for value in self.__dict__.values())


CASE_TEAM_PLACES = ("police_offender_manager", "probation_practitioner", "support_worker")


def holds_a_case_team_place(nominals: QuerySet[Nominal]) -> Q:
    """For a user query: true when the user (OuterRef("pk")) holds any case-team place on `nominals`.

    One EXISTS per place, not an OR inside one: each then uses its own column's index. At region scale
    the OR read the whole team for every user (420 ms; docs/benchmarks.md).
    """
    return Q(
        *(Exists(nominals.filter(**{place: OuterRef("pk")})) for place in CASE_TEAM_PLACES), _connector=Q.OR
    )


def nominals_visible_to(user: User | AnonymousUser) -> QuerySet[Nominal]:
    return access.scope_to_teams(user, Nominal.objects.select_related("team"), team_field="team_id")


def _open_membership() -> QuerySet[CohortMembership]:
    return CohortMembership.objects.filter(nominal=OuterRef("pk"), status__in=OPEN)


def _latest_rosh() -> QuerySet[Assessment]:
    return Assessment.objects.filter(nominal=OuterRef("pk"), kind=Assessment.Kind.ROSH).order_by(
        "-assessed_on", "-recorded_at", "-id"
    )


def caseload_for(
    user: User, *, filters: CaseloadFilters | None = None, sort: str = "name", today: date | None = None
) -> QuerySet[Nominal]:
    """The user's teams' nominals with their cohort, review date, latest RoSH and latest activity."""
    filters = filters or CaseloadFilters()
    today = today or timezone.localdate()
    nominals = (
        nominals_visible_to(user)
        .select_related("police_offender_manager", "probation_practitioner", "support_worker")
        .annotate(
            # A subquery on the timeline's index, not Max() over a join: grouping a team's half a million
            # timeline rows made the caseload take 1.2 s at region scale (docs/benchmarks.md).
            last_activity=Subquery(
                TimelineEvent.objects.filter(nominal=OuterRef("pk"))
                .order_by("-occurred_on")
                .values("occurred_on")[:1]
            ),
            cohort=Subquery(_open_membership().values("cohort")[:1]),
            membership_status=Subquery(_open_membership().values("status")[:1]),
            review_due=Subquery(_open_membership().values("review_due")[:1]),
            rosh=Subquery(_latest_rosh().values("level")[:1]),
        )
    )
    search = filters.search.strip()
    if search:
        # Identifiers are stored normalised, so "a1234 bc" finds A1234BC.
        identifier = identifiers.normalise(search)
        terms = Q(crn=identifier) | Q(pnc_id=identifier) | Q(nomis_number=identifier)
        terms |= Q(cro_number=identifier)
        words = search.split()
        name_terms = Q()
        for word in words:
            name_terms &= Q(given_name__icontains=word) | Q(family_name__icontains=word)
        terms |= name_terms | Q(aliases__name__icontains=search)
        nominals = nominals.filter(terms).distinct()
    if filters.team:
        nominals = nominals.filter(team_id=filters.team)
    if filters.cohort == "proposed":
        nominals = nominals.filter(membership_status=CohortMembership.Status.PROPOSED)
    elif filters.cohort == "none":
        nominals = nominals.filter(cohort__isnull=True)
    elif filters.cohort:
        nominals = nominals.filter(cohort=filters.cohort, membership_status=CohortMembership.Status.ACTIVE)
    if filters.worker:
        nominals = nominals.filter(
            Q(police_offender_manager_id=filters.worker)
            | Q(probation_practitioner_id=filters.worker)
            | Q(support_worker_id=filters.worker)
        )
    if filters.statutory_status:
        nominals = nominals.filter(statutory_status=filters.statutory_status)
    if filters.risk:
        nominals = nominals.filter(rosh=filters.risk)
    if filters.custody == "in":
        nominals = nominals.filter(in_custody=True)
    elif filters.custody == "out":
        nominals = nominals.filter(in_custody=False)
    elif filters.custody == "pre_release":
        nominals = nominals.filter(
            in_custody=True,
            conditional_release_date__range=(today, today + timedelta(weeks=PRE_RELEASE_WEEKS)),
        )
    if filters.review == "overdue":
        nominals = nominals.filter(membership_status=CohortMembership.Status.ACTIVE, review_due__lt=today)
    elif filters.review == "due_soon":
        nominals = nominals.filter(
            membership_status=CohortMembership.Status.ACTIVE,
            review_due__range=(today, today + timedelta(days=REVIEW_DUE_SOON_DAYS)),
        )
    if filters.allocated == "none":
        nominals = nominals.filter(
            Exists(_open_membership()),
            police_offender_manager__isnull=True,
            probation_practitioner__isnull=True,
            support_worker__isnull=True,
        )
    if filters.need or filters.need_reason:
        unmet = Need.objects.filter(nominal=OuterRef("pk"), status=NeedStatus.UNMET)
        if filters.need:
            unmet = unmet.filter(pathway=filters.need)
        if filters.need_reason:
            unmet = unmet.filter(unmet_reason=filters.need_reason)
        nominals = nominals.filter(Exists(unmet))
    return nominals.order_by(*CASELOAD_SORTS.get(sort, CASELOAD_SORTS["name"]))


def get_nominal_for_user(*, user: User, nominal_id: int) -> Nominal:
    """The nominal if the user may see it; otherwise 404, whether it exists or not."""
    try:
        return (
            nominals_visible_to(user)
            .select_related("police_offender_manager", "probation_practitioner", "support_worker")
            .get(pk=nominal_id)
        )
    except Nominal.DoesNotExist:
        # One answer for "no such person" and "not yours": a 403 would confirm that this
        # person is managed by IOM. Attempts on real records are still logged.
        if Nominal.objects.filter(pk=nominal_id).exists():
            record_access_denied(user=user, nominal_id=nominal_id)
        raise Http404("No such person") from None


def record_access_denied(*, user: User, nominal_id: int, detail: dict[str, object] | None = None) -> None:
    """Log a refused attempt on a real person's record (nominal.access_denied). The page answers 404
    all the same, so only the audit shows that someone tried."""
    audit.record(
        actor=user,
        action="nominal.access_denied",
        target_type="cohorts.nominal",
        target_id=nominal_id,
        nominal_id=nominal_id,
        detail=detail,
    )


def open_nominal_record(*, user: User, nominal_id: int, page: str) -> Nominal:
    """Fetch, authorise and log the consultation of a person's record (DPA 2018 Part 3)."""
    nominal = get_nominal_for_user(user=user, nominal_id=nominal_id)
    audit.record(
        actor=user, action="nominal.viewed", target=nominal, nominal_id=nominal.pk, detail={"page": page}
    )
    return nominal


def timeline_for(*, user: User, nominal: Nominal, kind: str = "") -> QuerySet[TimelineEvent]:
    events = nominal.timeline_events.select_related("recorded_by").order_by(
        "-occurred_on", "-recorded_at", "-id"
    )
    if not access.sees_police_intelligence(user, nominal):
        events = events.exclude(visibility=TimelineEvent.Visibility.POLICE)
    if kind:
        events = events.filter(kind=kind)
    return events


def current_membership(nominal: Nominal) -> CohortMembership | None:
    return (
        nominal.cohort_memberships.filter(status__in=OPEN)
        .select_related("proposed_by", "panel_recorded_by")
        .first()
    )


def membership_history(nominal: Nominal) -> QuerySet[CohortMembership]:
    return nominal.cohort_memberships.select_related("proposed_by", "panel_recorded_by").prefetch_related(
        Prefetch("reviews", queryset=CohortReview.objects.select_related("reviewed_by"))
    )


def latest_assessments(nominal: Nominal) -> list[Assessment]:
    """The newest assessment of each kind, in the order the kinds are listed."""
    latest: dict[str, Assessment] = {}
    for assessment in nominal.assessments.select_related("assessed_by").order_by(
        "kind", "-assessed_on", "-recorded_at", "-id"
    ):
        latest.setdefault(assessment.kind, assessment)
    return [latest[kind] for kind in Assessment.Kind.values if kind in latest]


def assessment_history(nominal: Nominal) -> QuerySet[Assessment]:
    return nominal.assessments.select_related("assessed_by")


def needs_for(nominal: Nominal) -> QuerySet[Need]:
    return nominal.needs.prefetch_related("updates__updated_by")


def changes_for(nominal: Nominal) -> QuerySet[NominalChange]:
    return nominal.changes.select_related("changed_by")


def panel_queue_for(user: User) -> QuerySet[CohortMembership]:
    """Proposals awaiting panel in the teams the user manages, oldest first; a restricted case only
    for a manager who may open it (one query: the grant is looked up inside it)."""
    proposals = CohortMembership.objects.filter(
        status=CohortMembership.Status.PROPOSED, nominal__team_id__in=access.managed_team_ids(user)
    )
    return (
        access.scope_to_open_cases(user, proposals, team_field="nominal__team_id")
        .select_related("nominal", "nominal__team", "proposed_by")
        .order_by("proposed_on", "id")
    )


def get_proposal_for_manager(*, user: User, membership_id: int) -> CohortMembership:
    try:
        return panel_queue_for(user).get(pk=membership_id)
    except CohortMembership.DoesNotExist:
        raise Http404("No such proposal") from None


def cohort_memberships_visible_to(user: User | AnonymousUser) -> QuerySet[CohortMembership]:
    """Memberships of the people the user may see, with what a membership's page or answer shows."""
    return access.scope_to_teams(
        user,
        CohortMembership.objects.select_related(
            "nominal", "proposed_by", "panel_recorded_by"
        ).prefetch_related(Prefetch("reviews", queryset=CohortReview.objects.select_related("reviewed_by"))),
        team_field="nominal__team_id",
    )


def get_cohort_membership_for_user(*, user: User, membership_id: int) -> CohortMembership:
    """A membership of a person the user may see; otherwise 404, whether it exists or not."""
    try:
        return cohort_memberships_visible_to(user).get(pk=membership_id)
    except CohortMembership.DoesNotExist:
        # As for the person: one answer for "none" and "not yours", and real attempts are logged.
        nominal_id = (
            CohortMembership.objects.filter(pk=membership_id).values_list("nominal_id", flat=True).first()
        )
        if nominal_id is not None:
            audit.record(
                actor=user,
                action="nominal.access_denied",
                target_type="cohorts.cohortmembership",
                target_id=membership_id,
                nominal_id=nominal_id,
            )
        raise Http404("No such cohort membership") from None


def open_cohort_membership(*, user: User, membership_id: int, page: str) -> CohortMembership:
    """Fetch, authorise and log the reading of a membership as a consultation of the person's record."""
    membership = get_cohort_membership_for_user(user=user, membership_id=membership_id)
    audit.record(
        actor=user,
        action="nominal.viewed",
        target=membership.nominal,
        nominal_id=membership.nominal_id,
        detail={"page": page},
    )
    return membership


# Restricted cases ------------------------------------------------------------------------------


def allow_list_for(nominal: Nominal) -> list[CaseAccessGrant]:
    """The named users who may open a restricted case now, by name. One query."""
    return list(
        CaseAccessGrant.objects.filter(
            nominal_id=nominal.pk, kind=CaseAccessGrant.Kind.ALLOW_LIST, revoked_at__isnull=True
        )
        .select_related("user", "granted_by")
        .order_by("user__full_name", "user_id")
    )


def allow_list_candidates(nominal: Nominal) -> list[User]:
    """Active members of the managing team who are not on the allow-list yet, by name. One query."""
    on_the_list = CaseAccessGrant.objects.filter(
        nominal_id=nominal.pk, kind=CaseAccessGrant.Kind.ALLOW_LIST, revoked_at__isnull=True
    ).values("user_id")
    return list(
        User.objects.filter(
            is_active=True,
            pk__in=Membership.objects.filter(team_id=nominal.team_id, role__in=TEAM_ROLES).values("user_id"),
        )
        .exclude(pk__in=on_the_list)
        .order_by("full_name", "id")
    )


def restriction_added(nominal: Nominal) -> AuditEvent | None:
    """When, by whom and why the record was last restricted: the audit keeps it. One query."""
    return (
        AuditEvent.objects.filter(nominal_id=nominal.pk, action="restriction.added")
        .select_related("actor")
        .order_by("-occurred_at", "-id")
        .first()
    )


def break_glass_until(user: User, nominal: Nominal) -> datetime | None:
    """When the user's break-glass opening of this restricted record ends; None when they are on its
    allow-list, the record is not restricted, or they did not break the glass. One query, and none
    for a record that is not restricted."""
    if not nominal.access_restricted:
        return None
    now = timezone.now()
    current = CaseAccessGrant.objects.filter(
        nominal_id=nominal.pk, user=user, revoked_at__isnull=True
    ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    kinds = dict(current.values_list("kind", "expires_at"))
    if CaseAccessGrant.Kind.ALLOW_LIST in kinds:
        return None
    return kinds.get(CaseAccessGrant.Kind.BREAK_GLASS)


@dataclass(frozen=True)
class BreakGlassFilters:
    identifier: str = ""  # a CRN, PNC ID, NOMIS or CRO number
    user: int | None = None
    since: date | None = None
    until: date | None = None

    @property
    def any(self) -> bool:
        return any(value not in ("", None) for value in self.__dict__.values())


def break_glass_log_for(user: User, *, filters: BreakGlassFilters | None = None) -> QuerySet[CaseAccessGrant]:
    """Break-glass openings of records of the teams the user manages, newest first, each with the
    person's CRN and how many pages of the record were opened while it lasted (one query for a page
    of them: both are subqueries)."""
    filters = filters or BreakGlassFilters()
    people = Nominal.objects.filter(team_id__in=access.managed_team_ids(user))
    identifier = identifiers.normalise(filters.identifier)
    if identifier:
        people = people.filter(
            Q(crn=identifier) | Q(pnc_id=identifier) | Q(nomis_number=identifier) | Q(cro_number=identifier)
        )
    pages_opened = (
        AuditEvent.objects.filter(
            actor_id=OuterRef("user_id"),
            nominal_id=OuterRef("nominal_id"),
            action="nominal.viewed",
            occurred_at__gte=OuterRef("granted_at"),
            occurred_at__lte=OuterRef("expires_at"),
        )
        .order_by()
        .values("nominal_id")
        .annotate(pages=Count("id"))
        .values("pages")
    )
    openings = (
        CaseAccessGrant.objects.filter(
            kind=CaseAccessGrant.Kind.BREAK_GLASS, nominal_id__in=people.values("pk")
        )
        .select_related("user", "revoked_by")
        .annotate(
            crn=Subquery(Nominal.objects.filter(pk=OuterRef("nominal_id")).values("crn")[:1]),
            pages_opened=Coalesce(Subquery(pages_opened), 0),
        )
    )
    if filters.user is not None:
        openings = openings.filter(user_id=filters.user)
    if filters.since is not None:
        openings = openings.filter(granted_at__date__gte=filters.since)
    if filters.until is not None:
        openings = openings.filter(granted_at__date__lte=filters.until)
    return openings.order_by("-granted_at", "-id")


@dataclass(frozen=True)
class BreakGlassLogPage:
    page: Page[CaseAccessGrant]
    # Each opening with its person when the user may open the record (None: the CRN alone is shown).
    rows: list[tuple[CaseAccessGrant, Nominal | None]]


def open_break_glass_log(
    *, user: User, filters: BreakGlassFilters, page_number: str | int | None, page_size: int
) -> BreakGlassLogPage:
    """A page of the break-glass log (break_glass_log_for), with the people the user may open named;
    reading it is logged (break_glass_log.viewed)."""
    page = Paginator(break_glass_log_for(user, filters=filters), page_size).get_page(page_number)
    openings = list(page.object_list)
    named = names_visible_to(user, [grant.nominal_id for grant in openings])
    audit.record(
        actor=user,
        action="break_glass_log.viewed",
        detail={"filtered": filters.any, "page": page.number},
    )
    return BreakGlassLogPage(page=page, rows=[(grant, named.get(grant.nominal_id)) for grant in openings])


def record_break_glass_form_viewed(*, user: User, nominal: Nominal) -> None:
    """The break-glass form shows the restricted record's CRN to someone who may not open it yet: a
    look at the record, logged (break_glass.form_viewed)."""
    audit.record(
        actor=user,
        action="break_glass.form_viewed",
        target=nominal,
        nominal_id=nominal.pk,
        detail={"crn_shown": bool(nominal.crn)},
    )


def break_glass_users(user: User) -> list[User]:
    """Who has broken the glass on the records of the teams the user manages: the log's user filter."""
    people = Nominal.objects.filter(team_id__in=access.managed_team_ids(user)).values("pk")
    return list(
        User.objects.filter(
            pk__in=CaseAccessGrant.objects.filter(
                kind=CaseAccessGrant.Kind.BREAK_GLASS, nominal_id__in=people
            ).values("user_id")
        ).order_by("full_name", "id")
    )


def names_visible_to(user: User, nominal_ids: list[int]) -> dict[int, Nominal]:
    """Of these people, those the user may open, by id: a list names no one else. One query."""
    return {nominal.pk: nominal for nominal in nominals_visible_to(user).filter(pk__in=nominal_ids)}


def break_glass_openings_since(*, team_id: int, since: datetime) -> int:
    """How many times a restricted record of the team was opened with break-glass access since then:
    the team dashboard shows it to the managers, beside the log that names them."""
    return CaseAccessGrant.objects.filter(
        kind=CaseAccessGrant.Kind.BREAK_GLASS,
        granted_at__gte=since,
        nominal_id__in=Nominal.objects.filter(team_id=team_id).values("pk"),
    ).count()
