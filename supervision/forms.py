from django import forms

from iom.core.forms import DatePickerInput, GovukFormMixin
from supervision.models import NOTE_MAX_LENGTH, Contact


class ContactForm(GovukFormMixin, forms.Form):
    happened_on = forms.DateField(
        label="Date of contact",
        help_text="For example, 17/11/2026",
        input_formats=["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%Y-%m-%d"],
        widget=DatePickerInput(latest_today=True),
        error_messages={
            "required": "Enter the date of the contact",
            "invalid": "Date of contact must be a real date, like 17/11/2026",
        },
    )
    kind = forms.ChoiceField(
        label="Type of contact",
        choices=Contact.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the type of contact",
            "invalid_choice": "Select the type of contact",
        },
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=Contact.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome", "invalid_choice": "Select the outcome"},
    )
    notes = forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        help_text="What happened, and anything the team needs to know. The whole IOM team can read this.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": f"Note must be {NOTE_MAX_LENGTH:,} characters or fewer"},
    )
