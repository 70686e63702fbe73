"""/api/v1/referrals/ and /api/v1/nominals/{id}/referrals/: the team's side of referrals, with the
rules of partners/views/referrals.py: the team reads its people's referrals; referring, changing a
draft, sending and withdrawing belong to the case team and the team's managers. Out of the user's
teams is 404; in them but not a referrer, 403."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cohorts import selectors as cohort_selectors
from cohorts.api.common import PersonRecordListMixin
from cohorts.models import Nominal
from iom.core import access, audit
from iom.core.api.concurrency import etag_for
from iom.core.api.filtering import QueryFilterBackend
from iom.core.api.serializers import validated
from iom.core.api.viewsets import ApiViewSet
from partners import selectors, services
from partners.api import versions
from partners.api.serializers import (
    DraftChangeSerializer,
    NewReferralSerializer,
    ReferralDetailSerializer,
    ReferralSerializer,
    WithdrawSerializer,
)
from partners.filters import ReferralFilterSet
from partners.models import PartnerService, Referral

TAGS = ["partners"]
NOT_OFFERED = "Select a service on the referral's pathway that takes referrals from the person's region"


class ReferredPersonSerializer(serializers.Serializer):
    """Read first, on its own: who may refer depends on the person, and that is checked before the rest."""

    nominal = serializers.IntegerField(min_value=1, help_text="The id of the person referred.")


def _service_offered(nominal: Nominal, pathway: str, service_id: int) -> PartnerService:
    """The service chosen, if the page would offer it: on the pathway, in the person's region, and
    taking referrals."""
    service = selectors.services_for_referral(nominal=nominal, pathway=pathway).filter(pk=service_id).first()
    if service is None:
        raise ValidationError({"service": NOT_OFFERED})
    if not service.takes_referrals():
        raise ValidationError({"service": f"{service.name} is not taking referrals; choose another service"})
    return service


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        summary="Your teams' referrals",
        description="Referrals of the people in your teams, newest first. Each read is audited.",
    ),
    retrieve=extend_schema(
        tags=TAGS,
        summary="One referral, with its history",
        description="Audited as a consultation of the referral. The ETag is what a change sends in If-Match.",
        responses=ReferralDetailSerializer,
    ),
    create=extend_schema(
        tags=TAGS,
        summary="Refer a person to a partner service",
        description="Sent at once (a disclosure to the partner, audited with its recipient) unless `send` "
        "is false. Only the person's case team and the team's managers may refer.",
        request=NewReferralSerializer,
        responses={201: ReferralDetailSerializer},
    ),
    partial_update=extend_schema(
        tags=TAGS,
        summary="Change a draft referral",
        description="Only a draft can be changed. Fields left out keep their value.",
        request=DraftChangeSerializer,
        responses=ReferralDetailSerializer,
    ),
)
class ReferralViewSet(ApiViewSet):
    serializer_class = ReferralSerializer
    filterset_class = ReferralFilterSet
    # The filter set takes `ordering` to the selector's sorts; DRF's OrderingFilter is not used.
    filter_backends = [QueryFilterBackend]
    if_match_actions = ("send", "withdraw")
    sparse_fields = True
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.team_referrals(user=self.request.user, filters=selectors.ReferralFilters())

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def _require_caseload(self) -> None:
        # As on the page: only people working a caseload have a team's referrals.
        if not access.works_a_caseload(self.request.user):
            raise Http404("No such page")

    def _referral_to_act_on(self, pk: str) -> Referral:
        """As the page's POST: in the user's teams (else 404), and the user a referrer (else 403)."""
        referral = selectors.get_referral_for_user(user=self.request.user, referral_id=int(pk))
        access.require_refer(self.request.user, referral.nominal)
        return referral

    def _detail(self, referral: Referral, *, code: int = status.HTTP_200_OK) -> Response:
        """The referral as retrieve answers it, read again after a change, with its new ETag."""
        history = list(selectors.referral_history(referral=referral))
        can_refer = access.can_refer(self.request.user, referral.nominal)
        context = {
            **self.get_serializer_context(),
            "history": history,
            "can_change_draft": can_refer and referral.status == Referral.Status.DRAFT,
            "can_withdraw": can_refer and referral.may_be_withdrawn(),
        }
        response = Response(ReferralDetailSerializer(referral, context=context).data, status=code)
        response["ETag"] = etag_for(versions.version_of(referral, history=history))
        return response

    def _reread(self, referral: Referral) -> Referral:
        # Read back through the selector (its related rows); the write itself was audited.
        return selectors.get_referral_for_user(user=self.request.user, referral_id=referral.pk)

    def list(self, request: Request) -> Response:
        self._require_caseload()
        filterset = ReferralFilterSet(request.query_params, queryset=self.get_queryset(), request=request)
        filterset.is_valid()  # a parameter that cannot be read is a 400 problem naming it
        referrals = filterset.qs
        page = self.paginate_queryset(referrals)
        audit.record(
            actor=self.request.user,
            action="team_referrals.viewed",
            detail={
                "filtered": filterset.chosen.any,
                "overdue": filterset.chosen.overdue,
                "page": self.paginator.page.number,  # type: ignore[union-attr]
                "via": "api:referral-list",
            },
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self._detail(selectors.open_referral(user=self.request.user, referral_id=int(pk)))

    def create(self, request: Request) -> Response:
        self._require_caseload()
        person = ReferredPersonSerializer(data=request.data)
        person.is_valid(raise_exception=True)
        # As the page: a person out of the user's teams is 404, one they may not refer is 403.
        nominal = cohort_selectors.get_nominal_for_user(
            user=self.request.user, nominal_id=person.validated_data["nominal"]
        )
        access.require_refer(request.user, nominal)
        data = validated(NewReferralSerializer, request.data)
        referral = services.create_referral(
            actor=self.request.user,
            nominal=nominal,
            service=_service_offered(nominal, data["pathway"], data["service"]),
            pathway=data["pathway"],
            reason=data["reason"],
            lawful_basis=data["lawful_basis"],
            consent_given_on=data["consent_given_on"],
            sharing_agreement=data["sharing_agreement"],
            shared_fields=data["shared_fields"],
            send=data["send"],
            submission_id=data["submission_id"],
        )
        response = self._detail(self._reread(referral), code=status.HTTP_201_CREATED)
        response["Location"] = reverse("api:referral-detail", args=[referral.pk])
        return response

    def partial_update(self, request: Request, pk: str) -> Response:
        referral = self._referral_to_act_on(pk)
        data = validated(DraftChangeSerializer, request.data)
        with versions.unchanged_since_read(request, referral) as current:
            service = (
                _service_offered(current.nominal, current.pathway, data["service"])
                if "service" in data and data["service"] != current.service_id
                else current.service
            )
            services.update_draft_referral(
                actor=self.request.user,
                referral=current,
                service=service,
                pathway=current.pathway,
                reason=data.get("reason", current.reason),
                lawful_basis=data.get("lawful_basis", current.lawful_basis),
                consent_given_on=data.get("consent_given_on", current.consent_given_on),
                sharing_agreement=data.get("sharing_agreement", current.sharing_agreement),
                shared_fields=data.get("shared_fields", current.shared_fields),
            )
        return self._detail(self._reread(referral))

    @extend_schema(
        tags=TAGS,
        summary="Send a draft referral",
        description="A disclosure to the partner: what is shared, with whom and on what basis is audited.",
        request=None,
        responses=ReferralDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: str) -> Response:
        referral = self._referral_to_act_on(pk)
        with versions.unchanged_since_read(request, referral) as current:
            services.send_referral(actor=self.request.user, referral=current)
        return self._detail(self._reread(referral))

    @extend_schema(
        tags=TAGS,
        summary="Withdraw a referral",
        description="A partner who has the referral is told it was withdrawn (not why).",
        request=WithdrawSerializer,
        responses=ReferralDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        referral = self._referral_to_act_on(pk)
        body = validated(WithdrawSerializer, request.data)
        with versions.unchanged_since_read(request, referral) as current:
            services.withdraw_referral(actor=self.request.user, referral=current, reason=body["reason"])
        return self._detail(self._reread(referral))


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        summary="A person's referrals",
        description="As the person's Referrals tab: audited as a consultation of the record.",
    )
)
class NominalReferralViewSet(PersonRecordListMixin, ApiViewSet):
    serializer_class = ReferralSerializer
    filter_backends: list[Any] = []
    sparse_fields = True

    def get_queryset(self) -> Any:
        return Referral.objects.none()  # the list reads the person's referrals once it has the person

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def list(self, request: Request, nominal_id: int) -> Response:
        return self.list_for_person(
            nominal_id,
            page="api:nominal-referrals",
            rows=lambda nominal: selectors.referrals_for_nominal(nominal=nominal),
        )
