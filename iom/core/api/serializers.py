"""Serializer pieces every app uses."""

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
    """A request body, checked; otherwise a 400 problem naming each field at fault."""
    serializer = serializer_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
