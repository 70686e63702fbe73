"""The API's filters for referrals, the inbox and the directory: the pages' filters, checked here and
applied by the pages' own selectors, so a filter (and a sort) means the same in both.

`ordering` takes the selectors' sorts under field-like names (`-created_at` is "newest first"), so
the selector's tie-breaks and its rule for drafts without a due date still hold.
"""

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.request import Request

from cohorts.models import Pathway
from iom.core import access
from iom.core.api.problems import QueryValidationError
from iom.core.models import TEAM_ROLES, Organisation, Region, Team, User
from partners import selectors
from partners.models import OPEN_STATUSES, Capacity, PartnerService, Referral
from partners.views.directory import DIRECTORY_SORTS

# API name -> the selector's sort.
REFERRAL_ORDERINGS = {
    "-created_at": "newest",
    "created_at": "oldest",
    "response_due": "due",
    "status": "status",
}
INBOX_ORDERINGS = {"response_due": "due", "-sent_at": "newest", "sent_at": "oldest"}
# API name -> the directory page's sort (partners.views.directory.DIRECTORY_SORTS).
DIRECTORY_ORDERINGS = {
    "name": "name",
    "-name": "-name",
    "typical_wait_days": "wait",
    "-typical_wait_days": "-wait",
    "capacity": "capacity",
    "-capacity": "-capacity",
}


def _ordering(orderings: dict[str, str], default: str, described: str) -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(
        choices=[(name, name) for name in orderings],
        help_text=f"{described} Default `{default}`.",
        error_messages={"invalid_choice": f"Sort by one of {', '.join(orderings)}: %(value)s is not one"},
    )


@extend_schema_field(OpenApiTypes.INT)
class _ChosenId(django_filters.ModelChoiceFilter):
    """The id of one of the things the page's form offers the user."""


@extend_schema_field(OpenApiTypes.INT)
class _Id(django_filters.NumberFilter):
    """An id the page takes from a link (no list to choose from)."""


class _SelectorFilterSet(django_filters.FilterSet):
    """Checks the parameters; `filter_queryset` hands them to the page's selector (the filters' own
    lookups are never used)."""

    request: Request

    def is_valid(self) -> bool:
        # django-filter's backend would report these as body fields; they are query parameters.
        if not super().is_valid():
            raise QueryValidationError({name: list(errors) for name, errors in self.errors.items()})
        return True

    def _user(self) -> User:
        return self.request.user  # type: ignore[return-value]


def _partner_organisations(request: Request | None) -> QuerySet[Organisation]:
    return selectors.partner_organisations()


def _my_teams(request: Request | None) -> QuerySet[Team]:
    if request is None:
        return Team.objects.none()
    return Team.objects.filter(pk__in=sorted(access.team_ids(request.user))).order_by("name")


def _my_teams_workers(request: Request | None) -> QuerySet[User]:
    """Who may be named as the referrer: as on the page, people working in the user's teams."""
    if request is None:
        return User.objects.none()
    return User.objects.filter(
        memberships__team_id__in=sorted(access.team_ids(request.user)), memberships__role__in=TEAM_ROLES
    ).distinct()


class ReferralFilterSet(_SelectorFilterSet):
    """The team's referral list (partners.views.referrals.team_referrals)."""

    # What was asked for, once filtered: the list's audit row says whether it was narrowed.
    chosen: selectors.ReferralFilters

    status = django_filters.ChoiceFilter(
        choices=[
            ("open", "Open: sent, accepted or in progress"),
            ("closed", "Closed: declined, completed or withdrawn"),
            *Referral.Status.choices,
        ],
        error_messages={"invalid_choice": "Select a status from the list: %(value)s is not one"},
    )
    pathway = django_filters.ChoiceFilter(
        choices=Pathway.choices,
        error_messages={"invalid_choice": "Select a pathway from the list: %(value)s is not one"},
    )
    organisation = _ChosenId(
        queryset=_partner_organisations,
        help_text="The id of the partner organisation the referral went to.",
        error_messages={"invalid_choice": "Select a partner organisation from the list"},
    )
    service = _Id(min_value=1, help_text="The id of the partner service the referral went to.")
    referred_by = _ChosenId(
        queryset=_my_teams_workers,
        help_text="The id of the worker who made the referral: someone in one of your teams.",
        error_messages={"invalid_choice": "Select who referred: someone in one of your teams"},
    )
    team = _ChosenId(
        queryset=_my_teams,
        help_text="The id of one of your teams: its people's referrals.",
        error_messages={"invalid_choice": "Select one of your teams"},
    )
    since = django_filters.DateFilter(
        help_text="Sent on or after this date (YYYY-MM-DD).",
        error_messages={"invalid": "Sent on or after must be a real date, like 2026-11-17"},
    )
    overdue = django_filters.BooleanFilter(
        help_text="`true`: only sent referrals the partner has not answered in time."
    )
    ordering = _ordering(
        REFERRAL_ORDERINGS,
        "-created_at",
        "`-created_at` newest first, `created_at` oldest first, `response_due` answer due soonest "
        "(drafts last), `status`.",
    )

    class Meta:
        model = Referral
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Referral]) -> QuerySet[Referral]:
        data: dict[str, Any] = self.form.cleaned_data
        filters = selectors.ReferralFilters(
            status=data.get("status") or "",
            pathway=data.get("pathway") or "",
            organisation=data["organisation"].pk if data.get("organisation") else None,
            service=int(data["service"]) if data.get("service") is not None else None,
            overdue=bool(data.get("overdue")),
            referred_by=data["referred_by"].pk if data.get("referred_by") else None,
            team=data["team"].pk if data.get("team") else None,
            since=data.get("since"),
        )
        self.chosen = filters
        sort = REFERRAL_ORDERINGS[data.get("ordering") or "-created_at"]
        return selectors.team_referrals(user=self._user(), filters=filters, sort=sort)


def _services_offered(request: Request | None) -> QuerySet[PartnerService]:
    """Every service the partner's organisation offers, listed or not: older referrals may be to a
    service it has since withdrawn (as on the inbox page)."""
    organisation_id = access.partner_organisation_id(request.user) if request is not None else None
    if organisation_id is None:
        return PartnerService.objects.none()
    return selectors.directory_services(
        filters=selectors.DirectoryFilters(organisation=organisation_id, include_inactive=True)
    ).prefetch_related(None)


class InboxFilterSet(_SelectorFilterSet):
    """ "Referrals to us" (partners.views.inbox.inbox). With no status, every open referral."""

    status = django_filters.ChoiceFilter(
        choices=[
            ("new", "New: waiting for your answer"),
            ("working", "Working with: accepted or in progress"),
            *((value, label) for value, label in Referral.Status.choices if value in OPEN_STATUSES),
        ],
        error_messages={"invalid_choice": "Select new, working or an open status: %(value)s is not one"},
    )
    service = _ChosenId(
        queryset=_services_offered,
        help_text="The id of one of your organisation's services.",
        error_messages={"invalid_choice": "Select one of your organisation's services"},
    )
    pathway = django_filters.ChoiceFilter(
        choices=Pathway.choices,
        error_messages={"invalid_choice": "Select a pathway from the list: %(value)s is not one"},
    )
    ordering = _ordering(
        INBOX_ORDERINGS,
        "response_due",
        "`response_due` answer due soonest, `-sent_at` newest first, `sent_at` oldest first.",
    )

    class Meta:
        model = Referral
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Referral]) -> QuerySet[Referral]:
        data: dict[str, Any] = self.form.cleaned_data
        filters = selectors.InboxFilters(
            status=data.get("status") or "",
            service=data["service"].pk if data.get("service") else None,
            pathway=data.get("pathway") or "",
        )
        sort = INBOX_ORDERINGS[data.get("ordering") or "response_due"]
        return selectors.inbox_for(user=self._user(), filters=filters, sort=sort)


def _regions(request: Request | None) -> QuerySet[Region]:
    return Region.objects.order_by("name")


class DirectoryFilterSet(_SelectorFilterSet):
    """The partner directory (partners.views.directory.directory)."""

    search = django_filters.CharFilter(
        max_length=100,
        help_text="Words in the service's or organisation's name, or the area covered.",
    )
    pathway = django_filters.ChoiceFilter(
        choices=Pathway.choices,
        error_messages={"invalid_choice": "Select a pathway from the list: %(value)s is not one"},
    )
    capacity = django_filters.ChoiceFilter(
        choices=Capacity.choices,
        error_messages={"invalid_choice": "Select a capacity from the list: %(value)s is not one"},
    )
    region = _ChosenId(
        queryset=_regions,
        help_text="The id of a region: its services and those taking referrals from every region.",
        error_messages={"invalid_choice": "Select a region from the list"},
    )
    organisation = _ChosenId(
        queryset=_partner_organisations,
        help_text="The id of a partner organisation.",
        error_messages={"invalid_choice": "Select a partner organisation from the list"},
    )
    include_inactive = django_filters.BooleanFilter(
        help_text="`true` adds services no longer listed. Managers and administrators only; "
        "ignored for anyone else, as on the page.",
    )
    ordering = _ordering(
        DIRECTORY_ORDERINGS,
        "name",
        "`name`, `typical_wait_days` (unknown waits last) or `capacity` (taking referrals first); "
        "`-` before one reverses it.",
    )

    class Meta:
        model = PartnerService
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[PartnerService]) -> QuerySet[PartnerService]:
        data: dict[str, Any] = self.form.cleaned_data
        may_see_inactive = access.can_manage_directory(self._user())
        filters = selectors.DirectoryFilters(
            search=(data.get("search") or "").strip(),
            pathway=data.get("pathway") or "",
            capacity=data.get("capacity") or "",
            region=data["region"].pk if data.get("region") else None,
            organisation=data["organisation"].pk if data.get("organisation") else None,
            include_inactive=bool(data.get("include_inactive")) and may_see_inactive,
        )
        sort = DIRECTORY_ORDERINGS[data.get("ordering") or "name"]
        return selectors.directory_services(filters=filters).order_by(*DIRECTORY_SORTS[sort])
