"""Core's background work: the password reset email, sent by the worker after the request's commit."""

from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError

RESET_TASK_OPTIONS: dict[str, Any] = {
    "acks_late": True,
    "autoretry_for": (OperationalError, InterfaceError, OSError),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "max_retries": 5,
}


@shared_task(**RESET_TASK_OPTIONS)
def send_password_reset_link_task(user_id: int) -> None:
    from iom.core.passwords import send_password_reset_link  # here: the form enqueues this task

    send_password_reset_link(user_id=user_id)
