"""What the cohorts API's viewsets share."""

import html
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.html import strip_tags
from rest_framework import serializers

TAGS = ["cohorts"]


def valid(serializer_class: type[serializers.Serializer], data: Any, **context: Any) -> dict[str, Any]:
    """The request body, checked; a 400 problem naming each field otherwise."""
    serializer = serializer_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


@contextmanager
def plain_text_errors() -> Iterator[None]:
    """Some services' messages are written for the pages, with a link to the person they name
    ("CRN X123456 is already recorded for <a …>Dean Robson</a>"): an API client gets the words."""
    try:
        yield
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise ValidationError(
                {field: [_text(m) for m in messages] for field, messages in error.message_dict.items()}
            ) from error
        raise ValidationError([_text(m) for m in error.messages]) from error


def _text(message: str) -> str:
    return html.unescape(strip_tags(message))
