"""The audit trail: one call, `record`, for every logged action.

Call it inside the same transaction as the write it describes, so the change and its
record stand or fall together. Reads (viewing a record, a download, a denied attempt)
call it on their own.
"""

from typing import Any

from django.db import models

from iom.core import request_context
from iom.core.models import AuditEvent, Organisation, User


def record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: int | str | None = None,
    nominal_id: int | None = None,
    recipient: Organisation | None = None,
    actor_label: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    if target is not None:
        target_type = target._meta.label_lower
        target_id = target.pk
    context = request_context.current.get()
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=actor_label or (actor.email if actor is not None and actor.is_authenticated else ""),
        action=action,
        target_type=target_type,
        target_id="" if target_id is None else str(target_id),
        nominal_id=nominal_id,
        recipient=recipient,
        request_id=context.request_id if context else "",
        ip_address=context.ip_address if context else None,
        detail=detail or {},
    )


# Kinds of event ---------------------------------------------------------------------------------
#
# The Data Protection Act 2018 s.62 asks for logs of collection, alteration, consultation, disclosure
# (with the recipient), combination and erasure. Every action is one of those, or a sign-in and security
# event, a refusal, or administration (users, teams, reference data). docs/decisions/0015 says why each
# action sits where it does; tests/core/test_audit_kinds.py fails when an action in the code has no kind.

COLLECTION = "collection"
ALTERATION = "alteration"
CONSULTATION = "consultation"
DISCLOSURE = "disclosure"
COMBINATION = "combination"
ERASURE = "erasure"
SECURITY = "security"
ACCESS_DENIED = "access_denied"
ADMINISTRATION = "administration"
UNCLASSIFIED = "unclassified"

# In the order the audit viewer offers them.
KINDS: dict[str, str] = {
    CONSULTATION: "Consultation",
    COLLECTION: "Collection",
    ALTERATION: "Alteration",
    DISCLOSURE: "Disclosure",
    COMBINATION: "Combination",
    ERASURE: "Erasure",
    ACCESS_DENIED: "Access denied",
    SECURITY: "Sign-in and security",
    ADMINISTRATION: "Administration",
}

_KIND_ACTIONS: dict[str, tuple[str, ...]] = {
    # Reading one person's record (or part of it): each tab, a contact, a referral, the API record.
    CONSULTATION: (
        "nominal.viewed",
        "nominal.break_glass",  # opening a restricted case with a reason
        "referral.viewed",
        "retention.review_viewed",
        "retention.erasure_viewed",
        "subject_access.viewed",
        "subject_access.export_viewed",  # an export's page, naming the person (not its progress polls)
        "break_glass.form_viewed",  # the break-glass form, showing a restricted case's CRN
    ),
    # New information about a person.
    COLLECTION: (
        "nominal.created",
        "alias.added",
        "assessment.recorded",
        "offence.recorded",
        "goal.added",
        "feedback.recorded",
        "cohort.proposed",
        "cohort.reviewed",
        "contact.logged",
        "appointment.planned",
        "appointment.series_planned",
        "enforcement.recorded",
        "referral.created",
        "referral.progress_updated",
        "referral.session_recorded",
        "tracker_import.applied",
    ),
    # Changes to what is held, or to how it may be used (restriction, allow-list, partner access).
    ALTERATION: (
        "nominal.changed",
        "nominal.allocated",
        "need.updated",
        "goal.changed",
        "cohort.panel_decided",
        "contact.outcome_recorded",
        "contact_standard.set",
        "appointment.moved",
        "appointment.cancelled",
        "referral.draft_updated",
        "referral.accepted",
        "referral.declined",
        "referral.withdrawn",
        "referral.completed",
        "partner_access.revoked",
        "restriction.added",
        "restriction.lifted",
        "allow_list.added",
        "allow_list.removed",
        "retention.reviewed",  # kept until a later review
        "retention.restricted",
        "retention.returned_to_use",
    ),
    # Information given to someone outside the team: a partner organisation, the data subject.
    DISCLOSURE: (
        "referral.sent",
        "subject_access.exported",  # to the person themselves, answering their request
    ),
    # Many people's information read or put together: lists, exports, dashboards, reports, the audit.
    COMBINATION: (
        "caseload.viewed",
        "caseload.exported",
        "diary.viewed",
        "diary.exported",
        "panel.viewed",
        "team_referrals.viewed",
        "dashboard.viewed",
        "tracker_import.dry_run",  # an upload matched against the team's records
        "break_glass_log.viewed",
        "retention.list_viewed",
        "report.requested",
        "report.generated",
        "report.failed",
        "report.retried",
        "report.downloaded",
        "subject_access.requested",  # everything held on one person, put together for disclosure
        "subject_access.built",
        "subject_access.failed",
        "audit.viewed",
        "audit.exported",
    ),
    ERASURE: ("nominal.erased",),
    ACCESS_DENIED: (
        "nominal.access_denied",
        "referral.access_denied",
        "break_glass.no_match",
    ),
    SECURITY: (
        "user.signed_in",
        "user.signed_out",
        "user.sign_in_failed",
        "user.locked_out",
        "second_factor.enrolled",
        "second_factor.verified",
        "second_factor.failed",
        "second_factor.reset",
        "recovery_code.used",
        "recovery_codes.regenerated",
        "password.changed",
        "password.reset",
        "password.reset_requested",
        "session.expired",
        "sessions.ended",
        "api_token.created",
        "api_token.revoked",
        "api_token.rejected",
        "user.unlocked",  # an administrator deleted a sign-in lockout (Administration, Access attempts)
    ),
    ADMINISTRATION: (
        "partner_organisation.created",
        "partner_service.created",
        "partner_service.updated",
    ),
}

ACTION_KINDS: dict[str, str] = {action: kind for kind, actions in _KIND_ACTIONS.items() for action in actions}

# The admin names its actions after the model it changed (iom/core/admin.py AuditedAdmin):
# "<model>.created", ".changed", ".saved" (an inline row), ".deleted". The models it audits:
ADMINISTERED_MODELS = frozenset(
    {
        "user",
        "membership",
        "region",
        "organisation",
        "team",
        "offencecategory",
        "cohortsetting",
        "partnerservice",
        "servicepathway",
        "crimeunitcost",
        "areabaseline",
    }
)
ADMIN_VERBS = ("created", "changed", "saved", "deleted")


def kind_of(action: str) -> str:
    """The kind of an action: one of KINDS, or "unclassified" for a name nobody has classified."""
    if action in ACTION_KINDS:
        return ACTION_KINDS[action]
    model, _, verb = action.partition(".")
    if model in ADMINISTERED_MODELS and verb in ADMIN_VERBS:
        return ADMINISTRATION
    return UNCLASSIFIED


def kind_label(kind: str) -> str:
    return KINDS.get(kind, "Unclassified")


def actions_of_kind(kind: str) -> list[str]:
    """Every action name of a kind, for filtering on the indexed action column."""
    actions = [action for action, classified in ACTION_KINDS.items() if classified == kind]
    if kind == ADMINISTRATION:
        actions += [f"{model}.{verb}" for model in sorted(ADMINISTERED_MODELS) for verb in ADMIN_VERBS]
    return sorted(actions)
