from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from dataprotection.models import RetentionDecision
from iom.core.forms import DatePickerInput, GovukFormMixin
from iom.core.models import Team

Decision = RetentionDecision.Decision


class RetentionFilterForm(GovukFormMixin, forms.Form):
    q = forms.CharField(
        label="Name or identifier",
        required=False,
        max_length=100,
        error_messages={"max_length": "Search must be 100 characters or fewer"},
    )
    team = forms.TypedChoiceField(label="Team", required=False, coerce=int, empty_value=None, choices=[])

    def __init__(self, *args: Any, teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team_field: Any = self.fields["team"]
        team_field.choices = [("", "All your teams"), *((team.pk, team.name) for team in teams)]
        team_field.error_messages["invalid_choice"] = "Select one of your teams"
        if len(teams) < 2:
            team_field.widget = forms.HiddenInput()


def _reason(label: str = "Reason for the decision", *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=5000,
        help_text="This is kept with the decision and shown to the team's managers.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter the reason for the decision",
            "max_length": "The reason must be 5,000 characters or fewer",
        },
    )


class RetentionReviewForm(GovukFormMixin, forms.Form):
    """One decision on a person's record. Erasing is confirmed on a page of its own, so choosing it
    here asks for nothing else."""

    decision = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        error_messages={"required": "Select a decision", "invalid_choice": "Select a decision"},
    )
    reason = _reason(required=False)
    next_review_on = forms.DateField(
        label="Next review",
        required=False,
        help_text="Only when keeping the record in use. For example, 17/11/2027",
        input_formats=["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%Y-%m-%d"],
        widget=DatePickerInput(),
        error_messages={"invalid": "The next review must be a real date, like 17/11/2027"},
    )

    def __init__(self, *args: Any, decisions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        decision: Any = self.fields["decision"]
        decision.choices = [(value, Decision(value).label) for value in decisions]
        self.style_field(decision)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        decision = cleaned.get("decision")
        if decision and decision != Decision.ERASE and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Enter the reason for the decision")
        keeping = decision in (Decision.KEEP, Decision.RETURN_TO_USE)
        if keeping and not cleaned.get("next_review_on") and "next_review_on" not in self.errors:
            self.add_error("next_review_on", "Enter the date of the next review")
        return cleaned


class ErasureForm(GovukFormMixin, forms.Form):
    reason = _reason("Reason for erasing")
    family_name = forms.CharField(
        label="Type the person's family name to confirm",
        max_length=100,
        error_messages={"required": "Type the person's family name to confirm the erasure"},
    )

    def __init__(self, *args: Any, expected_family_name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expected_family_name = expected_family_name
        self.fields["family_name"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean_family_name(self) -> str:
        typed: str = self.cleaned_data["family_name"]
        if typed.strip().casefold() != self.expected_family_name.strip().casefold():
            raise ValidationError("The family name you typed does not match this person's record")
        return typed
