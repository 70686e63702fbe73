from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from iom.core.models import Team

# Decisions after which the record stays in normal use until its next review.
KEEPING = ("keep", "return_to_use")


class RetentionDecision(models.Model):
    """One retention review of a person who left IOM: keep (until a later review), restrict, return to
    normal use, or erase (docs/decisions/0014-retention-and-erasure.md).

    The person is a plain id, not a foreign key: the decision to erase must outlive the record's
    personal data, and erasure deletes every row that points at the person.
    """

    class Decision(models.TextChoices):
        KEEP = "keep", "Keep until a later review"
        RESTRICT = "restrict", "Restrict: hide from normal use"
        RETURN_TO_USE = "return_to_use", "Return to normal use"
        ERASE = "erase", "Erase personal data"

    # The person, as a plain id (see above).
    nominal_id = models.BigIntegerField(db_index=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="retention_decisions")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reason = models.TextField()
    next_review_on = models.DateField(
        null=True, blank=True, help_text="For a decision to keep: when the record is due for review again."
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["nominal_id", "-decided_at"], name="retention_decision_latest")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="retention_decision_has_reason",
                violation_error_message="Give the reason for the decision",
            ),
            # Keeping the record (or returning it to use) sets when it is due for review again;
            # restricting and erasing do not.
            models.CheckConstraint(
                condition=(Q(decision__in=KEEPING) & Q(next_review_on__isnull=False))
                | (~Q(decision__in=KEEPING) & Q(next_review_on__isnull=True)),
                name="retention_decision_keeping_has_next_review",
                violation_error_message="A decision to keep the record in use sets the next review date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} (person {self.nominal_id})"


def _export_path(export: "SubjectAccessExport", filename: str) -> str:
    return f"subject-access/{export.pk}/{filename}"


class SubjectAccessExport(models.Model):
    """One subject access export of a person: asked for by a manager, built by the worker on the
    reports queue (the PDF of a long-supervised person takes over a minute), stored, downloaded
    (docs/decisions/0016-subject-access-export.md).

    The person is a foreign key, unlike a retention decision's plain id: the stored files are a copy
    of everything held, so erasure must delete them with the rest (it follows foreign keys, files
    included), while the audit trail keeps who asked, who built and who downloaded what, by SHA-256.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        BUILDING = "building", "Building"
        SUCCEEDED = "succeeded", "Ready"
        FAILED = "failed", "Failed"

    nominal = models.ForeignKey(
        "cohorts.Nominal", on_delete=models.CASCADE, related_name="subject_access_exports"
    )
    # The managing team when it was asked for.
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="subject_access_exports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    stage = models.CharField(max_length=120, blank=True, help_text="What the build is doing now.")
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.TextField(blank=True)
    json_file = models.FileField(upload_to=_export_path, blank=True)
    json_size = models.PositiveBigIntegerField(null=True, blank=True)
    json_sha256 = models.CharField(max_length=64, blank=True)
    pdf_file = models.FileField(upload_to=_export_path, blank=True)
    pdf_size = models.PositiveBigIntegerField(null=True, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    counts = models.JSONField(default=dict, blank=True, help_text="Rows exported, by table.")
    rows_to_review = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["nominal", "-requested_at"], name="subject_access_by_person")]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="subject_access_progress_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"Subject access export {self.pk} (person {self.nominal_id})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    def download_filename(self, export_format: str) -> str:
        """Digits and dashes only: nothing from the record reaches the header."""
        day = timezone.localtime(self.finished_at or self.requested_at).date().isoformat()
        return f"subject-access-{self.nominal_id}-{day}.{export_format}"
