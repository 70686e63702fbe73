"""The audit viewer's filters: a GET form, so a filtered view is a link that can be shared or kept."""

import datetime as dt
from typing import Any

from django import forms

from dataprotection.selectors.audit import AuditFilters, PersonNotFound, resolve_person
from iom.core import access, audit
from iom.core.forms import DatePickerInput, GovukFormMixin
from iom.core.models import User

ACTION_PATTERN = r"^[a-z_.]*$"


def _date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        help_text="For example, 17/11/2026",
        input_formats=["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%Y-%m-%d"],
        widget=DatePickerInput(latest_today=True),
        error_messages={"invalid": f"{label} must be a real date, like 17/11/2026"},
    )


class AuditFilterForm(GovukFormMixin, forms.Form):
    user = forms.CharField(
        label="User",
        required=False,
        max_length=254,
        help_text="Part of their email address or name",
    )
    person = forms.CharField(
        label="Person",
        required=False,
        max_length=20,
        help_text="Record number, CRN or PNC ID",
    )
    kind = forms.ChoiceField(
        label="Kind of event",
        required=False,
        choices=[("", "Any kind"), *audit.KINDS.items()],
    )
    action = forms.RegexField(
        label="Action",
        required=False,
        max_length=80,
        regex=ACTION_PATTERN,
        help_text="The start of an action name, for example referral. or nominal.viewed",
        error_messages={"invalid": "Action names are lower-case letters, dots and underscores"},
    )
    date_from = _date("Date from")
    date_to = _date("Date to")

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.viewer = viewer

    def clean_user(self) -> str:
        return str(self.cleaned_data["user"]).strip()

    def clean_action(self) -> str:
        return str(self.cleaned_data["action"]).strip().lower()

    def clean_person(self) -> int | None:
        text = str(self.cleaned_data["person"]).strip()
        if not text:
            return None
        try:
            return resolve_person(user=self.viewer, text=text)
        except PersonNotFound:
            # One message whether the person is in another team or nowhere: the viewer learns nothing.
            if not access.audit_team_ids(self.viewer):
                raise forms.ValidationError("Enter the person's record number") from None
            raise forms.ValidationError(
                "Enter the record number, or the CRN or PNC ID of a person in your teams"
            ) from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start: dt.date | None = cleaned.get("date_from")
        end: dt.date | None = cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "Date to must be the same as or after date from")
        return cleaned

    def filters(self) -> AuditFilters:
        """The filters to apply: none at all while the form has errors, so a mistake never hides events
        silently behind a half-applied filter."""
        if not self.is_bound or not self.is_valid():
            return AuditFilters()
        data = self.cleaned_data
        return AuditFilters(
            user=data["user"],
            nominal_id=data["person"],
            kind=data["kind"],
            action=data["action"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
