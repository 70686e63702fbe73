"""The subject access tasks: the build on the reports queue, retried on a database hiccup, and beat's
sweep for builds nothing is doing."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from dataprotection import tasks
from dataprotection.models import SubjectAccessExport
from iom.celery import app as celery_app
from iom.core.models import Role
from tests.actors import build_world, member
from tests.dataprotection.test_subject_access_views import fast_pdf  # noqa: F401


def test_the_build_goes_to_the_reports_queue_and_the_sweep_to_the_default_one():
    router = celery_app.amqp.router
    assert (
        router.route({}, "dataprotection.tasks.build_subject_access_export_task")["queue"].name == "reports"
    )
    assert router.route({}, "dataprotection.tasks.resend_stalled_subject_access_exports_task")[
        "queue"
    ].name == ("default")


def test_beat_sweeps_for_stalled_exports():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "dataprotection.tasks.resend_stalled_subject_access_exports_task" in scheduled


def test_the_build_survives_a_lost_worker_and_retries_a_database_hiccup():
    task = tasks.build_subject_access_export_task
    assert task.acks_late
    assert task.reject_on_worker_lost
    assert OperationalError in getattr(task, "autoretry_for", ())
    assert getattr(task, "retry_backoff", False)


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_pdf")
def test_the_sweep_sends_again_only_exports_nothing_is_building():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    now = timezone.now()

    def export(**fields):
        return SubjectAccessExport.objects.create(
            nominal=world.nominal, team=world.own_team, requested_by=manager, **fields
        )

    lost_message = export(requested_at=now - tasks.QUEUED_TOO_LONG - timedelta(minutes=1))
    dead_worker = export(status="building", attempts=1, lease_expires_at=now - timedelta(minutes=1))
    just_asked = export()
    moving = export(status="building", attempts=1, lease_expires_at=now + timedelta(minutes=10))

    assert tasks.resend_stalled_subject_access_exports_task() == 2

    statuses = dict(SubjectAccessExport.objects.values_list("pk", "status"))
    assert statuses[lost_message.pk] == statuses[dead_worker.pk] == "succeeded"  # built, in-process in tests
    assert statuses[just_asked.pk] == "queued"
    assert statuses[moving.pk] == "building"
