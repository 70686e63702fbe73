"""Email notices about referrals, sent by the worker after the transaction that caused them commits.

Each task takes an id, claims the notice with a conditional update (so a retried or duplicated
message sends one email), and hands back the claim if sending fails, so the retry can send it.
"""

from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

# Every notice: acknowledged once done (a lost worker's message is run again, and the claim makes
# that harmless), retried with backoff while the database or the mail server is away.
NOTICE_TASK_OPTIONS: dict[str, Any] = {
    "acks_late": True,
    "autoretry_for": (OperationalError, InterfaceError, OSError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 6,
}


@shared_task(**NOTICE_TASK_OPTIONS)
def notify_partner_of_referral_task(referral_id: int) -> None:
    from partners.notifications import notify_partner_of_referral  # here: services import this module

    notify_partner_of_referral(referral_id=referral_id)


@shared_task(**NOTICE_TASK_OPTIONS)
def notify_case_worker_task(referral_event_id: int) -> None:
    from partners.notifications import notify_case_worker

    notify_case_worker(referral_event_id=referral_event_id)


@shared_task(**NOTICE_TASK_OPTIONS)
def notify_partner_of_withdrawal_task(referral_event_id: int) -> None:
    from partners.notifications import notify_partner_of_withdrawal

    notify_partner_of_withdrawal(referral_event_id=referral_event_id)


@shared_task
def resend_lost_notices_task() -> int:
    """On beat's schedule: queue again any notice that never reached the worker. Returns how many."""
    from partners.notifications import lost_notices

    lost = lost_notices(now=timezone.now())
    for referral_id in lost.referrals:
        notify_partner_of_referral_task.delay(referral_id)
    for event_id in lost.withdrawals:
        notify_partner_of_withdrawal_task.delay(event_id)
    for event_id in lost.partner_events:
        notify_case_worker_task.delay(event_id)
    return len(lost.referrals) + len(lost.withdrawals) + len(lost.partner_events)
