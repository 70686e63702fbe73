"""The OpenAPI schema says every answer an endpoint can give, errors included, so clients (and
schemathesis) can rely on it."""

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter

from iom.core.api.problems import PROBLEM_CONTENT_TYPE, ProblemSerializer
from iom.core.api.serializers import SparseFieldsMixin

_ALWAYS = {
    "401": "Not signed in, or the token is wrong, revoked or expired.",
    "403": "Signed in, but your role may not do this to a record you can see.",
    "404": "No such record, or not one you may see (the two look the same).",
    "406": "The Accept header asks for a format the API does not give.",
    "429": "Too many requests: wait for Retry-After seconds.",
}
_WITH_INPUT = {
    "400": "The request has errors: `errors` says which field or parameter and why.",
    "415": "The body is not JSON.",
}
_CONDITIONAL = {
    "412": "The record changed since you read it: fetch it again and send its new ETag.",
    "428": "Send the ETag you last read in If-Match.",
}


class ApiAutoSchema(AutoSchema):
    def _needs_if_match(self) -> bool:
        actions: tuple[str, ...] = getattr(self.view, "if_match_actions", ())
        return self.method in ("PUT", "PATCH") or getattr(self.view, "action", None) in actions

    def _takes_fields(self) -> bool:
        return self.method == "GET" and bool(getattr(self.view, "sparse_fields", False))

    def _map_serializer(self, serializer: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        if direction == "response" and isinstance(serializer, SparseFieldsMixin):
            # `?fields=` may leave any field out, so none is promised.
            schema.pop("required", None)
        return schema

    def _get_response_bodies(self, direction: Any = "response") -> Any:
        responses = super()._get_response_bodies(direction)
        codes = dict(_ALWAYS)
        if self.method in ("POST", "PUT", "PATCH") or self._is_list_view() or self.get_filter_backends():
            codes.update(_WITH_INPUT)
        if self._takes_fields():
            codes["400"] = _WITH_INPUT["400"]  # an unknown name in `fields`, on a single record too
        if self._needs_if_match():
            codes.update(_CONDITIONAL)
        for code, description in codes.items():
            if code not in responses:
                responses[code] = {
                    **self._get_response_for_code(ProblemSerializer, code, [PROBLEM_CONTENT_TYPE]),
                    "description": description,
                }
        return responses

    def _get_response_headers_for_code(self, status_code: str, direction: Any = "response") -> Any:
        headers = dict(super()._get_response_headers_for_code(status_code, direction))
        string = {"type": "string"}
        if status_code == "429":
            headers["Retry-After"] = {
                "schema": {"type": "string", "pattern": "^[0-9]+$"},
                "description": "Seconds to wait.",
            }
        if status_code == "201":
            headers.setdefault("Location", {"schema": string, "description": "The new record's address."})
        if status_code in ("200", "201") and not self._is_list_view() and self._answers_with_etag():
            headers.setdefault(
                "ETag",
                {"schema": string, "description": "Send it back in If-Match to change this record."},
            )
        return headers

    def _answers_with_etag(self) -> bool:
        """Operations on a record that can be changed through the API (it has If-Match actions or PATCH)."""
        view = self.view
        return bool(getattr(view, "if_match_actions", ())) or hasattr(view, "partial_update")

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self._takes_fields():
            parameters.append(
                OpenApiParameter(
                    "fields",
                    str,
                    description="Comma-separated fields to return, the rest left out: `id,name`.",
                )
            )
        if self._needs_if_match():
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    required=True,
                    description="The ETag from your last read of this record.",
                )
            )
        return parameters


def refuse_unknown_request_fields(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A drf-spectacular post-processing hook: request bodies say `additionalProperties: false`,
    as `iom.core.api.serializers.check` enforces."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
    return result
