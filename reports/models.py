from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from iom.core.models import Region


class ReportRun(models.Model):
    """One request for a governance report, and what became of it."""

    class Kind(models.TextChoices):
        REGIONAL_SUMMARY = "regional_summary", "Regional summary"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Building"
        SUCCEEDED = "succeeded", "Ready"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=40, choices=Kind.choices, default=Kind.REGIONAL_SUMMARY)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="report_runs")
    period_start = models.DateField()
    period_end = models.DateField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="Empty when the schedule asked for it.",
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.TextField(blank=True)
    file = models.FileField(upload_to="reports/", blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="report_period_in_order"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_at_most_100"),
        ]
        indexes = [models.Index(fields=["region", "-requested_at"], name="report_run_by_region")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.region}, {self.period_start:%B %Y}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def download_filename(self) -> str:
        region = "".join(c if c.isalnum() else "-" for c in self.region.name.lower()).strip("-")
        return f"iom-governance-{region}-{self.period_start:%Y-%m}.pdf"
