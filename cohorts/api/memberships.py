"""Cohort memberships: a person's history and proposals, and the panel's and reviews' decisions."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from cohorts import selectors, services
from cohorts.api.common import TAGS, PersonRecordListMixin
from cohorts.api.serializers import (
    CohortMembershipSerializer,
    PanelDecisionSerializer,
    ProposalSerializer,
    ReviewSerializer,
)
from cohorts.filters import CohortMembershipFilterSet
from cohorts.models import CohortMembership
from iom.core import access
from iom.core.api.concurrency import StateVersion, require_if_match
from iom.core.api.serializers import validated
from iom.core.api.viewsets import ApiViewSet


class NominalCohortMembershipViewSet(PersonRecordListMixin, ApiViewSet):
    """/nominals/{id}/cohort-memberships/: the person's memberships, and proposing them for a cohort."""

    serializer_class = CohortMembershipSerializer
    filterset_class = CohortMembershipFilterSet
    ordering_fields = ["proposed_on"]
    ordering = ["-proposed_on", "-id"]

    def get_queryset(self) -> QuerySet[CohortMembership]:
        return selectors.cohort_memberships_visible_to(self.request.user)

    @extend_schema(
        summary="A person's cohort memberships",
        responses=CohortMembershipSerializer(many=True),
        tags=TAGS,
    )
    def list(self, request: Request, nominal_id: int) -> Response:
        return self.list_for_person(
            nominal_id, page="api:cohort-membership-list", rows=selectors.membership_history
        )

    @extend_schema(
        summary="Propose a person for a cohort",
        description="The proposal awaits the panel's decision. A person has one open membership at a time.",
        request=ProposalSerializer,
        responses={201: CohortMembershipSerializer},
        tags=TAGS,
    )
    def create(self, request: Request, nominal_id: int) -> Response:
        user = self.request.user
        nominal = selectors.get_nominal_for_user(user=user, nominal_id=nominal_id)
        if not access.can_propose_for_cohort(user, nominal):
            raise PermissionDenied("Only the team's workers and managers may propose people for a cohort.")
        proposal = validated(ProposalSerializer, request.data)
        proposed = services.propose_for_cohort(
            actor=user, nominal=nominal, cohort=proposal["cohort"], reason=proposal["reason"]
        )
        membership = selectors.get_cohort_membership_for_user(user=user, membership_id=proposed.pk)
        return Response(
            CohortMembershipSerializer(membership).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api:cohort-membership-detail", args=[membership.pk])},
        )


def version_of(membership: CohortMembership) -> StateVersion:
    """A membership keeps no version: its state and its newest review stand for one (two "continue"
    reviews on the same day leave the same state, but not the same newest review)."""
    newest_review = membership.reviews.order_by("-id").values_list("id", flat=True).first()
    return StateVersion.of(
        membership.pk,
        membership.status,
        membership.cohort,
        membership.review_due,
        membership.exit_date,
        newest_review,
    )


class CohortMembershipViewSet(ApiViewSet):
    """/cohort-memberships/{id}/: one membership, the panel's decision on a proposal, and reviews."""

    serializer_class = CohortMembershipSerializer
    # A review changes a current membership: only the one the client last read.
    if_match_actions = ("review",)

    def get_queryset(self) -> QuerySet[CohortMembership]:
        return selectors.cohort_memberships_visible_to(self.request.user)

    @extend_schema(summary="A cohort membership", responses=CohortMembershipSerializer, tags=TAGS)
    def retrieve(self, request: Request, pk: int) -> Response:
        membership = selectors.open_cohort_membership(
            user=self.request.user, membership_id=pk, page="api:cohort-membership-detail"
        )
        return self.with_etag(Response(CohortMembershipSerializer(membership).data), version_of(membership))

    @extend_schema(
        summary="Record the panel's decision on a proposal",
        description=(
            "For the managers of the person's team, on a proposal awaiting the panel (as on the panel page: "
            "anything else is not found). Accepting starts the membership and sets its first review."
        ),
        request=PanelDecisionSerializer,
        responses=CohortMembershipSerializer,
        tags=TAGS,
    )
    def decision(self, request: Request, pk: int) -> Response:
        user = self.request.user
        if not access.managed_team_ids(user):
            raise Http404("No such page")
        proposal = selectors.get_proposal_for_manager(user=user, membership_id=pk)
        decision = validated(PanelDecisionSerializer, request.data)
        services.record_panel_decision(
            actor=user,
            membership=proposal,
            accepted=decision["decision"] == "accept",
            panel_date=decision["panel_date"],
            attendees=decision["attendees"],
            rationale=decision["rationale"],
        )
        membership = selectors.get_cohort_membership_for_user(user=user, membership_id=pk)
        return Response(CohortMembershipSerializer(membership).data)

    @extend_schema(
        summary="Review a current membership",
        description=(
            "Continue (the next review is set), move to another cohort (this membership ends and a new one "
            "starts), or leave IOM. For the person's case team and the team's managers."
        ),
        request=ReviewSerializer,
        responses=CohortMembershipSerializer,
        tags=TAGS,
    )
    def review(self, request: Request, pk: int) -> Response:
        user = self.request.user
        membership = selectors.get_cohort_membership_for_user(user=user, membership_id=pk)
        access.require_edit_nominal(user, membership.nominal)
        review = validated(ReviewSerializer, request.data)
        with transaction.atomic():
            current = services.locked_membership(membership)
            require_if_match(request, version_of(current))
            services.record_review(actor=user, membership=current, **review)
        reviewed = selectors.get_cohort_membership_for_user(user=user, membership_id=pk)
        return self.with_etag(Response(CohortMembershipSerializer(reviewed).data), version_of(reviewed))
