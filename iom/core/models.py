from collections.abc import Iterator
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac


class Region(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        POLICE_FORCE = "police_force", "Police force"
        PROBATION_DELIVERY_UNIT = "probation_delivery_unit", "Probation delivery unit"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        HEALTH = "health", "Health"
        PRISON = "prison", "Prison"
        VOLUNTARY_COMMUNITY = "voluntary_community", "Voluntary or community partner"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40, choices=Kind.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="organisations", null=True, blank=True
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """An IOM unit in a region: the managing unit of the nominals it holds."""

    name = models.CharField(max_length=200)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="teams")
    organisations = models.ManyToManyField(
        Organisation, related_name="teams", blank=True, help_text="The organisations that staff this unit."
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="team_name_unique_in_region")]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        if not email:
            raise ValueError("A user needs an email address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="staff", null=True, blank=True
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the administration pages.")
    date_joined = models.DateTimeField(default=timezone.now)
    # Raised to end every session the user has at once (deactivation, losing their last role): the
    # session's auth hash includes it, so Django signs out any session made before the change.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    # Django keeps this hash in the session and signs the session out when it no longer matches.
    # Its own covers the password alone; ours adds session_epoch, so end_sessions ends every session
    # at its next request, and update_session_auth_hash still keeps the one changing a password.
    def get_session_auth_hash(self) -> str:
        return self._session_auth_hash(secret=None)

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_auth_hash(secret=fallback_secret)

    def _session_auth_hash(self, *, secret: str | bytes | None) -> str:
        return salted_hmac(
            "iom.core.models.User.get_session_auth_hash",
            f"{self.password}|{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class Role(models.TextChoices):
    POLICE_OFFENDER_MANAGER = "police_offender_manager", "Police offender manager"
    PROBATION_PRACTITIONER = "probation_practitioner", "Probation practitioner"
    SUPPORT_WORKER = "support_worker", "Support worker"
    YOUNG_ADULT_SUPPORT_WORKER = "young_adult_support_worker", "Young adult support worker"
    MANAGER = "manager", "Manager"
    PARTNER = "partner", "Partner"
    REGIONAL_LEAD = "regional_lead", "Regional lead"
    NATIONAL = "national", "National"
    ADMINISTRATOR = "administrator", "Administrator"


# Which scope each role carries: a team, a region, or none.
TEAM_ROLES = frozenset(
    {
        Role.POLICE_OFFENDER_MANAGER,
        Role.PROBATION_PRACTITIONER,
        Role.SUPPORT_WORKER,
        Role.YOUNG_ADULT_SUPPORT_WORKER,
        Role.MANAGER,
    }
)
REGION_ROLES = frozenset({Role.REGIONAL_LEAD})
UNSCOPED_ROLES = frozenset({Role.PARTNER, Role.NATIONAL, Role.ADMINISTRATOR})


class Membership(models.Model):
    """A user's role with its scope: a team, a region, or none."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=40, choices=Role.choices)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="memberships", null=True, blank=True
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="memberships", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["role"]
        constraints = [
            models.CheckConstraint(
                name="membership_scope_matches_role",
                violation_error_message=(
                    "Team roles need a team and no region; a regional lead needs a region and no team; "
                    "partner, national and administrator roles take neither."
                ),
                condition=(
                    Q(role__in=sorted(TEAM_ROLES), team__isnull=False, region__isnull=True)
                    | Q(role__in=sorted(REGION_ROLES), team__isnull=True, region__isnull=False)
                    | Q(role__in=sorted(UNSCOPED_ROLES), team__isnull=True, region__isnull=True)
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "team"],
                condition=Q(team__isnull=False),
                name="membership_once_per_team",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=Q(region__isnull=False),
                name="membership_once_per_region",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(team__isnull=True, region__isnull=True),
                name="membership_once_unscoped",
            ),
        ]

    def __str__(self) -> str:
        scope = self.team or self.region or "no scope"
        return f"{self.get_role_display()} ({scope})"


class AuditEvent(models.Model):
    """One logged action, as the Data Protection Act 2018 Part 3 requires.

    Append-only: a database trigger (migration 0002) refuses UPDATE and DELETE, so
    neither the application nor someone at a SQL prompt can rewrite history.
    """

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="Empty for the system.",
    )
    actor_label = models.CharField(
        max_length=254,
        blank=True,
        help_text="Who acted as the request named them, e.g. a failed sign-in's email.",
    )
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    # The person (nominal) the event concerns, kept as a plain id: core knows no domain app.
    nominal_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    recipient = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="The organisation information was disclosed to.",
    )
    request_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
            # A person's access log and the audit viewer's person filter; the viewer's user filter and
            # managers' scope (events by their staff), newest first.
            models.Index(fields=["nominal_id", "-occurred_at"], name="audit_nominal_recent"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"


class ApiToken(models.Model):
    """A user's key for the API, for an integration that cannot use a browser session.

    Only a SHA-256 digest of the secret is kept: the secret is 256 random bits, so a fast
    digest is enough, and whoever reads the table cannot use what they read. `key_id` is
    the public half, to find the row without scanning digests.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. the force's data feed.")
    key_id = models.CharField(max_length=24, unique=True)
    secret_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_by__isnull=False),
                name="api_token_revoked_by_someone",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_id})"

    def is_usable(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


class CaseAccessGrant(models.Model):
    """Who may open a restricted case (DESIGN §3): a named user on its allow-list, or a break-glass
    opening by a member of the managing team who gave a reason, for a few hours.

    Core owns it because access.py reads it on every request; the person is a plain id, as in the
    audit, since core knows no domain app.
    """

    class Kind(models.TextChoices):
        ALLOW_LIST = "allow_list", "Allow-list"
        BREAK_GLASS = "break_glass", "Break-glass"

    nominal_id = models.BigIntegerField(db_index=True)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="case_access_grants")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason = models.TextField(blank=True, help_text="Why: required for break-glass.")
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Break-glass openings end.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)

    class Meta:
        ordering = ["-granted_at", "-id"]
        indexes = [models.Index(fields=["user", "nominal_id"], name="case_access_by_user")]
        constraints = [
            models.CheckConstraint(
                name="break_glass_has_reason_and_end",
                condition=Q(kind="allow_list") | (~Q(reason="") & Q(expires_at__isnull=False)),
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_by__isnull=False),
                name="case_access_revoked_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: user {self.user_id} on person {self.nominal_id}"

    def is_current(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
