"""Every write about partners: the directory, referrals and their lifecycle, partner access.

Each function checks access, writes, adds its referral event, timeline event and audit row in one
transaction, and says what went wrong in words a worker can act on. The lifecycle rules are in
docs/decisions/0008-referrals.md.
"""

import datetime as dt
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cohorts.models import Need, NeedStatus, Nominal, Pathway, TimelineEvent, UnmetReason
from cohorts.services import add_timeline_event, record_need_status
from iom.core import access, audit
from iom.core.models import Organisation, Region, User
from partners import disclosure
from partners.models import (
    OPEN_STATUSES,
    PARTNER_KINDS,
    REFERRAL_TEXT_MAX_LENGTH,
    TRANSITIONS,
    WORKING_STATUSES,
    Capacity,
    PartnerService,
    Referral,
    ReferralEvent,
    ServicePathway,
)
from partners.response_times import add_working_days
from partners.tasks import (
    notify_case_worker_task,
    notify_partner_of_referral_task,
    notify_partner_of_withdrawal_task,
)


def _text(value: str, *, field: str, missing: str, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise ValidationError({field: missing})
    if len(value) > REFERRAL_TEXT_MAX_LENGTH:
        raise ValidationError(
            {field: f"Keep it to {REFERRAL_TEXT_MAX_LENGTH:,} characters; this has {len(value):,}"}
        )
    return value


def _not_in_future(day: dt.date, *, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: "The date must be today or in the past"})


def _a_year_before(day: dt.date) -> dt.date:
    """The same date a year earlier (28 February for 29 February): consent lasts a calendar year."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


# The directory ---------------------------------------------------------------------------------


@transaction.atomic
def create_partner_organisation(*, actor: User, name: str, kind: str, region: Region | None) -> Organisation:
    access.require_manage_directory(actor)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter the organisation's name"})
    if kind not in PARTNER_KINDS:
        raise ValidationError({"kind": "Select the kind of partner organisation"})
    if Organisation.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"There is already an organisation called {name}"})
    organisation = Organisation.objects.create(name=name, kind=kind, region=region)
    audit.record(actor=actor, action="partner_organisation.created", target=organisation)
    return organisation


def _check_service(service: PartnerService, pathways: Iterable[str]) -> list[str]:
    chosen = sorted(set(pathways))
    if not chosen:
        raise ValidationError({"pathways": "Select at least one pathway the service works on"})
    if any(pathway not in Pathway.values for pathway in chosen):
        raise ValidationError({"pathways": "Select pathways from the list"})
    if service.organisation.kind not in PARTNER_KINDS:
        raise ValidationError(
            {"organisation": "Select a partner organisation, not a police force or probation"}
        )
    service.full_clean()
    return chosen


def _save_pathways(service: PartnerService, pathways: list[str]) -> None:
    service.pathways.exclude(pathway__in=pathways).delete()
    existing = set(service.pathways.values_list("pathway", flat=True))
    ServicePathway.objects.bulk_create(
        [ServicePathway(service=service, pathway=pathway) for pathway in pathways if pathway not in existing]
    )


@transaction.atomic
def create_partner_service(
    *, actor: User, organisation: Organisation, pathways: Iterable[str], **fields: object
) -> PartnerService:
    access.require_manage_directory(actor)
    service = PartnerService(organisation=organisation, updated_by=actor, **fields)
    chosen = _check_service(service, pathways)
    service.save()
    _save_pathways(service, chosen)
    audit.record(actor=actor, action="partner_service.created", target=service, detail={"pathways": chosen})
    return service


@transaction.atomic
def update_partner_service(
    *, actor: User, service: PartnerService, pathways: Iterable[str], **fields: object
) -> PartnerService:
    access.require_manage_directory(actor)
    service = PartnerService.objects.select_for_update().get(pk=service.pk)
    before = {name: getattr(service, name) for name in fields}
    for name, value in fields.items():
        setattr(service, name, value)
    service.updated_by = actor
    service.updated_at = timezone.now()
    chosen = _check_service(service, pathways)
    service.save()
    _save_pathways(service, chosen)
    changed = sorted(name for name, value in fields.items() if before[name] != value)
    audit.record(
        actor=actor,
        action="partner_service.updated",
        target=service,
        detail={"changed": changed, "pathways": chosen},
    )
    return service


# Referrals: the team's side -----------------------------------------------------------------


def _check_referral_fields(
    *,
    nominal: Nominal,
    service: PartnerService,
    pathway: str,
    lawful_basis: str,
    consent_given_on: dt.date | None,
    sharing_agreement: str,
    shared_fields: Iterable[str],
    complete: bool,
) -> tuple[str, list[str]]:
    """The rules for a referral's content; `complete` adds the ones that must hold before sending."""
    if pathway not in Pathway.values:
        raise ValidationError({"pathway": "Select the pathway the referral is for"})
    if not service.pathways.filter(pathway=pathway).exists():
        raise ValidationError(
            {
                "service": f"{service.name} does not work on {Pathway(pathway).label.lower()}; "
                "choose another service"
            }
        )
    if service.region_id is not None and service.region_id != nominal.team.region_id:
        raise ValidationError({"service": f"{service.name} does not take referrals from this region"})
    unknown = set(shared_fields) - set(disclosure.SHAREABLE_FIELDS)
    if unknown:
        raise ValidationError({"shared_fields": "Select the information to share from the list"})
    fields = [
        key for key in disclosure.SHAREABLE_FIELDS if key in set(shared_fields) | disclosure.ALWAYS_SHARED
    ]
    if lawful_basis and lawful_basis not in Referral.LawfulBasis.values:
        raise ValidationError({"lawful_basis": "Select the lawful basis for sharing"})
    if consent_given_on is not None:
        _not_in_future(consent_given_on, field="consent_given_on")
        if consent_given_on < _a_year_before(timezone.localdate()):
            raise ValidationError(
                {"consent_given_on": "Consent given more than a year ago must be asked for again"}
            )
    sharing_agreement = sharing_agreement.strip()
    if complete:
        if not lawful_basis:
            raise ValidationError({"lawful_basis": "Select the lawful basis for sharing"})
        if lawful_basis == Referral.LawfulBasis.CONSENT and consent_given_on is None:
            raise ValidationError({"consent_given_on": "Enter the date the person gave consent"})
        if lawful_basis != Referral.LawfulBasis.CONSENT and not sharing_agreement:
            raise ValidationError(
                {"sharing_agreement": "Enter the information sharing agreement this sharing rests on"}
            )
        if not service.is_active or service.capacity == Capacity.CLOSED:
            raise ValidationError(
                {"service": f"{service.name} is not taking referrals; choose another service"}
            )
    return sharing_agreement, fields


def create_referral(
    *,
    actor: User,
    nominal: Nominal,
    service: PartnerService,
    pathway: str,
    reason: str,
    lawful_basis: str = "",
    consent_given_on: dt.date | None = None,
    sharing_agreement: str = "",
    shared_fields: Iterable[str] = (),
    send: bool = False,
    submission_id: uuid.UUID | None = None,
) -> Referral:
    """A draft referral, sent at once when `send` (the usual case). Submitting the same form twice
    (the same `submission_id`) returns the first referral: nothing is made, sent or disclosed again."""
    access.require_refer(actor, nominal)
    if submission_id is not None and (earlier := _earlier_submission(submission_id, nominal)) is not None:
        return earlier
    try:
        return _create_referral(
            actor=actor,
            nominal=nominal,
            service=service,
            pathway=pathway,
            reason=reason,
            lawful_basis=lawful_basis,
            consent_given_on=consent_given_on,
            sharing_agreement=sharing_agreement,
            shared_fields=shared_fields,
            send=send,
            submission_id=submission_id,
        )
    except IntegrityError:
        # Two submissions raced past the check above: the unique key let one through.
        if submission_id is None or (earlier := _earlier_submission(submission_id, nominal)) is None:
            raise
        return earlier


def _earlier_submission(submission_id: uuid.UUID, nominal: Nominal) -> Referral | None:
    earlier = Referral.objects.filter(submission_id=submission_id).first()
    if earlier is not None and earlier.nominal_id != nominal.pk:
        # A form's key belongs to one person's form; reusing it elsewhere is not a retry.
        raise ValidationError(
            "This form has already been used. Open the form again to make another referral."
        )
    return earlier


@transaction.atomic
def _create_referral(
    *,
    actor: User,
    nominal: Nominal,
    service: PartnerService,
    pathway: str,
    reason: str,
    lawful_basis: str,
    consent_given_on: dt.date | None,
    sharing_agreement: str,
    shared_fields: Iterable[str],
    send: bool,
    submission_id: uuid.UUID | None,
) -> Referral:
    reason = _text(reason, field="reason", missing="Say why you are referring the person and what they need")
    sharing_agreement, fields = _check_referral_fields(
        nominal=nominal,
        service=service,
        pathway=pathway,
        lawful_basis=lawful_basis,
        consent_given_on=consent_given_on if lawful_basis == Referral.LawfulBasis.CONSENT else None,
        sharing_agreement=sharing_agreement if lawful_basis != Referral.LawfulBasis.CONSENT else "",
        shared_fields=shared_fields,
        complete=send,
    )
    referral = Referral.objects.create(
        nominal=nominal,
        service=service,
        organisation=service.organisation,
        pathway=pathway,
        reason=reason,
        lawful_basis=lawful_basis,
        consent_given_on=consent_given_on if lawful_basis == Referral.LawfulBasis.CONSENT else None,
        sharing_agreement=sharing_agreement if lawful_basis != Referral.LawfulBasis.CONSENT else "",
        shared_fields=fields,
        referred_by=actor,
        submission_id=submission_id,
    )
    _add_event(referral, actor=actor, to_status=Referral.Status.DRAFT)
    audit.record(actor=actor, action="referral.created", target=referral, nominal_id=nominal.pk)
    if send:
        return send_referral(actor=actor, referral=referral)
    return referral


@transaction.atomic
def update_draft_referral(
    *,
    actor: User,
    referral: Referral,
    service: PartnerService,
    pathway: str,
    reason: str,
    lawful_basis: str = "",
    consent_given_on: dt.date | None = None,
    sharing_agreement: str = "",
    shared_fields: Iterable[str] = (),
) -> Referral:
    referral = locked_referral(referral)
    access.require_refer(actor, referral.nominal)
    if referral.status != Referral.Status.DRAFT:
        raise ValidationError(
            f"This referral is {referral.get_status_display().lower()}; only a draft can be changed"
        )
    reason = _text(reason, field="reason", missing="Say why you are referring the person and what they need")
    consent_on = consent_given_on if lawful_basis == Referral.LawfulBasis.CONSENT else None
    agreement = sharing_agreement if lawful_basis != Referral.LawfulBasis.CONSENT else ""
    agreement, fields = _check_referral_fields(
        nominal=referral.nominal,
        service=service,
        pathway=pathway,
        lawful_basis=lawful_basis,
        consent_given_on=consent_on,
        sharing_agreement=agreement,
        shared_fields=shared_fields,
        complete=False,
    )
    referral.service = service
    referral.organisation = service.organisation
    referral.pathway = pathway
    referral.reason = reason
    referral.lawful_basis = lawful_basis
    referral.consent_given_on = consent_on
    referral.sharing_agreement = agreement
    referral.shared_fields = fields
    referral.save(
        update_fields=[
            "service",
            "organisation",
            "pathway",
            "reason",
            "lawful_basis",
            "consent_given_on",
            "sharing_agreement",
            "shared_fields",
        ]
    )
    audit.record(
        actor=actor, action="referral.draft_updated", target=referral, nominal_id=referral.nominal_id
    )
    return referral


@transaction.atomic
def send_referral(*, actor: User, referral: Referral) -> Referral:
    """Sending discloses the chosen fields to the partner organisation: the disclosure is audited with
    its recipient, the need is marked as being addressed, and the partner is told after commit."""
    referral = locked_referral(referral)
    nominal = referral.nominal
    access.require_refer(actor, nominal)
    _check_transition(referral, Referral.Status.SENT)
    _check_referral_fields(
        nominal=nominal,
        service=referral.service,
        pathway=referral.pathway,
        lawful_basis=referral.lawful_basis,
        consent_given_on=referral.consent_given_on,
        sharing_agreement=referral.sharing_agreement,
        shared_fields=referral.shared_fields,
        complete=True,
    )
    now = timezone.now()
    referral.sent_at = now
    referral.response_due = add_working_days(timezone.localdate(now), referral.service.response_working_days)
    # The recipient is whoever runs the service when it is sent: a draft may predate a move.
    referral.organisation = referral.service.organisation
    _move(
        referral,
        actor=actor,
        to_status=Referral.Status.SENT,
        extra_fields=["sent_at", "response_due", "organisation"],
    )
    _on_timeline(
        referral,
        actor=actor,
        summary=f"Referred to {referral.service.name} ({referral.get_pathway_display().lower()})",
        body=referral.reason,
    )
    audit.record(
        actor=actor,
        action="referral.sent",
        target=referral,
        nominal_id=nominal.pk,
        recipient=referral.organisation,
        detail={
            "shared_fields": referral.shared_fields,
            "lawful_basis": referral.lawful_basis,
            "consent_given_on": referral.consent_given_on.isoformat() if referral.consent_given_on else None,
            "sharing_agreement": referral.sharing_agreement,
            "service": referral.service.name,
        },
    )
    record_need_status(
        actor=actor,
        nominal=nominal,
        pathway=referral.pathway,
        status=NeedStatus.BEING_ADDRESSED,
        updated_on=timezone.localdate(now),
        note=f"Referred to {referral.service.name}",
    )
    notify_partner_of_referral_task.delay_on_commit(referral.pk)
    return referral


@transaction.atomic
def withdraw_referral(*, actor: User, referral: Referral, reason: str) -> Referral:
    referral = locked_referral(referral)
    access.require_refer(actor, referral.nominal)
    _check_transition(referral, Referral.Status.WITHDRAWN)
    reason = _text(reason, field="reason", missing="Say why the referral is withdrawn")
    was_sent = referral.status != Referral.Status.DRAFT
    event = _close(referral, actor=actor, to_status=Referral.Status.WITHDRAWN, note=reason)
    if was_sent:
        # The partner may be waiting to answer, or working with the person: they must hear it stopped.
        notify_partner_of_withdrawal_task.delay_on_commit(event.pk)
        _on_timeline(
            referral, actor=actor, summary=f"Referral to {referral.service.name} withdrawn", body=reason
        )
        _need_no_longer_addressed(
            referral, actor=actor, note=f"Referral to {referral.service.name} withdrawn"
        )
    audit.record(
        actor=actor,
        action="referral.withdrawn",
        target=referral,
        nominal_id=referral.nominal_id,
        recipient=referral.organisation if was_sent else None,
    )
    return referral


@transaction.atomic
def record_no_service_available(*, actor: User, nominal: Nominal, pathway: str, note: str = "") -> Need:
    """When the directory has nothing for a need, that absence is itself the evidence the
    governance pack reports: the need is recorded as unmet, no service available."""
    access.require_refer(actor, nominal)
    note = _text(note, field="note", missing="", required=False)
    return record_need_status(
        actor=actor,
        nominal=nominal,
        pathway=pathway,
        status=NeedStatus.UNMET,
        unmet_reason=UnmetReason.NO_SERVICE,
        updated_on=timezone.localdate(),
        note=note or "No service available in the partner directory",
    )


# Referrals: the partner's side --------------------------------------------------------------


@transaction.atomic
def accept_referral(*, actor: User, referral: Referral, note: str = "") -> Referral:
    referral = locked_referral(referral)
    access.require_recipient(actor, referral)
    _check_transition(referral, Referral.Status.ACCEPTED)
    note = _text(note, field="note", missing="", required=False)
    referral.responded_at = timezone.now()
    event = _move(
        referral, actor=actor, to_status=Referral.Status.ACCEPTED, note=note, extra_fields=["responded_at"]
    )
    access.grant_partner_access(organisation_id=referral.organisation_id, nominal=referral.nominal)
    _on_timeline(
        referral, actor=actor, summary=f"{referral.organisation.name} accepted the referral", body=note
    )
    audit.record(
        actor=actor,
        action="referral.accepted",
        target=referral,
        nominal_id=referral.nominal_id,
        detail={"access": "granted"},
    )
    notify_case_worker_task.delay_on_commit(event.pk)
    return referral


@transaction.atomic
def decline_referral(*, actor: User, referral: Referral, reason: str) -> Referral:
    referral = locked_referral(referral)
    access.require_recipient(actor, referral)
    _check_transition(referral, Referral.Status.DECLINED)
    reason = _text(
        reason, field="reason", missing="Say why the referral is declined, so the worker can find another way"
    )
    referral.responded_at = timezone.now()
    event = _close(
        referral, actor=actor, to_status=Referral.Status.DECLINED, note=reason, extra_fields=["responded_at"]
    )
    _on_timeline(
        referral, actor=actor, summary=f"{referral.organisation.name} declined the referral", body=reason
    )
    _need_no_longer_addressed(
        referral, actor=actor, note=f"{referral.organisation.name} declined the referral"
    )
    audit.record(actor=actor, action="referral.declined", target=referral, nominal_id=referral.nominal_id)
    notify_case_worker_task.delay_on_commit(event.pk)
    return referral


@transaction.atomic
def add_progress_update(
    *, actor: User, referral: Referral, note: str, occurred_on: dt.date | None = None
) -> ReferralEvent:
    referral = locked_referral(referral)
    access.require_recipient(actor, referral)
    _check_working(referral, "add an update")
    note = _text(note, field="note", missing="Enter the update")
    occurred_on = occurred_on or timezone.localdate()
    _not_in_future(occurred_on, field="occurred_on")
    if referral.sent_at is not None and occurred_on < timezone.localdate(referral.sent_at):
        raise ValidationError({"occurred_on": "The update must be on or after the day the referral was sent"})
    _start_work(referral, actor=actor)
    event = _add_event(
        referral, actor=actor, kind=ReferralEvent.Kind.PROGRESS, note=note, occurred_on=occurred_on
    )
    _on_timeline(
        referral,
        actor=actor,
        summary=f"Update from {referral.organisation.name}",
        body=note,
        occurred_on=occurred_on,
    )
    audit.record(
        actor=actor, action="referral.progress_updated", target=referral, nominal_id=referral.nominal_id
    )
    notify_case_worker_task.delay_on_commit(event.pk)
    return event


@transaction.atomic
def record_session(
    *, actor: User, referral: Referral, session_on: dt.date, attendance: str, note: str = ""
) -> ReferralEvent:
    referral = locked_referral(referral)
    access.require_recipient(actor, referral)
    _check_working(referral, "record a session")
    if attendance not in ReferralEvent.Attendance.values:
        raise ValidationError({"attendance": "Select whether the person attended"})
    _not_in_future(session_on, field="session_on")
    if referral.sent_at is not None and session_on < timezone.localdate(referral.sent_at):
        raise ValidationError({"session_on": "The session must be on or after the day the referral was sent"})
    note = _text(note, field="note", missing="", required=False)
    _start_work(referral, actor=actor)
    event = _add_event(
        referral,
        actor=actor,
        kind=ReferralEvent.Kind.SESSION,
        attendance=attendance,
        note=note,
        occurred_on=session_on,
    )
    label = ReferralEvent.Attendance(attendance).label.lower()
    _on_timeline(
        referral,
        actor=actor,
        summary=f"Session with {referral.organisation.name}: {label}",
        body=note,
        occurred_on=session_on,
    )
    audit.record(
        actor=actor,
        action="referral.session_recorded",
        target=referral,
        nominal_id=referral.nominal_id,
        detail={"attendance": attendance},
    )
    notify_case_worker_task.delay_on_commit(event.pk)
    return event


@transaction.atomic
def complete_referral(*, actor: User, referral: Referral, outcome: str, summary: str) -> Referral:
    referral = locked_referral(referral)
    access.require_recipient(actor, referral)
    _check_transition(referral, Referral.Status.COMPLETED)
    if outcome not in Referral.Outcome.values:
        raise ValidationError({"outcome": "Select the outcome of the work"})
    summary = _text(summary, field="summary", missing="Summarise what was done and what is left")
    referral.outcome = outcome
    event = _close(
        referral, actor=actor, to_status=Referral.Status.COMPLETED, note=summary, extra_fields=["outcome"]
    )
    label = Referral.Outcome(outcome).label.lower()
    _on_timeline(
        referral,
        actor=actor,
        summary=f"{referral.organisation.name} completed the referral: {label}",
        body=summary,
    )
    if outcome == Referral.Outcome.ACHIEVED:
        record_need_status(
            actor=actor,
            nominal=referral.nominal,
            pathway=referral.pathway,
            status=NeedStatus.MET,
            updated_on=timezone.localdate(),
            note=f"{referral.organisation.name}: {label}",
        )
    else:
        _need_no_longer_addressed(referral, actor=actor, note=f"{referral.organisation.name}: {label}")
    audit.record(
        actor=actor,
        action="referral.completed",
        target=referral,
        nominal_id=referral.nominal_id,
        detail={"outcome": outcome},
    )
    notify_case_worker_task.delay_on_commit(event.pk)
    return referral


# The lifecycle's machinery ------------------------------------------------------------------


def locked_referral(referral: Referral) -> Referral:
    """The referral as it is now, locked until the transaction ends, so two answers to one
    referral cannot both pass the transition check.

    The person is locked first, and every lifecycle change takes the two in that order: the
    partner's access is per person, so closing one referral ("no other working referral: revoke")
    must not interleave with accepting another to the same organisation ("grant"), or the grant
    the acceptance relied on could be deleted under it."""
    list(Nominal.objects.select_for_update().filter(pk=referral.nominal_id).values_list("pk", flat=True))
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("nominal", "nominal__team", "service", "organisation")
        .get(pk=referral.pk)
    )


# How a refusal describes where the referral stands.
_STANDING: dict[str, str] = {
    Referral.Status.DRAFT: "still a draft",
    Referral.Status.SENT: "waiting for the partner's answer",
}


def _reachable(from_status: str) -> set[str]:
    reached: set[str] = set()
    frontier = [from_status]
    while frontier:
        for status in TRANSITIONS[frontier.pop()]:
            if status not in reached:
                reached.add(status)
                frontier.append(status)
    return reached


def _standing(referral: Referral) -> str:
    return _STANDING.get(referral.status, referral.get_status_display().lower())


def _check_transition(referral: Referral, to_status: str) -> None:
    """Refuse an illegal change, saying why: too early ("yet"), or too late ("no longer")."""
    if to_status in TRANSITIONS[referral.status]:
        return
    target = Referral.Status(to_status).label.lower()
    if to_status == referral.status:
        # Usually two people answering at once: the other one's answer stands.
        raise ValidationError(f"This referral has already been {target}")
    if to_status in _reachable(referral.status):
        raise ValidationError(f"This referral is {_standing(referral)}, so it cannot be {target} yet")
    raise ValidationError(f"This referral is {_standing(referral)}, so it can no longer be {target}")


def _check_working(referral: Referral, doing: str) -> None:
    if referral.status in WORKING_STATUSES:
        return
    if referral.is_closed:
        raise ValidationError(f"This referral is {_standing(referral)}, so you can no longer {doing}")
    raise ValidationError(
        f"This referral is {_standing(referral)}, so you cannot {doing} until it is accepted"
    )


def _add_event(
    referral: Referral,
    *,
    actor: User,
    kind: str = ReferralEvent.Kind.STATUS,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    attendance: str = "",
    occurred_on: dt.date | None = None,
) -> ReferralEvent:
    return ReferralEvent.objects.create(
        referral=referral,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        note=note,
        attendance=attendance,
        occurred_on=occurred_on or timezone.localdate(),
        actor=actor,
        organisation_id=actor.organisation_id,
        by_partner=access.is_recipient(actor, referral),
    )


def _move(
    referral: Referral, *, actor: User, to_status: str, note: str = "", extra_fields: Iterable[str] = ()
) -> ReferralEvent:
    from_status = referral.status
    referral.status = to_status
    referral.save(update_fields=["status", *extra_fields])
    return _add_event(referral, actor=actor, from_status=from_status, to_status=to_status, note=note)


def _close(
    referral: Referral, *, actor: User, to_status: str, note: str, extra_fields: Iterable[str] = ()
) -> ReferralEvent:
    """Close the referral and take back the partner's access, unless another open, accepted
    referral to the same organisation still needs it."""
    was_working = referral.status in WORKING_STATUSES
    referral.closed_at = timezone.now()
    event = _move(
        referral, actor=actor, to_status=to_status, note=note, extra_fields=["closed_at", *extra_fields]
    )
    if was_working:
        still_working = Referral.objects.filter(
            nominal_id=referral.nominal_id,
            organisation_id=referral.organisation_id,
            status__in=WORKING_STATUSES,
        ).exists()
        if not still_working:
            access.revoke_partner_access(organisation_id=referral.organisation_id, nominal=referral.nominal)
            audit.record(
                actor=actor,
                action="partner_access.revoked",
                target=referral,
                nominal_id=referral.nominal_id,
                recipient=referral.organisation,
            )
    return event


def _start_work(referral: Referral, *, actor: User) -> None:
    """The first update or session on an accepted referral shows that the work has begun."""
    if referral.status == Referral.Status.ACCEPTED:
        _move(referral, actor=actor, to_status=Referral.Status.IN_PROGRESS)


def _on_timeline(
    referral: Referral, *, actor: User, summary: str, body: str = "", occurred_on: dt.date | None = None
) -> None:
    add_timeline_event(
        nominal=referral.nominal,
        kind=TimelineEvent.Kind.REFERRAL,
        occurred_on=occurred_on or timezone.localdate(),
        summary=summary,
        body=body,
        source=referral,
        recorded_by=actor,
    )


def _need_no_longer_addressed(referral: Referral, *, actor: User, note: str) -> None:
    """A closed referral that did not meet the need puts it back to "identified", unless another
    open referral still addresses it or the worker has since said something else about it."""
    other_open = (
        Referral.objects.filter(
            nominal_id=referral.nominal_id, pathway=referral.pathway, status__in=OPEN_STATUSES
        )
        .exclude(pk=referral.pk)
        .exists()
    )
    need = Need.objects.filter(nominal_id=referral.nominal_id, pathway=referral.pathway).first()
    if other_open or need is None or need.status != NeedStatus.BEING_ADDRESSED:
        return
    record_need_status(
        actor=actor,
        nominal=referral.nominal,
        pathway=referral.pathway,
        status=NeedStatus.IDENTIFIED,
        updated_on=timezone.localdate(),
        note=note,
    )
