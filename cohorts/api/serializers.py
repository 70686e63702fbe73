"""What the cohorts API answers with, and what it accepts. Serializers shape and check; the
services in cohorts/services.py decide and save, and their errors come back under these names."""

from typing import Any

from rest_framework import serializers

from cohorts.models import (
    Assessment,
    Cohort,
    CohortMembership,
    CohortReview,
    Ethnicity,
    Gender,
    Need,
    NeedStatus,
    NeedUpdate,
    Nominal,
    StatutoryStatus,
    UnmetReason,
)
from cohorts.services import CUSTODY_FIELDS, DETAIL_FIELDS
from iom.core.api.serializers import SparseFieldsMixin

# The page forms' limit on free text.
LONG_TEXT = 5000


class WorkerSerializer(serializers.Serializer):
    """A member of staff, as a record names them."""

    id = serializers.IntegerField()
    full_name = serializers.CharField()


class TeamSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CaseloadEntrySerializer(SparseFieldsMixin, serializers.Serializer):
    """One person on the caseload, with what the caseload page and its CSV export show (no date of
    birth: that is in the person's record, whose every read is logged against them)."""

    id = serializers.IntegerField()
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    crn = serializers.CharField(allow_null=True)
    pnc_id = serializers.CharField(allow_null=True)
    nomis_number = serializers.CharField(allow_null=True)
    team = TeamSerializer()
    statutory_status = serializers.ChoiceField(choices=StatutoryStatus.choices)
    in_custody = serializers.BooleanField()
    conditional_release_date = serializers.DateField(allow_null=True)
    police_offender_manager = WorkerSerializer(allow_null=True)
    probation_practitioner = WorkerSerializer(allow_null=True)
    support_worker = WorkerSerializer(allow_null=True)
    cohort = serializers.ChoiceField(
        choices=Cohort.choices, allow_null=True, help_text="The cohort of their open membership, if any."
    )
    membership_status = serializers.ChoiceField(
        choices=[CohortMembership.Status.PROPOSED.value, CohortMembership.Status.ACTIVE.value],
        allow_null=True,
        help_text="`proposed` while awaiting the panel: a proposal is not a place on the cohort.",
    )
    review_due = serializers.DateField(allow_null=True)
    rosh = serializers.ChoiceField(
        choices=Assessment.LEVELS[Assessment.Kind.ROSH],
        allow_null=True,
        help_text="The latest risk of serious harm level.",
    )
    last_activity = serializers.DateField(allow_null=True, help_text="The latest date on their timeline.")


def _blank_or(choices: list[tuple[str, str]]) -> serializers.ChoiceField:
    # Declared, not left to ModelSerializer: its read-only fields lose `allow_blank`, and the schema
    # would then refuse the "" an unrecorded value is.
    return serializers.ChoiceField(choices=choices, allow_blank=True, read_only=True)


class NominalSerializer(SparseFieldsMixin, serializers.ModelSerializer):
    """A person's record: facts, custody and key dates, and the case team. `version` rises with
    every change; the ETag names it."""

    gender = _blank_or(Gender.choices)
    ethnicity = _blank_or(Ethnicity.choices)
    team = TeamSerializer()
    police_offender_manager = WorkerSerializer(allow_null=True)
    probation_practitioner = WorkerSerializer(allow_null=True)
    support_worker = WorkerSerializer(allow_null=True)
    aliases = serializers.SerializerMethodField()

    class Meta:
        model = Nominal
        fields = [
            "id",
            *DETAIL_FIELDS,
            "aliases",
            "team",
            *CUSTODY_FIELDS,
            "police_offender_manager",
            "probation_practitioner",
            "support_worker",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_aliases(self, nominal: Nominal) -> list[str]:
        return [alias.name for alias in nominal.aliases.all()]


def _identifier(label: str) -> serializers.CharField:
    # As long as the page allows: identifiers are normalised ("a1234 bc" is A1234BC) and checked by the model.
    return serializers.CharField(
        max_length=20, required=False, allow_blank=True, allow_null=True, help_text=f"The {label}."
    )


class NominalDetailsSerializer(serializers.Serializer):
    """Who the person is: the fields of the page's "Change details"."""

    given_name = serializers.CharField(max_length=100, error_messages={"blank": "Enter the given name"})
    family_name = serializers.CharField(max_length=100, error_messages={"blank": "Enter the family name"})
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True)
    ethnicity = serializers.ChoiceField(choices=Ethnicity.choices, required=False, allow_blank=True)
    address_area = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="Neighbourhood or postcode district, not a full address.",
    )
    crn = _identifier("CRN: a letter and six digits, like X123456")
    pnc_id = _identifier("PNC ID, like 2012/0052494Q")
    nomis_number = _identifier("NOMIS number, like A1234BC")
    cro_number = _identifier("CRO number, like 123456/08T")
    statutory_status = serializers.ChoiceField(choices=StatutoryStatus.choices)


class NewNominalSerializer(NominalDetailsSerializer):
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        max_length=50,
        help_text="Other names they are known by.",
    )

    def validate_aliases(self, aliases: list[str]) -> list[str]:
        return list(dict.fromkeys(aliases))  # each once, as the page keeps them


class NominalChangesSerializer(NominalDetailsSerializer):
    """A change to the record: any of the details, or of custody and key dates. Send only what changes."""

    in_custody = serializers.BooleanField(required=False)
    establishment = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="The prison, while they are in custody."
    )
    sentence_date = serializers.DateField(required=False, allow_null=True)
    conditional_release_date = serializers.DateField(required=False, allow_null=True)
    hdc_eligibility_date = serializers.DateField(required=False, allow_null=True)
    licence_expiry_date = serializers.DateField(required=False, allow_null=True)
    sentence_expiry_date = serializers.DateField(required=False, allow_null=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class CohortReviewSerializer(serializers.ModelSerializer):
    reviewed_by = WorkerSerializer()

    class Meta:
        model = CohortReview
        fields = ["id", "reviewed_on", "outcome", "rationale", "reviewed_by", "recorded_at"]
        read_only_fields = fields


class CohortMembershipSerializer(serializers.ModelSerializer):
    """A person's time on one cohort, from proposal through panel and reviews to exit."""

    proposed_by = WorkerSerializer()
    panel_recorded_by = WorkerSerializer(allow_null=True)
    exit_reason = _blank_or(CohortMembership.ExitReason.choices)
    reviews = CohortReviewSerializer(many=True)

    class Meta:
        model = CohortMembership
        fields = [
            "id",
            "nominal",
            "cohort",
            "status",
            "proposed_by",
            "proposed_on",
            "proposal_reason",
            "panel_date",
            "panel_attendees",
            "panel_rationale",
            "panel_recorded_by",
            "entry_date",
            "review_due",
            "exit_date",
            "exit_reason",
            "exit_note",
            "reviews",
        ]
        read_only_fields = fields


class ProposalSerializer(serializers.Serializer):
    cohort = serializers.ChoiceField(choices=Cohort.choices)
    reason = serializers.CharField(
        max_length=LONG_TEXT, help_text="Why this person should be on the cohort, for the panel to weigh."
    )


class PanelDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[("accept", "Accept onto the cohort"), ("decline", "Do not accept")]
    )
    panel_date = serializers.DateField()
    attendees = serializers.CharField(
        max_length=LONG_TEXT, help_text="Names and agencies of those at the panel."
    )
    rationale = serializers.CharField(max_length=LONG_TEXT)


class ReviewSerializer(serializers.Serializer):
    reviewed_on = serializers.DateField()
    outcome = serializers.ChoiceField(choices=CohortReview.Outcome.choices)
    rationale = serializers.CharField(max_length=LONG_TEXT)
    new_cohort = serializers.ChoiceField(
        choices=Cohort.choices,
        required=False,
        allow_blank=True,
        help_text="For `move`: the cohort they move to.",
    )
    exit_reason = serializers.ChoiceField(
        # The model's list, so it is one enum in the schema; the service refuses `moved_cohort` here.
        choices=CohortMembership.ExitReason.choices,
        required=False,
        allow_blank=True,
        help_text="For `exit`: why they leave IOM (a move to another cohort is `move`).",
    )


class AssessmentSerializer(serializers.ModelSerializer):
    assessed_by = WorkerSerializer()

    class Meta:
        model = Assessment
        fields = ["id", "kind", "level", "score", "assessed_on", "assessed_by", "notes", "recorded_at"]
        read_only_fields = fields


ALL_LEVELS = list(dict.fromkeys(level for levels in Assessment.LEVELS.values() for level in levels))


class NewAssessmentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Assessment.Kind.choices)
    level = serializers.ChoiceField(
        choices=ALL_LEVELS,
        required=False,
        allow_blank=True,
        help_text="For RoSH, neighbourhood crime, tier and MAPPA: one of that kind's levels.",
    )
    score = serializers.IntegerField(
        min_value=0,
        max_value=100,
        required=False,
        allow_null=True,
        help_text="For OGRS and OGP: a percentage.",
    )
    assessed_on = serializers.DateField()
    notes = serializers.CharField(max_length=LONG_TEXT, required=False, allow_blank=True)


class NeedUpdateSerializer(serializers.ModelSerializer):
    unmet_reason = _blank_or(UnmetReason.choices)
    updated_by = WorkerSerializer()

    class Meta:
        model = NeedUpdate
        fields = ["status", "unmet_reason", "note", "updated_on", "updated_by", "recorded_at"]
        read_only_fields = fields


class NeedSerializer(serializers.ModelSerializer):
    """The need on one pathway now, with every dated change, newest first."""

    unmet_reason = _blank_or(UnmetReason.choices)
    updates = NeedUpdateSerializer(many=True)

    class Meta:
        model = Need
        fields = ["pathway", "status", "unmet_reason", "updated_on", "updates"]
        read_only_fields = fields


class NeedStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=NeedStatus.choices)
    unmet_reason = serializers.ChoiceField(
        choices=UnmetReason.choices, required=False, allow_blank=True, help_text="Only, and always, if unmet."
    )
    updated_on = serializers.DateField()
    note = serializers.CharField(max_length=LONG_TEXT, required=False, allow_blank=True)
