from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from cohorts.models import OffenceCategory
from iom.core.models import Region, Team


class ReportRun(models.Model):
    """One request for a governance pack, and what became of it (docs/decisions/0009-governance-packs.md)."""

    class Kind(models.TextChoices):
        REGIONAL_PACK = "regional_pack", "Regional governance pack"
        TEAM_PACK = "team_pack", "Team monthly pack"
        NATIONAL_SUMMARY = "national_summary", "National summary"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Building"
        SUCCEEDED = "succeeded", "Ready"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=40, choices=Kind.choices, default=Kind.REGIONAL_PACK)
    # The scope: a region's pack names the region; a team's pack the team and (for scoping) its
    # region; the national summary neither.
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="report_runs", null=True, blank=True
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="report_runs", null=True, blank=True
    )
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
    progress_note = models.CharField(max_length=120, blank=True, help_text="What the build is doing now.")
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.TextField(blank=True)
    file = models.FileField(upload_to="reports/", blank=True)  # the PDF
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    csv_file = models.FileField(upload_to="reports/", blank=True)  # the CSV bundle, a zip
    csv_size = models.PositiveBigIntegerField(null=True, blank=True)
    csv_sha256 = models.CharField(max_length=64, blank=True)
    duration_ms = models.PositiveIntegerField(
        null=True, blank=True, help_text="How long the attempt that succeeded took to build both files."
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="report_period_in_order"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_at_most_100"),
            models.CheckConstraint(
                condition=Q(kind="regional_pack", region__isnull=False, team__isnull=True)
                | Q(kind="team_pack", region__isnull=False, team__isnull=False)
                | Q(kind="national_summary", region__isnull=True, team__isnull=True),
                name="report_scope_fits_kind",
                violation_error_message=(
                    "A regional pack names its region, a team pack its team and region, "
                    "and the national summary neither"
                ),
            ),
            # The schedule asks once per region and month, however often beat fires.
            models.UniqueConstraint(
                fields=["kind", "region", "period_start"],
                condition=Q(requested_by__isnull=True, kind="regional_pack"),
                name="one_scheduled_pack_per_region_month",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "-requested_at"], name="report_run_by_region"),
            models.Index(fields=["team", "-requested_at"], name="report_run_by_team"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.scope_name}, {self.period_start:%B %Y}"

    @property
    def scope_name(self) -> str:
        if self.team_id is not None:
            return str(self.team)
        if self.region_id is not None:
            return str(self.region)
        return "England and Wales"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    def _file_stem(self) -> str:
        scope = "".join(c if c.isalnum() else "-" for c in self.scope_name.lower()).strip("-")
        return f"iom-{self.kind.replace('_', '-')}-{scope}-{self.period_start:%Y-%m}"

    @property
    def download_filename(self) -> str:
        return f"{self._file_stem()}.pdf"

    @property
    def csv_download_filename(self) -> str:
        return f"{self._file_stem()}-tables.zip"


class CrimeUnitCost(models.Model):
    """The estimated cost to society of one offence in a category: what a proven offence avoided is
    worth in the reoffending section. Administrators keep it; seeded from the Home Office's
    *The economic and social costs of crime*, second edition (Research Report 99, 2018)."""

    category = models.OneToOneField(OffenceCategory, on_delete=models.PROTECT, related_name="unit_cost")
    cost = models.DecimalField(max_digits=12, decimal_places=2, help_text="Pounds per offence.")
    cost_category = models.CharField(
        max_length=120, help_text="The source's own category the cost is taken from, e.g. Domestic burglary."
    )
    source = models.CharField(max_length=300)
    price_year = models.CharField(max_length=9, help_text="The prices the cost is in, e.g. 2015/16.")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["category__name"]

    def __str__(self) -> str:
        return f"{self.category}: £{self.cost:,.0f} ({self.price_year} prices)"


class AreaBaseline(models.Model):
    """The make-up of a team's area's population, to set who is on IOM beside it (net-widening and
    disproportionality). Administrators keep it, from the census or a local source."""

    class Dimension(models.TextChoices):
        ETHNICITY = "ethnicity", "Ethnicity"
        AGE_BAND = "age_band", "Age band"
        GENDER = "gender", "Gender"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="area_baselines")
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    category = models.CharField(max_length=40, help_text="An ethnicity or gender value, or an age band.")
    share = models.DecimalField(max_digits=5, decimal_places=2, help_text="Percent of the area's population.")
    source = models.CharField(max_length=300)
    year = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["team", "dimension", "category"]
        constraints = [
            models.UniqueConstraint(fields=["team", "dimension", "category"], name="one_baseline_share_each"),
            models.CheckConstraint(
                condition=Q(share__gte=0, share__lte=100), name="baseline_share_is_a_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.get_dimension_display()} {self.category} {self.share}%"
