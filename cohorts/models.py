from datetime import date, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst

from cohorts import identifiers
from iom.core.models import Team

# People due out of custody within this many weeks are flagged for pre-release engagement.
PRE_RELEASE_WEEKS = 8


class Gender(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    NON_BINARY = "non_binary", "Non-binary"
    OTHER = "other", "Another gender"
    NOT_SAID = "not_said", "Prefers not to say"


class Ethnicity(models.TextChoices):
    """ONS 2021 census categories for England and Wales, and "prefers not to say"."""

    ASIAN_BANGLADESHI = "asian_bangladeshi", "Asian or Asian British: Bangladeshi"
    ASIAN_CHINESE = "asian_chinese", "Asian or Asian British: Chinese"
    ASIAN_INDIAN = "asian_indian", "Asian or Asian British: Indian"
    ASIAN_PAKISTANI = "asian_pakistani", "Asian or Asian British: Pakistani"
    ASIAN_OTHER = "asian_other", "Asian or Asian British: any other Asian background"
    BLACK_AFRICAN = "black_african", "Black, Black British, Caribbean or African: African"
    BLACK_CARIBBEAN = "black_caribbean", "Black, Black British, Caribbean or African: Caribbean"
    BLACK_OTHER = "black_other", "Black, Black British, Caribbean or African: any other Black background"
    MIXED_WHITE_ASIAN = "mixed_white_asian", "Mixed or multiple ethnic groups: White and Asian"
    MIXED_WHITE_BLACK_AFRICAN = (
        "mixed_white_black_african",
        "Mixed or multiple ethnic groups: White and Black African",
    )
    MIXED_WHITE_BLACK_CARIBBEAN = (
        "mixed_white_black_caribbean",
        "Mixed or multiple ethnic groups: White and Black Caribbean",
    )
    MIXED_OTHER = "mixed_other", "Mixed or multiple ethnic groups: any other mixed background"
    WHITE_BRITISH = "white_british", "White: English, Welsh, Scottish, Northern Irish or British"
    WHITE_IRISH = "white_irish", "White: Irish"
    WHITE_GYPSY_TRAVELLER = "white_gypsy_traveller", "White: Gypsy or Irish Traveller"
    WHITE_ROMA = "white_roma", "White: Roma"
    WHITE_OTHER = "white_other", "White: any other White background"
    OTHER_ARAB = "other_arab", "Other ethnic group: Arab"
    OTHER_ANY = "other_any", "Other ethnic group: any other ethnic group"
    NOT_SAID = "not_said", "Prefers not to say"


class StatutoryStatus(models.TextChoices):
    LICENCE = "licence", "On licence"
    COMMUNITY_ORDER = "community_order", "Community order"
    POST_SENTENCE_SUPERVISION = "pss", "Post-sentence supervision"
    NONE = "none", "None (voluntary)"


class RetentionStatus(models.TextChoices):
    RESTRICTED = "restricted", "Restricted after retention review"
    ERASED = "erased", "Erased"


class Nominal(models.Model):
    """A person managed by an IOM team. The team is the managing unit: its members share the record.

    Facts about the person live here; assessments (risk, scores) are dated rows of their own.
    `version` rises with every edit, so two people editing at once cannot overwrite each other.
    """

    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=20, choices=Gender.choices, blank=True)
    ethnicity = models.CharField(max_length=40, choices=Ethnicity.choices, blank=True)
    address_area = models.CharField(
        max_length=100, blank=True, help_text="Neighbourhood or postcode district, not a full address."
    )
    crn = models.CharField(
        "CRN",
        max_length=7,
        unique=True,
        null=True,
        blank=True,
        validators=[identifiers.validate_crn],
        help_text="Case reference number from the probation case management system.",
    )
    pnc_id = models.CharField(
        "PNC ID", max_length=13, unique=True, null=True, blank=True, validators=[identifiers.validate_pnc_id]
    )
    nomis_number = models.CharField(
        "NOMIS number",
        max_length=7,
        unique=True,
        null=True,
        blank=True,
        validators=[identifiers.validate_nomis_number],
    )
    cro_number = models.CharField(
        "CRO number",
        max_length=10,
        unique=True,
        null=True,
        blank=True,
        validators=[identifiers.validate_cro_number],
    )
    statutory_status = models.CharField(
        max_length=20, choices=StatutoryStatus.choices, default=StatutoryStatus.NONE
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="nominals")
    # A restricted case (a member of staff, a high-profile person, a victim's safety): only the named
    # users on its allow-list open it (core's CaseAccessGrant); everyone else gets 404, logged.
    access_restricted = models.BooleanField(default=False)
    # Retention review (DPA 2018 Part 3): restricted records are hidden from all normal use; erased
    # ones keep only this row without personal data, so the audit trail's ids still resolve.
    retention_status = models.CharField(
        max_length=20, choices=RetentionStatus.choices, blank=True, default=""
    )

    # Custody and key dates (facts, from the sentence calculation).
    in_custody = models.BooleanField(default=False)
    establishment = models.CharField(max_length=100, blank=True)
    sentence_date = models.DateField(null=True, blank=True)
    conditional_release_date = models.DateField(null=True, blank=True)
    hdc_eligibility_date = models.DateField("HDC eligibility date", null=True, blank=True)
    licence_expiry_date = models.DateField(null=True, blank=True)
    sentence_expiry_date = models.DateField(null=True, blank=True)

    # The case team now; Allocation rows keep the history.
    police_offender_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    probation_practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    support_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        indexes = [
            models.Index(fields=["team", "family_name", "given_name"], name="nominal_team_name"),
            models.Index(fields=["team", "conditional_release_date"], name="nominal_team_release"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(in_custody=True) | Q(establishment=""),
                name="nominal_establishment_only_in_custody",
                violation_error_message="An establishment is recorded only while the person is in custody",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def release_date(self) -> date | None:
        return self.conditional_release_date if self.in_custody else None

    def due_out_within(self, today: date, weeks: int = PRE_RELEASE_WEEKS) -> bool:
        release = self.release_date
        return release is not None and today <= release <= today + timedelta(weeks=weeks)


class Alias(models.Model):
    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["nominal", "name"], name="alias_once_per_nominal")]

    def __str__(self) -> str:
        return self.name


class NominalChange(models.Model):
    """One field changed on a person's record: who, when, from what, to what."""

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField(help_text="The record's version after this change.")
    field = models.CharField(max_length=60)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["nominal", "-version"], name="nominal_change_by_version")]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value!r} -> {self.new_value!r}"

    @property
    def field_label(self) -> str:
        field = Nominal._meta.get_field(self.field)
        label = field.verbose_name if isinstance(field, models.Field) else self.field
        return capfirst(str(label))


class Allocation(models.Model):
    """A worker's time on a person's case team, in one of the three case-team roles."""

    class Role(models.TextChoices):
        POLICE_OFFENDER_MANAGER = "police_offender_manager", "Police offender manager"
        PROBATION_PRACTITIONER = "probation_practitioner", "Probation practitioner"
        SUPPORT_WORKER = "support_worker", "Support worker"

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="allocations")
    role = models.CharField(max_length=40, choices=Role.choices)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="allocations")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    allocated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["nominal", "role"],
                condition=Q(ended_on__isnull=True),
                name="allocation_one_open_per_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.worker}"


class Cohort(models.TextChoices):
    FIXED = "fixed", "Fixed"
    FLEX = "flex", "Flex"
    FREE = "free", "Free"


class CohortSetting(models.Model):
    """Per-cohort settings that administrators may change."""

    cohort = models.CharField(max_length=10, choices=Cohort.choices, unique=True)
    review_interval_months = models.PositiveSmallIntegerField(default=3)
    contacts_per_week = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The contact standard. Leave blank where the case team sets it per person (Flex and Free).",
    )
    absence_window_days = models.PositiveSmallIntegerField(
        default=365, help_text="Unacceptable absences are counted over this many days."
    )
    absence_threshold = models.PositiveSmallIntegerField(
        default=2, help_text="The case team is prompted to consider enforcement at this many absences."
    )

    class Meta:
        ordering = ["cohort"]

    def __str__(self) -> str:
        return f"{self.get_cohort_display()}: review every {self.review_interval_months} months"


class CohortMembership(models.Model):
    """A person's time on one cohort, from proposal through panel, reviews and exit.

    Closed, never deleted: the governance pack compares offending before and after entry,
    so past membership dates are evidence. The database allows one open membership per
    person (proposed or active) at a time.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed, awaiting panel"
        ACTIVE = "active", "On the cohort"
        NOT_ACCEPTED = "not_accepted", "Not accepted by panel"
        ENDED = "ended", "Left the cohort"

    class ExitReason(models.TextChoices):
        RISK_REDUCED = "risk_reduced", "Risk reduced"
        COMPLETED = "completed", "Completed supervision"
        LONG_CUSTODY = "long_custody", "Long custodial sentence"
        MOVED_AREA = "moved_area", "Moved out of the area"
        DIED = "died", "Died"
        MOVED_COHORT = "moved_cohort", "Moved to another cohort"
        OTHER = "other", "Other"

    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="cohort_memberships")
    cohort = models.CharField(max_length=10, choices=Cohort.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_on = models.DateField()
    proposal_reason = models.TextField()
    panel_date = models.DateField(null=True, blank=True)
    panel_attendees = models.TextField(blank=True)
    panel_rationale = models.TextField(blank=True)
    panel_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    entry_date = models.DateField(null=True, blank=True)
    review_due = models.DateField(null=True, blank=True)
    exit_date = models.DateField(null=True, blank=True)
    exit_reason = models.CharField(max_length=20, choices=ExitReason.choices, blank=True)
    exit_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-proposed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["nominal"],
                condition=Q(status__in=["proposed", "active"]),
                name="cohort_membership_one_open_per_nominal",
                violation_error_message="This person already has an open cohort membership",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(entry_date__isnull=False, review_due__isnull=False),
                name="cohort_membership_active_has_dates",
            ),
            models.CheckConstraint(
                condition=~Q(status="ended") | (Q(exit_date__isnull=False) & ~Q(exit_reason="")),
                name="cohort_membership_ended_has_exit",
            ),
        ]
        indexes = [models.Index(fields=["status", "review_due"], name="cohort_membership_review")]

    def __str__(self) -> str:
        return f"{self.get_cohort_display()} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PROPOSED, self.Status.ACTIVE)


class CohortReview(models.Model):
    class Outcome(models.TextChoices):
        CONTINUE = "continue", "Continue on this cohort"
        MOVE = "move", "Move to another cohort"
        EXIT = "exit", "Leave IOM"

    membership = models.ForeignKey(CohortMembership, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    rationale = models.TextField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.reviewed_on}: {self.get_outcome_display()}"


class Assessment(models.Model):
    """A dated, attributed judgement about the person: kept apart from facts, never overwritten."""

    class Kind(models.TextChoices):
        ROSH = "rosh", "Risk of serious harm (RoSH)"
        OGRS = "ogrs", "OGRS score"
        OGP = "ogp", "OGP score"
        MAPPA = "mappa", "MAPPA category and level"
        NEIGHBOURHOOD_CRIME = "neighbourhood_crime", "Neighbourhood crime risk"
        TIER = "tier", "Tier"

    # Levels each kind takes; scores (OGRS, OGP) are percentages instead.
    LEVELS = {
        Kind.ROSH: ["low", "medium", "high", "very_high"],
        Kind.NEIGHBOURHOOD_CRIME: ["low", "medium", "high", "very_high"],
        Kind.TIER: ["A", "B", "C", "D"],
        Kind.MAPPA: [f"C{category} L{level}" for category in (1, 2, 3, 4) for level in (1, 2, 3)],
    }

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    level = models.CharField(max_length=20, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Percent, for OGRS and OGP.")
    assessed_on = models.DateField()
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_on", "-recorded_at", "-id"]
        indexes = [models.Index(fields=["nominal", "kind", "-assessed_on"], name="assessment_latest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=100), name="assessment_score_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.display_value}"

    @property
    def display_value(self) -> str:
        if self.score is not None:
            return f"{self.score}%"
        return self.level.replace("_", " ").capitalize() if self.kind != self.Kind.MAPPA else self.level


class OffenceCategory(models.Model):
    """Reference list of offence categories; administrators keep it."""

    name = models.CharField(max_length=100, unique=True)
    is_neighbourhood_crime = models.BooleanField(
        default=False, help_text="Burglary, robbery, theft and vehicle crime: the 2021 Refresh's focus."
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "offence categories"

    def __str__(self) -> str:
        return self.name


class Offence(models.Model):
    """A fact: a proven offence or an arrest, used for reoffending before and after entry."""

    class Kind(models.TextChoices):
        PROVEN = "proven", "Proven offence"
        ARREST = "arrest", "Arrest"

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="offences")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    category = models.ForeignKey(OffenceCategory, on_delete=models.PROTECT, related_name="offences")
    occurred_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["nominal", "occurred_on"], name="offence_by_nominal")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.category} on {self.occurred_on}"


class Pathway(models.TextChoices):
    """The seven reducing-reoffending pathways."""

    ACCOMMODATION = "accommodation", "Accommodation"
    EDUCATION_EMPLOYMENT = "ete", "Education, training and employment"
    HEALTH = "health", "Health, including mental health"
    DRUGS_ALCOHOL = "drugs_alcohol", "Drugs and alcohol"
    FINANCE = "finance", "Finance, benefit and debt"
    FAMILIES = "families", "Children and families"
    ATTITUDES = "attitudes", "Attitudes, thinking and behaviour"


class NeedStatus(models.TextChoices):
    NO_NEED = "no_need", "No need"
    IDENTIFIED = "identified", "Need identified"
    BEING_ADDRESSED = "being_addressed", "Being addressed"
    MET = "met", "Met"
    UNMET = "unmet", "Unmet"


class UnmetReason(models.TextChoices):
    NO_SERVICE = "no_service", "No service available"
    WAITING_LIST = "waiting_list", "On a waiting list"
    INELIGIBLE = "ineligible", "Not eligible for the service"
    DECLINED = "declined", "Declined by the person"


class Need(models.Model):
    """A person's need on one pathway now; NeedUpdate rows keep every dated change."""

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="needs")
    pathway = models.CharField(max_length=20, choices=Pathway.choices)
    status = models.CharField(max_length=20, choices=NeedStatus.choices)
    unmet_reason = models.CharField(max_length=20, choices=UnmetReason.choices, blank=True)
    updated_on = models.DateField()

    class Meta:
        ordering = ["pathway"]
        constraints = [
            models.UniqueConstraint(fields=["nominal", "pathway"], name="need_once_per_pathway"),
            models.CheckConstraint(
                condition=(Q(status="unmet") & ~Q(unmet_reason=""))
                | (~Q(status="unmet") & Q(unmet_reason="")),
                name="need_unmet_has_reason",
                violation_error_message="An unmet need records why it is unmet, and only an unmet need does",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_pathway_display()}: {self.get_status_display()}"


class NeedUpdate(models.Model):
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=20, choices=NeedStatus.choices)
    unmet_reason = models.CharField(max_length=20, choices=UnmetReason.choices, blank=True)
    note = models.TextField(blank=True)
    updated_on = models.DateField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_on", "-id"]

    def __str__(self) -> str:
        return f"{self.updated_on}: {self.get_status_display()}"


class Goal(models.Model):
    """A goal in the person's own words."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Working on it"
        ACHIEVED = "achieved", "Achieved"
        DROPPED = "dropped", "No longer a goal"

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="goals")
    in_their_words = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    set_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-set_on", "-id"]

    def __str__(self) -> str:
        return self.in_their_words[:60]


class FeedbackTheme(models.TextChoices):
    """What feedback is about, from a fixed list, so the governance pack can count it without
    quoting anyone's words (which could identify them)."""

    WORKER = "worker", "Relationship with their worker"
    LISTENED_TO = "listened_to", "Being listened to"
    HOUSING = "housing", "Housing"
    MONEY = "money", "Money and benefits"
    WORK = "work", "Work and training"
    HEALTH = "health", "Health and mental health"
    DRUGS_ALCOHOL = "drugs_alcohol", "Drugs and alcohol"
    FAMILY = "family", "Family"
    DEMANDS = "demands", "Too many appointments or conditions"
    TRAVEL = "travel", "Travel to appointments"


class Feedback(models.Model):
    """What the person says helps and does not help, recorded with them.

    Each side may carry themes from `FeedbackTheme`, ticked by the worker: what helps and what
    does not are themed apart, so the pack can say "housing helps" as well as "housing was raised".
    """

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="feedback")
    given_on = models.DateField()
    what_helps = models.TextField(blank=True)
    what_does_not_help = models.TextField(blank=True)
    helps_themes = models.JSONField(default=list, blank=True, help_text="FeedbackTheme values.")
    does_not_help_themes = models.JSONField(default=list, blank=True, help_text="FeedbackTheme values.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-given_on", "-id"]
        verbose_name_plural = "feedback"
        constraints = [
            models.CheckConstraint(
                condition=~Q(what_helps="") | ~Q(what_does_not_help=""), name="feedback_says_something"
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback on {self.given_on}"


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
        RECORD = "record", "Record change"
        OFFENCE = "offence", "Offence or arrest"
        TEAM = "team", "Case team"
        VOICE = "voice", "In their words"
        ENFORCEMENT = "enforcement", "Enforcement"

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
