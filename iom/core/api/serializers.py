"""Serializer pieces every app uses."""

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from iom.core.api.problems import QueryValidationError


class SparseFieldsMixin(serializers.Serializer):
    """`?fields=id,family_name` returns only those fields: lists of thousands stay small."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        # Nested serializers are built without a context, so only the top level is trimmed.
        wanted = (
            request.query_params.get("fields", "") if request is not None and request.method == "GET" else ""
        )
        names = {name.strip() for name in wanted.split(",") if name.strip()}
        if not names:
            return
        unknown = sorted(names - set(self.fields))
        if unknown:
            raise QueryValidationError(
                {"fields": f"No such field: {', '.join(unknown)}. Choose from {', '.join(self.fields)}."}
            )
        for name in set(self.fields) - names:
            self.fields.pop(name)


def validated(serializer_class: type[serializers.Serializer], data: Any, **context: Any) -> dict[str, Any]:
    """A request body, checked; otherwise a 400 problem naming each field at fault.

    A field the operation does not take is an error too, not silently dropped: a client that sends
    `team` in a change of details must not believe it moved the person."""
    serializer = serializer_class(data=data, context=context)
    check(serializer)
    return dict(serializer.validated_data)


def check(serializer: serializers.Serializer) -> None:
    """Validate a serializer made with `data=`, refusing fields the operation does not take."""
    serializer.is_valid(raise_exception=True)
    data = serializer.initial_data
    if isinstance(data, Mapping):
        writable = {name for name, field in serializer.fields.items() if not field.read_only}
        unknown = sorted(str(name) for name in data if name not in writable)
        if unknown:
            raise serializers.ValidationError(
                {
                    name: [f"This operation does not take {name}: see the schema for its fields."]
                    for name in unknown
                }
            )
