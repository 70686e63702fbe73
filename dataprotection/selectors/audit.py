"""Reading the audit trail: the viewer's events, each person's access log, and resolving a person.

The audit table is the largest in the service, so every filter here is on an indexed column: when
(`occurred_at`), what (`action`), whom (`nominal_id`) and who (`actor_id`, a foreign key).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from cohorts import identifiers
from cohorts.models import Nominal
from cohorts.selectors import nominals_visible_to
from iom.core import access, audit
from iom.core.models import AuditEvent, Membership, User

ACCESS_LOG_DAYS = 90


@dataclass(frozen=True)
class AuditFilters:
    user: str = ""  # part of a user's email or name
    nominal_id: int | None = None  # resolved from the record number, CRN or PNC ID typed
    kind: str = ""
    action: str = ""  # the start of an action name, e.g. "referral." or "nominal.viewed"
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @property
    def any(self) -> bool:
        return any(
            (self.user, self.nominal_id is not None, self.kind, self.action, self.date_from, self.date_to)
        )

    def as_detail(self) -> dict[str, object]:
        """What the viewer asked for, for the audit of the audit."""
        return {
            "user": self.user,
            "nominal_id": self.nominal_id,
            "kind": self.kind,
            "action": self.action,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
        }


def _team_nominal_ids(team_ids: frozenset[int]) -> QuerySet[Nominal, Any]:
    # Every person the teams manage, restricted and retention-hidden ones included: the managers
    # are who break-glass and denied attempts on those records are shown to (DESIGN §3).
    return Nominal.objects.filter(team_id__in=sorted(team_ids)).values("pk")


def audit_events_visible_to(user: User | AnonymousUser) -> QuerySet[AuditEvent]:
    """Administrators: every event. Managers: events about their teams' people and events by members
    of their teams (what their staff did, sign-ins and exports included). Everyone else: none."""
    if access.sees_whole_audit(user):
        return AuditEvent.objects.all()
    team_ids = access.audit_team_ids(user)
    if not team_ids:
        return AuditEvent.objects.none()
    members = Membership.objects.filter(team_id__in=sorted(team_ids)).values("user_id")
    return AuditEvent.objects.filter(Q(nominal_id__in=_team_nominal_ids(team_ids)) | Q(actor_id__in=members))


def audit_events_for(*, user: User, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """The events the viewer may read that match the filters, newest first."""
    events = audit_events_visible_to(user).select_related("actor", "recipient")
    if filters.user:
        matching = User.objects.filter(
            Q(email__icontains=filters.user) | Q(full_name__icontains=filters.user)
        ).values("pk")
        # A failed sign-in names no user, only the email typed: matched exactly.
        events = events.filter(
            Q(actor_id__in=matching) | Q(actor__isnull=True, actor_label__iexact=filters.user)
        )
    if filters.nominal_id is not None:
        events = events.filter(nominal_id=filters.nominal_id)
    if filters.kind:
        events = events.filter(action__in=audit.actions_of_kind(filters.kind))
    if filters.action:
        events = events.filter(action__startswith=filters.action)
    if filters.date_from:
        events = events.filter(occurred_at__gte=_start_of(filters.date_from))
    if filters.date_to:
        events = events.filter(occurred_at__lt=_start_of(filters.date_to + dt.timedelta(days=1)))
    return events.order_by("-occurred_at", "-id")


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class PersonNotFound(Exception):
    """No person the viewer may name matches what they typed."""


def resolve_person(*, user: User, text: str) -> int:
    """The record number of the person the viewer typed: a record number as it is, or a CRN or PNC ID
    looked up among the people whose audit the viewer reads (a manager's teams' people). Administrators
    read the whole trail but hold no case records, so they look people up by record number only."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    team_ids = access.audit_team_ids(user)
    if not team_ids:
        raise PersonNotFound
    identifier = identifiers.normalise(text)
    found = (
        Nominal.objects.filter(team_id__in=sorted(team_ids))
        .filter(Q(crn=identifier) | Q(pnc_id=identifier))
        .values_list("pk", flat=True)
        .first()
    )
    if found is None:
        raise PersonNotFound
    return found


def people_openable_by(*, user: User, nominal_ids: set[int]) -> dict[int, Nominal]:
    """Of these people, those the viewer may open: their names link to the record; others show an id."""
    if not nominal_ids:
        return {}
    return {nominal.pk: nominal for nominal in nominals_visible_to(user).filter(pk__in=sorted(nominal_ids))}


# What people typed about a person (a restriction's or break-glass reason, a cancellation's reason,
# an identifier searched for) is shown only to a viewer who may open that person's record: an
# administrator, who holds no case records, never sees it. Other keys hold ids, counts and choices.
FREE_TEXT_KEYS = frozenset({"reason", "identifier"})
WITHHELD = "(withheld: you may not open this record)"
# Actions about a person that name no record: the identifier typed may still be someone's.
ABOUT_AN_UNNAMED_PERSON = frozenset({"break_glass.no_match"})


def shown_detail(event: AuditEvent, people: dict[int, Nominal]) -> dict[str, Any]:
    """The event's detail as this viewer may read it, given the people on the page they may open
    (people_openable_by): free text about someone else's record is withheld."""
    detail = event.detail if isinstance(event.detail, dict) else {}
    about_someone = event.nominal_id is not None or event.action in ABOUT_AN_UNNAMED_PERSON
    if not about_someone or (event.nominal_id is not None and event.nominal_id in people):
        return detail
    return {key: WITHHELD if key in FREE_TEXT_KEYS and value else value for key, value in detail.items()}


# Each person's access log ---------------------------------------------------------------------------


def access_log_for(*, nominal: Nominal) -> QuerySet[AuditEvent]:
    """Everything the audit holds about one person, newest first, with who acted and in what role."""
    return (
        AuditEvent.objects.filter(nominal_id=nominal.pk)
        .select_related("actor", "actor__organisation", "recipient")
        .prefetch_related(
            Prefetch("actor__memberships", queryset=Membership.objects.select_related("team", "region"))
        )
        .order_by("-occurred_at", "-id")
    )


def people_who_looked(
    *, nominal: Nominal, days: int = ACCESS_LOG_DAYS, now: dt.datetime | None = None
) -> int:
    """How many different people opened the record in the last `days` days."""
    since = (now or timezone.now()) - dt.timedelta(days=days)
    return (
        AuditEvent.objects.filter(
            nominal_id=nominal.pk,
            action__in=audit.actions_of_kind(audit.CONSULTATION),
            occurred_at__gte=since,
            actor__isnull=False,
        )
        .values("actor_id")
        .distinct()
        .count()
    )
