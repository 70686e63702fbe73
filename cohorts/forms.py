from typing import Any

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.utils import timezone

from cohorts import services
from cohorts.models import (
    Allocation,
    Assessment,
    Cohort,
    CohortMembership,
    CohortReview,
    Ethnicity,
    FeedbackTheme,
    Gender,
    Goal,
    Need,
    NeedStatus,
    Nominal,
    Offence,
    OffenceCategory,
    StatutoryStatus,
    UnmetReason,
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
        label="CRO number", required=False, max_length=20, help_text="Like 123456/08T"
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


# Forms for risk, custody, needs, offences and the person's own voice (cohorts/views/facts.py).

SCORED_KINDS = (Assessment.Kind.OGRS, Assessment.Kind.OGP)
# How each kind's level is named in a sentence ("Select the RoSH level").
LEVEL_NAMES = {
    Assessment.Kind.ROSH: "RoSH level",
    Assessment.Kind.NEIGHBOURHOOD_CRIME: "neighbourhood crime risk level",
    Assessment.Kind.TIER: "tier",
    Assessment.Kind.MAPPA: "MAPPA category and level",
}


def _level_label(kind: str, level: str) -> str:
    if kind == Assessment.Kind.TIER:
        return f"Tier {level}"
    if kind == Assessment.Kind.MAPPA:
        category, mappa_level = level.split()
        return f"Category {category[1:]}, level {mappa_level[1:]} ({level})"
    return level.replace("_", " ").capitalize()


def _level_choices() -> list[Any]:
    """One <optgroup> per kind. Values carry the kind ("rosh:high"), so "Low" under RoSH and
    "Low" under neighbourhood crime stay two options and a level chosen for the wrong kind shows."""
    return [
        ("", "Choose a level"),
        *(
            (kind.label, [(f"{kind.value}:{level}", _level_label(kind, level)) for level in levels])
            for kind, levels in Assessment.LEVELS.items()
        ),
    ]


class AssessmentForm(GovukFormMixin, forms.Form):
    kind = _choice("Kind of assessment", Assessment.Kind.choices)
    level = forms.ChoiceField(
        label="Level",
        required=False,
        choices=_level_choices,
        help_text="For RoSH, MAPPA, neighbourhood crime risk and tier: choose from that assessment's group",
        widget=forms.Select,
    )
    score = forms.IntegerField(
        label="Score",
        required=False,
        min_value=0,
        max_value=100,
        help_text="For OGRS and OGP: a percentage from 0 to 100",
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "spellcheck": "false", "class": "govuk-input--width-3"}
        ),
        error_messages={
            "invalid": "Enter the score as a whole percentage from 0 to 100",
            "min_value": "Enter the score as a whole percentage from 0 to 100",
            "max_value": "Enter the score as a whole percentage from 0 to 100",
        },
    )
    assessed_on = _date("Date of the assessment")
    notes = _text("Notes", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"assessed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if not kind:
            return data
        if kind in SCORED_KINDS:
            if data.get("score") is None and "score" not in self.errors:
                self.add_error("score", "Enter the score as a whole percentage from 0 to 100")
            data["level"] = ""
            return data
        name = LEVEL_NAMES[Assessment.Kind(kind)]
        chosen_kind, _, level = (data.get("level") or "").partition(":")
        if not level:
            self.add_error("level", f"Select the {name}")
        elif chosen_kind != kind:
            self.add_error("level", f"Select the {name}: the level chosen is for another kind of assessment")
        data["level"], data["score"] = level, None
        return data

    def values(self) -> dict[str, Any]:
        return {
            field: self.cleaned_data[field] for field in ("kind", "level", "score", "assessed_on", "notes")
        }


def _yes(value: str) -> bool:
    return value == "True"


class CustodyForm(GovukFormMixin, forms.Form):
    """Custody and key dates. `version` carries the record's version into the save (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    in_custody = forms.TypedChoiceField(
        label="Are they in custody?",
        choices=[("True", "Yes"), ("False", "No")],
        coerce=_yes,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether they are in custody"},
    )
    establishment = forms.CharField(
        label="Establishment",
        required=False,
        max_length=100,
        help_text="The prison they are held in. Leave empty if they are not in custody",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
        error_messages={"max_length": "Establishment must be 100 characters or fewer"},
    )
    sentence_date = _date("Sentence date", required=False)
    conditional_release_date = _date("Conditional release date", required=False, past_only=False)
    hdc_eligibility_date = _date("HDC eligibility date", required=False, past_only=False)
    licence_expiry_date = _date("Licence expiry date", required=False, past_only=False)
    sentence_expiry_date = _date("Sentence expiry date", required=False, past_only=False)

    FIELDS = services.CUSTODY_FIELDS

    @classmethod
    def for_nominal(cls, nominal: Nominal, data: Any = None) -> "CustodyForm":
        initial = {field: getattr(nominal, field) for field in cls.FIELDS}
        return cls(data, initial={**initial, "version": nominal.version})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["establishment"] = (data.get("establishment") or "").strip() if data.get("in_custody") else ""
        # The service's rules, asked here too so they show beside the form's own errors.
        try:
            services.check_custody_dates(data)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field, messages)
        return data

    def changes(self) -> dict[str, Any]:
        return {field: self.cleaned_data[field] for field in self.FIELDS}


class NeedForm(GovukFormMixin, forms.Form):
    status = _choice("Status", NeedStatus.choices)
    unmet_reason = _choice("Why the need is unmet", UnmetReason.choices)
    unmet_reason.required = False
    unmet_reason.help_text = "Only if the need is unmet"
    updated_on = _date("Date of the update")
    note = _text("Note", required=False, rows=3)

    def __init__(self, *args: Any, need: Need | None = None, **kwargs: Any) -> None:
        initial: dict[str, Any] = {"updated_on": timezone.localdate()}
        if need is not None:
            initial.update(status=need.status, unmet_reason=need.unmet_reason)
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["status"].error_messages.update(
            required="Select the status of the need", invalid_choice="Select the status of the need"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        status = data.get("status")
        if status == NeedStatus.UNMET:
            if not data.get("unmet_reason"):
                self.add_error("unmet_reason", "Select why the need is unmet")
        elif status:
            data["unmet_reason"] = ""
        return data


class OffenceCategoryField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OffenceCategory) -> str:
        return f"{obj.name} (neighbourhood crime)" if obj.is_neighbourhood_crime else obj.name


class OffenceForm(GovukFormMixin, forms.Form):
    kind = _choice("Proven offence or arrest", Offence.Kind.choices)
    category = OffenceCategoryField(
        label="Category",
        queryset=OffenceCategory.objects.all(),
        empty_label="Choose a category",
        help_text="Neighbourhood crime: burglary, robbery, theft and vehicle crime",
        error_messages={
            "required": "Select the offence category",
            "invalid_choice": "Select the offence category",
        },
    )
    occurred_on = _date("Date of the offence or arrest")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        message = "Select whether this is a proven offence or an arrest"
        self.fields["kind"].error_messages.update(required=message, invalid_choice=message)


class GoalForm(GovukFormMixin, forms.Form):
    in_their_words = _text(
        "The goal in their words", rows=3, help_text="Write it as they said it, not as a target"
    )
    set_on = _date("Date set")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"set_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["in_their_words"].error_messages["required"] = "Enter the goal as the person put it"

    def clean_set_on(self) -> Any:
        set_on = self.cleaned_data["set_on"]
        if set_on > timezone.localdate():
            raise forms.ValidationError("The date set must be today or in the past")
        return set_on


class GoalStatusForm(GovukFormMixin, forms.Form):
    status = _choice("What has happened to the goal", Goal.Status.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].error_messages.update(
            required="Select what has happened to the goal",
            invalid_choice="Select what has happened to the goal",
        )


def _themes(label: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        required=False,
        choices=FeedbackTheme.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Optional. Governance reports count these themes, never the words.",
        error_messages={"invalid_choice": "Select themes from the list"},
    )


class FeedbackForm(GovukFormMixin, forms.Form):
    given_on = _date("Date given")
    what_helps = _text("What helps", required=False, rows=3, help_text="In their words")
    helps_themes = _themes("What helps is about")
    what_does_not_help = _text("What does not help", required=False, rows=3, help_text="In their words")
    does_not_help_themes = _themes("What does not help is about")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"given_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


# Restricted cases and break-glass access (cohorts/views/restriction.py).


def _users_field(label: str, **kwargs: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        choices=[],
        error_messages={"required": f"Select {label.lower()}", "invalid_choice": f"Select {label.lower()}"},
        **kwargs,
    )


class RestrictForm(GovukFormMixin, forms.Form):
    reason = _text(
        "Why the record is restricted",
        help_text="For example, the person is a member of staff or a relative of one. Kept in the audit.",
    )
    reason.error_messages["required"] = "Enter why the record is restricted"
    allowed_users = forms.TypedMultipleChoiceField(
        label="Who else may open the record",
        coerce=int,
        required=False,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        help_text="Members of the team. You are on the allow-list whatever you choose.",
        error_messages={"invalid_choice": "Select members of the team from the list"},
    )

    def __init__(self, *args: Any, candidates: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["allowed_users"].choices = [(user.pk, user.full_name) for user in candidates]  # type: ignore[attr-defined]


class AllowListAddForm(GovukFormMixin, forms.Form):
    user = _users_field("A member of the team to add")

    def __init__(self, *args: Any, candidates: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Choose a name"), *((str(user.pk), user.full_name) for user in candidates)]
        self.fields["user"].choices = choices  # type: ignore[attr-defined]


def _break_glass_reason() -> forms.CharField:
    field = _text(
        "Why you need to open this record now",
        help_text="At least 10 characters. The team's managers read it.",
    )
    field.error_messages["required"] = "Enter why you need to open this record"
    field.validators.append(
        validators.MinLengthValidator(
            services.BREAK_GLASS_REASON_MIN_LENGTH,
            message="Enter why you need to open this record, in at least 10 characters",
        )
    )
    return field


class BreakGlassForm(GovukFormMixin, forms.Form):
    reason = _break_glass_reason()


class BreakGlassSearchForm(GovukFormMixin, forms.Form):
    identifier = forms.CharField(
        label="CRN, PNC ID, NOMIS number or CRO number",
        max_length=30,
        help_text="The record's name is not searched: only an exact identifier opens it",
        error_messages={
            "required": "Enter a CRN, PNC ID, NOMIS number or CRO number",
            "max_length": "The identifier must be 30 characters or fewer",
        },
    )
    reason = _break_glass_reason()


class BreakGlassLogFilterForm(GovukFormMixin, forms.Form):
    identifier = forms.CharField(
        label="Person's CRN, PNC ID, NOMIS or CRO number",
        required=False,
        max_length=30,
        error_messages={"max_length": "The identifier must be 30 characters or fewer"},
    )
    user = forms.TypedChoiceField(
        label="Opened by",
        coerce=int,
        empty_value=None,
        required=False,
        choices=[],
        error_messages={"invalid_choice": "Select someone from the list"},
    )
    since = _date("From", required=False)
    until = _date("To", required=False)

    def __init__(self, *args: Any, users: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "Anyone"), *((user.pk, user.full_name) for user in users)]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The end date must be the same as or after the start date")
        return data
