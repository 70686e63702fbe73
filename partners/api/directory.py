"""/api/v1/partner-services/: the partner directory, read-only, with the rules of
partners/views/directory.py: anyone working a caseload reads it, as do managers and administrators
who keep it; for everyone else it does not exist. It holds no personal data, so reads are not audited."""

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.request import Request
from rest_framework.response import Response

from iom.core import access
from iom.core.api.filtering import QueryFilterBackend
from iom.core.api.viewsets import ApiViewSet
from partners import selectors
from partners.api.serializers import PartnerServiceSerializer
from partners.filters import DirectoryFilterSet

TAGS = ["partners"]


@extend_schema_view(
    list=extend_schema(tags=TAGS, summary="The partner directory", description="Listed services, by name."),
    retrieve=extend_schema(tags=TAGS, summary="One partner service"),
)
class PartnerServiceViewSet(ApiViewSet):
    serializer_class = PartnerServiceSerializer
    filterset_class = DirectoryFilterSet
    filter_backends = [QueryFilterBackend]
    sparse_fields = True

    def get_queryset(self) -> Any:
        return selectors.directory_services(filters=selectors.DirectoryFilters())

    def _require_directory(self) -> None:
        if not access.can_use_directory(self.request.user):
            raise Http404("No such page")

    def list(self, request: Request) -> Response:
        self._require_directory()
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        self._require_directory()
        service = selectors.get_service(service_id=int(pk))
        # A service no longer listed is the managers' to revive or leave; for others it is gone.
        if not service.is_active and not access.can_manage_directory(self.request.user):
            raise Http404("No such service")
        return Response(self.get_serializer(service).data)
