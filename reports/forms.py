import calendar
from datetime import date

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from iom.core.forms import GovukFormMixin
from iom.core.models import Region

MONTHS_OFFERED = 24


def month_choices(today: date) -> list[tuple[str, str]]:
    """This month and the ones before it, newest first, as ("2026-10", "October 2026")."""
    choices = []
    year, month = today.year, today.month
    for _ in range(MONTHS_OFFERED):
        choices.append((f"{year:04d}-{month:02d}", f"{calendar.month_name[month]} {year}"))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return choices


class ReportRequestForm(GovukFormMixin, forms.Form):
    region = forms.ModelChoiceField(
        label="Region",
        queryset=Region.objects.none(),
        empty_label=None,
        error_messages={"required": "Select a region", "invalid_choice": "Select one of your regions"},
    )
    month = forms.ChoiceField(
        label="Month",
        help_text="The report covers the whole calendar month, to the end of today for this month.",
        error_messages={"required": "Select a month", "invalid_choice": "Select a month from the list"},
    )

    def __init__(self, *args: object, regions: QuerySet[Region], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        choices = month_choices(timezone.localdate())
        self.fields["month"].choices = choices  # type: ignore[attr-defined]
        # The last complete month is what boards usually ask for.
        self.fields["month"].initial = choices[1][0]

    def period(self) -> tuple[date, date]:
        year, month = (int(part) for part in self.cleaned_data["month"].split("-"))
        start = date(year, month, 1)
        end = date(year, month, calendar.monthrange(year, month)[1])
        return start, min(end, timezone.localdate())
