"""The report journey through a real Celery worker process.

It uses the suite's own broker: Redis in CI (CELERY_BROKER_URL set by .ci/run), kombu's
filesystem transport otherwise, and the suite's test database, which the worker shares.
"""

import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from cohorts.factories import NominalFactory
from iom.celery import app as celery_app
from iom.core.models import AuditEvent, Role
from reports.models import ReportRun
from reports.services import request_governance_report
from tests.actors import build_world, member

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "iom.test_settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "IOM_DATA_DIR": str(settings.DATA_DIR),
        "IOM_MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    log = tmp_path / "worker.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "iom",
                "worker",
                "--pool=solo",
                "--queues=default,reports",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=info",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield log
    finally:
        celery_app.conf.task_always_eager = eager
        process.terminate()
        process.wait(timeout=30)


def test_a_worker_process_builds_the_requested_report(worker):
    world = build_world()
    NominalFactory.create_batch(4, team=world.own_team)
    lead = member(Role.REGIONAL_LEAD, region=world.region)
    with transaction.atomic():  # the task is sent when this commits
        run = request_governance_report(
            actor=lead,
            region=world.region,
            period_start=datetime.date(2026, 10, 1),
            period_end=datetime.date(2026, 10, 31),
        )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_finished:
            break
        time.sleep(0.5)
    assert run.status == "succeeded", f"run ended {run.status!r}; worker log:\n{worker.read_text()[-3000:]}"
    assert (Path(settings.MEDIA_ROOT) / str(run.file.name)).read_bytes().startswith(b"%PDF")
    assert run.attempts == 1
    assert AuditEvent.objects.filter(action="report.generated", target_id=str(run.pk)).count() == 1
    assert ReportRun.objects.count() == 1
