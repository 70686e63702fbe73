"""Celery tasks for governance reports: they take IDs and call reports.services.

Reliability lives in two places. The broker side: acks_late with reject_on_worker_lost, so a
worker killed mid-build leaves its message unacknowledged and the broker delivers it again
(Redis after its visibility timeout; at once if only the pool process died). The database side:
services' claim, a conditional UPDATE under a lease that counts attempts, so a redelivered or
duplicate message builds a run at most once and a run that keeps killing workers fails after the
cap. What neither brings back, beat's sweep (resend_stalled_reports_task) sends again. Celery's own
retries only cover a database that is briefly unreachable, and a run held by another attempt's
lease; they are not the attempt cap.
"""

from datetime import timedelta

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from reports import selectors

# How long after a lease ends a waiting task comes back for the run: clocks differ a little.
LEASE_MARGIN = timedelta(seconds=5)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
    # A regional pack takes about a minute. The soft limit lets services fail the run with a reason;
    # the hard one frees the worker if even that hangs (inside the PDF layout, say). Both stay under
    # the Redis visibility timeout, so a running build is never handed to a second worker.
    soft_time_limit=15 * 60,
    time_limit=16 * 60,
)
def build_report_task(self: Task, report_run_id: int) -> None:
    """Build one report run (routed to the "reports" queue by CELERY_TASK_ROUTES)."""
    from reports.services import build_report  # here: services import this module

    build_report(report_run_id=report_run_id)
    held_until = selectors.lease_held_until(report_run_id)
    if held_until is not None:
        # Another attempt holds the run, or held it until its process died: a pool process killed
        # mid-build (out of memory, say) has its message handed straight back (reject_on_worker_lost)
        # while its lease still runs, so the claim above declined. Come back when the lease ends: a
        # live holder has finished by then and this does nothing; a dead one's run is claimed.
        raise self.retry(eta=held_until + LEASE_MARGIN)


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def schedule_monthly_packs_task() -> None:
    """Beat's daily call: services decide whether today is the first working day of the month.

    Idempotent (services make at most one pack per region and month), so a redelivery or a second
    beat tick the same day queues nothing twice. Routed to the default queue, not "reports": it
    only inserts rows and sends build tasks, and must not wait behind PDFs being rendered.
    """
    from reports import services

    services.schedule_monthly_packs(today=timezone.localdate())


# A queued run whose message has not been picked up after this long was lost on the way (a broker
# that was down when the request committed, the filesystem broker's worker killed). The first of
# the month queues every region's pack; they take about a minute each, so this leaves room.
QUEUED_TOO_LONG = timedelta(minutes=30)


@shared_task
def resend_stalled_reports_task() -> int:
    """On beat's schedule: send the build again for runs nothing is building. Returns how many.

    A running run whose lease has ended lost its worker in a way no message brings back (a hard time
    limit, the filesystem broker, retries used up); a queued one lost its message. The claim makes a
    second message for a run that is in fact moving do nothing, and fails a run out of attempts.
    """
    stalled = selectors.stalled_report_run_ids(now=timezone.now(), queued_too_long=QUEUED_TOO_LONG)
    for report_run_id in stalled:
        build_report_task.delay(report_run_id)
    return len(stalled)
