"""Forms for contacts and appointments, rendered as GOV.UK components.

The forms only parse what was typed; the services decide what is allowed (a joint visit's
agencies, a time that has passed) and their messages are shown against the same fields.
"""

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from iom.core.forms import DatePickerInput, GovukFormMixin
from iom.core.models import User
from supervision.models import (
    NOTE_MAX_LENGTH,
    WEEKDAYS,
    EnforcementAction,
    Kind,
    Outcome,
    Purpose,
    Sensitivity,
)
from supervision.services import LONGEST_SERIES_WEEKS, MOST_CONTACTS_A_WEEK, NOT_HELD

DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%Y-%m-%d"]
TIME_MESSAGE = "Enter the time as 24-hour hours and minutes, like 14:30"
POLICE_REFUSED = "Only police in this team can record police intelligence; choose who may read the note"
LONGEST_CONTACT_MINUTES = 480
ATTENDEES_HINT = "A joint visit needs staff from at least two agencies, such as police and probation."


class TimeOfDayField(forms.CharField):
    """A 24-hour time typed as HH:MM: quicker by keyboard than a picker, and unambiguous."""

    _pattern = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")

    def __init__(self, *, label: str, required_message: str, **kwargs: Any) -> None:
        super().__init__(
            label=label,
            help_text="24-hour clock, for example 14:30",
            widget=forms.TextInput(
                attrs={"class": "govuk-input--width-4", "autocomplete": "off", "spellcheck": "false"}
            ),
            error_messages={"required": required_message},
            **kwargs,
        )

    def to_python(self, value: Any) -> dt.time | None:  # type: ignore[override]
        text = str(super().to_python(value)).strip()
        if not text:
            return None
        match = self._pattern.match(text)
        if match is None:
            raise ValidationError(TIME_MESSAGE, code="invalid")
        return dt.time(int(match[1]), int(match[2]))

    def validate(self, value: Any) -> None:
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")


def time_text(value: dt.time) -> str:
    return value.strftime("%H:%M")


def date_field(*, label: str, noun: str, latest_today: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=help_text or "For example, 17/11/2026",
        input_formats=DATE_FORMATS,
        widget=DatePickerInput(latest_today=latest_today),
        error_messages={
            "required": f"Enter the {noun}",
            "invalid": f"{noun[0].upper()}{noun[1:]} must be a real date, like 17/11/2026",
        },
    )


def duration_field(*, noun: str) -> forms.IntegerField:
    limits = f"{noun[0].upper()}{noun[1:]} must be between 1 and {LONGEST_CONTACT_MINUTES} minutes"
    return forms.IntegerField(
        label="Duration in minutes",
        min_value=1,
        max_value=LONGEST_CONTACT_MINUTES,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter how long it lasts, in minutes",
            "invalid": f"{noun[0].upper()}{noun[1:]} must be a whole number of minutes, like 30",
            "min_value": limits,
            "max_value": limits,
        },
    )


def location_field() -> forms.CharField:
    return forms.CharField(
        label="Location (optional)",
        required=False,
        max_length=200,
        error_messages={"max_length": "Location must be 200 characters or fewer"},
    )


def kind_field(label: str = "Type of contact") -> forms.ChoiceField:
    message = f"Select the {label[0].lower()}{label[1:]}"
    return forms.ChoiceField(
        label=label,
        choices=Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


def purpose_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Purpose",
        choices=Purpose.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the purpose", "invalid_choice": "Select the purpose"},
    )


def outcome_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Outcome",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome", "invalid_choice": "Select the outcome"},
    )


def notes_field() -> forms.CharField:
    return forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        help_text="What happened, and anything the team needs to know.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"Note must be {NOTE_MAX_LENGTH:,} characters or fewer"},
    )


def reason_field(*, label: str, required_message: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": required_message,
            "max_length": "The reason must be 1,000 characters or fewer",
        },
    )


def staff_label(user: User) -> str:
    return f"{user.full_name} ({user.organisation.name})" if user.organisation else user.full_name


class SupervisionForm(GovukFormMixin, forms.Form):
    """A supervision form; some fields depend on the person and are added once it is made."""

    def add_field(self, name: str, field: forms.Field) -> None:
        """A field that depends on the person (their team's staff, who may read police notes)."""
        self.fields[name] = field
        self.style_field(field)


def _staff_field(staff: Iterable[User], *, required: bool = True) -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(
        label="Who attended",
        help_text=ATTENDEES_HINT,
        required=required,
        coerce=int,
        choices=[(user.pk, staff_label(user)) for user in staff],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one member of staff who attended",
            "invalid_choice": "Attendees must be staff of this person's IOM team",
        },
    )


def _sensitivity_field(*, police: bool, posted: Any) -> forms.ChoiceField:
    choices = [
        (Sensitivity.TEAM, "IOM team only"),
        (Sensitivity.PARTNERS, "Shareable with partners"),
    ]
    if police:
        choices.append((Sensitivity.POLICE, "Police intelligence"))
    # Police intelligence is not offered to others; one posted anyway is refused in the service's words.
    refused = not police and posted == Sensitivity.POLICE
    return forms.ChoiceField(
        label="Who may read the note",
        help_text="Partners see only notes shareable with partners."
        + (" Police intelligence is read only by police in the team." if police else ""),
        choices=choices,
        initial=Sensitivity.TEAM,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select who may read the note",
            "invalid_choice": POLICE_REFUSED if refused else "Select who may read the note",
        },
    )


class LogContactForm(SupervisionForm):
    """A contact that just happened: three choices in the common case, the rest defaulted."""

    DETAIL_FIELDS = ("date", "time", "duration_minutes", "location", "attendees", "sensitivity")

    submission_id = forms.CharField(required=False, widget=forms.HiddenInput)
    kind = kind_field()
    outcome = outcome_field()
    purpose = purpose_field()
    notes = notes_field()
    date = date_field(label="Date of contact", noun="date of contact", latest_today=True)
    time = TimeOfDayField(label="Time of contact", required_message="Enter the time of the contact")
    duration_minutes = duration_field(noun="duration")
    location = location_field()

    def __init__(self, *args: Any, staff: Iterable[User], police: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_field("attendees", _staff_field(staff))
        self.add_field("sensitivity", _sensitivity_field(police=police, posted=self.data.get("sensitivity")))

    def clean_submission_id(self) -> uuid.UUID | None:
        # The form's one-time key. A missing or garbled one only loses the protection against
        # a second submission; it is no reason to refuse the contact.
        try:
            return uuid.UUID(self.cleaned_data["submission_id"])
        except ValueError:
            return None

    @property
    def details_have_errors(self) -> bool:
        return any(name in self.errors for name in self.DETAIL_FIELDS)


class PlanAppointmentForm(SupervisionForm):
    kind = kind_field("Type of appointment")
    purpose = purpose_field()
    date = date_field(label="Date", noun="date of the appointment")
    time = TimeOfDayField(label="Time", required_message="Enter the time of the appointment")
    duration_minutes = duration_field(noun="duration")
    location = location_field()

    def __init__(self, *args: Any, staff: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_field("attendees", _staff_field(staff))
        self.fields["attendees"].label = "Who will attend"
        self.fields["attendees"].error_messages["required"] = (
            "Select at least one member of staff who will attend"
        )


class PlanSeriesForm(SupervisionForm):
    kind = kind_field("Type of appointment")
    purpose = purpose_field()
    weekdays = forms.TypedMultipleChoiceField(
        label="Days of the week",
        help_text="One appointment on each day you select, every week.",
        coerce=int,
        choices=list(enumerate(WEEKDAYS)),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one day of the week",
            "invalid_choice": "Select days of the week from Monday to Sunday",
        },
    )
    time = TimeOfDayField(label="Time", required_message="Enter the time of the appointments")
    starts_on = date_field(
        label="Starting on",
        noun="date the series starts",
        help_text="The first week starts on this date. For example, 17/11/2026",
    )
    weeks = forms.IntegerField(
        label="Number of weeks",
        help_text=f"From 1 to {LONGEST_SERIES_WEEKS}",
        min_value=1,
        max_value=LONGEST_SERIES_WEEKS,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-2", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the number of weeks",
            "invalid": "Number of weeks must be a whole number, like 4",
            "min_value": f"A series must last between 1 and {LONGEST_SERIES_WEEKS} weeks",
            "max_value": f"A series must last between 1 and {LONGEST_SERIES_WEEKS} weeks",
        },
    )
    duration_minutes = duration_field(noun="duration")
    location = location_field()

    def __init__(self, *args: Any, staff: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_field("attendees", _staff_field(staff))
        self.fields["attendees"].label = "Who will attend"
        self.fields["attendees"].error_messages["required"] = (
            "Select at least one member of staff who will attend"
        )


class RecordOutcomeForm(SupervisionForm):
    outcome = outcome_field()
    notes = notes_field()

    def __init__(self, *args: Any, staff: Iterable[User], police: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_field("sensitivity", _sensitivity_field(police=police, posted=self.data.get("sensitivity")))
        self.add_field("attendees", _staff_field(staff, required=False))
        self.fields[
            "attendees"
        ].help_text = f"{ATTENDEES_HINT} Leave as planned if the appointment was rescheduled or cancelled."

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        outcome = cleaned.get("outcome")
        if outcome and outcome not in NOT_HELD and not cleaned.get("attendees"):
            self.add_error("attendees", "Select at least one member of staff who attended")
        return cleaned


SCOPE_CHOICES = [("this", "Only this appointment"), ("rest", "This and the rest of the series")]


def _scope_field(verb: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=f"Which appointments do you want to {verb}?",
        choices=SCOPE_CHOICES,
        initial="this",
        widget=forms.RadioSelect,
        error_messages={
            "required": f"Select which appointments to {verb}",
            "invalid_choice": f"Select which appointments to {verb}",
        },
    )


class MoveAppointmentForm(SupervisionForm):
    date = date_field(label="New date", noun="new date")
    time = TimeOfDayField(label="New time", required_message="Enter the new time")
    reason = reason_field(label="Why is it moving?", required_message="Enter why the appointment is moving")

    def __init__(self, *args: Any, in_series: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if in_series:
            self.add_field("scope", _scope_field("move"))
            self.fields[
                "scope"
            ].help_text = "The rest of the series moves by the same number of days, to the new time."

    @property
    def rest_of_series(self) -> bool:
        return self.cleaned_data.get("scope") == "rest"


class CancelAppointmentForm(SupervisionForm):
    reason = reason_field(
        label="Why is it cancelled?", required_message="Enter why the appointment is cancelled"
    )

    def __init__(self, *args: Any, in_series: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if in_series:
            self.add_field("scope", _scope_field("cancel"))

    @property
    def rest_of_series(self) -> bool:
        return self.cleaned_data.get("scope") == "rest"


# The case team's decisions on the Supervision tab ------------------------------------------


def _reason(label: str, required_message: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": required_message,
            "max_length": f"{label} must be {NOTE_MAX_LENGTH:,} characters or fewer",
        },
    )


class ContactStandardForm(GovukFormMixin, forms.Form):
    contacts_per_week = forms.IntegerField(
        label="Contacts a week",
        help_text="How many contacts the person should have each week, from 0 to 21. "
        "A contact counts when the person attends.",
        min_value=0,
        max_value=MOST_CONTACTS_A_WEEK,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}),
        error_messages={
            "required": "Enter the number of contacts a week, like 3",
            "invalid": "Enter the number of contacts a week as a whole number, like 3",
            "min_value": "Contacts a week must be 0 or more",
            "max_value": f"Contacts a week must be {MOST_CONTACTS_A_WEEK} or fewer",
        },
    )
    reason = _reason("Reason", "Enter the reason for this contact standard")


class EnforcementForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="Decision",
        choices=EnforcementAction.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what the case team decided",
            "invalid_choice": "Select what the case team decided",
        },
    )
    decided_on = forms.DateField(
        label="Date of the decision",
        help_text="For example, 17/11/2026",
        input_formats=DATE_FORMATS,
        widget=DatePickerInput(latest_today=True),
        error_messages={
            "required": "Enter the date of the decision",
            "invalid": "Date of the decision must be a real date, like 17/11/2026",
        },
    )
    reason = _reason("Reason", "Enter the reason for this decision")
