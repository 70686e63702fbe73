"""The access policy: every "may this user see or do this?" is answered here.

Views, the API, exports, reports and tasks all ask this module; none writes its own rule
(DESIGN §3, docs/decisions/0002-access-model.md). Core knows no domain app, so a nominal
is anything with a `team_id`, and scoping works on any queryset that reaches a team.

What exists so far:
- Every member of a team, whatever their team role, sees the team's nominals: the shared
  record is the point of IOM. Others see nothing of them, and are answered 404.
- Frontline roles and managers of the team may log contacts and plan appointments; the case
  team and the team's managers edit the record, set contact standards and record enforcement.
- Police intelligence notes are read by police in the managing team only.
- Regional leads see their region's governance packs (regional and team packs), national users
  every pack, managers their own teams' team packs.
- Partner staff see a person only while their organisation holds an accepted, open referral for
  them: an object permission (django-guardian) on the person, granted to the organisation's
  access group when the referral is accepted and removed when the last such referral closes.
- Restricted cases open only to the named users on their allow-list and to members of the
  managing team who broke the glass (a reason, a few hours, logged and shown to the team's
  managers); everyone else is answered 404 and the attempt logged. Records restricted or erased
  after retention review are hidden from all normal use.
- Administration manages users and teams and gives no access to case records.
"""

from typing import Protocol

from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import assign_perm, get_objects_for_group, remove_perm

from iom.core.models import (
    REGION_ROLES,
    TEAM_ROLES,
    CaseAccessGrant,
    Membership,
    Organisation,
    Region,
    Role,
    User,
)

# Roles that record work with the person (contacts); managers oversee and may too.
FRONTLINE_ROLES = frozenset(
    {
        Role.POLICE_OFFENDER_MANAGER,
        Role.PROBATION_PRACTITIONER,
        Role.SUPPORT_WORKER,
        Role.YOUNG_ADULT_SUPPORT_WORKER,
        Role.MANAGER,
    }
)


class BelongsToTeam(Protocol):
    pk: int
    team_id: int
    access_restricted: bool
    retention_status: str


class HasCaseTeam(BelongsToTeam, Protocol):
    police_offender_manager_id: int | None
    probation_practitioner_id: int | None
    support_worker_id: int | None


type AnyUser = User | AnonymousUser


def _memberships(user: AnyUser) -> list[Membership]:
    """The user's memberships, read once per user object (so once per request)."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached: list[Membership] | None = getattr(user, "_iom_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).only("role", "team_id", "region_id"))
        user.__dict__["_iom_memberships"] = cached
    return cached


def _current_grants() -> models.QuerySet[CaseAccessGrant]:
    """Grants in force now: not revoked, and not expired (break-glass openings end)."""
    return CaseAccessGrant.objects.filter(revoked_at__isnull=True).filter(
        models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=timezone.now())
    )


def restricted_cases_open_to(user: AnyUser) -> frozenset[int]:
    """The restricted cases the user may open now: on the allow-list, or broken into and not expired.
    Read once per user object, like the memberships."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached: frozenset[int] | None = getattr(user, "_iom_restricted_cases", None)
    if cached is None:
        cached = frozenset(_current_grants().filter(user=user).values_list("nominal_id", flat=True))
        user.__dict__["_iom_restricted_cases"] = cached
    return cached


def forget_cached_access(user: AnyUser) -> None:
    """After a grant changes within a request, so the next check reads it again."""
    user.__dict__.pop("_iom_restricted_cases", None)
    user.__dict__.pop("_iom_memberships", None)


def case_is_open_to(user: AnyUser, nominal: BelongsToTeam) -> bool:
    """Whether the restriction and the retention status let this user open the record at all
    (the team rule is separate)."""
    if nominal.retention_status:
        return False
    return not nominal.access_restricted or nominal.pk in restricted_cases_open_to(user)


def _open_cases(user: AnyUser, queryset: models.QuerySet, *, nominal_prefix: str) -> models.QuerySet:
    """Rows of records in normal use, leaving out restricted cases the user may not open.

    The grant is looked up inside the same query (EXISTS), so scoping costs no extra query; only a
    restricted record checked on its own (case_is_open_to) reads the user's grants.
    """
    grant = _current_grants().filter(nominal_id=models.OuterRef(f"{nominal_prefix}pk"), user_id=user.pk or 0)
    return queryset.filter(**{f"{nominal_prefix}retention_status": ""}).filter(
        models.Q(**{f"{nominal_prefix}access_restricted": False}) | models.Exists(grant)
    )


def memberships_of(user: AnyUser) -> list[Membership]:
    return list(_memberships(user))


def roles(user: AnyUser) -> frozenset[str]:
    return frozenset(membership.role for membership in _memberships(user))


def team_ids(user: AnyUser) -> frozenset[int]:
    """Teams whose shared record the user works in."""
    return frozenset(m.team_id for m in _memberships(user) if m.role in TEAM_ROLES and m.team_id is not None)


def works_a_caseload(user: AnyUser) -> bool:
    return bool(team_ids(user))


def scope_to_teams[M: models.Model](
    user: AnyUser, queryset: models.QuerySet[M], *, team_field: str
) -> models.QuerySet[M]:
    """Records of people (or rows reached from them) in the user's teams that the user may open.

    `team_field` is the person's team as reached from the rows ("team_id" for people themselves,
    "nominal__team_id" for their contacts): the restriction and retention fields sit beside it.
    """
    ids = team_ids(user)
    if not ids:
        return queryset.none()
    return scope_to_open_cases(user, queryset.filter(**{f"{team_field}__in": ids}), team_field=team_field)


def scope_to_open_cases[M: models.Model](
    user: AnyUser, queryset: models.QuerySet[M], *, team_field: str
) -> models.QuerySet[M]:
    """Leave out of `queryset` the rows of records the user may not open: restricted cases they are
    not named on (nor broke the glass for), and records hidden by retention review. For reads whose
    team rule is their own (a manager's panel, a partner's inbox); `team_field` as for scope_to_teams."""
    if not team_field.endswith("team_id"):
        raise ValueError(f"team_field must end in team_id, not {team_field!r}")
    return _open_cases(user, queryset, nominal_prefix=team_field.removesuffix("team_id"))


def can_view_nominal(user: AnyUser, nominal: BelongsToTeam) -> bool:
    return nominal.team_id in team_ids(user) and case_is_open_to(user, nominal)


def can_break_glass(user: AnyUser, nominal: BelongsToTeam) -> bool:
    """Members of the managing team may open a restricted case they are not named on, with a reason."""
    return (
        nominal.access_restricted
        and not nominal.retention_status
        and nominal.team_id in team_ids(user)
        and nominal.pk not in restricted_cases_open_to(user)
    )


def require_break_glass(user: AnyUser, nominal: BelongsToTeam) -> None:
    if not can_break_glass(user, nominal):
        raise PermissionDenied(
            "Only members of the managing team may open a restricted record, with a reason."
        )


def can_manage_restriction(user: AnyUser, nominal: BelongsToTeam) -> bool:
    """The team's managers restrict a case and keep its allow-list, while they may open it: for a
    restricted case, as a name on its allow-list (breaking the glass opens the record, not its list).
    One query for a restricted case."""
    if nominal.team_id not in managed_team_ids(user) or not can_view_nominal(user, nominal):
        return False
    return not nominal.access_restricted or (
        CaseAccessGrant.objects.filter(
            nominal_id=nominal.pk,
            user_id=user.pk or 0,
            kind=CaseAccessGrant.Kind.ALLOW_LIST,
            revoked_at__isnull=True,
        ).exists()
    )


def require_manage_restriction(user: AnyUser, nominal: BelongsToTeam) -> None:
    if not can_manage_restriction(user, nominal):
        raise PermissionDenied("Only the team's managers may restrict this record and keep its allow-list.")


def may_be_allow_listed(user: User, nominal: BelongsToTeam) -> bool:
    """Only members of the managing team may be named on a restricted case's allow-list."""
    return (
        user.is_active
        and Membership.objects.filter(user=user, team_id=nominal.team_id, role__in=TEAM_ROLES).exists()
    )


def break_glass_teams(user: AnyUser) -> frozenset[int]:
    """Teams in which the user may look for a restricted record to open with break-glass access."""
    return team_ids(user)


def sees_break_glass_log(user: AnyUser) -> bool:
    """Break-glass openings are shown to the managers of the person's team."""
    return bool(managed_team_ids(user))


def sees_police_intelligence(user: AnyUser, nominal: BelongsToTeam) -> bool:
    """Police intelligence is for police in the managing team only: its police offender managers,
    and its managers who work for a police force (the IOM sergeant). Never probation, support
    workers, partners or anyone outside the team."""
    memberships = [m for m in _memberships(user) if m.team_id == nominal.team_id]
    if any(m.role == Role.POLICE_OFFENDER_MANAGER for m in memberships):
        return True
    return any(m.role == Role.MANAGER for m in memberships) and _works_for_police(user)


def _works_for_police(user: AnyUser) -> bool:
    organisation = user.organisation if isinstance(user, User) else None
    return organisation is not None and organisation.kind == Organisation.Kind.POLICE_FORCE


def can_read_note(user: AnyUser, nominal: BelongsToTeam, sensitivity: str) -> bool:
    """Whether a note of this sensitivity ("partners", "team" or "police") may be read."""
    if sensitivity == "police":
        return sees_police_intelligence(user, nominal)
    return can_view_nominal(user, nominal)


def managed_team_ids(user: AnyUser) -> frozenset[int]:
    """Teams the user manages: their dashboards, panels and allocations."""
    return frozenset(
        m.team_id for m in _memberships(user) if m.role == Role.MANAGER and m.team_id is not None
    )


def is_on_case_team(user: AnyUser, nominal: HasCaseTeam) -> bool:
    return user.is_authenticated and user.pk in (
        nominal.police_offender_manager_id,
        nominal.probation_practitioner_id,
        nominal.support_worker_id,
    )


def can_edit_nominal(user: AnyUser, nominal: HasCaseTeam) -> bool:
    """Editing belongs to the case team (allocated workers) and the team's managers."""
    if not can_view_nominal(user, nominal):
        return False
    return nominal.team_id in managed_team_ids(user) or is_on_case_team(user, nominal)


def require_edit_nominal(user: AnyUser, nominal: HasCaseTeam) -> None:
    if not can_edit_nominal(user, nominal):
        raise PermissionDenied(
            "Only this person's case team and the team's managers may change their record."
        )


def can_add_nominal(user: AnyUser, team_id: int) -> bool:
    return any(m.role in FRONTLINE_ROLES and m.team_id == team_id for m in _memberships(user))


def can_propose_for_cohort(user: AnyUser, nominal: BelongsToTeam) -> bool:
    """Any frontline worker or manager of the team may propose; the panel decides."""
    return can_log_contact(user, nominal)


def can_manage_team(user: AnyUser, team_id: int) -> bool:
    """Panel decisions, allocations and the team dashboard."""
    return team_id in managed_team_ids(user)


def require_manage_team(user: AnyUser, team_id: int) -> None:
    if not can_manage_team(user, team_id):
        raise PermissionDenied("Only the team's managers may do this.")


def can_log_contact(user: AnyUser, nominal: BelongsToTeam) -> bool:
    return can_view_nominal(user, nominal) and any(
        m.role in FRONTLINE_ROLES and m.team_id == nominal.team_id for m in _memberships(user)
    )


def require_log_contact(user: AnyUser, nominal: BelongsToTeam) -> None:
    if not can_log_contact(user, nominal):
        raise PermissionDenied("You may not log contacts for this person.")


def report_region_ids(user: AnyUser) -> frozenset[int]:
    """Regions whose governance packs the user may request and read: their own as a regional lead,
    every region as a national user."""
    memberships = _memberships(user)
    if any(m.role == Role.NATIONAL for m in memberships):
        return frozenset(Region.objects.values_list("id", flat=True))
    return frozenset(m.region_id for m in memberships if m.role in REGION_ROLES and m.region_id is not None)


def is_national(user: AnyUser) -> bool:
    return any(m.role == Role.NATIONAL for m in _memberships(user))


def uses_governance_reports(user: AnyUser) -> bool:
    """Regional leads and national users read packs for their regions; managers their teams' packs."""
    return any(m.role in (Role.NATIONAL, Role.MANAGER, *REGION_ROLES) for m in _memberships(user))


def scope_to_report_regions[M: models.Model](
    user: AnyUser, queryset: models.QuerySet[M], *, region_field: str
) -> models.QuerySet[M]:
    ids = report_region_ids(user)
    if not ids:
        return queryset.none()
    return queryset.filter(**{f"{region_field}__in": ids})


def scope_to_report_runs[M: models.Model](user: AnyUser, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    """Report runs the user may see: national users every run; regional leads their region's
    regional and team packs; managers their own teams' team packs. A team pack names its team's
    region, so one filter on the region covers both of a regional lead's kinds."""
    if is_national(user):
        return queryset
    condition = models.Q()
    region_ids = report_region_ids(user)
    if region_ids:
        condition |= models.Q(region_id__in=region_ids)
    team_ids = managed_team_ids(user)
    if team_ids:
        condition |= models.Q(kind="team_pack", team_id__in=team_ids)
    if not condition:
        return queryset.none()
    return queryset.filter(condition)


class ScopedReportRun(Protocol):
    kind: str
    region_id: int | None
    team_id: int | None


def can_see_report_run(user: AnyUser, run: ScopedReportRun) -> bool:
    if is_national(user):
        return True
    if run.region_id is not None and run.region_id in report_region_ids(user):
        return True
    return run.kind == "team_pack" and run.team_id in managed_team_ids(user)


class InRegion(Protocol):
    pk: int
    region_id: int


def report_kinds_for(user: AnyUser) -> list[str]:
    """The kinds of pack the user may request, in the order the form offers them."""
    kinds = []
    reports_on_a_region = bool(report_region_ids(user))
    if reports_on_a_region:
        kinds.append("regional_pack")
    if reports_on_a_region or managed_team_ids(user):
        kinds.append("team_pack")
    if is_national(user):
        kinds.append("national_summary")
    return kinds


def scope_to_reportable_teams[M: models.Model](
    user: AnyUser, queryset: models.QuerySet[M], *, team_field: str = "pk", region_field: str = "region_id"
) -> models.QuerySet[M]:
    """Teams the user may request a team pack for: those they manage, and every team of a region
    they report on (the rule can_request_report applies to one team)."""
    condition = models.Q()
    region_ids = report_region_ids(user)
    if region_ids:
        condition |= models.Q(**{f"{region_field}__in": region_ids})
    managed = managed_team_ids(user)
    if managed:
        condition |= models.Q(**{f"{team_field}__in": managed})
    if not condition:
        return queryset.none()
    return queryset.filter(condition)


def can_request_report(
    user: AnyUser, *, kind: str, region_id: int | None = None, team: InRegion | None = None
) -> bool:
    """Regional pack: a region the user reports on. Team pack: a team they manage, or a team in a
    region they report on. National summary: national users only."""
    if kind == "regional_pack":
        return region_id is not None and region_id in report_region_ids(user)
    if kind == "team_pack":
        return team is not None and (
            team.pk in managed_team_ids(user) or team.region_id in report_region_ids(user)
        )
    if kind == "national_summary":
        return is_national(user)
    return False


def require_request_report(
    user: AnyUser, *, kind: str, region_id: int | None = None, team: InRegion | None = None
) -> None:
    if not can_request_report(user, kind=kind, region_id=region_id, team=team):
        messages = {
            "regional_pack": "You may not request packs for this region.",
            "team_pack": "You may not request packs for this team.",
            "national_summary": "Only national users may request the national summary.",
        }
        raise PermissionDenied(messages.get(kind, "You may not request this report."))


def is_partner(user: AnyUser) -> bool:
    return Role.PARTNER in roles(user)


def partner_organisation_id(user: AnyUser) -> int | None:
    """The organisation a partner works for, whose referrals they answer; None for anyone else."""
    if not is_partner(user) or not isinstance(user, User):
        return None
    return user.organisation_id


def is_recipient(user: AnyUser, referral: "ReceivedByOrganisation") -> bool:
    """Partner staff of the organisation a referral was sent to."""
    organisation_id = partner_organisation_id(user)
    return organisation_id is not None and organisation_id == referral.organisation_id


class ReceivedByOrganisation(Protocol):
    organisation_id: int


# The object permission a partner organisation holds on a person it works with.
PARTNER_VIEW_PERMISSION = "cohorts.view_nominal"


def _group_name(organisation_id: int) -> str:
    return f"Partner organisation {organisation_id}: referred people"


def _partner_access_group(organisation_id: int) -> Group | None:
    return Group.objects.filter(name=_group_name(organisation_id)).first()


def partner_access_group(organisation_id: int) -> Group:
    """Each partner organisation's staff share one set of grants: access follows the referral to the
    organisation, not the member of staff who accepted it. Made on first use; bulk loaders grant
    through it too."""
    return Group.objects.get_or_create(name=_group_name(organisation_id))[0]


def grant_partner_access(*, organisation_id: int, nominal: models.Model) -> None:
    assign_perm(PARTNER_VIEW_PERMISSION, partner_access_group(organisation_id), nominal)


def revoke_partner_access(*, organisation_id: int, nominal: models.Model) -> None:
    group = _partner_access_group(organisation_id)
    if group is not None:
        remove_perm(PARTNER_VIEW_PERMISSION, group, nominal)


def partner_sees_nominal(user: AnyUser, nominal: models.Model) -> bool:
    """Whether the partner's organisation holds the grant on this person now (and the record is
    not closed to them by a restriction)."""
    if not case_is_open_to(user, nominal):  # type: ignore[arg-type]
        return False
    organisation_id = partner_organisation_id(user)
    group = _partner_access_group(organisation_id) if organisation_id is not None else None
    if group is None:
        return False
    return ObjectPermissionChecker(group).has_perm(PARTNER_VIEW_PERMISSION, nominal)


def nominals_granted_to_partner[M: models.Model](
    user: AnyUser, queryset: models.QuerySet[M]
) -> models.QuerySet[M]:
    """The people in `queryset` the partner's organisation may see now."""
    organisation_id = partner_organisation_id(user)
    group = _partner_access_group(organisation_id) if organisation_id is not None else None
    if group is None:
        return queryset.none()
    granted = get_objects_for_group(
        group, PARTNER_VIEW_PERMISSION, klass=queryset.model, accept_global_perms=False
    )
    return _open_cases(user, queryset.filter(pk__in=granted.values("pk")), nominal_prefix="")


def can_refer(user: AnyUser, nominal: HasCaseTeam) -> bool:
    """Referring discloses the person to a partner and changes their need, so it belongs with the
    record's editors: the case team and the team's managers."""
    return can_edit_nominal(user, nominal)


def require_refer(user: AnyUser, nominal: HasCaseTeam) -> None:
    if not can_refer(user, nominal):
        raise PermissionDenied("Only this person's case team and the team's managers may refer them.")


def require_recipient(user: AnyUser, referral: ReceivedByOrganisation) -> None:
    if not is_recipient(user, referral):
        raise PermissionDenied("Only staff of the organisation this referral was sent to may answer it.")


def can_use_directory(user: AnyUser) -> bool:
    """The partner directory holds no case records: anyone working a caseload reads it."""
    return works_a_caseload(user) or can_manage_directory(user)


def can_manage_directory(user: AnyUser) -> bool:
    return bool(managed_team_ids(user)) or can_administer(user)


def require_manage_directory(user: AnyUser) -> None:
    if not can_manage_directory(user):
        raise PermissionDenied("Only managers and administrators may change the partner directory.")


def can_administer(user: AnyUser) -> bool:
    """Users, teams and reference data; never case records."""
    return user.is_authenticated and user.is_active and user.is_staff


def may_hold_api_token(user: AnyUser) -> bool:
    """Anyone who uses the service may have API tokens: a token can do no more than its holder."""
    return user.is_authenticated and user.is_active and (bool(roles(user)) or can_administer(user))


def can_revoke_api_token(user: AnyUser, token: "HeldByUser") -> bool:
    return user.is_authenticated and (token.user_id == user.pk or can_administer(user))


class HeldByUser(Protocol):
    user_id: int


# Data protection duties ------------------------------------------------------------------------


def retention_team_ids(user: AnyUser) -> frozenset[int]:
    """Teams whose people the user reviews for retention: the teams they manage. The review lists
    records hidden from normal use (restricted after review), so it is the managers' alone."""
    return managed_team_ids(user)


def can_review_retention(user: AnyUser, nominal: BelongsToTeam) -> bool:
    """Review, restrict or erase a person who left IOM: the managing team's managers, for records not
    already erased, and (for a restricted case) only while they may open it."""
    if nominal.retention_status == "erased" or nominal.team_id not in retention_team_ids(user):
        return False
    return not nominal.access_restricted or nominal.pk in restricted_cases_open_to(user)


def sees_whole_audit(user: AnyUser) -> bool:
    """Administrators read the whole audit trail (who did what, never the records themselves)."""
    return can_administer(user)


def audit_team_ids(user: AnyUser) -> frozenset[int]:
    """Managers read the audit of their teams: events about their people and by their staff."""
    return managed_team_ids(user)


def can_view_audit(user: AnyUser) -> bool:
    return sees_whole_audit(user) or bool(audit_team_ids(user))


def can_see_access_log(user: AnyUser, nominal: BelongsToTeam) -> bool:
    """Who has looked at a record is shown to everyone who may open it: the team sees its own use."""
    return can_view_nominal(user, nominal)


def can_export_subject_access(user: AnyUser, nominal: BelongsToTeam) -> bool:
    """A subject access request is answered by the managing team's managers, for everything held,
    records restricted after retention review included (they are still held); never an erased one,
    and a restricted case only by a manager who may open it."""
    if nominal.retention_status == "erased" or nominal.team_id not in managed_team_ids(user):
        return False
    return not nominal.access_restricted or nominal.pk in restricted_cases_open_to(user)
