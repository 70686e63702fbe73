"""Forms for the partner directory, rendered as GOV.UK components.

They parse what was typed and say clearly what is wrong with it; the services decide what is
allowed (a partner organisation, at least one pathway) and their messages go against the same
fields, because the form's field names are the model's.
"""

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet

from cohorts.models import Pathway
from iom.core.forms import GovukFormMixin
from iom.core.models import Organisation, Region
from partners.models import PARTNER_KINDS, Capacity, PartnerService

LONGEST_WAIT_DAYS = 730
SEARCH_MAX_LENGTH = 100


class DirectoryForm(GovukFormMixin, forms.Form):
    """The directory's forms: GOV.UK checkboxes for multiple choices, service errors by field."""


def _whole_days(
    *, label: str, noun: str, lowest: int, highest: int, example: int, required: bool = True, **kwargs: Any
) -> forms.IntegerField:
    noun_first = f"{noun[0].upper()}{noun[1:]}"
    limits = f"{noun_first} must be between {lowest} and {highest} days"
    return forms.IntegerField(
        label=label,
        min_value=lowest,
        max_value=highest,
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-3", "inputmode": "numeric", "spellcheck": "false"}
        ),
        required=required,
        error_messages={
            "required": f"Enter {noun}, like {example}",
            "invalid": f"{noun_first} must be a whole number of days, like {example}",
            "min_value": limits,
            "max_value": limits,
        },
        **kwargs,
    )


def _text(
    label: str, *, required_message: str = "", max_length: int | None = None, **kwargs: Any
) -> forms.CharField:
    messages = {"required": required_message} if required_message else {}
    if max_length is not None:
        messages["max_length"] = (
            f"{label.removesuffix(' (optional)')} must be {max_length} characters or fewer"
        )
    return forms.CharField(
        label=label,
        required=bool(required_message),
        max_length=max_length,
        error_messages=messages,
        **kwargs,
    )


class PartnerServiceForm(DirectoryForm):
    """Everything the directory says about a service. Listing (is_active) is only offered on edit:
    a new service is listed from the start."""

    organisation = forms.ModelChoiceField(
        label="Partner organisation",
        queryset=Organisation.objects.none(),
        empty_label="Select the organisation",
        error_messages={
            "required": "Select the partner organisation that runs the service",
            "invalid_choice": "Select a partner organisation from the list",
        },
    )
    name = _text("Name of the service", required_message="Enter the name of the service", max_length=200)
    description = _text(
        "Description (optional)",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the service does for the people referred to it.",
        max_length=5000,
    )
    pathways = forms.MultipleChoiceField(
        label="Pathways served",
        choices=Pathway.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply. Workers find the service when they refer for one of these.",
        error_messages={
            "required": "Select at least one pathway the service works on",
            "invalid_choice": "Select pathways from the list",
        },
    )
    region = forms.ModelChoiceField(
        label="Region",
        queryset=Region.objects.order_by("name"),
        required=False,
        empty_label="Every region",
        help_text="The region whose IOM teams may refer to the service.",
        error_messages={"invalid_choice": "Select a region from the list, or every region"},
    )
    area_covered = _text(
        "Area covered",
        required_message="Enter the area the service covers",
        max_length=200,
        help_text="In words, for example: Northshire, or the city centre and east of the county.",
    )
    eligibility = _text(
        "Eligibility",
        required_message="Enter who the service is for",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Who the service is for, and anyone it cannot take.",
        max_length=5000,
    )
    how_to_refer = _text(
        "How to refer (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Anything workers should do or know before referring.",
        max_length=5000,
    )
    typical_wait_days = _whole_days(
        label="Typical waiting time in days (optional)",
        noun="the typical waiting time",
        lowest=0,
        highest=LONGEST_WAIT_DAYS,
        example=10,
        required=False,
        help_text="From referral to first appointment. Leave empty if not known.",
    )
    capacity = forms.ChoiceField(
        label="Capacity",
        choices=Capacity.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether the service is taking referrals",
            "invalid_choice": "Select whether the service is taking referrals",
        },
    )
    response_working_days = _whole_days(
        label="Working days to accept or decline a referral",
        noun="the time to accept or decline",
        lowest=1,
        highest=30,
        example=5,
        help_text="Referrals not answered within this many working days are listed as overdue.",
    )
    referral_email = forms.EmailField(
        label="Email for new referrals (optional)",
        required=False,
        max_length=254,
        help_text="Empty sends the notice to the organisation's staff who use this service.",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "invalid": "Enter an email address in the correct format, like housing@example.org",
            "max_length": "The email address must be 254 characters or fewer",
        },
    )
    is_active = forms.TypedChoiceField(
        label="Listed in the directory",
        choices=[
            ("yes", "Yes, listed and open to referrals"),
            ("no", "No, no longer listed (only managers and administrators see it)"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether the service is listed in the directory",
            "invalid_choice": "Select whether the service is listed in the directory",
        },
    )

    # The fields the services take as keyword arguments (besides organisation and pathways).
    SERVICE_FIELDS = (
        "name",
        "description",
        "region",
        "area_covered",
        "eligibility",
        "how_to_refer",
        "typical_wait_days",
        "capacity",
        "response_working_days",
        "referral_email",
    )

    def __init__(
        self, *args: Any, organisations: QuerySet[Organisation], editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        if not editing:
            del self.fields["is_active"]

    @classmethod
    def initial_from(cls, service: PartnerService) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(service, name) for name in cls.SERVICE_FIELDS}
        initial["organisation"] = service.organisation_id
        initial["region"] = service.region_id
        initial["pathways"] = [row.pathway for row in service.pathways.all()]
        initial["is_active"] = "yes" if service.is_active else "no"
        return initial

    def clean_name(self) -> str:
        return " ".join(str(self.cleaned_data["name"]).split())

    def service_values(self) -> dict[str, Any]:
        """Keyword arguments for create_partner_service / update_partner_service."""
        data = self.cleaned_data
        values: dict[str, Any] = {name: data[name] for name in self.SERVICE_FIELDS}
        values["organisation"] = data["organisation"]
        values["pathways"] = data["pathways"]
        if "is_active" in self.fields:
            values["is_active"] = data["is_active"]
        return values

    def place(self, key: str, problem: ValidationError) -> tuple[str | None, ValidationError]:
        # The unique constraint's own words ("Partner service with this Organisation and Name
        # already exists") name database columns and sit on no field; say it as a manager would.
        if key == NON_FIELD_ERRORS and problem.code == "unique_together":
            organisation = self.cleaned_data.get("organisation")
            owner = organisation.name if organisation is not None else "This organisation"
            name = self.cleaned_data.get("name", "")
            return "name", ValidationError(f"{owner} already lists a service called {name}")
        return super().place(key, problem)


class PartnerOrganisationForm(DirectoryForm):
    name = _text("Name of the organisation", required_message="Enter the organisation's name", max_length=200)
    kind = forms.ChoiceField(
        label="Kind of organisation",
        choices=[(kind.value, kind.label) for kind in Organisation.Kind if kind in PARTNER_KINDS],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the kind of partner organisation",
            "invalid_choice": "Select the kind of partner organisation",
        },
    )
    region = forms.ModelChoiceField(
        label="Region (optional)",
        queryset=Region.objects.order_by("name"),
        required=False,
        empty_label="Not in one region",
        help_text="Leave as it is for a national organisation or one working across regions.",
        error_messages={"invalid_choice": "Select a region from the list"},
    )

    def clean_name(self) -> str:
        return " ".join(str(self.cleaned_data["name"]).split())


class DirectoryFilterForm(GovukFormMixin, forms.Form):
    """What the directory can be narrowed to; anything unrecognised is ignored, not an error page."""

    q = forms.CharField(
        label="Service, organisation or area",
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        error_messages={"max_length": f"Search must be {SEARCH_MAX_LENGTH} characters or fewer"},
    )
    pathway = forms.ChoiceField(label="Pathway", required=False, choices=[("", "Any"), *Pathway.choices])
    capacity = forms.ChoiceField(label="Capacity", required=False, choices=[("", "Any"), *Capacity.choices])
    region = forms.TypedChoiceField(
        label="Region",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[],
        help_text="Includes services for every region",
    )
    organisation = forms.TypedChoiceField(
        label="Organisation", required=False, coerce=int, empty_value=None, choices=[]
    )
    inactive = forms.BooleanField(
        label="Include services no longer listed",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "govuk-checkboxes__input"}),
    )

    def __init__(
        self,
        *args: Any,
        regions: list[Region],
        organisations: list[Organisation],
        may_see_inactive: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "Any"), *((str(r.pk), r.name) for r in regions)]  # type: ignore[attr-defined]
        self.fields["organisation"].choices = [  # type: ignore[attr-defined]
            ("", "Any"),
            *((str(o.pk), o.name) for o in organisations),
        ]
        if not may_see_inactive:
            del self.fields["inactive"]
