from typing import Any

from django import forms
from django.utils import timezone

from cohorts.models import (
    Allocation,
    Cohort,
    CohortMembership,
    CohortReview,
    Ethnicity,
    Gender,
    Nominal,
    StatutoryStatus,
)
from iom.core.forms import DatePickerInput, GovukFormMixin
from iom.core.models import User


def _date(label: str, *, required: bool = True, past_only: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text="For example, 17/11/2026",
        input_formats=["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%Y-%m-%d"],
        widget=DatePickerInput(latest_today=past_only),
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"{label} must be a real date, like 17/11/2026",
        },
    )


def _text(label: str, *, required: bool = True, rows: int = 4, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=5000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": f"Enter the {label.lower()}",
            "max_length": f"{label} must be 5,000 characters or fewer",
        },
    )


def _choice(label: str, choices: Any, *, radios: bool = True, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices if required else [("", "Not recorded"), *choices],
        required=required,
        widget=forms.RadioSelect if radios else forms.Select,
        error_messages={
            "required": f"Select the {label.lower()}",
            "invalid_choice": f"Select the {label.lower()}",
        },
    )


class CaseloadFilterForm(GovukFormMixin, forms.Form):
    q = forms.CharField(
        label="Name or identifier",
        required=False,
        max_length=100,
        error_messages={"max_length": "Search must be 100 characters or fewer"},
    )
    cohort = forms.ChoiceField(
        label="Cohort",
        required=False,
        choices=[
            ("", "Any"),
            *Cohort.choices,
            ("proposed", "Proposed, awaiting panel"),
            ("none", "Not on a cohort"),
        ],
    )
    worker = forms.TypedChoiceField(label="Worker", required=False, coerce=int, empty_value=None, choices=[])
    statutory_status = forms.ChoiceField(
        label="Statutory status", required=False, choices=[("", "Any"), *StatutoryStatus.choices]
    )
    risk = forms.ChoiceField(
        label="Risk of serious harm",
        required=False,
        choices=[
            ("", "Any"),
            ("low", "Low"),
            ("medium", "Medium"),
            ("high", "High"),
            ("very_high", "Very high"),
        ],
    )
    custody = forms.ChoiceField(
        label="Custody",
        required=False,
        choices=[
            ("", "Any"),
            ("in", "In custody"),
            ("out", "In the community"),
            ("pre_release", "Due out within 8 weeks"),
        ],
    )
    review = forms.ChoiceField(
        label="Review",
        required=False,
        choices=[("", "Any"), ("overdue", "Overdue"), ("due_soon", "Due within 14 days")],
    )
    allocated = forms.ChoiceField(
        label="Case team", required=False, choices=[("", "Any"), ("none", "No one allocated")]
    )
    need = forms.CharField(required=False, widget=forms.HiddenInput)
    team = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, choices=[], widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, workers: list[User], team_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [("", "Anyone"), *((str(w.pk), w.full_name) for w in workers)]  # type: ignore[attr-defined]
        self.fields["team"].choices = [("", ""), *((str(t), str(t)) for t in team_ids)]  # type: ignore[attr-defined]


class NominalDetailsForm(GovukFormMixin, forms.Form):
    """Who the person is. `version` carries the record's version into the save (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    given_name = forms.CharField(
        label="Given name", max_length=100, error_messages={"required": "Enter the given name"}
    )
    family_name = forms.CharField(
        label="Family name", max_length=100, error_messages={"required": "Enter the family name"}
    )
    date_of_birth = _date("Date of birth", required=False)
    gender = _choice("Gender", Gender.choices, radios=False, required=False)
    ethnicity = _choice("Ethnicity", Ethnicity.choices, radios=False, required=False)
    address_area = forms.CharField(
        label="Area they live in",
        required=False,
        max_length=100,
        help_text="Neighbourhood or postcode district, not a full address",
    )
    crn = forms.CharField(
        label="CRN", required=False, max_length=20, help_text="A letter and six digits, like X123456"
    )
    pnc_id = forms.CharField(label="PNC ID", required=False, max_length=20, help_text="Like 2012/0052494Q")
    nomis_number = forms.CharField(
        label="NOMIS number", required=False, max_length=20, help_text="Like A1234BC"
    )
    cro_number = forms.CharField(
        label="CRO number", required=False, max_length=20, help_text="Like 123456/08M"
    )
    statutory_status = _choice("Statutory status", StatutoryStatus.choices)

    FIELDS = (
        "given_name",
        "family_name",
        "date_of_birth",
        "gender",
        "ethnicity",
        "address_area",
        "crn",
        "pnc_id",
        "nomis_number",
        "cro_number",
        "statutory_status",
    )

    @classmethod
    def for_nominal(cls, nominal: Nominal, data: Any = None) -> "NominalDetailsForm":
        initial = {field: getattr(nominal, field) for field in cls.FIELDS}
        return cls(data, initial={**initial, "version": nominal.version})

    def changes(self) -> dict[str, Any]:
        return {field: self.cleaned_data[field] for field in self.FIELDS}


class NewNominalForm(NominalDetailsForm):
    version = None  # type: ignore[assignment]
    aliases = forms.CharField(
        label="Aliases",
        required=False,
        max_length=1000,
        help_text="Other names they are known by, one per line",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def values(self) -> dict[str, Any]:
        aliases = [line.strip() for line in self.cleaned_data["aliases"].splitlines() if line.strip()]
        return {**self.changes(), "aliases": list(dict.fromkeys(aliases))}


class AliasForm(GovukFormMixin, forms.Form):
    name = forms.CharField(label="Alias", max_length=200, error_messages={"required": "Enter the alias"})


class ProposalForm(GovukFormMixin, forms.Form):
    cohort = _choice("Cohort", Cohort.choices)
    reason = _text(
        "Reason",
        help_text="Why this person should be on the cohort: the criteria or concerns the panel should weigh",
    )


class PanelDecisionForm(GovukFormMixin, forms.Form):
    decision = _choice("Decision", [("accept", "Accept onto the cohort"), ("decline", "Do not accept")])
    panel_date = _date("Panel date")
    attendees = _text("Attendees", rows=2, help_text="Names and agencies of those at the panel")
    rationale = _text("Rationale")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"panel_date": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ReviewForm(GovukFormMixin, forms.Form):
    reviewed_on = _date("Review date")
    outcome = _choice("Outcome", CohortReview.Outcome.choices)
    new_cohort = _choice("Cohort they move to", Cohort.choices, radios=False, required=False)
    exit_reason = _choice(
        "Why they leave IOM",
        [c for c in CohortMembership.ExitReason.choices if c[0] != CohortMembership.ExitReason.MOVED_COHORT],
        radios=False,
        required=False,
    )
    rationale = _text("Rationale")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"reviewed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class AllocationForm(GovukFormMixin, forms.Form):
    role = _choice("Place on the case team", Allocation.Role.choices)
    worker = forms.TypedChoiceField(
        label="Worker",
        coerce=int,
        empty_value=None,
        required=False,
        choices=[],
        help_text="Choose no one to leave the place unallocated",
    )
    started_on = _date("From")

    def __init__(self, *args: Any, workers: list[User], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"started_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [("", "No one"), *((str(w.pk), w.full_name) for w in workers)]  # type: ignore[attr-defined]
