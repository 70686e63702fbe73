"""Forms for the team's side of referrals, rendered as GOV.UK components.

The forms parse what was typed and say what is missing; the services decide what is allowed (a
service on the pathway and in the region, consent no older than a year) and their messages are
shown against the same fields.
"""

import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from cohorts.models import Pathway
from iom.core.forms import DatePickerInput, GovukFormMixin
from iom.core.models import User
from partners import disclosure
from partners.models import REFERRAL_TEXT_MAX_LENGTH, PartnerService, Referral

DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%Y-%m-%d"]
CONSENT = Referral.LawfulBasis.CONSENT
OTHER_BASIS = "other"
TEXT_TOO_LONG = f"Keep it to {REFERRAL_TEXT_MAX_LENGTH:,} characters"


class ReferralFormMixin(GovukFormMixin):
    """The referral forms: error summary links reach the first radio or checkbox of a group, and a
    service's ValidationError goes against the field it names (GovukFormMixin does both)."""


def _pathway_field(*, label: str, message: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=Pathway.choices,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


class PathwayForm(ReferralFormMixin, forms.Form):
    """Step one of a referral: which need it addresses. Sent by GET, so the next step is a link."""

    pathway = _pathway_field(
        label="Which pathway is the referral for?", message="Select the pathway the referral is for"
    )


def _service_label(service: PartnerService) -> str:
    return f"{service.name} ({service.organisation.name})"


class ReferralForm(ReferralFormMixin, forms.Form):
    """The referral itself: where to, why, what is shared and on what basis.

    `services` are those the directory offers for the pathway (closed ones included, so the worker
    sees them); `sending` adds what must be there before anything is disclosed."""

    submission_id = forms.CharField(required=False, widget=forms.HiddenInput)
    service = forms.TypedChoiceField(
        label="Service",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the service to refer the person to",
            "invalid_choice": "Select a service from the list",
        },
    )
    reason = forms.CharField(
        label="Why are you referring the person, and what do they need?",
        help_text=(
            "The partner reads this. Say what the person needs and anything that affects how to work "
            "with them."
        ),
        max_length=REFERRAL_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Say why you are referring the person and what they need",
            "max_length": TEXT_TOO_LONG,
        },
    )
    shared_fields = forms.MultipleChoiceField(
        label="Information to share",
        required=False,
        choices=[
            choice for choice in disclosure.field_choices() if choice[0] not in disclosure.ALWAYS_SHARED
        ],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select the information to share from the list"},
    )
    basis = forms.ChoiceField(
        label="Lawful basis for sharing",
        required=False,
        choices=[(CONSENT, "The person consented"), (OTHER_BASIS, "Another lawful basis")],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select the lawful basis for sharing"},
    )
    consent_given_on = forms.DateField(
        label="Date consent given",
        required=False,
        help_text="For example, 17/11/2026",
        input_formats=DATE_FORMATS,
        widget=DatePickerInput(latest_today=True),
        error_messages={"invalid": "Date consent given must be a real date, like 17/11/2026"},
    )
    lawful_basis = forms.ChoiceField(
        label="Which lawful basis?",
        required=False,
        choices=[choice for choice in Referral.LawfulBasis.choices if choice[0] != CONSENT],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select the lawful basis the sharing rests on"},
    )
    sharing_agreement = forms.CharField(
        label="Information sharing agreement",
        required=False,
        max_length=200,
        help_text="The agreement's name or reference, for example Northshire IOM ISA 2025",
        error_messages={"max_length": "Information sharing agreement must be 200 characters or fewer"},
    )

    service_fields = {"lawful_basis": "basis"}

    def __init__(
        self, *args: Any, services: list[PartnerService], sending: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.services = {service.pk: service for service in services}
        self.sending = sending
        self.fields["service"].choices = [(service.pk, _service_label(service)) for service in services]  # type: ignore[attr-defined]

    def service_options(self) -> list[tuple[PartnerService, bool]]:
        """(service, chosen) for each radio: the services taking referrals."""
        chosen = str(self["service"].value() or "")
        return [
            (service, str(service.pk) == chosen)
            for service in self.services.values()
            if service.takes_referrals()
        ]

    def closed_services(self) -> list[PartnerService]:
        """Listed beside the radios, so the worker sees they exist and why they cannot be chosen."""
        return [service for service in self.services.values() if not service.takes_referrals()]

    def shareable_options(self) -> list[tuple[disclosure.ShareableField, bool]]:
        """(field, ticked) for each checkbox: the catalogue less what is always shared."""
        ticked = {str(key) for key in self["shared_fields"].value() or []}
        return [
            (field, key in ticked)
            for key, field in disclosure.SHAREABLE_FIELDS.items()
            if key not in disclosure.ALWAYS_SHARED
        ]

    def always_shared(self) -> list[disclosure.ShareableField]:
        return [
            disclosure.SHAREABLE_FIELDS[key]
            for key in disclosure.SHAREABLE_FIELDS
            if key in disclosure.ALWAYS_SHARED
        ]

    @classmethod
    def initial_for(cls, referral: Referral) -> dict[str, Any]:
        """A draft's answers, as the form shows them."""
        basis = referral.lawful_basis
        return {
            "service": referral.service_id,
            "reason": referral.reason,
            "shared_fields": [key for key in referral.shared_fields if key not in disclosure.ALWAYS_SHARED],
            "basis": CONSENT if basis == CONSENT else (OTHER_BASIS if basis else ""),
            "consent_given_on": referral.consent_given_on,
            "lawful_basis": basis if basis != CONSENT else "",
            "sharing_agreement": referral.sharing_agreement,
        }

    def clean_submission_id(self) -> uuid.UUID | None:
        # The form's one-time key. A missing or garbled one only loses the protection against a
        # second submission; it is no reason to refuse the referral.
        try:
            return uuid.UUID(self.cleaned_data["submission_id"])
        except ValueError:
            return None

    def clean_service(self) -> PartnerService:
        service = self.services[self.cleaned_data["service"]]
        if not service.takes_referrals():
            raise ValidationError(f"{service.name} is not taking referrals; choose another service")
        return service

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.sending:
            return cleaned
        # Sending discloses the person: every part of the lawful basis is needed, and the worker
        # should hear about all that is missing at once, not one send at a time.
        basis = cleaned.get("basis")
        if not basis and "basis" not in self.errors:
            self.add_error("basis", "Select the lawful basis for sharing")
        elif basis == CONSENT:
            if cleaned.get("consent_given_on") is None and "consent_given_on" not in self.errors:
                self.add_error("consent_given_on", "Enter the date the person gave consent")
        elif basis == OTHER_BASIS:
            if not cleaned.get("lawful_basis") and "lawful_basis" not in self.errors:
                self.add_error("lawful_basis", "Select the lawful basis the sharing rests on")
            if not cleaned.get("sharing_agreement", "").strip() and "sharing_agreement" not in self.errors:
                self.add_error(
                    "sharing_agreement", "Enter the information sharing agreement this sharing rests on"
                )
        return cleaned

    def referral_fields(self) -> dict[str, Any]:
        """The service's arguments: the basis chosen, and only the details that go with it."""
        data = self.cleaned_data
        consent = data["basis"] == CONSENT
        lawful_basis = CONSENT if consent else (data["lawful_basis"] if data["basis"] else "")
        return {
            "service": data["service"],
            "reason": data["reason"],
            "shared_fields": data["shared_fields"],
            "lawful_basis": lawful_basis,
            "consent_given_on": data["consent_given_on"] if consent else None,
            "sharing_agreement": data["sharing_agreement"] if lawful_basis and not consent else "",
        }


class NoServiceForm(ReferralFormMixin, forms.Form):
    """Recording that the directory has nothing for a need. The pathway comes from the link that
    offered this (hidden), or is chosen here when the link did not carry a usable one."""

    pathway = _pathway_field(label="Which need has no service?", message="Select the pathway with no service")
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=REFERRAL_TEXT_MAX_LENGTH,
        help_text="What the person needs that no service in the directory offers.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": TEXT_TOO_LONG},
    )

    def __init__(self, *args: Any, pathway: str = "", **kwargs: Any) -> None:
        super().__init__(*args, initial={"pathway": pathway}, **kwargs)
        submitted = self.data.get("pathway") if self.is_bound else pathway
        if submitted in Pathway.values:
            self.fields["pathway"].widget = forms.HiddenInput(attrs={"class": ""})

    @property
    def pathway_fixed(self) -> bool:
        return isinstance(self.fields["pathway"].widget, forms.HiddenInput)


class WithdrawForm(ReferralFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing the referral?",
        help_text=(
            "For your team's record. If the referral was sent, the partner is told it was withdrawn, "
            "but not why."
        ),
        max_length=REFERRAL_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why the referral is withdrawn", "max_length": TEXT_TOO_LONG},
    )


STATUS_FILTERS = [
    ("", "Any status"),
    ("open", "Open: sent, accepted or in progress"),
    ("closed", "Closed: declined, completed or withdrawn"),
    *Referral.Status.choices,
]
SORT_CHOICES = [
    ("newest", "Newest first"),
    ("oldest", "Oldest first"),
    ("due", "Answer due soonest"),
    ("status", "Status"),
]


class TeamReferralFilterForm(ReferralFormMixin, forms.Form):
    """The team's referral list. Field names are selectors.ReferralFilters' names, because
    dashboards link here with them; a value that makes no sense is reported and ignored."""

    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=STATUS_FILTERS,
        error_messages={"invalid_choice": "Select a status from the list"},
    )
    pathway = forms.ChoiceField(
        label="Pathway",
        required=False,
        choices=[("", "Any pathway"), *Pathway.choices],
        error_messages={"invalid_choice": "Select a pathway from the list"},
    )
    organisation = forms.TypedChoiceField(
        label="Partner organisation",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[],
        error_messages={"invalid_choice": "Select a partner organisation from the list"},
    )
    referred_by = forms.TypedChoiceField(
        label="Referred by",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[],
        error_messages={"invalid_choice": "Select who referred from the list"},
    )
    team = forms.TypedChoiceField(
        label="Team",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[],
        error_messages={"invalid_choice": "Select one of your teams"},
    )
    since = forms.DateField(
        label="Sent on or after",
        required=False,
        help_text="For example, 17/11/2026",
        input_formats=DATE_FORMATS,
        widget=DatePickerInput(latest_today=True),
        error_messages={"invalid": "Sent on or after must be a real date, like 17/11/2026"},
    )
    overdue = forms.BooleanField(
        label="Overdue: awaiting the partner's answer",
        required=False,
        widget=forms.CheckboxInput(attrs={"value": "1"}),
    )
    # Dashboards link to one service's referrals; there is no control for it, so it is kept hidden.
    service = forms.IntegerField(
        required=False,
        min_value=1,
        # The largest id a row can have: beyond it SQLite cannot even compare (OverflowError).
        max_value=2**63 - 1,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": "The service in the link is not recognised",
            "min_value": "The service in the link is not recognised",
            "max_value": "The service in the link is not recognised",
        },
    )
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORT_CHOICES)

    def __init__(
        self,
        *args: Any,
        organisations: list[tuple[int, str]],
        workers: list[User],
        teams: list[tuple[int, str]],
        me: User,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", "Any organisation"), *organisations]  # type: ignore[attr-defined]
        others = [(worker.pk, worker.full_name) for worker in workers if worker.pk != me.pk]
        self.fields["referred_by"].choices = [("", "Anyone"), (me.pk, "Me"), *others]  # type: ignore[attr-defined]
        self.fields["team"].choices = [("", "All your teams"), *teams]  # type: ignore[attr-defined]
        self.show_team = len(teams) > 1
        if not self.show_team:
            # Swapped in after GovukFormMixin styled the fields: an error appends to its class.
            self.fields["team"].widget = forms.HiddenInput(attrs={"class": ""})

    def clean_overdue(self) -> bool:
        # Links say overdue=1; a checkbox would read any other non-empty value, even "0", as ticked.
        return str(self.data.get("overdue", "")).lower() in ("1", "true", "on", "yes")

    def valid_values(self) -> dict[str, Any]:
        """What was asked for, less anything invalid (shown as an error and not applied)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
