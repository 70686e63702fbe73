import calendar
from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from iom.core.forms import GovukFormMixin
from iom.core.models import Region, Team
from reports.models import ReportRun
from reports.selectors import ReportFilters

MONTHS_OFFERED = 24

KIND_HINTS = {
    ReportRun.Kind.REGIONAL_PACK: "A part for each team of the region, then the region as a whole.",
    ReportRun.Kind.TEAM_PACK: "One team's figures for the month.",
    ReportRun.Kind.NATIONAL_SUMMARY: "A part for each region, then England and Wales as a whole.",
}


def month_choices(today: date) -> list[tuple[str, str]]:
    """This month and the ones before it, newest first, as ("2026-10", "October 2026")."""
    choices = []
    year, month = today.year, today.month
    for _ in range(MONTHS_OFFERED):
        choices.append((f"{year:04d}-{month:02d}", f"{calendar.month_name[month]} {year}"))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return choices


def month_bounds(value: str) -> tuple[date, date]:
    """The first and last days of a month written "2026-10"."""
    year, month = (int(part) for part in value.split("-"))
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Team) -> str:
        return f"{obj.name} ({obj.region.name})"


class ReportRequestForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="What kind of report?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the kind of report",
            "invalid_choice": "Select the kind of report",
        },
    )
    region = forms.ModelChoiceField(
        label="Region",
        queryset=Region.objects.none(),
        required=False,
        empty_label=None,
        error_messages={"invalid_choice": "Select one of your regions"},
    )
    team = TeamChoiceField(
        label="Team",
        queryset=Team.objects.none(),
        required=False,
        empty_label=None,
        error_messages={"invalid_choice": "Select one of your teams"},
    )
    month = forms.ChoiceField(
        label="Month",
        help_text="The report covers the whole calendar month, or this month up to today.",
        error_messages={"required": "Select a month", "invalid_choice": "Select a month from the list"},
    )
    # The service's "period" problems belong to the month asked for.
    service_fields = {"period": "month"}

    def __init__(
        self, *args: Any, kinds: list[str], regions: QuerySet[Region], teams: QuerySet[Team], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind, ReportRun.Kind(kind).label) for kind in kinds]  # type: ignore[attr-defined]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]
            self.fields["kind"].widget = forms.HiddenInput()
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        choices = month_choices(timezone.localdate())
        self.fields["month"].choices = choices  # type: ignore[attr-defined]
        # The last complete month is what boards usually ask for.
        self.fields["month"].initial = choices[1][0]

    def kind_options(self) -> list[dict[str, Any]]:
        """The kinds as GOV.UK radios, each revealing the question it needs (region or team)."""
        chosen = self["kind"].value()
        return [
            {
                "index": index,
                "value": value,
                "label": label,
                "hint": KIND_HINTS[ReportRun.Kind(value)],
                "checked": chosen == value,
                "reveals": {"regional_pack": "region", "team_pack": "team"}.get(value),
            }
            for index, (value, label) in enumerate(self.fields["kind"].choices)  # type: ignore[attr-defined]
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        # Both selects are always sent; only the one the kind reveals counts.
        for name, needed_by in (("region", "regional_pack"), ("team", "team_pack")):
            if kind != needed_by:
                cleaned[name] = None
                self.errors.pop(name, None)
        if kind == "regional_pack" and "region" not in self.errors and cleaned.get("region") is None:
            self.add_error("region", "Select the region the pack is for")
        if kind == "team_pack" and "team" not in self.errors and cleaned.get("team") is None:
            self.add_error("team", "Select the team the pack is for")
        return cleaned

    def period(self) -> tuple[date, date]:
        start, end = month_bounds(self.cleaned_data["month"])
        return start, min(end, timezone.localdate())


class ReportFilterForm(GovukFormMixin, forms.Form):
    """The list's filters, from the query string; a value that makes no sense is reported and ignored."""

    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        error_messages={"invalid_choice": "Select a kind of report from the list"},
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *ReportRun.Status.choices],
        error_messages={"invalid_choice": "Select a status from the list"},
    )
    region = forms.TypedChoiceField(
        label="Region",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Select a region from the list"},
    )
    team = forms.TypedChoiceField(
        label="Team",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Select a team from the list"},
    )
    month = forms.ChoiceField(
        label="Month reported on",
        required=False,
        error_messages={"invalid_choice": "Select a month from the list"},
    )

    def __init__(
        self, *args: Any, kinds: list[str], regions: list[Region], teams: list[Team], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Any kind"), *((k, ReportRun.Kind(k).label) for k in kinds)]  # type: ignore[attr-defined]
        self.fields["region"].choices = [("", "Any region"), *((str(r.pk), r.name) for r in regions)]  # type: ignore[attr-defined]
        self.fields["team"].choices = [  # type: ignore[attr-defined]
            ("", "Any team"),
            *((str(t.pk), f"{t.name} ({t.region.name})") for t in teams),
        ]
        self.fields["month"].choices = [("", "Any month"), *month_choices(timezone.localdate())]  # type: ignore[attr-defined]
        self.show_kind = len(kinds) > 1
        self.show_region = bool(regions)
        self.show_team = len(teams) > 1

    def filters(self) -> ReportFilters:
        if not self.is_bound:
            return ReportFilters()
        self.is_valid()
        good = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return ReportFilters(
            kind=good.get("kind") or "",
            status=good.get("status") or "",
            region_id=good.get("region"),
            team_id=good.get("team"),
            month=good.get("month") or "",
        )
