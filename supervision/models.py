from django.conf import settings
from django.db import models
from django.utils import timezone

from cohorts.models import Nominal

NOTE_MAX_LENGTH = 5000


class Contact(models.Model):
    """A contact with the person that has happened, as a worker recorded it."""

    class Kind(models.TextChoices):
        OFFICE = "office", "Office appointment"
        HOME_VISIT = "home_visit", "Home visit"
        CUSTODY_VISIT = "custody_visit", "Custody visit before release"
        JOINT_VISIT = "joint_visit", "Joint visit"
        PHONE = "phone", "Phone call"
        VIDEO = "video", "Video call"
        DRUG_TEST = "drug_test", "Drug test"
        OTHER = "other", "Other"

    class Outcome(models.TextChoices):
        ATTENDED_COMPLIED = "attended_complied", "Attended and complied"
        ATTENDED_FAILED = "attended_failed", "Attended and failed to comply"
        ACCEPTABLE_ABSENCE = "acceptable_absence", "Acceptable absence"
        UNACCEPTABLE_ABSENCE = "unacceptable_absence", "Unacceptable absence"
        RESCHEDULED = "rescheduled", "Rescheduled"
        CANCELLED_BY_SERVICE = "cancelled_by_service", "Cancelled by the service"

    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="contacts")
    happened_on = models.DateField("Date of contact")
    kind = models.CharField("Type of contact", max_length=30, choices=Kind.choices)
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    notes = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    logged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-happened_on", "-logged_at"]
        indexes = [models.Index(fields=["nominal", "-happened_on"], name="contact_by_nominal")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.happened_on}"

    def summary(self) -> str:
        return f"{self.get_kind_display()}: {self.get_outcome_display().lower()}"
