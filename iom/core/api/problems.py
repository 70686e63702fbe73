"""Every API error as RFC 9457 problem details (`application/problem+json`).

`{"type", "title", "status", "detail", "instance", "errors": [{"pointer", "detail"}]}`;
field errors carry a JSON pointer into the request body (or name the query parameter).
"""

from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "This record has changed since you read it. Fetch it again, check the changes, then send yours "
        "with the new ETag in If-Match."
    )
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "Send the ETag you last read in an If-Match header, so a newer change is not overwritten."
    )
    default_code = "precondition_required"


# The `type` of problems a client may want to tell apart; the rest are "about:blank" (the status says it).
PROBLEM_TYPES = {
    "invalid": "urn:iom:problem:validation-error",
    "precondition_failed": "urn:iom:problem:stale-record",
    "precondition_required": "urn:iom:problem:if-match-required",
    "throttled": "urn:iom:problem:too-many-requests",
}


class FieldErrorSerializer(serializers.Serializer):
    pointer = serializers.CharField(
        required=False, help_text="JSON pointer into the request body, e.g. `#/date_of_birth`."
    )
    parameter = serializers.CharField(required=False, help_text="The query parameter at fault.")
    detail = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """For the schema only: what an error response holds."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField(required=False)
    instance = serializers.CharField(required=False)
    errors = FieldErrorSerializer(many=True, required=False)  # type: ignore[assignment]


def _flatten(detail: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(detail, dict):
        for key, value in detail.items():
            yield from _flatten(value, f"{path}/{key}")
    elif isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            for item in detail:
                yield path, str(item)
        else:
            for index, item in enumerate(detail):
                yield from _flatten(item, f"{path}/{index}")
    else:
        yield path, str(detail)


def _field_errors(detail: Any, *, in_query: bool) -> tuple[str, list[dict[str, str]]]:
    general: list[str] = []
    errors: list[dict[str, str]] = []
    for path, message in _flatten(detail):
        if path in ("", "/non_field_errors", "/__all__"):
            general.append(message)
        elif in_query:
            errors.append({"parameter": path.strip("/").split("/")[0], "detail": message})
        else:
            errors.append({"pointer": "#" + path, "detail": message})
    summary = " ".join(general) or "The request has errors: see `errors`."
    return summary, errors


def problem(
    status_code: int, *, detail: str = "", type_: str = "about:blank", instance: str = "", **extra: Any
):
    body: dict[str, Any] = {"type": type_, "title": HTTPStatus(status_code).phrase, "status": status_code}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extra)
    return body


def _as_drf(exc: Exception) -> Exception:
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError(exc.message_dict)
        return exceptions.ValidationError({"non_field_errors": exc.messages})
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    return exc


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = _as_drf(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 handling (logged, no details leaked)
    request = context.get("request")
    instance = request.get_full_path() if request is not None else ""
    if not isinstance(exc, exceptions.APIException):
        return response
    if request is not None:
        # A problem is JSON whatever the view renders otherwise (the schema view's YAML) and
        # whatever the client asked for (a 406 still has to say what went wrong).
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = PROBLEM_CONTENT_TYPE
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else "invalid"
    extra: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError):
        # A GET has no body, so its errors are about the query: django-filter's backend raises a
        # plain ValidationError for a bad filter value, and it should name the parameter too.
        in_query = bool(getattr(exc, "in_query", False)) or (
            request is not None and request.method in ("GET", "HEAD")
        )
        detail, errors = _field_errors(exc.detail, in_query=in_query)
        extra["errors"] = errors
    else:
        detail = str(exc.detail)
    body = problem(
        response.status_code,
        detail=detail,
        type_=PROBLEM_TYPES.get(code, "about:blank"),
        instance=instance,
        **extra,
    )
    headers = {key: value for key, value in response.headers.items() if key.lower() != "content-type"}
    return Response(body, status=response.status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


class QueryValidationError(exceptions.ValidationError):
    """A bad filter, ordering or `fields` value: its errors name the query parameter."""

    in_query = True


@login_not_required
@csrf_exempt
def api_not_found(request: HttpRequest, unmatched: str = "") -> JsonResponse:
    """A path under /api/ that names no endpoint: a problem, not the HTML 404 page.

    Exempt from CSRF, as every API view is: it changes nothing, and otherwise a POST to a wrong
    address gets the CSRF failure's HTML page instead of this problem."""
    return JsonResponse(
        problem(404, detail="There is no API endpoint at this address.", instance=request.get_full_path()),
        status=404,
        content_type=PROBLEM_CONTENT_TYPE,
    )
