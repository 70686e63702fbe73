"""The supervision API: a person's contacts and appointments, logging and planning them, and
recording, moving or cancelling a planned appointment. Thin over the pages' selectors and
services, with the same access checks (supervision/views/) and the same audit trail.
"""

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from cohorts.api.common import PersonRecordListMixin
from cohorts.selectors import get_nominal_for_user
from iom.core import access, audit
from iom.core.api.concurrency import require_if_match
from iom.core.api.filtering import QueryFilterBackend, StableOrderingFilter
from iom.core.api.problems import QueryValidationError
from iom.core.api.serializers import SparseFieldsMixin, validated
from iom.core.api.viewsets import ApiViewSet
from iom.core.models import User
from supervision import selectors, services
from supervision.filters import ContactFilter
from supervision.forms import LONGEST_CONTACT_MINUTES
from supervision.models import NOTE_MAX_LENGTH, WEEKDAYS, AppointmentSeries, Contact, Kind, Outcome, Purpose
from supervision.models import Sensitivity as SensitivityChoices

TAGS = ["supervision"]
# The most a diary answer covers: a quarter's appointments, a page at a time.
LONGEST_DIARY_DAYS = 92
# Ids are PostgreSQL integers: anything larger names no one (and would not fit the query).
LARGEST_ID = 2**31 - 1
REASON_MAX_LENGTH = 1000
SERIES_WEEKS_MESSAGE = f"A series must last between 1 and {services.LONGEST_SERIES_WEEKS} weeks"


# Output ------------------------------------------------------------------------------------


class StaffSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class AttendeeSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    full_name = serializers.CharField(source="user.full_name")
    organisation = serializers.CharField(
        source="organisation.name",
        allow_null=True,
        default=None,
        help_text="The agency they attended for, at the time.",
    )


TIME_OF_DAY = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


@extend_schema_field({"type": "string", "pattern": TIME_OF_DAY.pattern, "example": "14:30"})
class TimeOfDayField(serializers.Field):
    """A time as the pages take it: 24-hour hours and minutes, "14:30", with no seconds or zone."""

    default_error_messages = {"invalid": "Enter the time as 24-hour hours and minutes, like 14:30"}

    def to_internal_value(self, data: Any) -> dt.time:
        if not isinstance(data, str) or TIME_OF_DAY.fullmatch(data) is None:
            self.fail("invalid")
        return dt.time(int(data[:2]), int(data[3:]))

    def to_representation(self, value: dt.time) -> str:
        return value.strftime("%H:%M")


class OutcomeOrNullField(serializers.ChoiceField):
    """A planned appointment has no outcome yet: null, not an empty string."""

    def to_representation(self, value: Any) -> Any:
        return super().to_representation(value) if value else None


class ContactSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    nominal_id = serializers.IntegerField()
    series_id = serializers.IntegerField(
        allow_null=True, help_text="The series of appointments it belongs to, if any."
    )
    date = serializers.DateField()
    time = TimeOfDayField()
    duration_minutes = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    location = serializers.CharField()
    planned = serializers.BooleanField(
        source="is_planned", help_text="An appointment still waiting for its outcome."
    )
    due_an_outcome = serializers.SerializerMethodField(
        help_text="Planned, and its time has come: the outcome is needed."
    )
    outcome = OutcomeOrNullField(choices=Outcome.choices, allow_null=True, help_text="null while planned.")
    sensitivity = serializers.ChoiceField(
        choices=SensitivityChoices.choices, help_text="Who may read the note."
    )
    has_note = serializers.SerializerMethodField(help_text="Whether the contact has a note.")
    note = serializers.SerializerMethodField(
        help_text="The note, or null when it is a police intelligence note you may not read."
    )
    attendees = AttendeeSerializer(many=True, source="attendance.all")
    logged_by = StaffSerializer()
    logged_at = serializers.DateTimeField()
    outcome_recorded_by = StaffSerializer(allow_null=True)
    outcome_recorded_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()

    def get_due_an_outcome(self, contact: Contact) -> bool:
        return contact.is_due_an_outcome(self.context.get("now"))

    def get_has_note(self, contact: Contact) -> bool:
        return bool(contact.notes)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_note(self, contact: Contact) -> str | None:
        # The police intelligence rule, as the contact page applies it.
        return contact.notes if selectors.note_is_readable(self.context["request"].user, contact) else None


class ContactListSerializer(SparseFieldsMixin, ContactSerializer):
    pass


class SeriesSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    nominal_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    weekdays = serializers.ListField(
        child=serializers.IntegerField(), source="weekday_numbers", help_text="0 for Monday to 6 for Sunday."
    )
    time = TimeOfDayField()
    duration_minutes = serializers.IntegerField()
    location = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    appointment_ids = serializers.ListField(child=serializers.IntegerField())


class DiaryPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class DiaryEntrySerializer(serializers.Serializer):
    """An appointment or contact in a diary: when, where and with whom; never its note."""

    id = serializers.IntegerField()
    nominal = DiaryPersonSerializer()
    date = serializers.DateField()
    time = TimeOfDayField()
    duration_minutes = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    location = serializers.CharField()
    planned = serializers.BooleanField(source="is_planned")
    due_an_outcome = serializers.SerializerMethodField()
    outcome = OutcomeOrNullField(choices=Outcome.choices, allow_null=True)
    attendees = AttendeeSerializer(many=True, source="attendance.all")

    def get_due_an_outcome(self, contact: Contact) -> bool:
        return contact.is_due_an_outcome(self.context.get("now"))


# Input: the pages' forms' fields and limits; the services decide the rest ----------------------


def _required(message: str) -> dict[str, Any]:
    return {"required": message, "blank": message, "null": message}


def _choice(choices: Any, message: str, **kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=choices, error_messages={**_required(message), "invalid_choice": message}, **kwargs
    )


def _attendees(help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=LARGEST_ID),
        required=False,
        help_text=help_text,
    )


def _duration(default: int) -> serializers.IntegerField:
    limits = f"Duration must be between 1 and {LONGEST_CONTACT_MINUTES} minutes"
    return serializers.IntegerField(
        min_value=1,
        max_value=LONGEST_CONTACT_MINUTES,
        default=default,
        error_messages={"min_value": limits, "max_value": limits},
    )


def _location() -> serializers.CharField:
    return serializers.CharField(
        max_length=200,
        allow_blank=True,
        default="",
        error_messages={"max_length": "Location must be 200 characters or fewer"},
    )


def _note() -> serializers.CharField:
    return serializers.CharField(
        max_length=NOTE_MAX_LENGTH,
        allow_blank=True,
        default="",
        error_messages={"max_length": f"Note must be {NOTE_MAX_LENGTH:,} characters or fewer"},
    )


def _sensitivity() -> serializers.ChoiceField:
    return _choice(
        SensitivityChoices.choices,
        "Select who may read the note",
        default=SensitivityChoices.TEAM,
        help_text="Police intelligence may be chosen only by police in the person's team.",
    )


def _reason(message: str) -> serializers.CharField:
    return serializers.CharField(
        max_length=REASON_MAX_LENGTH,
        error_messages={**_required(message), "max_length": "The reason must be 1,000 characters or fewer"},
    )


class LogContactSerializer(serializers.Serializer):
    kind = _choice(Kind.choices, "Select the type of contact")
    outcome = _choice(Outcome.choices, "Select the outcome")
    purpose = _choice(Purpose.choices, "Select the purpose")
    date = serializers.DateField(required=False, help_text="Today if left out.")
    time = TimeOfDayField(required=False, help_text="Now if left out.")
    duration_minutes = _duration(30)
    location = _location()
    notes = _note()
    sensitivity = _sensitivity()
    attendees = _attendees("Ids of the staff who attended; you, if left out.")
    submission_id = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="A key you make once per contact (a UUID): sending it again returns the first "
        "contact (200) instead of logging a second one.",
    )


class PlanAppointmentSerializer(serializers.Serializer):
    kind = _choice(Kind.choices, "Select the type of appointment")
    purpose = _choice(Purpose.choices, "Select the purpose")
    date = serializers.DateField(error_messages=_required("Enter the date of the appointment"))
    time = TimeOfDayField(error_messages=_required("Enter the time of the appointment"))
    duration_minutes = _duration(60)
    location = _location()
    attendees = _attendees("Ids of the staff who will attend; you, if left out.")


class PlanSeriesSerializer(serializers.Serializer):
    kind = _choice(Kind.choices, "Select the type of appointment")
    purpose = _choice(Purpose.choices, "Select the purpose")
    weekdays = serializers.ListField(
        child=serializers.IntegerField(
            min_value=0,
            max_value=6,
            error_messages={
                "min_value": "Select days of the week from Monday to Sunday",
                "max_value": "Select days of the week from Monday to Sunday",
            },
        ),
        help_text=f"Days of the week, 0 for Monday to 6 for Sunday ({', '.join(WEEKDAYS)}).",
        error_messages=_required("Select at least one day of the week"),
    )
    time = TimeOfDayField(error_messages=_required("Enter the time of the appointments"))
    starts_on = serializers.DateField(error_messages=_required("Enter the date the series starts"))
    weeks = serializers.IntegerField(
        min_value=1,
        max_value=services.LONGEST_SERIES_WEEKS,
        error_messages={
            **_required("Enter the number of weeks"),
            "min_value": SERIES_WEEKS_MESSAGE,
            "max_value": SERIES_WEEKS_MESSAGE,
        },
    )
    duration_minutes = _duration(60)
    location = _location()
    attendees = _attendees("Ids of the staff who will attend; you, if left out.")


class RecordOutcomeSerializer(serializers.Serializer):
    outcome = _choice(Outcome.choices, "Select the outcome")
    notes = _note()
    sensitivity = _sensitivity()
    attendees = _attendees("Ids of the staff who attended; the planned attendees, if left out.")


class MoveAppointmentSerializer(serializers.Serializer):
    date = serializers.DateField(error_messages=_required("Enter the new date"))
    time = TimeOfDayField(error_messages=_required("Enter the new time"))
    reason = _reason("Enter why the appointment is moving")
    rest_of_series = serializers.BooleanField(
        default=False,
        help_text="Move the later appointments of its series too, by the same number of days, "
        "to the new time.",
    )


class CancelAppointmentSerializer(serializers.Serializer):
    reason = _reason("Enter why the appointment is cancelled")
    rest_of_series = serializers.BooleanField(
        default=False, help_text="Cancel the later appointments of its series too."
    )


class DiaryQuerySerializer(serializers.Serializer):
    start = serializers.DateField(help_text="The first day.")
    end = serializers.DateField(help_text=f"The last day: at most {LONGEST_DIARY_DAYS} days after start.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": "end must be on or after start"})
        if (attrs["end"] - attrs["start"]).days >= LONGEST_DIARY_DAYS:
            raise serializers.ValidationError(
                {"end": f"A diary covers at most {LONGEST_DIARY_DAYS} days: ask for less at a time"}
            )
        return attrs


# Views -------------------------------------------------------------------------------------


def _attendee_ids(data: dict[str, Any]) -> list[int] | None:
    return data.get("attendees")


class _SupervisionViewSet(ApiViewSet):
    def get_serializer_context(self) -> dict[str, Any]:
        # One "now" for a whole answer, so every row's "due an outcome" agrees.
        return {**super().get_serializer_context(), "now": timezone.now()}

    def contact_answer(self, contact_id: int, *, status_code: int = status.HTTP_200_OK) -> Response:
        """A contact just written, read again as it now is: the write itself was audited."""
        contact = selectors.get_contact_for_change(user=self.request.user, contact_id=contact_id)
        response = Response(
            ContactSerializer(contact, context=self.get_serializer_context()).data, status=status_code
        )
        if status_code == status.HTTP_201_CREATED:
            response["Location"] = reverse("api:contact-detail", args=[contact.pk])
        return self.with_etag(response, contact)


class NominalContactViewSet(PersonRecordListMixin, _SupervisionViewSet):
    """/nominals/{nominal_id}/contacts/: the person's contacts and appointments, and logging one."""

    serializer_class = ContactListSerializer
    queryset = Contact.objects.none()  # for the schema only: lists come from the selector
    filter_backends = [QueryFilterBackend, StableOrderingFilter]
    filterset_class = ContactFilter
    ordering_fields = ["date", "time", "kind", "purpose", "outcome", "logged_at", "updated_at", "id"]
    ordering = ["-date", "-time", "-id"]
    sparse_fields = True

    @extend_schema(
        operation_id="nominal_contacts_list",
        tags=TAGS,
        summary="The person's contacts and appointments, newest first",
        description="Held contacts and planned appointments (`planned: true`) in one list. Reading "
        "it is recorded in the audit trail as a consultation of the person's record.",
    )
    def list(self, request: Request, nominal_id: int) -> Response:
        return self.list_for_person(
            nominal_id, page="api:nominal-contacts-list", rows=selectors.contacts_and_appointments_for
        )

    @extend_schema(
        operation_id="nominal_contacts_create",
        tags=TAGS,
        summary="Log a contact that has happened",
        request=LogContactSerializer,
        responses={
            201: OpenApiResponse(ContactSerializer, description="Logged."),
            200: OpenApiResponse(
                ContactSerializer,
                description="This `submission_id` was sent before: the contact it logged, unchanged.",
            ),
        },
    )
    def create(self, request: Request, nominal_id: int) -> Response:
        user = self.request.user
        nominal = get_nominal_for_user(user=user, nominal_id=nominal_id)
        access.require_log_contact(user, nominal)
        data = validated(LogContactSerializer, request.data)
        submission_id = data.get("submission_id")
        repeated = submission_id is not None and selectors.submission_recorded(submission_id)
        contact = services.log_contact(
            actor=user,
            nominal=nominal,
            kind=data["kind"],
            outcome=data["outcome"],
            purpose=data["purpose"],
            date=data.get("date"),
            time=data.get("time"),
            duration_minutes=data["duration_minutes"],
            location=data["location"],
            notes=data["notes"],
            sensitivity=data["sensitivity"],
            attendee_ids=_attendee_ids(data),
            submission_id=submission_id,
        )
        return self.contact_answer(
            contact.pk, status_code=status.HTTP_200_OK if repeated else status.HTTP_201_CREATED
        )


class NominalAppointmentViewSet(_SupervisionViewSet):
    """/nominals/{nominal_id}/appointments/: plan one appointment."""

    serializer_class = PlanAppointmentSerializer

    @extend_schema(
        operation_id="nominal_appointments_create",
        tags=TAGS,
        summary="Plan an appointment",
        request=PlanAppointmentSerializer,
        responses={201: ContactSerializer},
    )
    def create(self, request: Request, nominal_id: int) -> Response:
        user = self.request.user
        nominal = get_nominal_for_user(user=user, nominal_id=nominal_id)
        access.require_log_contact(user, nominal)
        data = validated(PlanAppointmentSerializer, request.data)
        appointment = services.plan_appointment(
            actor=user,
            nominal=nominal,
            kind=data["kind"],
            purpose=data["purpose"],
            date=data["date"],
            time=data["time"],
            duration_minutes=data["duration_minutes"],
            location=data["location"],
            attendee_ids=_attendee_ids(data),
        )
        return self.contact_answer(appointment.pk, status_code=status.HTTP_201_CREATED)


class NominalAppointmentSeriesViewSet(_SupervisionViewSet):
    """/nominals/{nominal_id}/appointment-series/: plan a weekly series of appointments."""

    serializer_class = PlanSeriesSerializer

    @extend_schema(
        operation_id="nominal_appointment_series_create",
        tags=TAGS,
        summary="Plan a series of appointments",
        description="One appointment on each chosen day of the week, for a number of weeks.",
        request=PlanSeriesSerializer,
        responses={201: SeriesSerializer},
    )
    def create(self, request: Request, nominal_id: int) -> Response:
        user = self.request.user
        nominal = get_nominal_for_user(user=user, nominal_id=nominal_id)
        access.require_log_contact(user, nominal)
        data = validated(PlanSeriesSerializer, request.data)
        series = services.plan_series(
            actor=user,
            nominal=nominal,
            kind=data["kind"],
            purpose=data["purpose"],
            weekdays=data["weekdays"],
            time=data["time"],
            starts_on=data["starts_on"],
            weeks=data["weeks"],
            duration_minutes=data["duration_minutes"],
            location=data["location"],
            attendee_ids=_attendee_ids(data),
        )
        return Response(_series_data(series), status=status.HTTP_201_CREATED)


def _series_data(series: AppointmentSeries) -> Any:
    series.appointment_ids = list(series.appointments.order_by("date", "time").values_list("pk", flat=True))  # type: ignore[attr-defined]
    return SeriesSerializer(series).data


class ContactViewSet(_SupervisionViewSet):
    """/contacts/{id}/: one contact or appointment, and the changes to a planned appointment."""

    queryset = Contact.objects.none()  # for the schema only: reads go through the selectors
    serializer_class = ContactSerializer
    # Each changes an existing record, so it needs the ETag of the client's copy in If-Match.
    if_match_actions = ("outcome", "move", "cancel")

    @extend_schema(
        operation_id="contacts_retrieve",
        tags=TAGS,
        summary="A contact or appointment",
        description="Recorded in the audit trail as a consultation of the person's record. The ETag "
        "header is what a change to a planned appointment sends back in If-Match.",
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        contact = selectors.get_contact_for_user(
            user=self.request.user, contact_id=int(pk), page="api:contact-detail"
        )
        response = Response(ContactSerializer(contact, context=self.get_serializer_context()).data)
        return self.with_etag(response, contact)

    def _change(self, request: Request, pk: str, write: Any) -> Response:
        """The appointment pages' order: in scope (404), may change it (403), then this copy is the
        latest (428/412) while the row is locked, so two clients cannot both win."""
        user = self.request.user
        appointment = selectors.get_contact_for_change(user=user, contact_id=int(pk))
        access.require_log_contact(user, appointment.nominal)
        with transaction.atomic():
            require_if_match(request, selectors.contact_locked_for_change(contact_id=appointment.pk))
            write(user, appointment)
        return self.contact_answer(appointment.pk)

    @extend_schema(
        operation_id="contacts_outcome",
        tags=TAGS,
        summary="Record what happened at a planned appointment",
        request=RecordOutcomeSerializer,
        responses={200: ContactSerializer},
    )
    @action(detail=True, methods=["post"])
    def outcome(self, request: Request, pk: str) -> Response:
        def write(user: User, appointment: Contact) -> None:
            data = validated(RecordOutcomeSerializer, request.data)
            services.record_outcome(
                actor=user,
                appointment=appointment,
                outcome=data["outcome"],
                notes=data["notes"],
                sensitivity=data["sensitivity"],
                attendee_ids=_attendee_ids(data),
            )

        return self._change(request, pk, write)

    @extend_schema(
        operation_id="contacts_move",
        tags=TAGS,
        summary="Move a planned appointment (and, if asked, the rest of its series)",
        request=MoveAppointmentSerializer,
        responses={200: ContactSerializer},
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str) -> Response:
        def write(user: User, appointment: Contact) -> None:
            data = validated(MoveAppointmentSerializer, request.data)
            services.move_appointment(
                actor=user,
                appointment=appointment,
                date=data["date"],
                time=data["time"],
                reason=data["reason"],
                rest_of_series=data["rest_of_series"],
            )

        return self._change(request, pk, write)

    @extend_schema(
        operation_id="contacts_cancel",
        tags=TAGS,
        summary="Cancel a planned appointment (and, if asked, the rest of its series)",
        description="Kept, with the outcome `cancelled_by_service` and the reason as its note.",
        request=CancelAppointmentSerializer,
        responses={200: ContactSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        def write(user: User, appointment: Contact) -> None:
            data = validated(CancelAppointmentSerializer, request.data)
            services.cancel_appointment(
                actor=user,
                appointment=appointment,
                reason=data["reason"],
                rest_of_series=data["rest_of_series"],
            )

        return self._change(request, pk, write)


class DiaryViewSet(_SupervisionViewSet):
    """/diary/: the appointments and contacts the caller attends, as the My diary page lists them."""

    serializer_class = DiaryEntrySerializer
    queryset = Contact.objects.none()  # for the schema only: the diary comes from the selector
    filter_backends: list[Any] = []

    @extend_schema(
        operation_id="diary_list",
        tags=TAGS,
        summary="My diary between two dates",
        parameters=[DiaryQuerySerializer],
    )
    def list(self, request: Request) -> Response:
        user = self.request.user
        if not access.works_a_caseload(user):
            # As the diary pages: only team members have appointments with people.
            raise Http404("No such page")
        query = DiaryQuerySerializer(data=request.query_params)
        if not query.is_valid():
            raise QueryValidationError(query.errors)
        start, end = query.validated_data["start"], query.validated_data["end"]
        page = self.paginate_queryset(selectors.my_diary(user, start=start, end=end))
        audit.record(
            actor=user,
            action="diary.viewed",
            detail={"diary": "mine", "view": "api", "from": start.isoformat(), "to": end.isoformat()},
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


router = SimpleRouter()
router.register("contacts", ContactViewSet, basename="contact")
router.register("diary", DiaryViewSet, basename="diary")

urlpatterns = [
    path(
        "nominals/<int:nominal_id>/contacts/",
        NominalContactViewSet.as_view({"get": "list", "post": "create"}),
        name="nominal-contacts-list",
    ),
    path(
        "nominals/<int:nominal_id>/appointments/",
        NominalAppointmentViewSet.as_view({"post": "create"}),
        name="nominal-appointments-list",
    ),
    path(
        "nominals/<int:nominal_id>/appointment-series/",
        NominalAppointmentSeriesViewSet.as_view({"post": "create"}),
        name="nominal-appointment-series-list",
    ),
    *router.urls,
]
