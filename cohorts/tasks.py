"""Celery tasks for cohorts: they call cohorts' own functions and hold no logic of their own."""

from celery import shared_task

from cohorts.importer import remove_old_uploads


@shared_task
def remove_old_tracker_uploads_task() -> int:
    """Beat, hourly: delete tracker uploads nobody imported within a day, and old import notes."""
    return remove_old_uploads()
