"""Django forms rendered as GOV.UK Design System components.

`GovukFormMixin` gives every field the GOV.UK classes for its widget and error state and
renders through templates/govuk/, so `{{ form }}` produces GOV.UK markup and the page's
error summary links to each field.
"""

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

_WIDGET_CLASSES = {
    "select": "govuk-select",
    "textarea": "govuk-textarea",
    "radioselect": "govuk-radios__input",
}


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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.template_name = "govuk/field.html"  # type: ignore[attr-defined]  # Django 5+; stubs lag
            existing = field.widget.attrs.get("class", "")
            field.widget.attrs["class"] = f"{_govuk_class(field.widget)} {existing}".strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:
            if name in self.fields and not isinstance(self.fields[name].widget, forms.RadioSelect):
                widget = self.fields[name].widget
                widget.attrs["class"] += f" {_govuk_class(widget)}--error"

    def error_summary_links(self) -> list[tuple[str, str]]:
        """(anchor, message) pairs for the GOV.UK error summary, in field order."""
        links: list[tuple[str, str]] = []
        for message in self.non_field_errors():  # type: ignore[attr-defined]
            links.append(("", message))
        for name, field in self.fields.items():
            for message in self.errors.get(name, []):
                suffix = "_0" if isinstance(field.widget, forms.RadioSelect) else ""
                links.append((f"#id_{name}{suffix}", message))
        return links


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
