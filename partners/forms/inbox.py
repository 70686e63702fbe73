"""Forms for the partner's "Referrals to us" pages, rendered as GOV.UK components.

The forms only parse what was typed; the services decide what is allowed (a referral already
answered, a session before the referral was sent) and their messages are shown against the same
fields, or above the form when they are about the referral as a whole.
"""

from typing import Any

from django import forms

from cohorts.models import Pathway
from iom.core.forms import DatePickerInput, GovukFormMixin
from partners.models import REFERRAL_TEXT_MAX_LENGTH, PartnerService, Referral, ReferralEvent
from partners.selectors import INBOX_SORTS

DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%Y-%m-%d"]
SORT_LABELS = {
    "due": "Answer due, soonest first",
    "newest": "Newest first",
    "oldest": "Oldest first",
}
INBOX_TABS = ("new", "working")


class InboxFilterForm(GovukFormMixin, forms.Form):
    """The inbox's filters, read from the query string; anything unreadable is no filter."""

    status = forms.ChoiceField(
        required=False, choices=[(tab, tab) for tab in INBOX_TABS], widget=forms.HiddenInput
    )
    service = forms.TypedChoiceField(label="Service", required=False, coerce=int, empty_value=None)
    pathway = forms.ChoiceField(label="Pathway", required=False, choices=[("", "Any"), *Pathway.choices])
    sort = forms.ChoiceField(
        label="Sort by", required=False, choices=[(key, SORT_LABELS[key]) for key in INBOX_SORTS]
    )

    def __init__(self, *args: Any, services: list[PartnerService], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [  # type: ignore[attr-defined]
            ("", "Any"),
            *((str(service.pk), service.name) for service in services),
        ]


class ReferralActionForm(GovukFormMixin, forms.Form):
    """A partner's answer or update, with the service's refusals shown where they belong."""


def _text(*, label: str, required_message: str = "", help_text: str = "", rows: int = 5) -> forms.CharField:
    too_long = f"{label.removesuffix(' (optional)')} must be {REFERRAL_TEXT_MAX_LENGTH:,} characters or fewer"
    return forms.CharField(
        label=label,
        required=bool(required_message),
        max_length=REFERRAL_TEXT_MAX_LENGTH,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": required_message, "max_length": too_long},
    )


def _date(*, label: str, noun: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text="For example, 17/11/2026",
        input_formats=DATE_FORMATS,
        widget=DatePickerInput(latest_today=True),
        error_messages={
            "required": f"Enter the {noun}",
            "invalid": f"{noun[0].upper()}{noun[1:]} must be a real date, like 17/11/2026",
        },
    )


def _radios(*, label: str, choices: Any, message: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


class AcceptReferralForm(ReferralActionForm):
    note = _text(
        label="Note for the referring worker (optional)",
        help_text="For example, when you will first see the person, or who will be their contact.",
        rows=3,
    )


class DeclineReferralForm(ReferralActionForm):
    reason = _text(
        label="Why are you declining the referral?",
        required_message="Enter why you are declining the referral, so the worker can find another way",
        help_text="The referring worker reads this. Say if another service could help.",
    )


class ProgressUpdateForm(ReferralActionForm):
    note = _text(
        label="Update",
        required_message="Enter the update",
        help_text="What has happened and what happens next. The person's case team reads this.",
    )
    occurred_on = _date(label="Date of the update", noun="date of the update")


class SessionForm(ReferralActionForm):
    session_on = _date(label="Date of the session", noun="date of the session")
    attendance = _radios(
        label="Did the person attend?",
        choices=ReferralEvent.Attendance.choices,
        message="Select whether the person attended",
    )
    note = _text(label="Note (optional)", rows=3)


class CompleteReferralForm(ReferralActionForm):
    outcome = _radios(
        label="Outcome",
        choices=Referral.Outcome.choices,
        message="Select the outcome of the work",
    )
    summary = _text(
        label="Summary",
        required_message="Summarise what was done and what is left",
        help_text="What was done, what changed for the person, and anything still to do.",
    )
