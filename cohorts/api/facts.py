"""A person's assessments and needs."""

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from cohorts import selectors, services
from cohorts.api.common import TAGS, PersonRecordListMixin
from cohorts.api.serializers import (
    AssessmentSerializer,
    NeedSerializer,
    NeedStatusSerializer,
    NewAssessmentSerializer,
)
from cohorts.filters import AssessmentFilterSet, NeedFilterSet
from cohorts.models import Assessment, Need, Pathway
from iom.core import access
from iom.core.api.serializers import validated
from iom.core.api.viewsets import ApiViewSet


class AssessmentViewSet(PersonRecordListMixin, ApiViewSet):
    """/nominals/{id}/assessments/: dated, attributed judgements about the person, never overwritten."""

    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilterSet
    ordering_fields = ["assessed_on", "recorded_at"]
    ordering = ["-assessed_on", "-recorded_at", "-id"]

    def get_queryset(self) -> QuerySet[Assessment]:
        return Assessment.objects.none()  # every answer starts from the person (list and create)

    @extend_schema(summary="A person's assessments", responses=AssessmentSerializer(many=True), tags=TAGS)
    def list(self, request: Request, nominal_id: int) -> Response:
        return self.list_for_person(nominal_id, page="api:assessment-list", rows=selectors.assessment_history)

    @extend_schema(
        summary="Record an assessment",
        description="A level for RoSH, neighbourhood crime, tier and MAPPA; a score for OGRS and OGP.",
        request=NewAssessmentSerializer,
        responses={201: AssessmentSerializer},
        tags=TAGS,
    )
    def create(self, request: Request, nominal_id: int) -> Response:
        user = self.request.user
        nominal = selectors.get_nominal_for_user(user=user, nominal_id=nominal_id)
        access.require_edit_nominal(user, nominal)
        values = validated(NewAssessmentSerializer, request.data)
        assessment = services.record_assessment(actor=user, nominal=nominal, **values)
        recorded = selectors.assessment_history(nominal).get(pk=assessment.pk)
        return Response(
            AssessmentSerializer(recorded).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api:assessment-list", args=[nominal.pk])},
        )


PATHWAY_PARAMETER = OpenApiParameter(
    "pathway", OpenApiTypes.STR, OpenApiParameter.PATH, enum=Pathway.values, description="The pathway."
)


class NeedViewSet(PersonRecordListMixin, ApiViewSet):
    """/nominals/{id}/needs/: the person's needs on the seven pathways, and changes of their status.

    A need keeps no change time to make an ETag from, and each change is a dated update added to its
    history rather than an overwrite: so a status change is a POST, without If-Match."""

    serializer_class = NeedSerializer
    filterset_class = NeedFilterSet
    ordering_fields = ["pathway", "updated_on"]
    ordering = ["pathway"]

    def get_queryset(self) -> QuerySet[Need]:
        return Need.objects.none()  # every answer starts from the person (list and status)

    @extend_schema(
        summary="A person's needs",
        description="The pathways with a need recorded; a pathway with none recorded is left out.",
        responses=NeedSerializer(many=True),
        tags=TAGS,
    )
    def list(self, request: Request, nominal_id: int) -> Response:
        return self.list_for_person(nominal_id, page="api:need-list", rows=selectors.needs_for)

    @extend_schema(
        summary="Record a change in a need's status",
        description="Adds a dated update to the need's history and makes it the need's status now.",
        parameters=[PATHWAY_PARAMETER],
        request=NeedStatusSerializer,
        responses=NeedSerializer,
        tags=TAGS,
    )
    def status(self, request: Request, nominal_id: int, pathway: str) -> Response:
        user = self.request.user
        nominal = selectors.get_nominal_for_user(user=user, nominal_id=nominal_id)
        access.require_edit_nominal(user, nominal)
        update = validated(NeedStatusSerializer, request.data)
        services.update_need(actor=user, nominal=nominal, pathway=pathway, **update)
        return Response(NeedSerializer(selectors.needs_for(nominal).get(pathway=pathway)).data)
