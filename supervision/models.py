"""Appointments and contacts, contact standards and enforcement.

One table holds both: an appointment is a contact that has not yet been given an outcome.
Planned appointments become contacts when the worker records what happened, so a diary,
the weekly compliance figure and the timeline all read the same rows.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from cohorts.models import Nominal, TimelineEvent
from iom.core.models import Organisation

NOTE_MAX_LENGTH = 5000
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class Kind(models.TextChoices):
    OFFICE = "office", "Office appointment"
    HOME_VISIT = "home_visit", "Home visit"
    CUSTODY_VISIT = "custody_visit", "Custody visit before release"
    JOINT_VISIT = "joint_visit", "Joint visit"
    PHONE = "phone", "Phone call"
    VIDEO = "video", "Video call"
    DRUG_TEST = "drug_test", "Drug test"
    OTHER = "other", "Other"


class Purpose(models.TextChoices):
    PRACTICAL_SUPPORT = "practical_support", "Practical support"
    RELATIONAL_SUPPORT = "relational_support", "Relational support"
    MONITORING = "monitoring", "Monitoring and compliance"
    INTERVENTION = "intervention", "Intervention"
    ENFORCEMENT = "enforcement", "Enforcement"


# The balance of care and control (DESIGN §1): which purposes are support and which control.
SUPPORT_PURPOSES = frozenset({Purpose.PRACTICAL_SUPPORT, Purpose.RELATIONAL_SUPPORT, Purpose.INTERVENTION})
CONTROL_PURPOSES = frozenset({Purpose.MONITORING, Purpose.ENFORCEMENT})


class Outcome(models.TextChoices):
    ATTENDED_COMPLIED = "attended_complied", "Attended and complied"
    ATTENDED_FAILED = "attended_failed", "Attended and failed to comply"
    ACCEPTABLE_ABSENCE = "acceptable_absence", "Acceptable absence"
    UNACCEPTABLE_ABSENCE = "unacceptable_absence", "Unacceptable absence"
    RESCHEDULED = "rescheduled", "Rescheduled"
    CANCELLED_BY_SERVICE = "cancelled_by_service", "Cancelled by the service"


# A contact counts towards the weekly standard when it took place with the person
# (docs/decisions/0007-contact-standards.md).
COUNTS_TOWARDS_STANDARD = frozenset({Outcome.ATTENDED_COMPLIED, Outcome.ATTENDED_FAILED})

# The sensitivity of a note uses the timeline's vocabulary, so the same words mean the same reach.
Sensitivity = TimelineEvent.Visibility


class AppointmentSeries(models.Model):
    """A schedule of appointments (the Fixed cohort's three a week, say) that created a series."""

    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="appointment_series")
    kind = models.CharField("Type of appointment", max_length=30, choices=Kind.choices)
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    location = models.CharField(max_length=200, blank=True)
    weekdays = models.CharField(max_length=7, help_text="Days of the week, 0 for Monday to 6 for Sunday.")
    time = models.TimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "appointment series"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.weekday_names()} from {self.starts_on}"

    def weekday_numbers(self) -> list[int]:
        return [int(day) for day in self.weekdays]

    def weekday_names(self) -> str:
        return ", ".join(WEEKDAYS[day] for day in self.weekday_numbers())


class Contact(models.Model):
    """An appointment with the person, planned or held. It is a contact once it has an outcome."""

    Kind = Kind
    Purpose = Purpose
    Outcome = Outcome

    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="contacts")
    series = models.ForeignKey(
        AppointmentSeries, on_delete=models.PROTECT, related_name="appointments", null=True, blank=True
    )
    date = models.DateField()
    time = models.TimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=30)
    kind = models.CharField("Type of contact", max_length=30, choices=Kind.choices)
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    location = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    notes = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    sensitivity = models.CharField(
        "Who may read the note", max_length=20, choices=Sensitivity.choices, default=Sensitivity.TEAM
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ContactAttendee", related_name="attended_contacts"
    )
    # The form's one-time key: a second submission of the same form finds the first contact.
    submission_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    logged_at = models.DateTimeField(default=timezone.now)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    # When the row last changed (a move, a cancellation, an outcome): the API's ETag, so a client
    # holding an older copy cannot overwrite a newer change. Services set it on every write.
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-time", "-logged_at"]
        indexes = [
            models.Index(fields=["nominal", "-date"], name="contact_by_nominal"),
            models.Index(fields=["date", "time"], name="contact_by_date"),
            # Small partial indexes for the two questions asked of every diary and dashboard:
            # what is still waiting for an outcome, and who has been absent (docs/benchmarks.md).
            models.Index(
                fields=["date", "time"], condition=models.Q(outcome=""), name="contact_planned_by_date"
            ),
            models.Index(
                fields=["nominal", "date"],
                condition=models.Q(outcome="unacceptable_absence"),
                name="absence_by_nominal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.date}"

    @property
    def starts(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.date, self.time))

    @property
    def ends(self) -> dt.datetime:
        return self.starts + dt.timedelta(minutes=self.duration_minutes)

    @property
    def is_planned(self) -> bool:
        return not self.outcome

    def is_due_an_outcome(self, now: dt.datetime | None = None) -> bool:
        return self.is_planned and self.starts <= (now or timezone.now())

    def summary(self) -> str:
        if self.is_planned:
            return f"{self.get_kind_display()}: planned"
        return f"{self.get_kind_display()}: {self.get_outcome_display().lower()}"


class ContactAttendee(models.Model):
    """A member of staff at a contact, with the agency they attended for at the time."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attendance")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact", "user"], name="one_attendance_per_user")]
        indexes = [models.Index(fields=["user", "contact"], name="attendance_by_user")]

    def __str__(self) -> str:
        return f"{self.user} at {self.contact}"


class ContactStandard(models.Model):
    """A contact standard set for one person by their case team, with the reason.

    Flex and Free have no default, so their standard is set here; a Fixed person's
    default may be changed here too. The latest set on or after the start of the
    person's current cohort membership applies (selectors.standard_in_force)."""

    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="contact_standards")
    contacts_per_week = models.PositiveSmallIntegerField()
    reason = models.TextField()
    set_on = models.DateField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-set_on", "-recorded_at", "-id"]
        indexes = [models.Index(fields=["nominal", "-set_on"], name="standard_by_nominal")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contacts_per_week__lte=21), name="standard_at_most_21_a_week"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contacts_per_week} a week from {self.set_on}"


class EnforcementAction(models.Model):
    """What the case team decided after unacceptable absences. The service never decides."""

    class Kind(models.TextChoices):
        FIRST_WARNING = "first_warning", "First warning"
        FINAL_WARNING = "final_warning", "Final warning"
        BREACH_REFERRAL = "breach_referral", "Breach referral"
        RECALL_REFERRAL = "recall_referral", "Recall referral"
        NO_FURTHER_ACTION = "no_further_action", "Considered: no further action"

    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="enforcement_actions")
    kind = models.CharField("Action", max_length=30, choices=Kind.choices)
    reason = models.TextField()
    decided_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_on", "-recorded_at", "-id"]
        indexes = [models.Index(fields=["nominal", "-decided_on"], name="enforcement_by_nominal")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.decided_on}"
