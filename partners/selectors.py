"""Every read about partners, already scoped to what the user may see.

The team side reads referrals of its own teams' people; a partner reads only referrals sent to
their organisation, and the person behind one only while the organisation holds the grant that
accepting gave it. Anything else is 404, whether or not it exists, and the attempt is logged.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import OrderBy
from django.http import Http404
from django.utils import timezone

from cohorts.models import Nominal, TimelineEvent
from iom.core import access, audit
from iom.core.models import Organisation, User
from partners.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    PARTNER_KINDS,
    WORKING_STATUSES,
    Capacity,
    PartnerService,
    Referral,
    ReferralEvent,
)

# The directory ---------------------------------------------------------------------------------


@dataclass
class DirectoryFilters:
    search: str = ""
    pathway: str = ""
    capacity: str = ""
    region: int | None = None
    organisation: int | None = None
    include_inactive: bool = False


def directory_services(*, filters: DirectoryFilters) -> QuerySet[PartnerService]:
    services = PartnerService.objects.select_related("organisation", "region").prefetch_related("pathways")
    if not filters.include_inactive:
        services = services.filter(is_active=True)
    if filters.search:
        services = services.filter(
            Q(name__icontains=filters.search)
            | Q(organisation__name__icontains=filters.search)
            | Q(area_covered__icontains=filters.search)
        )
    if filters.pathway:
        services = services.filter(pathways__pathway=filters.pathway)
    if filters.capacity:
        services = services.filter(capacity=filters.capacity)
    if filters.region is not None:
        services = services.filter(Q(region_id=filters.region) | Q(region__isnull=True))
    if filters.organisation is not None:
        services = services.filter(organisation_id=filters.organisation)
    return services.order_by("name", "id")


def get_service(*, service_id: int) -> PartnerService:
    """The directory holds no personal data; a missing service is simply not found."""
    try:
        return (
            PartnerService.objects.select_related("organisation", "region", "updated_by")
            .prefetch_related("pathways")
            .get(pk=service_id)
        )
    except PartnerService.DoesNotExist:
        raise Http404("No such service") from None


def partner_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind__in=sorted(PARTNER_KINDS)).order_by("name")


def services_for_referral(*, nominal: Nominal, pathway: str) -> QuerySet[PartnerService]:
    """Listed services on the pathway that take referrals from the person's region; those not taking
    referrals come last, so the worker sees them and why they cannot be chosen."""
    return (
        PartnerService.objects.filter(is_active=True, pathways__pathway=pathway)
        .filter(Q(region_id=nominal.team.region_id) | Q(region__isnull=True))
        .select_related("organisation", "region")
        .prefetch_related("pathways")
        .order_by(_closed_last(), "name", "id")
    )


def _closed_last() -> Case:
    return Case(When(capacity=Capacity.CLOSED, then=Value(1)), default=Value(0), output_field=IntegerField())


# Referrals: the team's side -----------------------------------------------------------------

_REFERRAL_RELATED = ("nominal", "service", "organisation", "referred_by")


def referrals_for_nominal(*, nominal: Nominal) -> QuerySet[Referral]:
    """A person's referrals, for someone already allowed to see the person."""
    return nominal.referrals.select_related(*_REFERRAL_RELATED).order_by("-created_at", "-id")


@dataclass
class ReferralFilters:
    """What the team's referral list can be narrowed to. Dashboards link here with these names."""

    status: str = ""  # a status, or "open" / "closed"
    pathway: str = ""
    organisation: int | None = None
    service: int | None = None
    overdue: bool = False
    referred_by: int | None = None
    team: int | None = None
    since: dt.date | None = None  # sent on or after

    @property
    def any(self) -> bool:
        return any(value not in ("", None, False) for value in self.__dict__.values())


REFERRAL_SORTS: dict[str, tuple[str | OrderBy, ...]] = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    # Drafts have no answer due: last on every database (SQLite puts NULLs first, PostgreSQL last).
    "due": (F("response_due").asc(nulls_last=True), "id"),
    "status": ("status", "-created_at", "-id"),
}


def team_referrals(*, user: User, filters: ReferralFilters, sort: str = "newest") -> QuerySet[Referral]:
    referrals = access.scope_to_teams(user, Referral.objects.all(), team_field="nominal__team_id")
    referrals = referrals.select_related(*_REFERRAL_RELATED)
    if filters.status == "open":
        referrals = referrals.filter(status__in=sorted(OPEN_STATUSES))
    elif filters.status == "closed":
        referrals = referrals.filter(status__in=sorted(CLOSED_STATUSES))
    elif filters.status:
        referrals = referrals.filter(status=filters.status)
    if filters.pathway:
        referrals = referrals.filter(pathway=filters.pathway)
    if filters.organisation is not None:
        referrals = referrals.filter(organisation_id=filters.organisation)
    if filters.service is not None:
        referrals = referrals.filter(service_id=filters.service)
    if filters.overdue:
        referrals = referrals.filter(status=Referral.Status.SENT, response_due__lt=timezone.localdate())
    if filters.referred_by is not None:
        referrals = referrals.filter(referred_by_id=filters.referred_by)
    if filters.team is not None:
        referrals = referrals.filter(nominal__team_id=filters.team)
    if filters.since is not None:
        referrals = referrals.filter(sent_at__date__gte=filters.since)
    return referrals.order_by(*REFERRAL_SORTS.get(sort, REFERRAL_SORTS["newest"]))


def overdue_referrals(*, user: User) -> QuerySet[Referral]:
    """Sent referrals the partner has not answered in time, oldest due first."""
    return team_referrals(user=user, filters=ReferralFilters(overdue=True), sort="due")


def get_referral_for_user(*, user: User, referral_id: int) -> Referral:
    """A referral of one of the user's teams' people; otherwise 404, whether it exists or not."""
    try:
        return team_referrals(user=user, filters=ReferralFilters()).get(pk=referral_id)
    except Referral.DoesNotExist:
        _deny(user, referral_id)
        raise Http404("No such referral") from None


def open_referral(*, user: User, referral_id: int) -> Referral:
    """Fetch, authorise and log the consultation of a referral."""
    referral = get_referral_for_user(user=user, referral_id=referral_id)
    audit.record(actor=user, action="referral.viewed", target=referral, nominal_id=referral.nominal_id)
    return referral


def referral_history(*, referral: Referral) -> QuerySet[ReferralEvent]:
    return referral.events.select_related("actor", "organisation").order_by("recorded_at", "id")


def is_overdue(referral: Referral, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        referral.status == Referral.Status.SENT
        and referral.response_due is not None
        and referral.response_due < today
    )


# Referrals: the partner's side --------------------------------------------------------------


@dataclass
class InboxFilters:
    status: str = ""  # "new" (sent), "working" (accepted or in progress), or a status
    service: int | None = None
    pathway: str = ""


INBOX_SORTS = {
    "due": ("response_due", "sent_at", "id"),
    "newest": ("-sent_at", "-id"),
    "oldest": ("sent_at", "id"),
}


def inbox_for(*, user: User, filters: InboxFilters, sort: str = "due") -> QuerySet[Referral]:
    """Open referrals to the partner's organisation: new ones waiting for an answer, and those it
    works on. Closed referrals leave the inbox with the access they gave."""
    organisation_id = access.partner_organisation_id(user)
    if organisation_id is None:
        return Referral.objects.none()
    referrals = access.scope_to_open_cases(
        user,
        Referral.objects.filter(organisation_id=organisation_id, status__in=sorted(OPEN_STATUSES)),
        team_field="nominal__team_id",
    )
    if filters.status == "new":
        referrals = referrals.filter(status=Referral.Status.SENT)
    elif filters.status == "working":
        referrals = referrals.filter(status__in=sorted(WORKING_STATUSES))
    elif filters.status in OPEN_STATUSES:
        referrals = referrals.filter(status=filters.status)
    if filters.service is not None:
        referrals = referrals.filter(service_id=filters.service)
    if filters.pathway:
        referrals = referrals.filter(pathway=filters.pathway)
    return referrals.select_related(*_REFERRAL_RELATED, "nominal__team").order_by(
        *INBOX_SORTS.get(sort, INBOX_SORTS["due"])
    )


def inbox_counts(*, user: User) -> dict[str, int]:
    organisation_id = access.partner_organisation_id(user)
    if organisation_id is None:
        return {"new": 0, "working": 0}
    referrals = Referral.objects.filter(organisation_id=organisation_id)
    # The counts are of the referrals the inbox lists: a restricted case's is not one of them.
    counts = access.scope_to_open_cases(user, referrals, team_field="nominal__team_id").aggregate(
        new=Count("pk", filter=Q(status=Referral.Status.SENT)),
        working=Count("pk", filter=Q(status__in=sorted(WORKING_STATUSES))),
    )
    return {"new": counts["new"], "working": counts["working"]}


def get_referral_for_partner(*, user: User, referral_id: int) -> Referral:
    """A referral sent to the partner's organisation and still open. Once accepted, the person behind
    it is visible only while the organisation holds the grant; closed, or another partner's: 404."""
    referral = (
        inbox_for(user=user, filters=InboxFilters())
        .select_related(
            "nominal__police_offender_manager", "nominal__probation_practitioner", "nominal__support_worker"
        )
        .filter(pk=referral_id)
        .first()
    )
    if referral is None or (
        referral.status in WORKING_STATUSES and not access.partner_sees_nominal(user, referral.nominal)
    ):
        _deny(user, referral_id)
        raise Http404("No such referral")
    return referral


def open_referral_for_partner(*, user: User, referral_id: int, page: str = "referral") -> Referral:
    """The partner reads the shared fields of the person: a consultation of the record, logged."""
    referral = get_referral_for_partner(user=user, referral_id=referral_id)
    audit.record(
        actor=user,
        action="nominal.viewed",
        target=referral.nominal,
        nominal_id=referral.nominal_id,
        # A partner reading the referral is a disclosure to their organisation (DPA 2018 s.62).
        recipient=referral.organisation,
        detail={"page": page, "referral": referral.pk, "shared_fields": referral.shared_fields},
    )
    return referral


def shareable_notes(*, user: User, referral: Referral) -> QuerySet[TimelineEvent]:
    """Notes marked shareable with partners, for an organisation working with the person."""
    if referral.status not in WORKING_STATUSES or not access.partner_sees_nominal(user, referral.nominal):
        return TimelineEvent.objects.none()
    return (
        TimelineEvent.objects.filter(
            nominal_id=referral.nominal_id, visibility=TimelineEvent.Visibility.PARTNERS
        )
        .select_related("recorded_by", "recorded_by__organisation")
        .order_by("-occurred_on", "-recorded_at", "-id")
    )


def _deny(user: User, referral_id: int) -> None:
    nominal_id = Referral.objects.filter(pk=referral_id).values_list("nominal_id", flat=True).first()
    if nominal_id is not None:
        audit.record(
            actor=user,
            action="referral.access_denied",
            target_type="partners.referral",
            target_id=referral_id,
            nominal_id=nominal_id,
        )
