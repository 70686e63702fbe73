from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def render_governance_report_task(report_run_id: int) -> None:
    from reports.services import render_governance_report  # here: services import this module

    render_governance_report(report_run_id=report_run_id)
