"""Django forms rendered as GOV.UK Design System components.

`GovukFormMixin` gives every field the GOV.UK classes for its widget and error state and
renders through templates/govuk/, so `{{ form }}` produces GOV.UK markup and the page's
error summary links to each field.
"""

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone

from iom.core.services import TOKEN_LIFETIMES

_WIDGET_CLASSES = {
    "select": "govuk-select",
    "textarea": "govuk-textarea",
    "radioselect": "govuk-radios__input",
    "checkboxselectmultiple": "govuk-checkboxes__input",
}
# Widgets rendered as a fieldset of choices: the error summary links to the first one.
_GROUPED = (forms.RadioSelect, forms.CheckboxSelectMultiple)


def _govuk_class(widget: forms.Widget) -> str:
    kind = type(widget).__name__.lower().removesuffix("input").removesuffix("widget")
    return _WIDGET_CLASSES.get(kind, "govuk-input")


class DatePickerInput(forms.DateInput):
    """A text input for dd/mm/yyyy that MoJ's date picker enhances with a calendar."""

    date_picker = True

    def __init__(self, *, latest_today: bool = False) -> None:
        super().__init__(
            format="%d/%m/%Y",
            attrs={"class": "moj-js-datepicker-input govuk-input--width-10", "autocomplete": "off"},
        )
        self.latest_today = latest_today

    @property
    def max_date(self) -> date | None:
        return timezone.localdate() if self.latest_today else None


class GovukFormMixin:
    template_name = "govuk/form.html"
    fields: dict[str, forms.Field]
    errors: Any
    # A service's error key -> the form field that shows it, where the names differ.
    service_fields: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            self.style_field(field)

    @staticmethod
    def style_field(field: forms.Field) -> None:
        """GOV.UK classes and markup for a field, also for one added after the form is made."""
        field.template_name = "govuk/field.html"  # type: ignore[attr-defined]  # Django 5+; stubs lag
        existing = field.widget.attrs.get("class", "")
        if _govuk_class(field.widget) not in existing.split():
            field.widget.attrs["class"] = f"{_govuk_class(field.widget)} {existing}".strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:
            if name in self.fields and not isinstance(self.fields[name].widget, forms.RadioSelect):
                widget = self.fields[name].widget
                # A widget swapped after styling (a hidden input) has no class of its own to extend.
                existing = widget.attrs.get("class", "")
                widget.attrs["class"] = f"{existing} {_govuk_class(widget)}--error".strip()

    def error_summary_links(self) -> list[tuple[str, str]]:
        """(anchor, message) pairs for the GOV.UK error summary, in field order."""
        links: list[tuple[str, str]] = []
        for message in self.non_field_errors():  # type: ignore[attr-defined]
            links.append(("", str(message)))
        for name, field in self.fields.items():
            for message in self.errors.get(name, []):
                if field.widget.is_hidden:
                    # Nothing on the page to go to (a value carried by a link): the message alone.
                    links.append(("", str(message)))
                    continue
                suffix = "_0" if isinstance(field.widget, _GROUPED) else ""
                links.append((f"#id_{name}{suffix}", str(message)))
        return links

    def add_service_error(self, error: ValidationError) -> None:
        """A service's ValidationError, each message against its field where the form has one."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)  # type: ignore[attr-defined]
            return
        for key, problems in error.error_dict.items():
            for problem in problems:
                target, message = self.place(key, problem)
                self.add_error(target if target in self.fields else None, message)  # type: ignore[attr-defined]

    def place(self, key: str, problem: ValidationError) -> tuple[str | None, ValidationError]:
        """Where a service's message goes, and in what words; a form may say it better."""
        return self.service_fields.get(key, key), problem


class SignInForm(GovukFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct email address and password",
        "inactive": "This account has been deactivated",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        self.fields["username"].error_messages["required"] = "Enter your email address"
        self.fields["password"].error_messages["required"] = "Enter your password"


class ApiTokenForm(GovukFormMixin, forms.Form):
    """A new API token. The service checks the same things; the form says them first, in the same words."""

    name = forms.CharField(
        label="What is the token for?",
        help_text="For example, the force's data feed. You will see this name in your list of tokens.",
        max_length=100,
        error_messages={
            "required": "Enter what the token is for",
            "max_length": "What the token is for must be 100 characters or fewer",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    lifetime_days = forms.TypedChoiceField(
        label="How long should it last?",
        help_text="When it expires, create a new one. Choose the shortest time that will do.",
        choices=[(days, "1 year (365 days)" if days == 365 else f"{days} days") for days in TOKEN_LIFETIMES],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how long the token lasts",
            "invalid_choice": "Choose how long the token lasts",
        },
    )


class ApiTokenHolderForm(GovukFormMixin, forms.Form):
    """Administrators: narrow everyone's tokens to one holder."""

    holder = forms.EmailField(
        label="Holder's email address",
        required=False,
        error_messages={"invalid": "Enter the holder's email address, like name@example.org"},
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class AuthenticatorCodeForm(GovukFormMixin, forms.Form):
    """The 6-digit code an authenticator app shows; spaces are forgiven."""

    code = forms.CharField(
        label="Enter the 6-digit code",
        help_text="Your authenticator app shows a new code every 30 seconds.",
        max_length=20,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input--width-5",
            }
        ),
    )

    def __init__(self, *args: Any, label: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["code"].label = label

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if len(code) != 6 or not code.isascii() or not code.isdigit():
            raise ValidationError("The code must be 6 digits, like 123456")
        return code


class RecoveryCodeForm(GovukFormMixin, forms.Form):
    code = forms.CharField(
        label="Enter a recovery code",
        help_text="One of the 10 codes you saved when you set up your authenticator app. Each works once.",
        max_length=30,
        error_messages={"required": "Enter a recovery code"},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "govuk-input--width-10"}
        ),
    )
