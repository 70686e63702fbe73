"""Query parameters of the supervision API's lists: filters and ordering.

A bad value answers 400 naming the parameter (the problem handler's rule for a GET), never an
unfiltered list.
"""

from typing import Any

import django_filters
from django.db.models import QuerySet

from supervision.models import Contact, Kind, Outcome, Purpose


def _date(field_name: str, lookup: str, parameter: str, label: str) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        field_name=field_name,
        lookup_expr=lookup,
        label=label,
        error_messages={"invalid": f"{parameter} must be a date like 2026-11-17"},
    )


def _choices(field_name: str, choices: Any, noun: str) -> django_filters.MultipleChoiceFilter:
    return django_filters.MultipleChoiceFilter(
        field_name=field_name,
        choices=choices,
        label=f"Only these {noun}s (repeat the parameter for more than one).",
        error_messages={"invalid_choice": f"%(value)s is not a {noun}"},
    )


class ContactFilter(django_filters.FilterSet):
    """Filters of a person's contacts and appointments."""

    kind = _choices("kind", Kind.choices, "type of contact")
    purpose = _choices("purpose", Purpose.choices, "purpose")
    outcome = _choices("outcome", Outcome.choices, "outcome")
    date_from = _date("date", "gte", "date_from", "On or after this date.")
    date_to = _date("date", "lte", "date_to", "On or before this date.")
    planned = django_filters.BooleanFilter(
        method="filter_planned",
        label="true: only appointments still waiting for an outcome; false: only contacts held.",
    )

    class Meta:
        model = Contact
        fields: list[str] = []

    def filter_planned(self, queryset: QuerySet[Contact], name: str, value: bool | None) -> QuerySet[Contact]:
        if value is None:
            return queryset
        return queryset.filter(outcome="") if value else queryset.exclude(outcome="")
