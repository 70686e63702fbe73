"""What the partners API reads and answers. Serializers check types and shape answers; the services
decide what is allowed, and their errors name the same fields as these."""

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cohorts.api.serializers import WorkerSerializer
from cohorts.models import Pathway
from iom.core.api.serializers import SparseFieldsMixin
from partners import disclosure, selectors
from partners.models import REFERRAL_TEXT_MAX_LENGTH, Capacity, PartnerService, Referral, ReferralEvent

TEXT_TOO_LONG = f"Keep it to {REFERRAL_TEXT_MAX_LENGTH:,} characters"


class OptionalChoiceField(serializers.ChoiceField):
    """A choice the record may not have made yet: null, rather than an empty string outside the enum."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_null=True, **kwargs)

    def to_representation(self, value: Any) -> Any:
        return None if value in ("", None) else super().to_representation(value)


class PartnersNamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PartnersPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class PartnersContactSerializer(serializers.Serializer):
    full_name = serializers.CharField()
    email = serializers.EmailField()


def _text(*, required_message: str = "", **kwargs: Any) -> serializers.CharField:
    messages: dict[str, Any] = {"max_length": TEXT_TOO_LONG}
    if required_message:
        messages.update({"required": required_message, "blank": required_message, "null": required_message})
    if not required_message:
        kwargs.setdefault("default", "")
    return serializers.CharField(
        max_length=REFERRAL_TEXT_MAX_LENGTH,
        required=bool(required_message),
        allow_blank=not required_message,
        error_messages=messages,
        **kwargs,
    )


# History ---------------------------------------------------------------------------------------


class ReferralEventSerializer(serializers.Serializer):
    """One line of a referral's history: a change of status, a progress update or a session."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ReferralEvent.Kind.choices)
    from_status = OptionalChoiceField(choices=Referral.Status.choices)
    to_status = OptionalChoiceField(choices=Referral.Status.choices)
    occurred_on = serializers.DateField()
    attendance = OptionalChoiceField(choices=ReferralEvent.Attendance.choices)
    note = serializers.CharField(allow_blank=True)
    by_partner = serializers.BooleanField(help_text="Recorded by the organisation the referral went to.")
    actor = WorkerSerializer()
    organisation = PartnersNamedSerializer(allow_null=True, help_text="The agency the actor acted for.")
    recorded_at = serializers.DateTimeField()


# The team's side -------------------------------------------------------------------------------


class ReferralSerializer(SparseFieldsMixin, serializers.Serializer):
    """A referral in the team's list."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=Referral.Status.choices)
    pathway = serializers.ChoiceField(choices=Pathway.choices)
    nominal = PartnersPersonSerializer()
    service = PartnersNamedSerializer()
    organisation = PartnersNamedSerializer(help_text="The organisation the referral goes (or went) to.")
    referred_by = WorkerSerializer()
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    response_due = serializers.DateField(allow_null=True)
    responded_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    outcome = OptionalChoiceField(choices=Referral.Outcome.choices)
    overdue = serializers.SerializerMethodField(help_text="Sent, and the partner's answer is overdue.")

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, referral: Referral) -> bool:
        return selectors.is_overdue(referral, self.context.get("today") or timezone.localdate())


class ReferralDetailSerializer(ReferralSerializer):
    """One referral as the team reads it, with what it discloses, on what basis, and its history."""

    reason = serializers.CharField()
    lawful_basis = OptionalChoiceField(choices=Referral.LawfulBasis.choices)
    consent_given_on = serializers.DateField(allow_null=True)
    sharing_agreement = serializers.CharField(allow_blank=True)
    shared_fields = serializers.ListField(
        child=serializers.ChoiceField(choices=disclosure.field_choices()),
        help_text="What the partner may read about the person (the name always).",
    )
    history = serializers.SerializerMethodField(help_text="What has happened to the referral, oldest first.")
    can_change_draft = serializers.SerializerMethodField(help_text="You may change and send this draft.")
    can_withdraw = serializers.SerializerMethodField(help_text="You may withdraw this referral.")

    # The view reads these (the history once, the user's rights) and passes them in the context.
    @extend_schema_field(ReferralEventSerializer(many=True))
    def get_history(self, referral: Referral) -> Any:
        return ReferralEventSerializer(self.context["history"], many=True).data

    @extend_schema_field(serializers.BooleanField())
    def get_can_change_draft(self, referral: Referral) -> bool:
        return bool(self.context["can_change_draft"])

    @extend_schema_field(serializers.BooleanField())
    def get_can_withdraw(self, referral: Referral) -> bool:
        return bool(self.context["can_withdraw"])


class NewReferralSerializer(serializers.Serializer):
    """A referral from the case team: sent at once unless `send` is false (a draft)."""

    nominal = serializers.IntegerField(min_value=1, help_text="The id of the person referred.")
    pathway = serializers.ChoiceField(
        choices=Pathway.choices,
        error_messages={"invalid_choice": "Select the pathway the referral is for"},
    )
    service = serializers.IntegerField(
        min_value=1,
        help_text="The id of a service on the pathway that takes referrals from the person's region.",
        error_messages={"required": "Select the service to refer the person to"},
    )
    reason = _text(
        required_message="Say why you are referring the person and what they need",
        help_text="Why the person is referred and what they need. The partner reads this.",
    )
    shared_fields = serializers.ListField(
        child=serializers.ChoiceField(
            choices=disclosure.field_choices(),
            error_messages={"invalid_choice": "Select the information to share from the list"},
        ),
        required=False,
        default=list,
        help_text="What the partner may read about the person; the name is always shared.",
    )
    lawful_basis = serializers.ChoiceField(
        choices=Referral.LawfulBasis.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Needed to send. `consent` needs `consent_given_on`; any other needs `sharing_agreement`.",
        error_messages={"invalid_choice": "Select the lawful basis for sharing"},
    )
    consent_given_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        error_messages={"invalid": "Date consent given must be a real date, like 2026-11-17"},
    )
    sharing_agreement = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        error_messages={"max_length": "Information sharing agreement must be 200 characters or fewer"},
    )
    send = serializers.BooleanField(
        required=False, default=True, help_text="`false` saves a draft without sending anything."
    )
    submission_id = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Your one-time key for this referral: sending it again returns the first referral, "
        "so a retry never refers (or discloses) twice.",
    )


class DraftChangeSerializer(serializers.Serializer):
    """A change to a draft; fields left out keep their value. The pathway stays: refer again for another."""

    service = serializers.IntegerField(min_value=1, required=False)
    reason = _text(required_message="Say why you are referring the person and what they need")
    shared_fields = serializers.ListField(
        child=serializers.ChoiceField(
            choices=disclosure.field_choices(),
            error_messages={"invalid_choice": "Select the information to share from the list"},
        ),
        required=False,
    )
    lawful_basis = serializers.ChoiceField(
        choices=Referral.LawfulBasis.choices,
        required=False,
        allow_blank=True,
        error_messages={"invalid_choice": "Select the lawful basis for sharing"},
    )
    consent_given_on = serializers.DateField(required=False, allow_null=True)
    sharing_agreement = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        error_messages={"max_length": "Information sharing agreement must be 200 characters or fewer"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = False

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError(
                f"Send at least one of {', '.join(self.fields)} to change the draft."
            )
        return attrs


class WithdrawSerializer(serializers.Serializer):
    reason = _text(
        required_message="Say why the referral is withdrawn",
        help_text="For the team's record. A partner who has the referral is told it was withdrawn, not why.",
    )


# The partner's side ----------------------------------------------------------------------------


class InboxReferralSerializer(SparseFieldsMixin, serializers.Serializer):
    """A referral to the partner's organisation, as the inbox lists it: the person's name is always shared."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=Referral.Status.choices)
    person_name = serializers.CharField(source="nominal.full_name")
    service = PartnersNamedSerializer()
    pathway = serializers.ChoiceField(choices=Pathway.choices)
    team_name = serializers.CharField(source="nominal.team.name", help_text="The IOM team referring.")
    sent_at = serializers.DateTimeField(allow_null=True)
    response_due = serializers.DateField(allow_null=True)
    responded_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.SerializerMethodField(help_text="Waiting for your answer past its due date.")

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, referral: Referral) -> bool:
        return selectors.is_overdue(referral, self.context.get("today") or timezone.localdate())


class SharedFieldSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]
    value = serializers.CharField()


class PartnerReferralSerializer(InboxReferralSerializer):
    """One referral as its partner reads it: the referral, its lawful basis, the fields shared (read
    from the record as it is now) and its history. Nothing else about the person."""

    reason = serializers.CharField()
    referred_by = PartnersContactSerializer()
    lawful_basis = OptionalChoiceField(choices=Referral.LawfulBasis.choices)
    consent_given_on = serializers.DateField(allow_null=True)
    sharing_agreement = serializers.CharField(allow_blank=True)
    shared = serializers.SerializerMethodField(
        help_text="What the referring worker shared, as it stands today."
    )
    history = serializers.SerializerMethodField(help_text="What has happened to the referral, oldest first.")

    @extend_schema_field(SharedFieldSerializer(many=True))
    def get_shared(self, referral: Referral) -> list[dict[str, str]]:
        return [
            {"label": label, "value": value}
            for label, value in disclosure.shared_view(referral.nominal, referral.shared_fields)
        ]

    @extend_schema_field(ReferralEventSerializer(many=True))
    def get_history(self, referral: Referral) -> Any:
        return ReferralEventSerializer(self.context["history"], many=True).data


class PartnerAnswerSerializer(serializers.Serializer):
    """Where a referral stands after the partner's answer. The person's details are read with GET."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=Referral.Status.choices)
    outcome = OptionalChoiceField(choices=Referral.Outcome.choices)
    responded_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)


class SharedNoteSerializer(SparseFieldsMixin, serializers.Serializer):
    """A note the IOM team marked as shareable with partners."""

    id = serializers.IntegerField()
    occurred_on = serializers.DateField()
    summary = serializers.CharField()
    body = serializers.CharField(allow_blank=True)
    recorded_by = serializers.SerializerMethodField()
    recorded_by_organisation = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_recorded_by(self, note: Any) -> str | None:
        return note.recorded_by.full_name if note.recorded_by is not None else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_recorded_by_organisation(self, note: Any) -> str | None:
        worker = note.recorded_by
        return worker.organisation.name if worker is not None and worker.organisation is not None else None


class AcceptSerializer(serializers.Serializer):
    note = _text(help_text="For the referring worker: when you will first see the person, or who to contact.")


class DeclineSerializer(serializers.Serializer):
    reason = _text(
        required_message="Enter why you are declining the referral, so the worker can find another way",
        help_text="The referring worker reads this. Say if another service could help.",
    )


class ProgressUpdateSerializer(serializers.Serializer):
    note = _text(required_message="Enter the update", help_text="What has happened and what happens next.")
    occurred_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The day of the update; today if left out.",
        error_messages={"invalid": "Date of the update must be a real date, like 2026-11-17"},
    )


class SessionSerializer(serializers.Serializer):
    session_on = serializers.DateField(
        error_messages={
            "required": "Enter the date of the session",
            "invalid": "Date of the session must be a real date, like 2026-11-17",
        }
    )
    attendance = serializers.ChoiceField(
        choices=ReferralEvent.Attendance.choices,
        error_messages={
            "required": "Select whether the person attended",
            "invalid_choice": "Select whether the person attended",
        },
    )
    note = _text()


class CompleteSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=Referral.Outcome.choices,
        error_messages={
            "required": "Select the outcome of the work",
            "invalid_choice": "Select the outcome of the work",
        },
    )
    summary = _text(
        required_message="Summarise what was done and what is left",
        help_text="What was done, what changed for the person, and anything still to do.",
    )


# The directory ---------------------------------------------------------------------------------


class PartnerServiceSerializer(SparseFieldsMixin, serializers.Serializer):
    """A service in the partner directory. No personal data."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    organisation = PartnersNamedSerializer()
    description = serializers.CharField(allow_blank=True)
    pathways = serializers.SerializerMethodField()
    region = PartnersNamedSerializer(
        allow_null=True, help_text="Empty for a service taking referrals from every region."
    )
    area_covered = serializers.CharField()
    eligibility = serializers.CharField()
    how_to_refer = serializers.CharField(allow_blank=True)
    typical_wait_days = serializers.IntegerField(allow_null=True)
    capacity = serializers.ChoiceField(choices=Capacity.choices)
    response_working_days = serializers.IntegerField(help_text="Working days the partner has to answer.")
    is_active = serializers.BooleanField(help_text="Listed in the directory and open to referrals.")
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Pathway.choices)))
    def get_pathways(self, service: PartnerService) -> list[str]:
        return [row.pathway for row in service.pathways.all()]
