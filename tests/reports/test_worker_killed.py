"""A report worker killed mid-build: the run still ends once, with one PDF, one CSV bundle, one record.

Real worker processes on Redis and PostgreSQL (CI has both: .ci/run). Elsewhere these tests skip,
unless IOM_REQUIRE_WORKER=1 (set by .ci/run), where they fail instead: the filesystem broker has no
redelivery, so there is nothing to test on it.

Each worker runs as production's report worker does (prefork, one process). The first attempt is
held inside the build (tests/reports/celery_worker.py: no test hook in production code), then killed
with SIGKILL: no warm shutdown, no chance to hand the task back. Two ways to die:

- The whole worker (a container or host lost): the message stays in Redis's unacknowledged set,
  because the task is acknowledged late, and is delivered again once its visibility timeout has
  passed. Two stand-ins keep the test short, each for time passing, not for a step of the mechanism:
  the run's 15-minute lease is expired in the database after the kill, and the second worker has a
  visibility timeout of 3 s instead of an hour (sweeping every second). Nothing re-sends the task
  from the test: had it been acknowledged early, the message would be gone and the run never end.
  The short visibility timeout may also hand the second worker's own message back while it builds;
  the claim makes such a duplicate do nothing, which is part of what is under test.
- Only the process building it (the kernel's out-of-memory killer): the worker rejects the message
  (reject_on_worker_lost) and it comes straight back, while the dead attempt's lease still runs; the
  task then waits for the lease to end. The lease is 5 s there instead of 15 minutes.
"""

import hashlib
import os
import signal
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone

from cohorts.factories import NominalFactory
from iom.celery import app as celery_app
from iom.core.models import AuditEvent, Role
from reports.models import ReportRun
from reports.services import request_report
from tests.actors import build_world, member
from tests.reports.celery_worker import (
    forget_queued_reports,
    kill_process_group,
    start_worker,
    stop_worker,
    wait_for,
    worker_environment,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REPORT_WORKER = [
    "--queues=reports",
    "--pool=prefork",
    "--concurrency=1",
    "--max-tasks-per-child=10",
    "--without-gossip",
    "--without-mingle",
    "--without-heartbeat",
    "--loglevel=info",
]


@pytest.fixture
def redis_and_postgresql(settings) -> None:
    missing = []
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        missing.append(f"the broker is {settings.CELERY_BROKER_URL.split(':')[0]}, not Redis")
    if connection.vendor != "postgresql":
        missing.append(f"the database is {connection.vendor}, not PostgreSQL")
    if missing:
        reason = "; ".join(missing)
        if os.environ.get("IOM_REQUIRE_WORKER") == "1":
            pytest.fail(f"{reason}, and IOM_REQUIRE_WORKER=1 says the worker tests must run", pytrace=False)
        pytest.skip(reason)


@pytest.fixture
def workers(redis_and_postgresql, settings, tmp_path) -> Iterator[list]:
    """Started workers, all stopped at the end; tasks go to the broker rather than run in the test."""
    forget_queued_reports()
    started: list = []
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield started
    finally:
        celery_app.conf.task_always_eager = eager
        for process in started:
            stop_worker(process)


def request_a_regional_pack() -> ReportRun:
    world = build_world()
    NominalFactory.create_batch(3, team=world.own_team)
    lead = member(Role.REGIONAL_LEAD, region=world.region)
    period_end = timezone.localdate().replace(day=1) - timedelta(days=1)
    with transaction.atomic():  # the task is sent when this commits
        return request_report(
            actor=lead,
            kind=ReportRun.Kind.REGIONAL_PACK,
            region=world.region,
            period_start=period_end.replace(day=1),
            period_end=period_end,
        )


def wait_until_finished(run: ReportRun, log: Path) -> None:
    def finished() -> bool:
        run.refresh_from_db()
        return run.is_finished

    wait_for(finished, seconds=120, what="the run to finish", log=log)


def assert_built_once_on_the_second_attempt(run: ReportRun, media_root: Path, log: Path) -> None:
    assert run.status == ReportRun.Status.SUCCEEDED, (
        f"{run.status}: {run.failure_reason}\n{log.read_text()[-4000:]}"
    )
    assert run.attempts == 2
    assert ReportRun.objects.count() == 1
    # Exactly the two files, under the names fixed by the run's id, and no temporary file left over.
    folder = media_root / "reports"
    assert sorted(path.name for path in folder.iterdir()) == [
        f"report-run-{run.pk}-tables.zip",
        f"report-run-{run.pk}.pdf",
    ]
    assert run.file.name == f"reports/report-run-{run.pk}.pdf"
    assert run.csv_file.name == f"reports/report-run-{run.pk}-tables.zip"
    pdf = (folder / f"report-run-{run.pk}.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == run.file_sha256
    with zipfile.ZipFile(folder / f"report-run-{run.pk}-tables.zip") as bundle:
        assert bundle.testzip() is None
        assert any(name.endswith(".csv") for name in bundle.namelist())
    generated = AuditEvent.objects.filter(action="report.generated", target_id=str(run.pk))
    assert generated.count() == 1
    assert generated.get().detail["attempt"] == 2
    assert not AuditEvent.objects.filter(action="report.failed").exists()


def test_a_report_worker_killed_mid_build_still_ends_with_one_pack(workers, settings, tmp_path):
    log, held = tmp_path / "workers.log", tmp_path / "held"
    first = start_worker(
        REPORT_WORKER, env=worker_environment(settings, IOM_TEST_HOLD_BUILD=str(held)), log=log
    )
    workers.append(first)
    run = request_a_regional_pack()
    wait_for(held.exists, seconds=60, what="the first worker to start building", log=log)
    run.refresh_from_db()
    assert (run.status, run.attempts) == (ReportRun.Status.RUNNING, 1)

    kill_process_group(first)
    run.refresh_from_db()
    assert (run.status, run.attempts) == (ReportRun.Status.RUNNING, 1), "the dead worker finished nothing"
    # Fifteen minutes pass: the dead worker's lease runs out.
    ReportRun.objects.filter(pk=run.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    workers.append(
        start_worker(
            REPORT_WORKER, env=worker_environment(settings, IOM_TEST_VISIBILITY_TIMEOUT="3"), log=log
        )
    )

    wait_until_finished(run, log)
    assert_built_once_on_the_second_attempt(run, Path(settings.MEDIA_ROOT), log)


def test_a_report_workers_building_process_killed_mid_build_still_ends_with_one_pack(
    workers, settings, tmp_path
):
    log, held = tmp_path / "workers.log", tmp_path / "held"
    env = worker_environment(settings, IOM_TEST_HOLD_BUILD=str(held), IOM_TEST_LEASE_SECONDS="5")
    worker = start_worker(REPORT_WORKER, env=env, log=log)
    workers.append(worker)
    run = request_a_regional_pack()
    wait_for(held.exists, seconds=60, what="the worker to start building", log=log)
    run_id, building_process = (int(part) for part in held.read_text().split())
    assert run_id == run.pk
    assert building_process != worker.pid, "the build runs in a pool process, not the worker itself"

    os.kill(building_process, signal.SIGKILL)

    wait_until_finished(run, log)
    assert worker.poll() is None, "the worker itself lived on and built it"
    assert_built_once_on_the_second_attempt(run, Path(settings.MEDIA_ROOT), log)
