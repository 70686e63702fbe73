"""What the cohorts API's viewsets share."""

import html
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.html import strip_tags
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from cohorts import selectors
from cohorts.models import Nominal
from iom.core.http import AuthenticatedRequest

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


class PersonRecordListMixin(GenericViewSet):
    """A list that is part of a person's record (their assessments, needs, contacts, referrals…):
    reading it is a logged consultation of the record, as the page's tab is; 404 out of scope."""

    request: AuthenticatedRequest  # type: ignore[assignment]

    def list_for_person(
        self, nominal_id: int, *, page: str, rows: Callable[[Nominal], QuerySet[Any]]
    ) -> Response:
        nominal = selectors.open_nominal_record(user=self.request.user, nominal_id=nominal_id, page=page)
        listed = self.paginate_queryset(self.filter_queryset(rows(nominal)))
        return self.get_paginated_response(self.get_serializer(listed, many=True).data)
