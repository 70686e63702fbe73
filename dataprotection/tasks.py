"""Celery tasks for subject access exports: they take ids and call dataprotection.services.

As with governance packs (reports/tasks.py): acks_late with reject_on_worker_lost, so a worker killed
mid-build leaves its message to be delivered again; the service's claim (a conditional UPDATE under a
lease that counts attempts) builds an export at most once; beat's sweep sends again what neither
brings back. Celery's own retries only cover a database that is briefly unreachable. Builds go to
the "reports" queue (CELERY_TASK_ROUTES), the PDF queue that renders one at a time.
"""

from datetime import timedelta

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

# A queued export whose message nobody picked up in this long was lost on the way (a broker that was
# down when the request committed). Packs on the same queue take about a minute each.
QUEUED_TOO_LONG = timedelta(minutes=30)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
    # The soft limit lets the service fail the export with a reason; the hard one frees the worker if
    # even that hangs in the PDF layout. Both under the Redis visibility timeout (an hour).
    soft_time_limit=15 * 60,
    time_limit=16 * 60,
)
def build_subject_access_export_task(export_id: int) -> None:
    """Build one subject access export, JSON and PDF."""
    from dataprotection.services.subject_access import build_subject_access_export  # services import us

    build_subject_access_export(export_id=export_id)


@shared_task
def resend_stalled_subject_access_exports_task() -> int:
    """On beat's schedule: send the build again for exports nothing is building. Returns how many.

    A building export whose lease has ended lost its worker in a way no message brings back; a
    queued one lost its message. The claim makes a message for an export that is in fact moving do
    nothing, and fails one out of attempts."""
    from dataprotection.selectors.subject_access import stalled_subject_access_export_ids

    stalled = stalled_subject_access_export_ids(now=timezone.now(), queued_too_long=QUEUED_TOO_LONG)
    for export_id in stalled:
        build_subject_access_export_task.delay(export_id)
    return len(stalled)
