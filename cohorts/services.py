"""Every write to the nominal record. Each function checks access, writes, adds its timeline
event and its audit row in one transaction, and says what went wrong in words a worker can act on."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from cohorts import identifiers
from cohorts.models import (
    Alias,
    Allocation,
    Assessment,
    Cohort,
    CohortMembership,
    CohortReview,
    CohortSetting,
    Feedback,
    FeedbackTheme,
    Goal,
    Need,
    NeedStatus,
    NeedUpdate,
    Nominal,
    NominalChange,
    Offence,
    OffenceCategory,
    Pathway,
    TimelineEvent,
)
from cohorts.periods import add_months
from iom.core import access, audit
from iom.core.models import CaseAccessGrant, Membership, Role, Team, User

IDENTIFIER_FIELDS = ("crn", "pnc_id", "nomis_number", "cro_number")
# Fields a person's record page may edit; anything else goes through its own service.
DETAIL_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "gender",
    "ethnicity",
    "address_area",
    *IDENTIFIER_FIELDS,
    "statutory_status",
)
CUSTODY_FIELDS = (
    "in_custody",
    "establishment",
    "sentence_date",
    "conditional_release_date",
    "hdc_eligibility_date",
    "licence_expiry_date",
    "sentence_expiry_date",
)
# Which membership roles may fill each case-team slot.
ALLOCATION_ROLES = {
    Allocation.Role.POLICE_OFFENDER_MANAGER: {Role.POLICE_OFFENDER_MANAGER},
    Allocation.Role.PROBATION_PRACTITIONER: {Role.PROBATION_PRACTITIONER},
    Allocation.Role.SUPPORT_WORKER: {Role.SUPPORT_WORKER, Role.YOUNG_ADULT_SUPPORT_WORKER},
}


class StaleRecord(Exception):
    """Someone else saved the record since this edit began; nothing was written."""

    def __init__(self, changes: list[NominalChange]) -> None:
        super().__init__("Someone else changed this record while you were editing it.")
        self.changes = changes


def add_timeline_event(
    *,
    nominal: Nominal,
    kind: TimelineEvent.Kind,
    occurred_on: date,
    summary: str,
    source: models.Model,
    recorded_by: User | None,
    body: str = "",
    visibility: TimelineEvent.Visibility = TimelineEvent.Visibility.TEAM,
) -> TimelineEvent:
    """Called by every app's services inside their own transaction; access is theirs to check."""
    return TimelineEvent.objects.create(
        nominal=nominal,
        kind=kind,
        occurred_on=occurred_on,
        summary=summary[:200],
        body=body,
        visibility=visibility,
        source_type=ContentType.objects.get_for_model(source),
        source_id=source.pk,
        recorded_by=recorded_by,
    )


def _field(name: str) -> "models.Field[Any, Any]":
    field = Nominal._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{name} is not a field of the nominal record")
    return field


def _normalise_identifiers(values: dict[str, Any]) -> None:
    for field in IDENTIFIER_FIELDS:
        if field in values:
            values[field] = identifiers.normalise(values[field] or "") or None


def duplicate_identifier_message(label: str, value: str) -> str:
    """The one answer for an identifier held by a person the actor may not open, whoever manages them
    and whether or not their record is restricted: naming the team, or answering differently for a
    restricted case, would tell the actor where the person is (docs/decisions/0013-restricted-cases.md)."""
    return (
        f"{label} {value} is already recorded for another person. "
        "Ask your IOM manager to resolve the duplicate."
    )


def check_identifiers_are_new(*, actor: User, values: dict[str, Any], exclude_id: int | None = None) -> None:
    """Refuse an identifier already held by another person, linking to them when the actor may open
    their record and naming neither them nor their team otherwise."""
    errors: dict[str, Any] = {}
    for field in IDENTIFIER_FIELDS:
        value = values.get(field)
        if not value:
            continue
        holders = Nominal.objects.filter(**{field: value})
        existing = (holders.exclude(pk=exclude_id) if exclude_id is not None else holders).first()
        if existing is None:
            continue
        label = _field(field).verbose_name
        if access.can_view_nominal(actor, existing):
            url = reverse("cohorts:nominal-detail", args=[existing.pk])
            errors[field] = format_html(
                '{} {} is already recorded for <a class="govuk-link" href="{}">{}</a>',
                label,
                value,
                url,
                existing,
            )
        else:
            errors[field] = duplicate_identifier_message(str(label), value)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_nominal(*, actor: User, team: Team, **values: Any) -> Nominal:
    if not access.can_add_nominal(actor, team.pk):
        raise PermissionDenied("You may add people only to your own team.")
    _normalise_identifiers(values)
    check_identifiers_are_new(actor=actor, values=values)
    aliases = values.pop("aliases", [])
    longest = Alias._meta.get_field("name").max_length or 200
    if any(len(name) > longest for name in aliases):
        raise ValidationError({"aliases": f"Each alias must be {longest} characters or fewer"})
    nominal = Nominal(team=team, **values)
    nominal.full_clean()
    try:
        with transaction.atomic():
            nominal.save()
    except IntegrityError:
        # Another save took the identifier between our check and this insert.
        check_identifiers_are_new(actor=actor, values=values)
        raise

    for name in aliases:
        Alias.objects.create(nominal=nominal, name=name)
    add_timeline_event(
        nominal=nominal,
        kind=TimelineEvent.Kind.RECORD,
        occurred_on=timezone.localdate(),
        summary="Record created",
        source=nominal,
        recorded_by=actor,
    )
    audit.record(actor=actor, action="nominal.created", target=nominal, nominal_id=nominal.pk)
    return nominal


def _display(nominal: Nominal, field: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    model_field = _field(field)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return value.strftime("%-d %B %Y")
    return str(value)


# Dates that come after sentencing, with how each is named in a message.
AFTER_SENTENCING = {
    "conditional_release_date": "conditional release date",
    "hdc_eligibility_date": "HDC eligibility date",
    "licence_expiry_date": "licence expiry date",
    "sentence_expiry_date": "sentence expiry date",
}


def check_custody_dates(custody: dict[str, Any]) -> None:
    """The rules between a record's custody fields, whichever of them a change touches."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if custody.get("in_custody") and not custody.get("establishment"):
        refuse("establishment", "Enter the establishment they are held in")
    sentenced = custody.get("sentence_date")
    if sentenced and sentenced > timezone.localdate():
        refuse("sentence_date", "The sentence date must be today or in the past")
    for field, name in AFTER_SENTENCING.items():
        later = custody.get(field)
        if sentenced and later and later <= sentenced:
            refuse(field, f"The {name} must be after the sentence date")
    release, hdc = custody.get("conditional_release_date"), custody.get("hdc_eligibility_date")
    if release and hdc and hdc > release:
        refuse(
            "hdc_eligibility_date",
            "The HDC eligibility date must be on or before the conditional release date",
        )
    for field in ("licence_expiry_date", "sentence_expiry_date"):
        expiry = custody.get(field)
        if release and expiry and expiry < release:
            refuse(field, f"The {AFTER_SENTENCING[field]} must be on or after the conditional release date")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def update_nominal(
    *, actor: User, nominal: Nominal, expected_version: int, changes: dict[str, Any]
) -> Nominal:
    """Change details or custody fields, refusing if anyone saved since `expected_version`.

    The version check is a conditional UPDATE, so two saves racing each other cannot both win.
    """
    access.require_edit_nominal(actor, nominal)
    allowed = set(DETAIL_FIELDS) | set(CUSTODY_FIELDS)
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"update_nominal cannot change {sorted(unknown)}")
    _normalise_identifiers(changes)
    current = Nominal.objects.select_for_update().get(pk=nominal.pk)
    if current.version != expected_version:
        raise StaleRecord(
            list(current.changes.filter(version__gt=expected_version).select_related("changed_by"))
        )
    if "in_custody" in changes and not changes["in_custody"]:
        changes["establishment"] = ""
    if "establishment" in changes:
        changes["establishment"] = (changes["establishment"] or "").strip()
    check_custody_dates({**{field: getattr(current, field) for field in CUSTODY_FIELDS}, **changes})
    changed = {field: value for field, value in changes.items() if getattr(current, field) != value}
    if not changed:
        return current
    check_identifiers_are_new(actor=actor, values=changed, exclude_id=current.pk)
    before = {field: getattr(current, field) for field in changed}
    for field, value in changed.items():
        setattr(current, field, value)
    current.full_clean(validate_unique=False)
    updated = Nominal.objects.filter(pk=current.pk, version=expected_version).update(
        version=F("version") + 1, **changed, updated_at=timezone.now()
    )
    if not updated:  # lost a race after the lock was released by another backend
        raise StaleRecord([])
    current.version = expected_version + 1
    NominalChange.objects.bulk_create(
        NominalChange(
            nominal=current,
            version=current.version,
            field=field,
            old_value=_display(current, field, before[field]),
            new_value=_display(current, field, value),
            changed_by=actor,
        )
        for field, value in changed.items()
    )
    labels = ", ".join(str(_field(field).verbose_name) for field in changed)
    add_timeline_event(
        nominal=current,
        kind=TimelineEvent.Kind.RECORD,
        occurred_on=timezone.localdate(),
        summary=f"Record changed: {labels}"[:200],
        source=current,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="nominal.changed",
        target=current,
        nominal_id=current.pk,
        detail={"fields": sorted(changed), "version": current.version},
    )
    return current


@transaction.atomic
def add_alias(*, actor: User, nominal: Nominal, name: str) -> Alias:
    access.require_edit_nominal(actor, nominal)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Enter the alias"})
    if Alias.objects.filter(nominal=nominal, name__iexact=name).exists():
        raise ValidationError({"name": f"{name} is already recorded as an alias"})
    alias = Alias.objects.create(nominal=nominal, name=name)
    audit.record(actor=actor, action="alias.added", target=alias, nominal_id=nominal.pk)
    return alias


@transaction.atomic
def allocate_worker(
    *, actor: User, nominal: Nominal, role: Allocation.Role, worker: User | None, started_on: date
) -> Allocation | None:
    """Put a worker in one of the case team's three places, or clear it; the old allocation ends."""
    access.require_manage_team(actor, nominal.team_id)
    if worker is not None:
        eligible = worker.memberships.filter(
            team_id=nominal.team_id, role__in=ALLOCATION_ROLES[role]
        ).exists()
        if not eligible or not worker.is_active:
            place = Allocation.Role(role).label.lower()
            raise ValidationError({"worker": f"{worker} is not an active {place} in {nominal.team}"})
    slot = role.value if isinstance(role, Allocation.Role) else str(role)
    if getattr(nominal, f"{slot}_id") == (worker.pk if worker else None):
        return None
    current = Allocation.objects.filter(nominal=nominal, role=slot, ended_on__isnull=True).first()
    if current is not None and started_on < current.started_on:
        since = f"{current.started_on:%-d %B %Y}"
        raise ValidationError(
            {"started_on": f"{current.worker} has held this place since {since}: enter that date or later"}
        )
    Allocation.objects.filter(nominal=nominal, role=slot, ended_on__isnull=True).update(ended_on=started_on)
    allocation = (
        Allocation.objects.create(
            nominal=nominal, role=slot, worker=worker, started_on=started_on, allocated_by=actor
        )
        if worker is not None
        else None
    )
    Nominal.objects.filter(pk=nominal.pk).update(**{f"{slot}_id": worker.pk if worker else None})
    setattr(nominal, f"{slot}_id", worker.pk if worker else None)
    label = Allocation.Role(slot).label
    add_timeline_event(
        nominal=nominal,
        kind=TimelineEvent.Kind.TEAM,
        occurred_on=started_on,
        summary=f"{label}: {worker}" if worker else f"{label} unallocated",
        source=allocation or nominal,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="nominal.allocated",
        target=nominal,
        nominal_id=nominal.pk,
        detail={"role": slot, "worker_id": worker.pk if worker else None},
    )
    return allocation


@transaction.atomic
def record_assessment(
    *,
    actor: User,
    nominal: Nominal,
    kind: str,
    assessed_on: date,
    level: str = "",
    score: int | None = None,
    notes: str = "",
) -> Assessment:
    access.require_edit_nominal(actor, nominal)
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": "The assessment date must be today or in the past"})
    scored = kind in (Assessment.Kind.OGRS, Assessment.Kind.OGP)
    if scored and (score is None or not 0 <= score <= 100):
        raise ValidationError({"score": "Enter the score as a whole percentage from 0 to 100"})
    if not scored and level not in Assessment.LEVELS.get(Assessment.Kind(kind), []):
        raise ValidationError({"level": "Select a level"})
    assessment = Assessment(
        nominal=nominal,
        kind=kind,
        assessed_on=assessed_on,
        level="" if scored else level,
        score=score if scored else None,
        notes=notes.strip(),
        assessed_by=actor,
    )
    assessment.full_clean()
    assessment.save()
    add_timeline_event(
        nominal=nominal,
        kind=TimelineEvent.Kind.ASSESSMENT,
        occurred_on=assessed_on,
        summary=f"{assessment.get_kind_display()}: {assessment.display_value}",
        body=assessment.notes,
        source=assessment,
        recorded_by=actor,
    )
    audit.record(actor=actor, action="assessment.recorded", target=assessment, nominal_id=nominal.pk)
    return assessment


@transaction.atomic
def record_offence(
    *, actor: User, nominal: Nominal, kind: str, category: OffenceCategory, occurred_on: date
) -> Offence:
    access.require_edit_nominal(actor, nominal)
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": "The date must be today or in the past"})
    if nominal.date_of_birth and occurred_on < nominal.date_of_birth:
        raise ValidationError({"occurred_on": "The date must be after the person's date of birth"})
    offence = Offence(
        nominal=nominal, kind=kind, category=category, occurred_on=occurred_on, recorded_by=actor
    )
    offence.full_clean()
    offence.save()
    add_timeline_event(
        nominal=nominal,
        kind=TimelineEvent.Kind.OFFENCE,
        occurred_on=occurred_on,
        summary=f"{offence.get_kind_display()}: {category.name}",
        source=offence,
        recorded_by=actor,
    )
    audit.record(actor=actor, action="offence.recorded", target=offence, nominal_id=nominal.pk)
    return offence


@transaction.atomic
def update_need(
    *,
    actor: User,
    nominal: Nominal,
    pathway: str,
    status: str,
    updated_on: date,
    unmet_reason: str = "",
    note: str = "",
) -> Need:
    access.require_edit_nominal(actor, nominal)
    return record_need_status(
        actor=actor,
        nominal=nominal,
        pathway=pathway,
        status=status,
        updated_on=updated_on,
        unmet_reason=unmet_reason,
        note=note,
    )


@transaction.atomic
def record_need_status(
    *,
    actor: User,
    nominal: Nominal,
    pathway: str,
    status: str,
    updated_on: date,
    unmet_reason: str = "",
    note: str = "",
) -> Need:
    """The write behind update_need, for services that checked access themselves: a referral's
    outcome, recorded by the partner, moves the need it addressed."""
    if pathway not in Pathway.values:
        raise ValidationError({"pathway": "Select a pathway"})
    if updated_on > timezone.localdate():
        raise ValidationError({"updated_on": "The date must be today or in the past"})
    if status == NeedStatus.UNMET and not unmet_reason:
        raise ValidationError({"unmet_reason": "Select why the need is unmet"})
    if status != NeedStatus.UNMET:
        unmet_reason = ""
    need, _ = Need.objects.update_or_create(
        nominal=nominal,
        pathway=pathway,
        defaults={"status": status, "unmet_reason": unmet_reason, "updated_on": updated_on},
    )
    update = NeedUpdate.objects.create(
        need=need,
        status=status,
        unmet_reason=unmet_reason,
        note=note.strip(),
        updated_on=updated_on,
        updated_by=actor,
    )
    why = f" ({need.get_unmet_reason_display().lower()})" if unmet_reason else ""
    add_timeline_event(
        nominal=nominal,
        kind=TimelineEvent.Kind.NEED,
        occurred_on=updated_on,
        summary=f"{need.get_pathway_display()}: {need.get_status_display().lower()}{why}",
        body=update.note,
        source=update,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="need.updated",
        target=need,
        nominal_id=nominal.pk,
        detail={"pathway": pathway, "status": status},
    )
    return need


@transaction.atomic
def add_goal(*, actor: User, nominal: Nominal, in_their_words: str, set_on: date) -> Goal:
    access.require_edit_nominal(actor, nominal)
    if not in_their_words.strip():
        raise ValidationError({"in_their_words": "Enter the goal as the person put it"})
    if set_on > timezone.localdate():
        raise ValidationError({"set_on": "The date must be today or in the past"})
    goal = Goal.objects.create(
        nominal=nominal, in_their_words=in_their_words.strip(), set_on=set_on, recorded_by=actor
    )
    add_timeline_event(
        nominal=nominal,
        kind=TimelineEvent.Kind.VOICE,
        occurred_on=set_on,
        summary="New goal in their words",
        body=goal.in_their_words,
        source=goal,
        recorded_by=actor,
    )
    audit.record(actor=actor, action="goal.added", target=goal, nominal_id=nominal.pk)
    return goal


@transaction.atomic
def set_goal_status(*, actor: User, goal: Goal, status: str) -> Goal:
    access.require_edit_nominal(actor, goal.nominal)
    if status not in Goal.Status.values:
        raise ValidationError({"status": "Select what has happened to the goal"})
    Goal.objects.filter(pk=goal.pk).update(status=status)
    goal.status = status
    add_timeline_event(
        nominal=goal.nominal,
        kind=TimelineEvent.Kind.VOICE,
        occurred_on=timezone.localdate(),
        summary=f"Goal: {goal.get_status_display().lower()}",
        body=goal.in_their_words,
        source=goal,
        recorded_by=actor,
    )
    audit.record(
        actor=actor, action="goal.changed", target=goal, nominal_id=goal.nominal_id, detail={"status": status}
    )
    return goal


@transaction.atomic
def record_feedback(
    *,
    actor: User,
    nominal: Nominal,
    given_on: date,
    what_helps: str = "",
    what_does_not_help: str = "",
    helps_themes: Sequence[str] = (),
    does_not_help_themes: Sequence[str] = (),
) -> Feedback:
    access.require_edit_nominal(actor, nominal)
    if not (what_helps.strip() or what_does_not_help.strip()):
        raise ValidationError("Enter what helps, what does not help, or both")
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": "The date must be today or in the past"})
    for name, themes in (("helps_themes", helps_themes), ("does_not_help_themes", does_not_help_themes)):
        if not set(themes) <= set(FeedbackTheme.values):
            raise ValidationError({name: "Select themes from the list"})
    feedback = Feedback.objects.create(
        nominal=nominal,
        given_on=given_on,
        what_helps=what_helps.strip(),
        what_does_not_help=what_does_not_help.strip(),
        # In the list's order, each once, so the pack counts a theme once per feedback.
        helps_themes=[theme for theme in FeedbackTheme.values if theme in helps_themes],
        does_not_help_themes=[theme for theme in FeedbackTheme.values if theme in does_not_help_themes],
        recorded_by=actor,
    )
    body = "\n".join(
        part
        for part in (
            f"What helps: {feedback.what_helps}" if feedback.what_helps else "",
            f"What does not help: {feedback.what_does_not_help}" if feedback.what_does_not_help else "",
        )
        if part
    )
    add_timeline_event(
        nominal=nominal,
        kind=TimelineEvent.Kind.VOICE,
        occurred_on=given_on,
        summary="Feedback in their words",
        body=body,
        source=feedback,
        recorded_by=actor,
    )
    audit.record(actor=actor, action="feedback.recorded", target=feedback, nominal_id=nominal.pk)
    return feedback


def review_interval_months(cohort: str) -> int:
    setting = CohortSetting.objects.filter(cohort=cohort).first()
    return setting.review_interval_months if setting else 3


@transaction.atomic
def propose_for_cohort(
    *, actor: User, nominal: Nominal, cohort: str, reason: str, proposed_on: date | None = None
) -> CohortMembership:
    if not access.can_propose_for_cohort(actor, nominal):
        raise PermissionDenied("You may propose only people your team manages.")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why this person should be on the cohort"})
    membership = CohortMembership(
        nominal=nominal,
        cohort=cohort,
        proposed_by=actor,
        proposed_on=proposed_on or timezone.localdate(),
        proposal_reason=reason.strip(),
    )
    membership.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        existing = nominal.cohort_memberships.filter(status=CohortMembership.Status.ACTIVE).first()
        if existing is None:
            message = (
                f"{nominal.full_name} is already proposed for a cohort and awaiting the panel's decision"
            )
        else:
            message = (
                f"{nominal.full_name} is already on the {existing.get_cohort_display()} cohort: "
                "record a review to move them to another cohort"
            )
        raise ValidationError({"cohort": message}) from None
    add_timeline_event(
        nominal=nominal,
        kind=TimelineEvent.Kind.COHORT,
        occurred_on=membership.proposed_on,
        summary=f"Proposed for the {membership.get_cohort_display()} cohort",
        body=membership.proposal_reason,
        source=membership,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="cohort.proposed",
        target=membership,
        nominal_id=nominal.pk,
        detail={"cohort": cohort},
    )
    return membership


@transaction.atomic
def record_panel_decision(
    *,
    actor: User,
    membership: CohortMembership,
    accepted: bool,
    panel_date: date,
    attendees: str,
    rationale: str,
) -> CohortMembership:
    access.require_manage_team(actor, membership.nominal.team_id)
    errors = {}
    if not attendees.strip():
        errors["attendees"] = "Enter who attended the panel"
    if not rationale.strip():
        errors["rationale"] = "Enter the panel's reasons"
    if panel_date > timezone.localdate():
        errors["panel_date"] = "The panel date must be today or in the past"
    elif panel_date < membership.proposed_on:
        errors["panel_date"] = "The panel date must be on or after the date of the proposal"
    if errors:
        raise ValidationError(errors)
    status = CohortMembership.Status.ACTIVE if accepted else CohortMembership.Status.NOT_ACCEPTED
    fields = {
        "status": status,
        "panel_date": panel_date,
        "panel_attendees": attendees.strip(),
        "panel_rationale": rationale.strip(),
        "panel_recorded_by": actor,
    }
    if accepted:
        fields["entry_date"] = panel_date
        fields["review_due"] = add_months(panel_date, review_interval_months(membership.cohort))
    # Only a proposal still awaiting panel can be decided: a second decision changes nothing.
    if not CohortMembership.objects.filter(pk=membership.pk, status=CohortMembership.Status.PROPOSED).update(
        **fields
    ):
        raise ValidationError("The panel has already decided on this proposal")
    for field, value in fields.items():
        setattr(membership, field, value)
    decision = "accepted" if accepted else "not accepted"
    add_timeline_event(
        nominal=membership.nominal,
        kind=TimelineEvent.Kind.COHORT,
        occurred_on=panel_date,
        summary=f"Panel {decision}: {membership.get_cohort_display()} cohort",
        body=membership.panel_rationale,
        source=membership,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="cohort.panel_decided",
        target=membership,
        nominal_id=membership.nominal_id,
        detail={"accepted": accepted},
    )
    return membership


def _end_membership(
    *, actor: User, membership: CohortMembership, exit_reason: str, exit_date: date, note: str
) -> None:
    ended = CohortMembership.objects.filter(pk=membership.pk, status=CohortMembership.Status.ACTIVE).update(
        status=CohortMembership.Status.ENDED,
        exit_reason=exit_reason,
        exit_date=exit_date,
        exit_note=note.strip(),
    )
    if not ended:
        raise ValidationError("This person is no longer on that cohort")
    membership.status, membership.exit_reason, membership.exit_date = (
        CohortMembership.Status.ENDED,
        exit_reason,
        exit_date,
    )


def locked_membership(membership: CohortMembership) -> CohortMembership:
    """The membership as it is now, locked until the caller's transaction ends."""
    return (
        CohortMembership.objects.select_for_update(of=("self",))
        .select_related("nominal")
        .get(pk=membership.pk)
    )


@transaction.atomic
def record_review(
    *,
    actor: User,
    membership: CohortMembership,
    reviewed_on: date,
    outcome: str,
    rationale: str,
    new_cohort: str = "",
    exit_reason: str = "",
) -> CohortReview:
    """Continue (next review set), move to another cohort (a new membership), or leave IOM."""
    # Locked and read again, so two reviews at once cannot both end or both move the membership.
    membership = locked_membership(membership)
    nominal = membership.nominal
    access.require_edit_nominal(actor, nominal)
    errors = {}
    if membership.status != CohortMembership.Status.ACTIVE:
        errors["outcome"] = "Only a current cohort membership can be reviewed"
    if not rationale.strip():
        errors["rationale"] = "Enter the reasons for the review's outcome"
    if reviewed_on > timezone.localdate():
        errors["reviewed_on"] = "The review date must be today or in the past"
    elif membership.entry_date and reviewed_on < membership.entry_date:
        errors["reviewed_on"] = "The review date must be on or after the date they joined the cohort"
    if outcome not in CohortReview.Outcome.values:
        errors.setdefault("outcome", "Select the outcome of the review")
    if outcome == CohortReview.Outcome.MOVE and (
        new_cohort not in Cohort.values or new_cohort == membership.cohort
    ):
        errors["new_cohort"] = "Select the cohort they move to"
    if outcome == CohortReview.Outcome.EXIT and (
        exit_reason not in CohortMembership.ExitReason.values
        or exit_reason == CohortMembership.ExitReason.MOVED_COHORT
    ):
        errors["exit_reason"] = "Select why they leave IOM"
    if errors:
        raise ValidationError(errors)
    review = CohortReview.objects.create(
        membership=membership,
        reviewed_on=reviewed_on,
        outcome=outcome,
        rationale=rationale.strip(),
        reviewed_by=actor,
    )
    if outcome == CohortReview.Outcome.CONTINUE:
        membership.review_due = add_months(reviewed_on, review_interval_months(membership.cohort))
        CohortMembership.objects.filter(pk=membership.pk).update(review_due=membership.review_due)
        summary = f"Review: continue on the {membership.get_cohort_display()} cohort"
    elif outcome == CohortReview.Outcome.MOVE:
        _end_membership(
            actor=actor,
            membership=membership,
            exit_reason=CohortMembership.ExitReason.MOVED_COHORT,
            exit_date=reviewed_on,
            note=rationale,
        )
        moved = CohortMembership.objects.create(
            nominal=nominal,
            cohort=new_cohort,
            status=CohortMembership.Status.ACTIVE,
            proposed_by=actor,
            proposed_on=reviewed_on,
            proposal_reason=rationale.strip(),
            entry_date=reviewed_on,
            review_due=add_months(reviewed_on, review_interval_months(new_cohort)),
        )
        summary = f"Review: moved from {membership.get_cohort_display()} to {moved.get_cohort_display()}"
    else:
        _end_membership(
            actor=actor, membership=membership, exit_reason=exit_reason, exit_date=reviewed_on, note=rationale
        )
        summary = f"Review: left IOM ({CohortMembership.ExitReason(exit_reason).label.lower()})"
    add_timeline_event(
        nominal=nominal,
        kind=TimelineEvent.Kind.COHORT,
        occurred_on=reviewed_on,
        summary=summary,
        body=review.rationale,
        source=review,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="cohort.reviewed",
        target=review,
        nominal_id=nominal.pk,
        detail={"outcome": outcome},
    )
    return review


# Restricted cases ------------------------------------------------------------------------------
# A restricted case opens only to the named users on its allow-list and, for a few hours, to a member
# of the managing team who broke the glass with a reason (DESIGN §3, docs/decisions/0013). The grants
# live in core (CaseAccessGrant), since access.py reads them on every request; these services keep
# them, each with its audit row in the same transaction. No timeline event: the timeline is the
# team's, and the audit and the managers' break-glass log are where these are shown.

BREAK_GLASS_REASON_MIN_LENGTH = 10


def _current_allow_list(nominal: Nominal) -> models.QuerySet[CaseAccessGrant]:
    return CaseAccessGrant.objects.filter(
        nominal_id=nominal.pk, kind=CaseAccessGrant.Kind.ALLOW_LIST, revoked_at__isnull=True
    )


def _lock(nominal: Nominal) -> Nominal:
    """The person's row, locked until the end of the transaction, so two managers changing the
    restriction or its allow-list at once take turns (the last-manager rule reads the list)."""
    return Nominal.objects.select_for_update().get(pk=nominal.pk)


def _check_may_be_named(nominal: Nominal, users: Sequence[User]) -> None:
    outsiders = [user for user in users if not access.may_be_allow_listed(user, nominal)]
    if outsiders:
        names = ", ".join(user.full_name or user.email for user in outsiders)
        raise ValidationError(
            {
                "allowed_users": (
                    f"Only members of {nominal.team.name} may be named on the allow-list: {names} "
                    f"{'is' if len(outsiders) == 1 else 'are'} not"
                )
            }
        )


def _managers_among(nominal: Nominal, user_ids: Sequence[int]) -> set[int]:
    return set(
        Membership.objects.filter(
            user_id__in=list(user_ids), user__is_active=True, team_id=nominal.team_id, role=Role.MANAGER
        ).values_list("user_id", flat=True)
    )


@transaction.atomic
def restrict_case(
    *, actor: User, nominal: Nominal, allowed_users: Sequence[User], reason: str
) -> list[CaseAccessGrant]:
    """Restrict a person's record to named members of the managing team. The manager who restricts
    it is always named, so someone can still open the record and keep its list."""
    access.require_manage_restriction(actor, nominal)
    locked = _lock(nominal)
    if locked.access_restricted:
        raise ValidationError("This record is already restricted: change its allow-list instead.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why this record is restricted"})
    named = {user.pk: user for user in [actor, *allowed_users]}
    _check_may_be_named(nominal, list(named.values()))
    locked.access_restricted = True
    locked.save(update_fields=["access_restricted"])
    nominal.access_restricted = True
    grants = CaseAccessGrant.objects.bulk_create(
        CaseAccessGrant(
            nominal_id=nominal.pk,
            user=user,
            kind=CaseAccessGrant.Kind.ALLOW_LIST,
            reason=reason,
            granted_by=actor,
        )
        for user in named.values()
    )
    audit.record(
        actor=actor,
        action="restriction.added",
        target=nominal,
        nominal_id=nominal.pk,
        detail={"reason": reason, "allowed_user_ids": sorted(named)},
    )
    access.forget_cached_access(actor)
    return grants


def _require_restricted(nominal: Nominal) -> None:
    if not nominal.access_restricted:
        raise ValidationError("This record is not restricted.")


@transaction.atomic
def add_to_allow_list(*, actor: User, nominal: Nominal, user: User) -> CaseAccessGrant:
    access.require_manage_restriction(actor, nominal)
    _require_restricted(_lock(nominal))
    if _current_allow_list(nominal).filter(user=user).exists():
        raise ValidationError({"user": f"{user.full_name} is already on the allow-list"})
    _check_may_be_named(nominal, [user])
    grant = CaseAccessGrant.objects.create(
        nominal_id=nominal.pk, user=user, kind=CaseAccessGrant.Kind.ALLOW_LIST, granted_by=actor
    )
    audit.record(
        actor=actor,
        action="allow_list.added",
        target=grant,
        nominal_id=nominal.pk,
        detail={"user_id": user.pk, "user": user.email},
    )
    access.forget_cached_access(user)
    return grant


@transaction.atomic
def remove_from_allow_list(*, actor: User, nominal: Nominal, user: User) -> CaseAccessGrant:
    """Take a name off the allow-list. The last of the team's managers on it stays: without one, no
    one could keep the list (add another manager first, or lift the restriction)."""
    access.require_manage_restriction(actor, nominal)
    _require_restricted(_lock(nominal))
    current = list(_current_allow_list(nominal))
    grant = next((g for g in current if g.user_id == user.pk), None)
    if grant is None:
        raise ValidationError(f"{user.full_name} is not on the allow-list.")
    remaining = [g.user_id for g in current if g.user_id != user.pk]
    if not _managers_among(nominal, remaining):
        raise ValidationError(
            f"{user.full_name} is the last of the team's managers on the allow-list. Add another "
            "manager first, or lift the restriction."
        )
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor
    grant.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(
        actor=actor,
        action="allow_list.removed",
        target=grant,
        nominal_id=nominal.pk,
        detail={"user_id": user.pk, "user": user.email},
    )
    access.forget_cached_access(user)
    return grant


@transaction.atomic
def lift_restriction(*, actor: User, nominal: Nominal) -> int:
    """The record opens to the whole team again; every allow-list and break-glass grant on it ends.
    Returns how many grants ended."""
    access.require_manage_restriction(actor, nominal)
    locked = _lock(nominal)
    _require_restricted(locked)
    locked.access_restricted = False
    locked.save(update_fields=["access_restricted"])
    nominal.access_restricted = False
    ended = CaseAccessGrant.objects.filter(nominal_id=nominal.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor
    )
    audit.record(
        actor=actor,
        action="restriction.lifted",
        target=nominal,
        nominal_id=nominal.pk,
        detail={"grants_ended": ended},
    )
    access.forget_cached_access(actor)
    return ended


def break_glass_hours() -> int:
    return int(getattr(settings, "IOM_BREAK_GLASS_HOURS", 4))


def _check_break_glass_reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) < BREAK_GLASS_REASON_MIN_LENGTH:
        raise ValidationError(
            {
                "reason": (
                    f"Enter why you need to open this record, in at least {BREAK_GLASS_REASON_MIN_LENGTH} "
                    "characters: the team's managers read it"
                )
            }
        )
    return reason


@transaction.atomic
def break_glass(*, actor: User, nominal: Nominal, reason: str) -> CaseAccessGrant:
    """Open a restricted case for a few hours, as a member of the managing team who is not on its
    allow-list, with a reason the team's managers see."""
    access.require_break_glass(actor, nominal)
    reason = _check_break_glass_reason(reason)
    now = timezone.now()
    grant = CaseAccessGrant.objects.create(
        nominal_id=nominal.pk,
        user=actor,
        kind=CaseAccessGrant.Kind.BREAK_GLASS,
        reason=reason,
        granted_by=actor,
        granted_at=now,
        expires_at=now + timedelta(hours=break_glass_hours()),
    )
    audit.record(
        actor=actor,
        action="nominal.break_glass",
        target=nominal,
        nominal_id=nominal.pk,
        detail={"reason": reason, "grant_id": grant.pk, "expires_at": grant.expires_at.isoformat()},  # type: ignore[union-attr]
    )
    access.forget_cached_access(actor)
    return grant


@dataclass(frozen=True)
class BreakGlassSearch:
    """What an identifier search found: a record opened with break-glass access (grant), one the
    user may open already (no grant), or nothing (nominal None)."""

    nominal: Nominal | None
    grant: CaseAccessGrant | None = None


@transaction.atomic
def break_glass_by_identifier(*, actor: User, identifier: str, reason: str) -> BreakGlassSearch:
    """Find a restricted record of one of the actor's teams by its CRN, PNC ID, NOMIS or CRO number and
    open it with break-glass access. A search that finds nothing is logged too, with what was typed:
    the answer is the same whether no one holds the identifier, the person is in another team or the
    record is not restricted (the caseload's search finds those of the team)."""
    reason = _check_break_glass_reason(reason)
    value = identifiers.normalise(identifier or "")
    if not value:
        raise ValidationError({"identifier": "Enter a CRN, PNC ID, NOMIS number or CRO number"})
    match = Q(crn=value) | Q(pnc_id=value) | Q(nomis_number=value) | Q(cro_number=value)
    nominal = (
        Nominal.objects.filter(
            match, team_id__in=access.break_glass_teams(actor), access_restricted=True, retention_status=""
        )
        .select_related("team")
        .order_by("pk")
        .first()
    )
    if nominal is None:
        audit.record(
            actor=actor, action="break_glass.no_match", detail={"identifier": value, "reason": reason}
        )
        return BreakGlassSearch(nominal=None)
    if access.can_view_nominal(actor, nominal):
        return BreakGlassSearch(nominal=nominal)
    return BreakGlassSearch(nominal=nominal, grant=break_glass(actor=actor, nominal=nominal, reason=reason))
