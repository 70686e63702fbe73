"""What the cohorts API's viewsets share."""

import html
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.utils.html import strip_tags

TAGS = ["cohorts"]


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
