"""/api/v1/nominals/: the caller's caseload, adding a person, and a person's record."""

import re

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from cohorts import selectors, services
from cohorts.api.common import TAGS, plain_text_errors
from cohorts.api.serializers import (
    CaseloadEntrySerializer,
    NewNominalSerializer,
    NominalChangesSerializer,
    NominalSerializer,
)
from cohorts.filters import CaseloadFilterSet
from cohorts.models import Nominal, NominalChange
from iom.core import access, audit
from iom.core.api.concurrency import version_from_if_match
from iom.core.api.problems import PreconditionFailed, QueryValidationError
from iom.core.api.serializers import validated
from iom.core.api.viewsets import ApiViewSet
from iom.core.models import Team


class NominalViewSet(ApiViewSet):
    """/nominals/: the caseload and adding a person; /nominals/{id}/: the record and changing it."""

    serializer_class = NominalSerializer
    sparse_fields = True
    # Declared for the schema: list() runs the FilterSet itself, since its audit row says what was
    # asked. No OrderingFilter: the FilterSet's `ordering` is the caseload's own sorts.
    filter_backends = [DjangoFilterBackend]
    filterset_class = CaseloadFilterSet

    def get_queryset(self) -> QuerySet[Nominal]:
        return selectors.caseload_for(self.request.user)

    @extend_schema(
        summary="Your caseload",
        description="The people your teams manage, filtered and sorted as on the caseload page.",
        responses=CaseloadEntrySerializer(many=True),
        tags=TAGS,
    )
    def list(self, request: Request) -> Response:
        user = self.request.user
        if not access.works_a_caseload(user):
            raise Http404("No such page")  # as the caseload page: only team members have one
        caseload = CaseloadFilterSet(request.query_params, queryset=self.get_queryset(), request=request)
        if not caseload.is_valid():
            raise QueryValidationError(caseload.errors)
        page = self.paginate_queryset(caseload.qs)
        filters = caseload.caseload_filters()
        audit.record(
            actor=user,
            action="caseload.viewed",
            detail={
                "search": bool(filters.search),
                "filtered": filters.any,
                "page": self.paginator.page.number,  # type: ignore[union-attr]
                "rows": len(page or []),  # an integration reads page after page: what each held
                "endpoint": "api:nominal-list",
            },
        )
        entries = CaseloadEntrySerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(entries.data)

    @extend_schema(
        summary="Add a person",
        description="Added to your team, as on the page; an identifier another person holds is refused.",
        request=NewNominalSerializer,
        responses={201: NominalSerializer},
        tags=TAGS,
    )
    def create(self, request: Request) -> Response:
        user = self.request.user
        teams = [
            team
            for team in Team.objects.filter(pk__in=access.team_ids(user))
            if access.can_add_nominal(user, team.pk)
        ]
        if not teams:
            raise Http404("No such page")
        values = validated(NewNominalSerializer, request.data)
        with plain_text_errors():
            created = services.create_nominal(actor=user, team=teams[0], **values)
        nominal = selectors.get_nominal_for_user(user=user, nominal_id=created.pk)
        response = Response(
            NominalSerializer(nominal).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api:nominal-detail", args=[nominal.pk])},
        )
        return self.with_etag(response, nominal)

    @extend_schema(summary="A person's record", responses=NominalSerializer, tags=TAGS)
    def retrieve(self, request: Request, pk: int) -> Response:
        nominal = selectors.open_nominal_record(
            user=self.request.user, nominal_id=pk, page="api:nominal-detail"
        )
        record = NominalSerializer(nominal, context=self.get_serializer_context())
        return self.with_etag(Response(record.data), nominal)

    @extend_schema(
        summary="Change a person's record",
        description=(
            "Details, or custody and key dates, as the case team and managers change them on the pages. "
            "Send only the fields that change, with the ETag of your last read in If-Match."
        ),
        request=NominalChangesSerializer,
        responses=NominalSerializer,
        tags=TAGS,
    )
    def partial_update(self, request: Request, pk: int) -> Response:
        user = self.request.user
        nominal = selectors.get_nominal_for_user(user=user, nominal_id=pk)
        access.require_edit_nominal(user, nominal)
        expected_version = _expected_version(request, nominal)
        changes = validated(NominalChangesSerializer, request.data)
        if not changes:
            raise ValidationError("Send at least one field to change.")
        try:
            with plain_text_errors():
                services.update_nominal(
                    actor=user, nominal=nominal, expected_version=expected_version, changes=changes
                )
        except services.StaleRecord as conflict:
            raise PreconditionFailed(_what_changed(conflict.changes)) from None
        changed = selectors.get_nominal_for_user(user=user, nominal_id=pk)
        return self.with_etag(Response(NominalSerializer(changed).data), changed)


def _expected_version(request: Request, nominal: Nominal) -> int:
    """The version the client last read; when that is not the current one, a 412 that says what
    has changed since (the record's field history makes that one cheap query)."""
    try:
        return version_from_if_match(request, nominal)
    except PreconditionFailed:
        named = [
            re.fullmatch(rf'(?:W/)?"{nominal.pk}-v(\d+)"', tag.strip())
            for tag in request.headers["If-Match"].split(",")
        ]
        versions = [int(match.group(1)) for match in named if match]
        if not versions:
            raise
        since = min(versions)
        raise PreconditionFailed(
            _what_changed(list(selectors.changes_for(nominal).filter(version__gt=since)))
        ) from None


def _what_changed(changes: list[NominalChange]) -> str:
    if not changes:
        return str(PreconditionFailed.default_detail)
    fields = ", ".join(
        dict.fromkeys(change.field_label for change in sorted(changes, key=lambda c: c.version))
    )
    people = ", ".join(dict.fromkeys(str(change.changed_by) for change in changes if change.changed_by))
    by = f" by {people}" if people else ""
    return (
        f"This record has changed since you read it: {fields} changed{by}. Nothing you sent has been saved. "
        "Fetch it again, check the changes, then send yours with the new ETag in If-Match."
    )
