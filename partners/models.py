"""Partner services and referrals to them.

A partner organisation is a core `Organisation` (its staff sign in with the partner role); the
directory lists what it offers as services. A referral is a disclosure to one organisation: its
lifecycle, the partner's progress updates and session attendance are all `ReferralEvent` rows,
kept in order and never overwritten (docs/decisions/0008-referrals.md).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cohorts.models import Nominal, Pathway
from iom.core.models import Organisation, Region

REFERRAL_TEXT_MAX_LENGTH = 5000
# The organisations a partner service can belong to: not the statutory agencies that staff IOM.
PARTNER_KINDS = frozenset(
    {
        Organisation.Kind.LOCAL_AUTHORITY,
        Organisation.Kind.HEALTH,
        Organisation.Kind.VOLUNTARY_COMMUNITY,
    }
)


class Capacity(models.TextChoices):
    OPEN = "open", "Taking referrals"
    LIMITED = "limited", "Limited capacity"
    WAITING_LIST = "waiting_list", "Waiting list"
    CLOSED = "closed", "Not taking referrals"


class PartnerService(models.Model):
    """One service a partner organisation offers, as the directory shows it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="partner_services")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="partner_services",
        null=True,
        blank=True,
        help_text="Empty for a service that takes referrals from every region.",
    )
    area_covered = models.CharField(max_length=200, help_text="Where the service works, in words.")
    eligibility = models.TextField(help_text="Who the service is for.")
    how_to_refer = models.TextField(blank=True)
    typical_wait_days = models.PositiveSmallIntegerField(
        "Typical waiting time (days)", null=True, blank=True, validators=[MaxValueValidator(730)]
    )
    capacity = models.CharField(max_length=20, choices=Capacity.choices, default=Capacity.OPEN)
    response_working_days = models.PositiveSmallIntegerField(
        "Working days to accept or decline",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    referral_email = models.EmailField(
        blank=True, help_text="Where new referrals are announced; empty sends to the organisation's staff."
    )
    is_active = models.BooleanField(default=True, help_text="Listed in the directory and open to referrals.")
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="partner_service_name_unique"),
            models.CheckConstraint(
                condition=Q(response_working_days__gte=1) & Q(response_working_days__lte=30),
                name="partner_service_response_days_range",
                violation_error_message="Partners answer within 1 to 30 working days",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    def takes_referrals(self) -> bool:
        return self.is_active and self.capacity != Capacity.CLOSED


class ServicePathway(models.Model):
    service = models.ForeignKey(PartnerService, on_delete=models.CASCADE, related_name="pathways")
    pathway = models.CharField(max_length=20, choices=Pathway.choices)

    class Meta:
        ordering = ["pathway"]
        constraints = [
            models.UniqueConstraint(fields=["service", "pathway"], name="service_pathway_once"),
        ]
        indexes = [models.Index(fields=["pathway", "service"], name="service_by_pathway")]

    def __str__(self) -> str:
        return self.get_pathway_display()


class Referral(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Outcome(models.TextChoices):
        ACHIEVED = "achieved", "Achieved"
        PARTIALLY_ACHIEVED = "partially_achieved", "Partially achieved"
        NOT_ACHIEVED = "not_achieved", "Not achieved"

    class LawfulBasis(models.TextChoices):
        CONSENT = "consent", "The person consented"
        LAW_ENFORCEMENT = "law_enforcement", "Law enforcement purposes (Data Protection Act 2018, Part 3)"
        PUBLIC_TASK = "public_task", "Public task (UK GDPR Article 6(1)(e))"
        LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (UK GDPR Article 6(1)(c))"
        VITAL_INTERESTS = "vital_interests", "Vital interests (UK GDPR Article 6(1)(d))"

    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="referrals")
    service = models.ForeignKey(PartnerService, on_delete=models.PROTECT, related_name="referrals")
    # The recipient of the disclosure, copied from the service so the record says who received it
    # even if the service later moves to another organisation.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_received"
    )
    pathway = models.CharField(max_length=20, choices=Pathway.choices)
    reason = models.TextField(help_text="Why the person is referred and what they need.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    lawful_basis = models.CharField(max_length=20, choices=LawfulBasis.choices, blank=True)
    consent_given_on = models.DateField(null=True, blank=True)
    sharing_agreement = models.CharField("Information sharing agreement", max_length=200, blank=True)
    # The keys of partners.disclosure.SHAREABLE_FIELDS the partner may see.
    shared_fields = models.JSONField(default=list)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    response_due = models.DateField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    partner_notified_at = models.DateTimeField(null=True, blank=True)
    # The referral form's one-time key: the same form submitted twice makes (and discloses) one referral.
    submission_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status"], name="referral_by_recipient"),
            models.Index(fields=["nominal", "-created_at"], name="referral_by_nominal"),
            models.Index(
                fields=["response_due"], name="referral_awaiting_response", condition=Q(status="sent")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status="completed", outcome__in=["achieved", "partially_achieved", "not_achieved"]
                )
                | (~Q(status="completed") & Q(outcome="")),
                name="referral_outcome_when_completed",
                violation_error_message="A completed referral records its outcome, and only a completed one",
            ),
            models.CheckConstraint(
                # A draft may be unfinished; anything sent rests on a lawful basis.
                condition=Q(status__in=["draft", "withdrawn"], sent_at__isnull=True)
                | Q(lawful_basis="consent", consent_given_on__isnull=False)
                | (~Q(lawful_basis__in=["", "consent"]) & ~Q(sharing_agreement="")),
                name="referral_sent_with_lawful_basis",
                violation_error_message=(
                    "A referral is sent only with the person's consent and its date, "
                    "or another lawful basis and the information sharing agreement it rests on"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.reference} to {self.service.name}"

    def may_be_withdrawn(self) -> bool:
        return Referral.Status.WITHDRAWN in TRANSITIONS[self.status]

    @property
    def reference(self) -> str:
        return f"R-{self.pk:06d}" if self.pk else "R-new"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


# Where a referral may go next; anything else is refused with a message (services.py).
TRANSITIONS: dict[str, frozenset[str]] = {
    Referral.Status.DRAFT: frozenset({Referral.Status.SENT, Referral.Status.WITHDRAWN}),
    Referral.Status.SENT: frozenset(
        {Referral.Status.ACCEPTED, Referral.Status.DECLINED, Referral.Status.WITHDRAWN}
    ),
    Referral.Status.ACCEPTED: frozenset(
        {Referral.Status.IN_PROGRESS, Referral.Status.COMPLETED, Referral.Status.WITHDRAWN}
    ),
    Referral.Status.IN_PROGRESS: frozenset({Referral.Status.COMPLETED, Referral.Status.WITHDRAWN}),
    Referral.Status.DECLINED: frozenset(),
    Referral.Status.COMPLETED: frozenset(),
    Referral.Status.WITHDRAWN: frozenset(),
}
# Sent and not yet closed: the partner has it.
OPEN_STATUSES = frozenset({Referral.Status.SENT, Referral.Status.ACCEPTED, Referral.Status.IN_PROGRESS})
# Accepted and not yet closed: the partner works with the person and may see them.
WORKING_STATUSES = frozenset({Referral.Status.ACCEPTED, Referral.Status.IN_PROGRESS})
CLOSED_STATUSES = frozenset({Referral.Status.DECLINED, Referral.Status.COMPLETED, Referral.Status.WITHDRAWN})


class ReferralEvent(models.Model):
    """Something that happened to a referral: a change of status, a progress update or a session."""

    class Kind(models.TextChoices):
        STATUS = "status", "Status change"
        PROGRESS = "progress", "Progress update"
        SESSION = "session", "Session"

    class Attendance(models.TextChoices):
        ATTENDED = "attended", "Attended"
        DID_NOT_ATTEND = "did_not_attend", "Did not attend"
        CANCELLED = "cancelled", "Cancelled by the partner"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    from_status = models.CharField(max_length=20, choices=Referral.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Referral.Status.choices, blank=True)
    occurred_on = models.DateField(default=timezone.localdate)
    attendance = models.CharField(max_length=20, choices=Attendance.choices, blank=True)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The agency the actor acted for: the referrer's team side or the partner.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    by_partner = models.BooleanField(default=False)
    recorded_at = models.DateTimeField(default=timezone.now)
    case_worker_notified_at = models.DateTimeField(null=True, blank=True)
    # Set when the partner has been told of this event: only a withdrawal of a sent referral is news to them.
    partner_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        indexes = [
            models.Index(fields=["referral", "recorded_at"], name="referral_event_order"),
            # The sweep for case workers' notices that never went (partners.notifications.lost_notices).
            models.Index(
                fields=["recorded_at"],
                name="referral_event_unnotified",
                condition=Q(by_partner=True, case_worker_notified_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="status") & ~Q(to_status="")) | (~Q(kind="status") & Q(to_status="")),
                name="referral_event_status_change_has_status",
            ),
            models.CheckConstraint(
                condition=(Q(kind="session") & ~Q(attendance="")) | (~Q(kind="session") & Q(attendance="")),
                name="referral_event_session_has_attendance",
                violation_error_message=(
                    "A session records whether the person attended, and only a session does"
                ),
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.STATUS:
            return f"{self.get_from_status_display() or 'New'} → {self.get_to_status_display()}"
        return self.get_kind_display()
