"""django-filter for the API, with its errors naming the query parameter at fault."""

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request

from iom.core.api.problems import QueryValidationError


class QueryFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise QueryValidationError({name: list(errors) for name, errors in filterset.errors.items()})
        return filterset.qs


class StableOrderingFilter(OrderingFilter):
    """Ties broken by id, so a row never shows on two pages, or on none, as the client pages on."""

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> list[str]:
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if not {"id", "-id", "pk", "-pk"} & set(ordering):
            ordering.append("-id")
        return ordering
