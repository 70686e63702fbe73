"""The report journey through a real Celery worker process.

It uses the suite's own broker: Redis in CI (CELERY_BROKER_URL set by .ci/run), kombu's
filesystem transport otherwise, and the suite's test database, which the worker shares.
"""

import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cohorts.factories import NominalFactory
from iom.celery import app as celery_app
from iom.core.models import AuditEvent, Role
from reports.models import ReportRun
from reports.services import request_report
from tests.actors import build_world, member
from tests.reports.celery_worker import start_worker, stop_worker, wait_for, worker_environment

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def worker(settings, tmp_path) -> Iterator[Path]:
    log = tmp_path / "worker.log"
    # As `make run` does: one worker, in process (solo), taking both queues.
    process = start_worker(
        [
            "--pool=solo",
            "--queues=default,reports",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=info",
        ],
        env=worker_environment(settings),
        log=log,
    )
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield log
    finally:
        celery_app.conf.task_always_eager = eager
        stop_worker(process)


def test_a_worker_process_builds_the_requested_report(worker):
    world = build_world()
    NominalFactory.create_batch(4, team=world.own_team)
    lead = member(Role.REGIONAL_LEAD, region=world.region)
    period_end = timezone.localdate().replace(day=1) - timedelta(days=1)
    with transaction.atomic():  # the task is sent when this commits
        run = request_report(
            actor=lead,
            kind=ReportRun.Kind.REGIONAL_PACK,
            region=world.region,
            period_start=period_end.replace(day=1),
            period_end=period_end,
        )

    def finished() -> bool:
        run.refresh_from_db()
        return run.is_finished

    wait_for(finished, seconds=120, what="the worker to finish the run", log=worker)
    assert run.status == "succeeded", f"run ended {run.status!r}: {run.failure_reason}"
    assert run.attempts == 1
    assert (Path(settings.MEDIA_ROOT) / str(run.file.name)).read_bytes().startswith(b"%PDF")
    assert zipfile.is_zipfile(Path(settings.MEDIA_ROOT) / str(run.csv_file.name))
    assert AuditEvent.objects.filter(action="report.generated", target_id=str(run.pk)).count() == 1
    assert ReportRun.objects.count() == 1
