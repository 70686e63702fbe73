from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from iom.core.models import Team

crn_validator = RegexValidator(
    r"^[A-Z][0-9]{6}$", "Enter a CRN as a capital letter followed by six digits, like X123456"
)


class Nominal(models.Model):
    """A person managed by an IOM team. The team is the managing unit: its members share the record."""

    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    crn = models.CharField(
        "CRN",
        max_length=7,
        unique=True,
        null=True,
        blank=True,
        validators=[crn_validator],
        help_text="Case reference number from the probation case management system.",
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="nominals")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        indexes = [models.Index(fields=["team", "family_name", "given_name"], name="nominal_team_name")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class TimelineEvent(models.Model):
    """One entry on a person's timeline, added by the service that made the change.

    A read model: each app's services add their event in the same transaction as the
    write, so the timeline is one indexed query and cohorts never imports the apps that
    feed it. The summary and body are copies taken at write time for that reason.
    """

    class Kind(models.TextChoices):
        CONTACT = "contact", "Contact"
        COHORT = "cohort", "Cohort change"
        ASSESSMENT = "assessment", "Assessment"
        NEED = "need", "Need"
        REFERRAL = "referral", "Referral"

    class Visibility(models.TextChoices):
        PARTNERS = "partners", "Shareable with partners"
        TEAM = "team", "IOM team only"
        POLICE = "police", "Police intelligence"

    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="timeline_events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    occurred_on = models.DateField()
    summary = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.TEAM)
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    source_id = models.PositiveBigIntegerField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_on", "-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["nominal", "-occurred_on", "-recorded_at"], name="timeline_by_nominal"),
            models.Index(fields=["source_type", "source_id"], name="timeline_source"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.summary}"
