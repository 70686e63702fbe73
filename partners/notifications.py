"""The emails behind the referral tasks.

Email is not a secure channel, so a notice names no person: it gives the referral's reference,
the service and pathway, and a link to sign in. Each notice is claimed before it is sent, so a
task that runs twice sends it once; a failed send hands the claim back for the retry.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from iom.core.models import Role, User
from partners.models import Referral, ReferralEvent

logger = logging.getLogger(__name__)


def _link(url_name: str, referral_id: int) -> str:
    return settings.IOM_BASE_URL + reverse(url_name, args=[referral_id])


def partner_recipients(referral: Referral) -> list[str]:
    """The service's referral inbox if it has one, otherwise every active partner member of staff."""
    # The service's inbox belongs to whoever runs the service now; a referral to its former
    # organisation goes to that organisation's staff instead.
    if referral.service.referral_email and referral.service.organisation_id == referral.organisation_id:
        return [referral.service.referral_email]
    staff: QuerySet[User] = User.objects.filter(
        organisation_id=referral.organisation_id, is_active=True, memberships__role=Role.PARTNER
    ).distinct()
    return sorted(staff.values_list("email", flat=True))


def case_worker_recipients(referral: Referral) -> list[str]:
    """The worker who made the referral; if they have left, the person's case team."""
    if referral.referred_by.is_active:
        return [referral.referred_by.email]
    nominal = referral.nominal
    team = [nominal.police_offender_manager, nominal.probation_practitioner, nominal.support_worker]
    return sorted({user.email for user in team if user is not None and user.is_active})


def _send_claimed(
    claim: QuerySet[Any], field: str, *, recipients: list[str], subject: str, message: str, nobody: str
) -> bool:
    """Send a notice this call has claimed (by setting `field` on `claim`). With no one to send it
    to, or when sending fails, the claim is handed back, so the sweep or the task's retry sends it."""
    if not recipients:
        claim.update(**{field: None})
        logger.warning(nobody)
        return False
    try:
        send_mail(subject=subject, message=message, from_email=None, recipient_list=recipients)
    except Exception:
        claim.update(**{field: None})
        raise
    return True


def notify_partner_of_referral(*, referral_id: int) -> bool:
    """Tell the partner a referral is waiting. Returns whether this call sent it."""
    claimed = Referral.objects.filter(
        pk=referral_id, partner_notified_at__isnull=True, status=Referral.Status.SENT
    ).update(partner_notified_at=timezone.now())
    if not claimed:
        return False  # already sent, answered or withdrawn before the worker got here
    referral = Referral.objects.select_related("service", "organisation", "nominal__team").get(pk=referral_id)
    # With no one to tell, handed back: the sweep tries again once the organisation has staff or an inbox.
    return _send_claimed(
        Referral.objects.filter(pk=referral_id),
        "partner_notified_at",
        recipients=partner_recipients(referral),
        subject=f"New referral {referral.reference} to {referral.service.name}",
        message=(
            f"{referral.nominal.team.name} has referred someone to {referral.service.name} "
            f"for {referral.get_pathway_display().lower()}.\n\n"
            f"Please accept or decline it by {referral.response_due:%-d %B %Y}.\n\n"
            f"Sign in to see the referral: {_link('partners:inbox-detail', referral.pk)}\n"
        ),
        nobody=f"Referral {referral.reference}: {referral.organisation} has no one to notify",
    )


# A withdrawal the partner knew something of: the referral had been sent to them.
_WITHDRAWN_AFTER_SENDING = Q(
    kind=ReferralEvent.Kind.STATUS,
    to_status=Referral.Status.WITHDRAWN,
    from_status__in=[Referral.Status.SENT, Referral.Status.ACCEPTED, Referral.Status.IN_PROGRESS],
)


def notify_partner_of_withdrawal(*, referral_event_id: int) -> bool:
    """Tell the partner the team has withdrawn a referral sent to them. Returns whether this call sent it.

    The referral's pages are closed to them now, so the notice has no link; it gives no reason, as
    the reason may say more about the person than email should carry."""
    claimed = ReferralEvent.objects.filter(
        _WITHDRAWN_AFTER_SENDING,
        pk=referral_event_id,
        partner_notified_at__isnull=True,
        # A referral withdrawn before its own notice went is news to no one.
        referral__partner_notified_at__isnull=False,
    ).update(partner_notified_at=timezone.now())
    if not claimed:
        return False
    event = ReferralEvent.objects.select_related(
        "referral__service", "referral__organisation", "referral__nominal__team"
    ).get(pk=referral_event_id)
    referral = event.referral
    was = (
        "was waiting for your answer" if event.from_status == Referral.Status.SENT else "you were working on"
    )
    return _send_claimed(
        ReferralEvent.objects.filter(pk=referral_event_id),
        "partner_notified_at",
        recipients=partner_recipients(referral),
        subject=f"Referral {referral.reference} to {referral.service.name} withdrawn",
        message=(
            f"{referral.nominal.team.name} has withdrawn referral {referral.reference} "
            f"({referral.service.name}, {referral.get_pathway_display().lower()}), which {was}.\n\n"
            "You need do nothing more with it, and it has left your list of referrals. "
            "Contact the referring team if you have questions.\n"
        ),
        nobody=f"Referral {referral.reference}: {referral.organisation} has no one to notify",
    )


def notify_case_worker(*, referral_event_id: int) -> bool:
    """Tell the referring worker the partner has answered, updated or closed the referral."""
    claimed = ReferralEvent.objects.filter(
        pk=referral_event_id, case_worker_notified_at__isnull=True, by_partner=True
    ).update(case_worker_notified_at=timezone.now())
    if not claimed:
        return False
    event = ReferralEvent.objects.select_related(
        "referral__service",
        "referral__organisation",
        "referral__referred_by",
        "referral__nominal__police_offender_manager",
        "referral__nominal__probation_practitioner",
        "referral__nominal__support_worker",
    ).get(pk=referral_event_id)
    referral = event.referral
    what = (
        f"{event.get_to_status_display().lower()} the referral"
        if event.kind == ReferralEvent.Kind.STATUS
        else f"added a {event.get_kind_display().lower()}"
    )
    return _send_claimed(
        ReferralEvent.objects.filter(pk=referral_event_id),
        "case_worker_notified_at",
        recipients=case_worker_recipients(referral),
        subject=f"Referral {referral.reference}: {referral.organisation.name} {what}",
        message=(
            f"{referral.organisation.name} {what} {referral.reference} "
            f"({referral.service.name}, {referral.get_pathway_display().lower()}).\n\n"
            f"Sign in to read it: {_link('partners:referral-detail', referral.pk)}\n"
        ),
        nobody=f"Referral {referral.reference}: no one on the case team to notify",
    )


# A notice unclaimed this long after its change was lost on the way to the worker (the broker was
# down when the transaction committed, say); older than the look-back, it is no longer news.
LOST_AFTER = dt.timedelta(minutes=10)
LOOK_BACK = dt.timedelta(days=7)


@dataclass(frozen=True)
class LostNotices:
    """Ids whose notice never went: referrals (to the partner), withdrawals (to the partner), and
    partner events (to the case worker)."""

    referrals: list[int]
    withdrawals: list[int]
    partner_events: list[int]


def lost_notices(*, now: dt.datetime) -> LostNotices:
    """What the tasks should send again; each task claims its notice, so a duplicate sends once."""
    window = (now - LOOK_BACK, now - LOST_AFTER)
    referrals = Referral.objects.filter(
        status=Referral.Status.SENT, partner_notified_at__isnull=True, sent_at__range=window
    ).values_list("pk", flat=True)
    withdrawals = ReferralEvent.objects.filter(
        _WITHDRAWN_AFTER_SENDING,
        partner_notified_at__isnull=True,
        referral__partner_notified_at__isnull=False,
        recorded_at__range=window,
    ).values_list("pk", flat=True)
    partner_events = (
        ReferralEvent.objects.filter(
            by_partner=True, case_worker_notified_at__isnull=True, recorded_at__range=window
        )
        # Work starting is the first update's side effect; the worker hears of the update itself.
        .exclude(kind=ReferralEvent.Kind.STATUS, to_status=Referral.Status.IN_PROGRESS)
        .values_list("pk", flat=True)
    )
    return LostNotices(sorted(referrals), sorted(withdrawals), sorted(partner_events))
