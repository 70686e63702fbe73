"""The bases every app's API builds on."""

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.utils.cache import patch_cache_control
from django.utils.decorators import classonlymethod
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from iom.core.api.concurrency import etag_for
from iom.core.http import AuthenticatedRequest


class _ApiBase(APIView):
    request: AuthenticatedRequest  # type: ignore[assignment]

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        # Answers hold personal data: no shared or browser cache may keep them.
        patch_cache_control(response, no_store=True, private=True)
        return response

    def with_etag(self, response: Response, obj: Any) -> Response:
        """Give a single record's answer the ETag a later change must send in If-Match."""
        response["ETag"] = etag_for(obj)
        return response


class ApiView(_ApiBase):
    """DRF answers for itself who is signed in (401 problem, not a redirect to the sign-in page)."""

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        return login_not_required(super().as_view(**initkwargs))


class ApiViewSet(_ApiBase, viewsets.GenericViewSet):
    """Ids in URLs are numbers; anything else is simply not found."""

    lookup_value_regex = r"[0-9]+"
    # Actions (besides PUT/PATCH) that change an existing record and so need If-Match; the schema
    # documents the header and the 412/428 answers for them.
    if_match_actions: tuple[str, ...] = ()
    # Lists that take `?fields=`; the schema documents it.
    sparse_fields = False

    @classonlymethod
    def as_view(cls, actions: Any = None, **initkwargs: Any) -> Any:
        return login_not_required(super().as_view(actions, **initkwargs))
