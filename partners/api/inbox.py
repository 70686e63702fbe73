"""/api/v1/partner/referrals/: the partner's side, with the rules of partners/views/inbox.py.

Partner staff read only referrals sent to their organisation and still open; another
organisation's referral, a closed one, or anyone who is not partner staff gets 404. Reading one
shows the fields the worker chose to share, read now, and is audited as the page audits it.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from iom.core import access
from iom.core.api.concurrency import etag_for
from iom.core.api.filtering import QueryFilterBackend
from iom.core.api.serializers import validated
from iom.core.api.viewsets import ApiViewSet
from partners import selectors, services
from partners.api import versions
from partners.api.serializers import (
    AcceptSerializer,
    CompleteSerializer,
    DeclineSerializer,
    InboxReferralSerializer,
    PartnerAnswerSerializer,
    PartnerReferralSerializer,
    ProgressUpdateSerializer,
    ReferralEventSerializer,
    SessionSerializer,
    SharedNoteSerializer,
)
from partners.filters import InboxFilterSet
from partners.models import Referral
from partners.views.inbox import ACCEPT, ADD_UPDATE, COMPLETE, DECLINE, RECORD_SESSION, PartnerAction

TAGS = ["partners"]


def _not_now(referral: Referral, step: PartnerAction) -> str:
    """An answer the referral's status does not offer, said as the page says it."""
    if referral.status == step.done_status:
        return f"Referral {referral.reference} has already been {referral.get_status_display().lower()}"
    if referral.status == Referral.Status.SENT:
        return f"Referral {referral.reference} is new, so you cannot {step.doing} until it is accepted"
    standing = referral.get_status_display().lower()
    return f"Referral {referral.reference} is {standing}, so you can no longer {step.doing}"


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        summary="Referrals to your organisation",
        description="Open referrals sent to your organisation: new ones waiting for your answer, and "
        "those you work on. Closed referrals leave the list with the access they gave.",
    ),
    retrieve=extend_schema(
        tags=TAGS,
        summary="One referral to your organisation",
        description="The referral, its lawful basis, the fields the worker shared (as the record stands "
        "now) and its history. Audited as a consultation of the person's record.",
        responses=PartnerReferralSerializer,
    ),
)
class PartnerReferralViewSet(ApiViewSet):
    serializer_class = InboxReferralSerializer
    filterset_class = InboxFilterSet
    filter_backends = [QueryFilterBackend]
    if_match_actions = ("accept", "decline", "complete")
    sparse_fields = True

    def get_queryset(self) -> Any:
        return selectors.inbox_for(user=self.request.user, filters=selectors.InboxFilters())

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def list(self, request: Request) -> Response:
        # Only partner staff have referrals sent to them; for anyone else the list does not exist.
        if not access.is_partner(request.user):
            raise Http404("No such page")
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        referral = selectors.open_referral_for_partner(
            user=self.request.user, referral_id=int(pk), page="api:partner-referral-detail"
        )
        history = list(selectors.referral_history(referral=referral))
        context = {**self.get_serializer_context(), "history": history}
        response = Response(PartnerReferralSerializer(referral, context=context).data)
        response["ETag"] = etag_for(versions.version_of(referral, history=history))
        return response

    @extend_schema(
        tags=TAGS,
        summary="Notes the team shares with partners",
        description="Once you have accepted the referral: notes marked shareable with partners, newest "
        "first. Before that, none. Audited as a consultation of the person's record.",
        responses=SharedNoteSerializer(many=True),
    )
    @action(detail=True, methods=["get"], filter_backends=[], serializer_class=SharedNoteSerializer)
    def notes(self, request: Request, pk: str) -> Response:
        referral = selectors.open_referral_for_partner(
            user=self.request.user, referral_id=int(pk), page="api:partner-referral-notes"
        )
        page = self.paginate_queryset(selectors.shareable_notes(user=self.request.user, referral=referral))
        return self.get_paginated_response(SharedNoteSerializer(page, many=True).data)

    # The answers and updates ------------------------------------------------------------------

    def _answer(
        self,
        request: Request,
        pk: str,
        step: PartnerAction,
        body: type[serializers.Serializer],
        act: Callable[[Referral, dict[str, Any]], Any],
        *,
        if_match: bool,
    ) -> Any:
        """As the page: the referral (404 unless it is the partner's and open), its status before the
        body (a colleague may have answered already), then the service. An answer that changes the
        referral's status is made only to the referral the partner last read (If-Match)."""
        referral = selectors.get_referral_for_partner(user=self.request.user, referral_id=int(pk))
        guard: AbstractContextManager[Referral] = (
            versions.unchanged_since_read(request, referral) if if_match else nullcontext(referral)
        )
        with guard as current:
            if current.status not in step.offered_in:
                raise ValidationError(_not_now(current, step))
            return act(current, validated(body, request.data))

    def _answered(self, referral: Referral) -> Response:
        response = Response(PartnerAnswerSerializer(referral).data)
        response["ETag"] = etag_for(versions.version_of(referral))
        return response

    @extend_schema(
        tags=TAGS,
        summary="Accept a new referral",
        description="Gives your organisation access to the person while the referral is open. The "
        "referring worker is told.",
        request=AcceptSerializer,
        responses=PartnerAnswerSerializer,
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        referral = self._answer(
            request,
            pk,
            ACCEPT,
            AcceptSerializer,
            lambda current, data: services.accept_referral(
                actor=self.request.user, referral=current, note=data["note"]
            ),
            if_match=True,
        )
        return self._answered(referral)

    @extend_schema(
        tags=TAGS,
        summary="Decline a new referral",
        description="The referring worker is told why.",
        request=DeclineSerializer,
        responses=PartnerAnswerSerializer,
    )
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        referral = self._answer(
            request,
            pk,
            DECLINE,
            DeclineSerializer,
            lambda current, data: services.decline_referral(
                actor=self.request.user, referral=current, reason=data["reason"]
            ),
            if_match=True,
        )
        return self._answered(referral)

    @extend_schema(
        tags=TAGS,
        summary="Add a progress update",
        description="On an accepted referral. The referring worker is told.",
        request=ProgressUpdateSerializer,
        responses={201: ReferralEventSerializer},
    )
    @action(detail=True, methods=["post"])
    def updates(self, request: Request, pk: str) -> Response:
        event = self._answer(
            request,
            pk,
            ADD_UPDATE,
            ProgressUpdateSerializer,
            lambda current, data: services.add_progress_update(
                actor=self.request.user, referral=current, note=data["note"], occurred_on=data["occurred_on"]
            ),
            if_match=False,
        )
        return Response(ReferralEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        summary="Record a session and whether the person attended",
        description="On an accepted referral. The referring worker is told.",
        request=SessionSerializer,
        responses={201: ReferralEventSerializer},
    )
    @action(detail=True, methods=["post"])
    def sessions(self, request: Request, pk: str) -> Response:
        event = self._answer(
            request,
            pk,
            RECORD_SESSION,
            SessionSerializer,
            lambda current, data: services.record_session(
                actor=self.request.user,
                referral=current,
                session_on=data["session_on"],
                attendance=data["attendance"],
                note=data["note"],
            ),
            if_match=False,
        )
        return Response(ReferralEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        summary="Close the referral with an outcome",
        description="Ends your organisation's access to the person unless another of its referrals for "
        "them is still open. The referring worker is told.",
        request=CompleteSerializer,
        responses=PartnerAnswerSerializer,
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        referral = self._answer(
            request,
            pk,
            COMPLETE,
            CompleteSerializer,
            lambda current, data: services.complete_referral(
                actor=self.request.user, referral=current, outcome=data["outcome"], summary=data["summary"]
            ),
            if_match=True,
        )
        return self._answered(referral)
