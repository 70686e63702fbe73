"""Query parameters of the cohorts API's lists (django-filter FilterSets)."""

import django_filters
from django import forms
from django.db.models import QuerySet

from cohorts import selectors
from cohorts.forms import CaseloadFilterForm
from cohorts.models import (
    Assessment,
    Cohort,
    CohortMembership,
    Need,
    NeedStatus,
    Nominal,
    Pathway,
    StatutoryStatus,
    UnmetReason,
)


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


def _choices_of(form_field: str) -> list[tuple[str, str]]:
    """The caseload page's own choices for a filter, without its "Any"."""
    field = CaseloadFilterForm.base_fields[form_field]
    return [(value, label) for value, label in field.choices if value]  # type: ignore[attr-defined]


class CaseloadFilterSet(django_filters.FilterSet):
    """The caseload page's filters and sorts, by the names the page and dashboards use.

    The rules are the selector's (one copy, shared with the page and its CSV export): this only
    checks the parameters, then asks `caseload_for` for the caseload narrowed by them.
    """

    q = django_filters.CharFilter(max_length=100, help_text="A name, alias or identifier (CRN, PNC ID, …).")
    team = IdFilter(help_text="One of your teams.")
    cohort = django_filters.ChoiceFilter(choices=_choices_of("cohort"))
    worker = IdFilter(help_text="Someone on the case team, in any of its places.")
    statutory_status = django_filters.ChoiceFilter(choices=StatutoryStatus.choices)
    risk = django_filters.ChoiceFilter(choices=_choices_of("risk"), help_text="The latest RoSH level.")
    custody = django_filters.ChoiceFilter(choices=_choices_of("custody"))
    review = django_filters.ChoiceFilter(choices=_choices_of("review"))
    allocated = django_filters.ChoiceFilter(choices=_choices_of("allocated"))
    need = django_filters.ChoiceFilter(choices=Pathway.choices, help_text="A pathway with an unmet need.")
    need_reason = django_filters.ChoiceFilter(
        choices=UnmetReason.choices, help_text="Why a need is unmet: on `need`'s pathway, or on any."
    )
    ordering = django_filters.ChoiceFilter(
        choices=[(sort, sort) for sort in selectors.CASELOAD_SORTS], help_text="As the caseload sorts."
    )

    class Meta:
        model = Nominal
        fields: list[str] = []

    def caseload_filters(self) -> selectors.CaseloadFilters:
        data = self.form.cleaned_data
        return selectors.CaseloadFilters(
            search=data.get("q") or "",
            team=data.get("team"),
            cohort=data.get("cohort") or "",
            worker=data.get("worker"),
            statutory_status=data.get("statutory_status") or "",
            risk=data.get("risk") or "",
            custody=data.get("custody") or "",
            review=data.get("review") or "",
            allocated=data.get("allocated") or "",
            need=data.get("need") or "",
            need_reason=data.get("need_reason") or "",
        )

    def filter_queryset(self, queryset: QuerySet[Nominal]) -> QuerySet[Nominal]:
        return selectors.caseload_for(
            self.request.user,
            filters=self.caseload_filters(),
            sort=self.form.cleaned_data.get("ordering") or "name",
        )


class CohortMembershipFilterSet(django_filters.FilterSet):
    cohort = django_filters.ChoiceFilter(choices=Cohort.choices)
    status = django_filters.ChoiceFilter(choices=CohortMembership.Status.choices)

    class Meta:
        model = CohortMembership
        fields = ["cohort", "status"]


class AssessmentFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Assessment.Kind.choices)

    class Meta:
        model = Assessment
        fields = ["kind"]


class NeedFilterSet(django_filters.FilterSet):
    pathway = django_filters.ChoiceFilter(choices=Pathway.choices)
    status = django_filters.ChoiceFilter(choices=NeedStatus.choices)

    class Meta:
        model = Need
        fields = ["pathway", "status"]
